"""Demo data: recent reports (some late, some missing), snapshots, a bulletin; idempotent."""

from datetime import date

import pytest
import time_machine

from monitoring import selectors
from monitoring.models import Bulletin, MonthlyReport, MonthlySnapshot, ReportVersion

pytestmark = pytest.mark.django_db


def test_demo_reports_late_and_missing_and_idempotent():
    from monitoring.demo import load_demo
    from parties.demo import load_demo as parties_demo

    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        parties_demo()
        load_demo()
        counts = (ReportVersion.objects.count(), MonthlySnapshot.objects.count(), Bulletin.objects.count())
        load_demo()
        assert (ReportVersion.objects.count(), MonthlySnapshot.objects.count(), Bulletin.objects.count()) == counts
        assert MonthlyReport.objects.filter(late=True).exists()
        assert selectors.unreported(date(2026, 10, 1)).exists()
        assert ReportVersion.objects.filter(version=2).exists()
        assert Bulletin.objects.get().rows.exists()

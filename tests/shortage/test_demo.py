"""Demo data loads on top of the parties, catalogue and listing demos, and loads again
without duplicating anything."""

from datetime import date

import pytest
import time_machine

from shortage.models import EmergencyMeasure, EmergencyPurchase, ShortageList, ShortageListEntry, ShortageNeed
from tests.demo import load_base_demos


@pytest.mark.django_db
def test_demo_is_idempotent(nanjing):
    from shortage.demo import load_demo as load_shortage

    with time_machine.travel(date(2026, 11, 24), tick=False):
        load_base_demos()
        load_shortage()
        counts = [m.objects.count() for m in (ShortageList, ShortageListEntry, ShortageNeed, EmergencyPurchase,
                                             EmergencyMeasure)]
        load_shortage()
    assert counts == [m.objects.count() for m in (ShortageList, ShortageListEntry, ShortageNeed, EmergencyPurchase,
                                                  EmergencyMeasure)]
    assert counts[0] == 2 and counts[2] == 2 and counts[3] >= 3
    statuses = set(EmergencyPurchase.objects.values_list("status", flat=True))
    assert {"open", "overdue", "completed"} <= statuses

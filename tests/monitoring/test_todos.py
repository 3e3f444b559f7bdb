"""MON-2 on the home page (issue 15 item 6): an obliged hospital sees last month's report due
by the 15th (overdue after it); once submitted the task is gone; a primary institution has no
such task; the city sees its institutions that have not reported, Suzhou's city not Nanjing's."""

from datetime import date

import pytest
import time_machine

from monitoring import services
from parties.models import OrgKind
from tests.todos import home_todos as _todos

from .conftest import figures

pytestmark = pytest.mark.django_db

REPORT = "2026年10月采购数据月报待报送"
MISSING = "2026年10月尚未报送月报的机构"


def test_mon_2_report_due_by_the_15th_then_overdue_then_gone(client, hospital_user):
    with time_machine.travel("2026-11-10 10:00 +08:00", tick=False):
        item = _todos(client, hospital_user)[REPORT]
        assert item["count"] == 1 and item["due"] == date(2026, 11, 15) and not item["overdue"]
        assert item["url"] == "/monitoring/reports/new/?month=2026-10"
        assert client.get(item["url"]).status_code == 200
    with time_machine.travel("2026-11-16 10:00 +08:00", tick=False):
        item = _todos(client, hospital_user)[REPORT]
        assert item["overdue"] and item["days_late"] == 1
        services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=10, drug_platform=9))
        assert REPORT not in _todos(client, hospital_user)


def test_mon_2_primary_institution_has_no_report_task(client, make_org, make_user, nanjing):
    primary = make_user(make_org(OrgKind.INSTITUTION, city=nanjing, level=1))
    with time_machine.travel("2026-11-10 10:00 +08:00", tick=False):
        assert REPORT not in _todos(client, primary)


def test_mon_2_city_sees_only_its_institutions_missing_reports(client, hospital, nanjing_regulator, suzhou_regulator,
                                                               hospital_user):
    with time_machine.travel("2026-11-16 10:00 +08:00", tick=False):
        nj = _todos(client, nanjing_regulator)[MISSING]
        assert nj["count"] == 1 and nj["overdue"]
        assert "南京第一人民医院" in client.get(nj["url"]).content.decode()
        assert MISSING not in _todos(client, suzhou_regulator)  # denial: Suzhou has no Nanjing hospital
        assert REPORT not in _todos(client, nanjing_regulator)  # the regulator does not report
        services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=10, drug_platform=9))
        assert MISSING not in _todos(client, nanjing_regulator)

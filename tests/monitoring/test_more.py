"""More MON-2/MON-3 behaviour: provincial hospitals escalate to the province, the city's
bulletin covers only its secondary-and-above institutions, the beat task runs the job,
two concurrent first submissions make one version 1, and the pages read in English."""

from datetime import date

import pytest
import time_machine

from core.errors import RuleViolation
from monitoring import services, tasks
from monitoring.models import MonthlySnapshot, ReportVersion
from notifications.models import Notification
from parties.models import OrgKind
from tests.concurrency import at_once
from tests.i18n_en import compiled_catalogues

from .conftest import figures


@pytest.mark.django_db
def test_mon2_provincial_hospital_escalates_to_province(make_org, make_user, nanjing, province_user, nanjing_regulator):
    prov_hosp = make_org(OrgKind.INSTITUTION, city=nanjing, level=3, reports_to_province=True)
    make_user(prov_hosp)
    with time_machine.travel("2026-11-16 08:00 +0800", tick=False):
        services.deadline_check()
    assert Notification.objects.filter(kind="monitoring.escalation", recipient=province_user).exists()
    assert not Notification.objects.filter(kind="monitoring.escalation", recipient=nanjing_regulator).exists()


@pytest.mark.django_db
def test_mon3_city_bulletin_covers_its_secondary_and_above(make_org, make_user, nanjing, suzhou, nanjing_regulator):
    nj2 = make_org(OrgKind.INSTITUTION, city=nanjing, level=2)
    nj1 = make_org(OrgKind.INSTITUTION, city=nanjing, level=1)
    sz3 = make_org(OrgKind.INSTITUTION, city=suzhou, level=3)
    with time_machine.travel("2026-10-05 10:00 +0800", tick=False):
        services.report_submit(user=make_user(nj2), month="2026-09", figures=figures(drug_total=10, drug_platform=5))
        with pytest.raises(RuleViolation):     # primary institutions do not report (MON-2)
            services.report_submit(user=make_user(nj1), month="2026-09", figures=figures())
        b = services.bulletin_publish(user=nanjing_regulator, year=2026, quarter=3)
    names = set(b.rows.values_list("institution_id", flat=True))
    assert nj2.pk in names and nj1.pk not in names and sz3.pk not in names
    assert b.city == nanjing and "南京市" in b.title


@pytest.mark.django_db
def test_beat_task_runs_the_monthly_job_for_last_month(hospital):
    with time_machine.travel("2026-11-01 02:00 +0800", tick=False):
        result = tasks.monthly_run()
    assert result["month"] == "2026-10-01"
    assert MonthlySnapshot.objects.filter(institution=hospital, month=date(2026, 10, 1)).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_submissions_make_one_first_version(make_org, make_user, nanjing):
    hosp = make_org(OrgKind.INSTITUTION, city=nanjing, level=3)
    user = make_user(hosp)

    def submit():
        try:
            services.report_submit(user=user, month="2026-10", figures=figures(drug_total=10, drug_platform=5))
            return "ok"
        except RuleViolation as exc:
            return exc.field

    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        outcomes = at_once(submit)
    assert sorted(outcomes) == ["ok", "reason"]          # the second needs a correction reason
    assert list(ReportVersion.objects.values_list("version", flat=True)) == [1]


english = compiled_catalogues("monitoring")


@pytest.mark.django_db
def test_report_form_in_english(client, english, hospital_user):
    client.force_login(hospital_user)
    client.cookies["django_language"] = "en"
    with time_machine.travel("2026-11-05 10:00 +0800", tick=False):
        html = client.get("/monitoring/reports/new/").content.decode()
    assert "<h1>Submit the monthly procurement report</h1>" in html and "报送采购数据月报" not in html
    assert "Basis: MON-2" in html

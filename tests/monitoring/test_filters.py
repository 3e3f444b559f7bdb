"""Issue 14 item 4: the monthly report list page and `GET /api/v1/monitoring/reports` filter with
one FilterSet (monitoring.filters.ReportFilter), so the same query gives the same reports
(MON-2); the API refuses a malformed month with its field, the page ignores it; an institution
never sees another's report, whatever it searches for."""

import pytest
from django.urls import reverse

from monitoring import services
from tests.his import his_client

from .conftest import figures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nov24")]


@pytest.fixture
def reported(hospital_user):
    for month in ("2026-09", "2026-10"):
        services.report_submit(user=hospital_user, month=month, figures=figures(drug_total=100, drug_platform=90))


def _page_and_api_months(client, user, institution, params):
    client.force_login(user)
    page = client.get(reverse("monitoring:report_list"), params)
    listed = his_client(institution).get("/api/v1/monitoring/reports", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    return (sorted(f"{r.month:%Y-%m}" for r in page.context["page"].object_list),
            sorted(r["month"] for r in listed.json()["results"]))


@pytest.mark.parametrize("params, expected", [
    ({}, ["2026-09", "2026-10"]), ({"month": "2026-10"}, ["2026-10"]), ({"month": "2026-08"}, []),
    ({"status": "submitted"}, ["2026-09", "2026-10"]), ({"status": "open"}, []),
    ({"q": "南京第一"}, ["2026-09", "2026-10"]), ({"q": "苏州"}, []),
])
def test_mon_2_report_page_and_api_give_the_same_reports_for_the_same_filter(client, hospital, hospital_user,
                                                                            reported, params, expected):
    page, api = _page_and_api_months(client, hospital_user, hospital, params)
    assert page == api == expected


def test_mon_2_a_malformed_month_is_refused_by_the_api_and_ignored_by_the_page(client, hospital, hospital_user,
                                                                                reported):
    refused = his_client(hospital).get("/api/v1/monitoring/reports", {"month": "2026-13"})
    assert refused.status_code == 400 and refused.json()["field"] == "month"
    client.force_login(hospital_user)
    assert len(client.get(reverse("monitoring:report_list"), {"month": "2026-13"}).context["page"].object_list) == 2


def test_mon_2_a_filter_never_reaches_another_institutions_report(client, sz_hospital, make_user, reported):
    page, api = _page_and_api_months(client, make_user(sz_hospital), sz_hospital, {"q": "南京第一"})
    assert page == api == []

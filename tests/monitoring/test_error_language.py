"""Issue 9 item 11 for monitoring: a MON-2 refusal follows the interface language — English
through the HIS API's Accept-Language or the page's language cookie, Chinese (the source)
otherwise — and keeps its rule ID as the code."""

from html import unescape

import pytest
from django.conf import settings

from monitoring.models import ReportVersion

from .conftest import figures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nov24")]

BODY = {"month": "2026-10", "drug_total": "1000", "drug_platform": "2000", "drug_emergency": "0",
        "consumable_total": "100", "consumable_platform": "80", "consumable_emergency": "0"}


def test_mon2_api_refusal_in_english_with_accept_language(his):
    """MON-2: the platform part of the drug figures cannot exceed the actual purchases."""
    r = his.post("/api/v1/monitoring/reports", BODY, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json()["code"] == "MON-2" and r.json()["field"] == "drug_platform"
    assert r.json()["detail"] == ("Drugs: the provincial platform purchase amount may not exceed the actual "
                                  "purchase amount")
    assert not ReportVersion.objects.exists()


def test_mon2_api_refusal_in_chinese_without_header(his):
    r = his.post("/api/v1/monitoring/reports", BODY, format="json")
    assert r.status_code == 422 and r.json()["code"] == "MON-2"
    assert r.json()["detail"] == "药品省平台采购金额不得大于实际采购金额"


def test_mon2_api_current_month_refused_in_english_with_the_month(his):
    """MON-2: only a month that is over can be reported; the English refusal names the month."""
    r = his.post("/api/v1/monitoring/reports", {**BODY, "month": "2026-11", "drug_platform": "500"}, format="json",
                 HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and r.json()["code"] == "MON-2"
    assert r.json()["detail"] == "Only months that are over can be reported (2026-11 is not over yet)"


def test_mon2_page_refusal_in_english_with_language_cookie(client, hospital_user):
    client.force_login(hospital_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = unescape(client.post("/monitoring/reports/new/",
                                {**figures(drug_total=10, drug_platform=20), "month": "2026-10"}).content.decode())
    assert "the provincial platform purchase amount may not exceed the actual purchase amount" in page
    assert "省平台采购金额不得大于实际采购金额" not in page
    assert not ReportVersion.objects.exists()

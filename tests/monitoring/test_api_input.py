"""Issue 14 item 4: the MON-2 report API validates the body in its serializer (ReportIn) with the
service's own parsers — a malformed amount or month is refused with its field, the cross-figure
check (platform ≤ total) as MON-2, nothing written — and a caller who may not report is refused
(403) before its body is read."""

import pytest
from rest_framework.test import APIClient

from monitoring.models import ReportVersion
from tests.his import his_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nov24")]

URL = "/api/v1/monitoring/reports"
BODY = {"month": "2026-10", "drug_total": "1000000", "drug_platform": "850000", "drug_emergency": "10000",
        "consumable_total": "100", "consumable_platform": "80", "consumable_emergency": "0"}


@pytest.mark.parametrize("change, status, code, field, message", [
    ({"drug_total": "一百万"}, 400, "invalid", "drug_total", "药品实际采购金额须为数字"),
    ({"drug_total": "100.005"}, 400, "invalid", "drug_total", "最多保留两位小数"),
    ({"consumable_emergency": "-1"}, 400, "invalid", "consumable_emergency", "不得为负数"),
    ({"drug_platform": None}, 400, "invalid", "drug_platform", "请填写药品省平台采购金额"),
    ({"month": "2026-13"}, 400, "invalid", "month", "YYYY-MM"),
    ({"drug_platform": "2000000"}, 422, "MON-2", "drug_platform", ""),
])
def test_mon_2_serializer_refuses_a_malformed_figure_with_its_field(hospital, change, status, code, field, message):
    r = his_client(hospital).post(URL, {**BODY, **change}, format="json")
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["field"] == field and message in r.json()["detail"]
    assert not ReportVersion.objects.exists()


def test_mon_2_a_regulator_is_refused_before_its_malformed_body_is_read(nanjing_regulator):
    client = APIClient()
    client.force_authenticate(nanjing_regulator)
    r = client.post(URL, {**BODY, "drug_total": "一百万", "month": "never"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "MON-2"
    assert not ReportVersion.objects.exists()

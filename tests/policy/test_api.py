"""Read API of policy parameters: the value in force on a date, for any signed-in client."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from policy import services
from policy.registry import PARAMETERS


@pytest.fixture(autouse=True)
def on_nov_24():
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield


def test_list_and_detail_at_a_date(client, province_user, institution_user):
    services.set_value(user=province_user, key="lst.ratio.strength", raw_value="1.8",
                       effective_from=date(2027, 1, 1), reason="新差比价规则")
    client.force_login(institution_user)
    rows = client.get("/api/v1/policy/parameters/").json()
    assert {r["key"] for r in rows} == set(PARAMETERS)
    one = client.get("/api/v1/policy/parameters/lst.ratio.strength").json()
    assert one == {"key": "lst.ratio.strength", "rule": "LST-2.2.1", "label": "差比价：含量比价系数",
                   "type": "decimal", "value": "1.7", "effective_from": "2020-05-01"}
    later = client.get("/api/v1/policy/parameters/lst.ratio.strength", {"at": "2027-01-01"}).json()
    assert later["value"] == "1.8" and later["effective_from"] == "2027-01-01"
    zon = [p for p in client.get("/api/v1/policy/parameters/", {"rule": "VBP-7"}).json()
           if p["key"] == "vbp.prepayment_shares"]  # VBP-7 also has vbp.prepayment_min_first_percent
    assert zon == [{"key": "vbp.prepayment_shares", "rule": "VBP-7", "label": "医保预付比例（%）", "type": "json",
                    "value": {"start": 50, "midterm": 45, "final": 5}, "effective_from": "2020-05-01"}]


def test_errors_use_the_one_error_shape(client, institution_user):
    client.force_login(institution_user)
    bad = client.get("/api/v1/policy/parameters/", {"at": "2026-02-30"})
    assert bad.status_code == 400 and bad.json()["field"] == "at"
    missing = client.get("/api/v1/policy/parameters/no.such.key")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_anonymous_is_refused(db, client):
    assert client.get("/api/v1/policy/parameters/").status_code in (401, 403)


def test_the_api_cannot_change_a_value(client, province_user):
    client.force_login(province_user)
    response = client.post("/api/v1/policy/parameters/lst.batch_day", {"value": 20}, content_type="application/json")
    assert response.status_code == 405
    assert services.get("lst.batch_day") == 15

"""The HIS API of emergency purchases (EMG-1): Idempotency-Key, the one error shape, scoping."""

from datetime import date

import pytest
import time_machine
from rest_framework.test import APIClient

from shortage.models import EmergencyPurchase, EmergencyStatus

from .conftest import declaration, pdf

pytestmark = pytest.mark.django_db


def _body(**kw):
    data = declaration(**kw)
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in data.items()}


def test_emg1_his_declares_once_per_idempotency_key(his, hospital):
    with time_machine.travel(date(2026, 12, 24), tick=False):
        r = his.post("/api/v1/shortage/emergency-purchases/", _body(), format="json", HTTP_IDEMPOTENCY_KEY="e-1")
        replay = his.post("/api/v1/shortage/emergency-purchases/", _body(), format="json", HTTP_IDEMPOTENCY_KEY="e-1")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["due"] == "2027-01-21" and body["due_provisional"] is True and body["status"] == "open"
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    case = EmergencyPurchase.objects.get()
    assert case.source == "api" and case.institution_id == hospital.pk
    listed = his.get("/api/v1/shortage/emergency-purchases/").json()
    assert [c["id"] for c in listed["results"]] == [case.pk]


@pytest.mark.parametrize("override,field", [({"amount": "三千"}, "amount"), ({"approved_by": ""}, "approved_by"),
                                            ({"purchase_date": "2026-12-30"}, "purchase_date")])
def test_emg1_api_bad_input_names_the_rule_and_writes_nothing(his, override, field):
    with time_machine.travel(date(2026, 12, 24), tick=False):
        r = his.post("/api/v1/shortage/emergency-purchases/", _body(**override), format="json",
                     HTTP_IDEMPOTENCY_KEY=f"bad-{field}")
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "EMG-1" and r.json()["field"] == field
    assert not EmergencyPurchase.objects.exists()


def test_emg1_api_formalities_for_another_institutions_case_is_refused(declare, his, other_hospital_user):
    case = declare(user=other_hospital_user)
    r = his.post(f"/api/v1/shortage/emergency-purchases/{case.pk}/formalities/",
                 {"ref": "伪造", "documents": [pdf()]}, format="multipart")
    assert r.status_code == 403 and r.json()["code"] == "EMG-1"
    case.refresh_from_db()
    assert case.status == EmergencyStatus.OPEN
    assert his.get(f"/api/v1/shortage/emergency-purchases/{case.pk}/").status_code == 404


def test_emg1_api_formalities_own_case(declare, his, hospital_user):
    case = declare(user=hospital_user)
    with time_machine.travel(date(2027, 1, 4), tick=False):
        r = his.post(f"/api/v1/shortage/emergency-purchases/{case.pk}/formalities/",
                     {"ref": "采购凭证补报", "documents": [pdf()]}, format="multipart", HTTP_IDEMPOTENCY_KEY="f-1")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "completed" and r.json()["formalities_late"] is False


def test_emg1_api_requires_authentication():
    assert APIClient().get("/api/v1/shortage/emergency-purchases/").status_code == 401


def test_emg1_api_without_approval_date_is_a_clear_refusal(his):
    """Found by schemathesis: a declaration without `approval_date` got a 500; it is refused
    naming EMG-1 / the field, and nothing is written."""
    from shortage.models import EmergencyPurchase

    resp = his.post("/api/v1/shortage/emergency-purchases/", {
        "kind": "drug", "item_name": "注射用甲磺酸酚妥拉明 10mg", "supplier": "某制药有限公司", "emergency_kind": "rescue",
        "emergency_note": "急诊抢救", "clinical_necessity": "无替代品种", "approved_by": "张院长",
        "purchase_date": "2026-11-20", "quantity": "20", "amount": "3600.00"}, format="json")
    assert resp.status_code in (400, 422) and resp.json()["code"] in ("EMG-1", "invalid")
    assert not EmergencyPurchase.objects.exists()

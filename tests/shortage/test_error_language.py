"""Issue 9 item 11 for shortage and emergency purchasing: an SHO-1 / EMG-1 refusal follows the
interface language — English through the API's Accept-Language or the page's language cookie,
Chinese (the source) otherwise — and keeps its rule ID as the code."""

from datetime import date
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.errors import RuleViolation
from shortage import services
from shortage.models import EmergencyPurchase, ShortageNeed

from .conftest import declaration

pytestmark = pytest.mark.django_db


def _body(**kw):
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in declaration(**kw).items()}


def _declare_without_approver(his, **headers):
    with time_machine.travel(date(2026, 12, 24), tick=False):
        return his.post("/api/v1/shortage/emergency-purchases/", _body(approved_by=""), format="json", **headers)


def test_emg1_api_refusal_in_english_with_accept_language(his):
    """EMG-1: a drug's emergency purchase needs the head of the institution's approval."""
    r = _declare_without_approver(his, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422
    assert r.json()["code"] == "EMG-1" and r.json()["field"] == "approved_by"
    assert r.json()["detail"] == ("An emergency purchase needs the approval of the head of the institution: "
                                  "enter the approver")
    assert not EmergencyPurchase.objects.exists()


def test_emg1_api_refusal_in_chinese_without_header(his):
    r = _declare_without_approver(his)
    assert r.status_code == 422 and r.json()["code"] == "EMG-1"
    assert r.json()["detail"] == "应急采购须经医疗机构负责人同意：请填写审批人"


def test_emg1_api_future_purchase_date_keeps_the_date_in_english(his):
    """EMG-1: the purchase comes first; a future purchase date is refused, naming the date."""
    with time_machine.travel(date(2026, 12, 24), tick=False):
        r = his.post("/api/v1/shortage/emergency-purchases/", _body(purchase_date=date(2026, 12, 30)), format="json",
                     HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 422 and r.json()["code"] == "EMG-1" and r.json()["field"] == "purchase_date"
    assert r.json()["detail"] == ("The purchase date 2026-12-30 is later than today; an emergency purchase is "
                                  "declared after it was made")
    assert not EmergencyPurchase.objects.exists()


def test_emg1_page_refusal_in_english_with_language_cookie(client, hospital_user):
    """EMG-1: a malformed amount is refused next to its field, in English when English is chosen."""
    with time_machine.travel(date(2026, 12, 24), tick=False):
        client.force_login(hospital_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        r = client.post(reverse("shortage:emergency_create"), {
            "kind": "drug", "item_name": "x", "supplier": "y", "emergency_kind": "rescue", "emergency_note": "抢救",
            "clinical_necessity": "z", "approved_by": "张院长", "approval_date": "2026-12-24",
            "purchase_date": "2026-12-24", "quantity": "1", "amount": "1,000"})
    page = unescape(r.content.decode())
    assert r.status_code == 200
    assert "Amount “1,000” is invalid: it must be a number greater than 0 with at most 2 decimals" in page
    assert "无效：须为大于 0 的数值" not in page
    assert not EmergencyPurchase.objects.exists()


def test_sho1_refusal_in_english_for_a_drug_not_on_any_list(hospital_user):
    """SHO-1: self-sourcing only for drugs on the shortage or watch list — the reason in English."""
    with translation.override("en"), pytest.raises(RuleViolation) as exc:
        services.need_create(hospital_user, generic_name="不在清单的药（测试）", dosage_form="片剂", quantity=10)
    assert exc.value.code == "SHO-1"
    assert exc.value.detail == "This drug is not on the shortage drug list or the shortage watch list"
    assert not ShortageNeed.objects.exists()

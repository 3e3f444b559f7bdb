"""QUA-1 (002 §37, 000 annex §七(二十)): a manufacturer's change of its product's information
is a change request; the product row — which every rule (NEG-2, LST-5 …) reads — keeps the
confirmed values until the province (ordinary consumables / IVD reagents: the city) confirms."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from catalog import rules, selectors, services
from catalog.models import ProductChangeRequest
from catalog.signals import product_information_confirmed
from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from parties.models import OrgKind
from tests import factories as f

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ pure rules

@pytest.mark.parametrize("kind, current, proposed, city_review, expected", [
    ("drug", "", "", True, "province"),
    ("consumable", "hv6", "hv6", True, "province"),
    ("consumable", "hv5", "hv5", True, "province"),
    ("consumable", "ordinary", "ordinary", True, "city"),
    ("consumable", "ivd", "ivd", True, "city"),
    ("consumable", "ordinary", "ivd", True, "city"),
    ("consumable", "ordinary", "hv6", True, "province"),  # moving into a provincial class
    ("consumable", "hv6", "ordinary", True, "province"),
    ("consumable", "ordinary", "ordinary", False, "province"),  # catalogue unified
])
def test_qua_1_reviewer_table(kind, current, proposed, city_review, expected):
    assert rules.qua_1_reviewer(kind, current, proposed, city_review=city_review) == expected


def test_qua_1_changes_and_stale_fields():
    assert rules.qua_1_changes({"a": 1, "b": False}, {"a": 1, "b": True}) == {"b": True}
    assert rules.qua_1_changes({"a": 1}, {"a": 1}) == {}
    assert rules.qua_1_stale_fields({"b": False}, {"b": False}) == []
    assert rules.qua_1_stale_fields({"b": False, "a": "x"}, {"b": True, "a": "x"}) == ["b"]


# ------------------------------------------------------------------ services

@pytest.fixture
def drug(make_product):
    return make_product(generic_name="注射用紫杉醇")


def test_qua_1_flag_change_stays_pending_and_the_old_value_stays_in_force(maker_user, province_user, drug):
    cr = services.product_change_propose(
        maker_user, drug, changes={"is_national_negotiated": True, "nn_payment_standard": "128.5",
                                   "nn_agreement_start": date(2026, 1, 1), "nn_agreement_end": date(2027, 12, 31)},
        reason="2025 年国家医保谈判药品")
    drug.refresh_from_db()
    # NEG-2 / LST-3.1 read the product row: still not negotiated while pending
    assert not drug.is_national_negotiated and drug.nn_payment_standard is None
    assert cr.status == "pending" and cr.reviewer == "province"
    assert cr.changes == {"is_national_negotiated": True, "nn_payment_standard": "128.5",
                          "nn_agreement_start": "2026-01-01", "nn_agreement_end": "2027-12-31"}
    assert cr.previous == {"is_national_negotiated": False, "nn_payment_standard": None,
                           "nn_agreement_start": None, "nn_agreement_end": None}
    assert not selectors.search_products(province_user, flags=["is_national_negotiated"]).exists()

    received = []

    def receiver(sender, product, fields, request, **kw):
        received.append(fields)

    product_information_confirmed.connect(receiver)
    try:
        services.product_change_confirm(province_user, cr, reason="核对国谈文件无误")
    finally:
        product_information_confirmed.disconnect(receiver)
    drug.refresh_from_db()
    cr.refresh_from_db()
    assert drug.is_national_negotiated and drug.nn_payment_standard == Decimal("128.5")
    assert drug.nn_agreement_end == date(2027, 12, 31)
    assert cr.status == "confirmed" and cr.decided_by == province_user
    assert received == [["is_national_negotiated", "nn_agreement_end", "nn_agreement_start", "nn_payment_standard"]]


def test_qua_1_only_changed_fields_are_requested(maker_user, drug):
    cr = services.product_change_propose(
        maker_user, drug, changes={"generic_name": drug.generic_name, "specification": drug.specification,
                                   "is_shortage": True}, reason="列入短缺药品清单")
    assert cr.changes == {"is_shortage": True}


def test_qua_1_change_request_for_another_enterprises_product_is_refused(other_maker_user, drug, province_user):
    with pytest.raises(Forbidden) as exc:
        services.product_change_propose(other_maker_user, drug, changes={"is_shortage": True}, reason="x")
    assert exc.value.code == "QUA-1"
    with pytest.raises(Forbidden):  # a regulator edits directly; it does not file requests
        services.product_change_propose(province_user, drug, changes={"is_shortage": True}, reason="x")
    assert not ProductChangeRequest.objects.exists()
    drug.refresh_from_db()
    assert not drug.is_shortage


def test_qua_1_bad_requests_change_nothing(maker_user, drug):
    with pytest.raises(InvalidInput):  # no reason
        services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason=" ")
    with pytest.raises(InvalidInput):  # nothing changes
        services.product_change_propose(maker_user, drug, changes={"is_shortage": False}, reason="x")
    with pytest.raises(RuleViolation) as exc:  # CAT-1: an innovative drug needs its class
        services.product_change_propose(maker_user, drug, changes={"is_innovative": True}, reason="x")
    assert exc.value.code == "CAT-1"
    with pytest.raises(RuleViolation) as exc:  # CAT-1.1: malformed code
        services.product_change_propose(maker_user, drug, changes={"national_code": "XA01"}, reason="x")
    assert exc.value.code == "CAT-1.1"
    with pytest.raises(InvalidInput):  # not a product field
        services.product_change_propose(maker_user, drug, changes={"in_sunshine_catalogue": True}, reason="x")
    assert not ProductChangeRequest.objects.exists()


def test_qua_1_one_open_request_per_product(maker_user, drug):
    services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason="短缺清单")
    with pytest.raises(Conflict):
        services.product_change_propose(maker_user, drug, changes={"is_essential": True}, reason="基药目录")
    assert ProductChangeRequest.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database says so too
        ProductChangeRequest.objects.create(product=drug, enterprise=drug.manufacturer, changes={"a": 1},
                                            previous={"a": 0}, reason="x", reviewer="province",
                                            proposed_by=maker_user)


def test_qua_1_refusal_needs_a_reason_and_keeps_the_product(maker_user, province_user, drug):
    cr = services.product_change_propose(maker_user, drug, changes={"is_originator": True}, reason="原研")
    with pytest.raises(InvalidInput):
        services.product_change_refuse(province_user, cr, reason="")
    services.product_change_refuse(province_user, cr, reason="未提供原研证明")
    cr.refresh_from_db()
    drug.refresh_from_db()
    assert cr.status == "refused" and cr.decision_reason == "未提供原研证明" and not drug.is_originator
    with pytest.raises(Conflict):
        services.product_change_confirm(province_user, cr)
    drug.refresh_from_db()
    assert not drug.is_originator


def test_qua_1_who_may_confirm(maker_user, drug, make_user, nanjing):
    cr = services.product_change_propose(maker_user, drug, changes={"is_reference": True}, reason="参比制剂目录")
    city = make_user(kind=OrgKind.CITY_REGULATOR)
    for user in (maker_user, city, make_user(kind=OrgKind.INSTITUTION)):
        with pytest.raises(Forbidden):
            services.product_change_confirm(user, cr)
    cr.refresh_from_db()
    drug.refresh_from_db()
    assert cr.status == "pending" and not drug.is_reference


def test_qua_1_ordinary_consumable_is_confirmed_by_the_named_city(make_org, make_user, make_product, nanjing,
                                                                  suzhou, province_user):
    maker = make_org(OrgKind.MANUFACTURER, city=nanjing)
    user = make_user(maker)
    gauze = make_product(kind="consumable", consumable_class="ordinary", generic_name="医用纱布",
                         manufacturer=maker)
    cr = services.product_change_propose(user, gauze, changes={"specification": "10cm×10cm"}, reason="注册证变更")
    assert (cr.reviewer, cr.review_city) == ("city", nanjing)  # default: the enterprise's own city
    suzhou_regulator = make_user(make_org(OrgKind.CITY_REGULATOR, city=suzhou))
    nanjing_regulator = make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))
    for user_ in (suzhou_regulator, province_user):
        with pytest.raises(Forbidden):
            services.product_change_confirm(user_, cr)
    assert not selectors.change_requests(suzhou_regulator, status="pending").exists()
    assert list(selectors.change_requests(nanjing_regulator, status="pending")) == [cr]
    services.product_change_confirm(nanjing_regulator, cr)
    gauze.refresh_from_db()
    assert gauze.specification == "10cm×10cm"


def test_qua_1_city_review_needs_a_city(make_org, make_user, make_product):
    maker = make_org(OrgKind.MANUFACTURER)  # registered outside the province: no city
    user = make_user(maker)
    reagent = make_product(kind="consumable", consumable_class="ivd", generic_name="检测试剂盒", manufacturer=maker)
    with pytest.raises(InvalidInput) as exc:
        services.product_change_propose(user, reagent, changes={"specification": "48T"}, reason="规格")
    assert exc.value.field == "review_city"
    assert not ProductChangeRequest.objects.exists()


def test_qua_1_stale_request_cannot_overwrite_a_newer_value(maker_user, province_user, drug):
    cr = services.product_change_propose(maker_user, drug, changes={"is_essential": True}, reason="基药")
    services.product_update(province_user, drug, {"is_essential": True}, reason="依基药目录直接更正")
    services.product_update(province_user, drug, {"is_essential": False}, reason="更正错误")
    # back to the old value: no longer stale
    services.product_update(province_user, drug, {"is_shortage": True}, reason="短缺清单")
    services.product_change_confirm(province_user, cr)
    cr2 = services.product_change_propose(maker_user, drug, changes={"is_emergency": True}, reason="急抢救")
    services.product_update(province_user, drug, {"is_emergency": True}, reason="省级直接确认")
    with pytest.raises(Conflict):
        services.product_change_confirm(province_user, cr2)
    cr2.refresh_from_db()
    assert cr2.status == "pending"


def test_qua_1_withdraw_only_own(maker_user, other_maker_user, drug):
    cr = services.product_change_propose(maker_user, drug, changes={"is_shortage_watch": True}, reason="监测清单")
    with pytest.raises(Forbidden):
        services.product_change_withdraw(other_maker_user, cr)
    services.product_change_withdraw(maker_user, cr)
    cr.refresh_from_db()
    assert cr.status == "withdrawn"
    services.product_change_propose(maker_user, drug, changes={"is_shortage_watch": True}, reason="再次申请")


def test_qua_1_change_requests_are_never_deleted(maker_user, drug):
    cr = services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason="短缺")
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017 — the database refuses (AUD-1)
        ProductChangeRequest.objects.filter(pk=cr.pk).delete()
    assert ProductChangeRequest.objects.filter(pk=cr.pk).exists()


# ------------------------------------------------------------------ pages

def test_qua_1_manufacturer_form_proposes_instead_of_writing(client, maker_user, drug):
    client.force_login(maker_user)
    url = reverse("catalog:product_edit", args=[drug.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="change-notice"' in page
    data = {"kind": "drug", "national_code": drug.national_code, "generic_name": drug.generic_name,
            "dosage_form": drug.dosage_form, "specification": drug.specification, "conversion": 1,
            "is_shortage": "on", "reason": "列入国家短缺药品清单"}
    response = client.post(url, data)
    assert response.status_code == 302
    drug.refresh_from_db()
    assert not drug.is_shortage
    cr = ProductChangeRequest.objects.get()
    assert cr.changes == {"is_shortage": True}
    detail = client.get(reverse("catalog:product_detail", args=[drug.pk])).content.decode()
    assert 'data-testid="pending-change"' in detail and "待审核" in detail
    # without a reason: the form says so, nothing is filed
    cr.status = "withdrawn"
    cr.decided_by, cr.decided_at = maker_user, cr.proposed_at
    cr.save()
    response = client.post(url, {**data, "reason": ""})
    assert response.status_code == 200 and 'data-testid="error-reason"' in response.content.decode()
    assert ProductChangeRequest.objects.count() == 1


def test_qua_1_queue_filters_export_and_decision_page(client, maker_user, province_user, drug, make_product):
    other = make_product(generic_name="阿托伐他汀钙片")
    services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason="短缺")
    cr2 = services.product_change_propose(maker_user, other, changes={"is_essential": True}, reason="基药")
    client.force_login(province_user)
    page = client.get(reverse("catalog:change_list")).content.decode()
    assert "注射用紫杉醇" in page and "阿托伐他汀钙片" in page and "待审核" in page
    page = client.get(reverse("catalog:change_list"), {"q": "阿托伐他汀"}).content.decode()
    assert "注射用紫杉醇" not in page and "阿托伐他汀钙片" in page
    response = client.get(reverse("catalog:change_list"), {"export": "xlsx"})
    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(response.content)).active
    assert ws.max_row == 3 and "短缺药品清单：否 → 是" in [c.value for c in ws[3]] + [c.value for c in ws[2]]
    detail = reverse("catalog:change_detail", args=[cr2.pk])
    assert 'data-testid="decision-form"' in client.get(detail).content.decode()
    client.post(detail, {"decision": "confirm", "reason": "核实"})
    other.refresh_from_db()
    assert other.is_essential
    # history on the product page, visible to an institution once confirmed
    client.force_login(maker_user)
    assert 'data-testid="decision-form"' not in client.get(detail).content.decode()


def test_qua_1_other_enterprise_cannot_open_a_pending_request(client, maker_user, other_maker_user, drug):
    cr = services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason="短缺")
    client.force_login(other_maker_user)
    assert client.get(reverse("catalog:change_detail", args=[cr.pk])).status_code == 404
    assert client.post(reverse("catalog:change_detail", args=[cr.pk]),
                       {"decision": "confirm"}).status_code == 404
    assert client.post(reverse("catalog:product_edit", args=[drug.pk]),
                       {"kind": "drug", "generic_name": "x", "conversion": 1, "reason": "x"}).status_code == 403
    cr.refresh_from_db()
    assert cr.status == "pending"


def test_qua_1_rules_permissions_mirror_the_services(maker_user, other_maker_user, province_user, drug, make_user):
    cr = services.product_change_propose(maker_user, drug, changes={"is_shortage": True}, reason="短缺")
    assert maker_user.has_perm("catalog.propose_product_change", drug)
    assert not other_maker_user.has_perm("catalog.propose_product_change", drug)
    assert province_user.has_perm("catalog.review_product_change", cr)
    assert not maker_user.has_perm("catalog.review_product_change", cr)
    assert not make_user(kind=OrgKind.CITY_REGULATOR).has_perm("catalog.review_product_change", cr)


def test_neg_2_reads_only_confirmed_values(maker_user, province_user, drug, make_user, make_org):
    """A pending "national negotiated" change does not stop negotiation (the old value stands);
    once the province confirms it, NEG-2 refuses negotiation of the product."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from negotiation.services import proposal_submit

    listing = f.ListingFactory(product=drug, price=Decimal("8.00"), category="LST-1",
                                     effective_date=date(2026, 1, 1))
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        cr = services.product_change_propose(
            maker_user, drug, changes={"is_national_negotiated": True, "nn_payment_standard": "8.00"},
            reason="国家谈判药品")
        proposal_submit(user=make_user(make_org(OrgKind.INSTITUTION)), listing_id=listing.pk, unit_price="7",
                        quantity="10")
        services.product_change_confirm(province_user, cr)
        with pytest.raises(RuleViolation) as exc:
            proposal_submit(user=make_user(make_org(OrgKind.INSTITUTION)), listing_id=listing.pk, unit_price="7",
                            quantity="10")
    assert exc.value.code == "NEG-2"

"""Services of the VBP channel: national result import, base volumes, allocation lock,
contracts, price in force, the VBP-4 cap, NEG-2 — and the bad-input list of issue 12."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from core.errors import Forbidden, RuleViolation
from listing.models import Listing
from orders.pricing import quote_in_force
from orders.services import ordering
from policy import services as policy
from tests import factories as f
from vbp import services
from vbp.models import (
    BaseVolume,
    CapFlag,
    Contract,
    ContractLine,
    ContractStatus,
    SelectedProduct,
    Tender,
    TenderStatus,
    VarietyProduct,
)

from .conftest import END, START, receive, tender_fields, xlsx

pytestmark = pytest.mark.django_db


def test_vbp_1_national_import_publishes_and_lists_at_selected_price(published):
    """VBP-1: the imported result is published; the selected product is listed at the selected price."""
    w = published
    assert w.tender.status == TenderStatus.PUBLISHED
    assert Listing.objects.get(product=w.product).price == Decimal("6.50")
    assert w.selected.enterprise == w.manufacturer
    members = dict(VarietyProduct.objects.filter(variety=w.variety).values_list("product_id", "selected"))
    assert members == {w.product.pk: True, w.non_selected.pk: False}


@pytest.mark.parametrize("row,field,code", [
    (["阿莫西林胶囊", "XA99ZZZ000A000000000000", "6.50", "100"], "national_code", "INT-2"),
    (["阿莫西林胶囊", None, "0", "100"], "price", "VBP-1"),
    (["阿莫西林胶囊", None, "-3", "100"], "price", "VBP-1"),
    (["阿莫西林胶囊", None, "六元", "100"], "price", "VBP-1"),
    (["阿莫西林胶囊", None, "6.5", "80"], "allocation_share", "VBP-2"),
])
def test_vbp_1_bad_import_row_refuses_whole_file_nothing_written(vbp_world, row, field, code):
    """Bad input: unknown codes, prices ≤ 0 → an error naming the rule and row; nothing written."""
    w = vbp_world
    good = ["头孢克肟片", w.product2.national_code, "3.00", "100"]
    row = [row[0], row[1] or w.product.national_code, row[2], row[3]]
    upload = xlsx([services.RESULT_HEADERS, good, row])
    with pytest.raises(RuleViolation) as exc:
        services.national_result_import(w.province, upload, **tender_fields())
    assert exc.value.errors[0]["row"] == 3
    assert exc.value.errors[0]["field"] == field
    assert exc.value.errors[0]["code"] == code
    assert "整个文件未导入" in exc.value.detail
    assert not Tender.objects.exists() and not SelectedProduct.objects.exists()
    assert Listing.objects.get(product=w.product2).price == Decimal("25.50")


def test_vbp_1_import_refuses_a_wrong_file_type(vbp_world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from core.errors import InvalidInput

    fake = SimpleUploadedFile("result.xlsx", b"%PDF-1.4 not a spreadsheet", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        services.national_result_import(vbp_world.province, fake, **tender_fields())
    assert not Tender.objects.exists()


def test_vbp_1_only_the_province_imports(vbp_world):
    w = vbp_world
    upload = xlsx([services.RESULT_HEADERS, ["阿莫西林胶囊", w.product.national_code, "6.50", "100"]])
    with pytest.raises(Forbidden):
        services.national_result_import(w.nj_regulator, upload, **tender_fields())


def test_vbp_1_price_in_force_is_the_selected_price_in_the_period(published):
    """ORD-1/VBP-1: the VBP price provider answers with the selected price during the period."""
    w = published
    quote = quote_in_force(w.institution, w.product, date(2026, 3, 1))
    assert (quote.price, quote.source, quote.rule) == (Decimal("6.50"), "vbp", "VBP-1")


def test_neg_2_negotiation_refuses_selected_product_in_period(published):
    """NEG-2: the negotiation channel's hook says the product is VBP-selected in its period."""
    from negotiation import hooks

    w = published
    assert hooks.facts(w.product, date(2026, 6, 1)).vbp_selected_in_period is True
    assert hooks.facts(w.product, date(2027, 1, 1)).vbp_selected_in_period is False
    assert hooks.facts(w.non_selected, date(2026, 6, 1)).vbp_selected_in_period is False


def test_vbp_2_base_volume_prefilled_from_receipts_and_correction_needs_reason(published):
    w = published
    receive(w, w.product, 40, date(2025, 5, 10))
    receive(w, w.non_selected, 10, date(2025, 6, 10))
    receive(w, w.product, 99, date(2026, 1, 5))  # not the base year
    with pytest.raises(RuleViolation) as exc:
        services.base_volume_report(w.inst_user, w.tender, variety="阿莫西林胶囊", quantity=60)
    assert exc.value.code == "VBP-2" and "50" in exc.value.detail
    assert not BaseVolume.objects.exists()
    row = services.base_volume_report(w.inst_user, w.tender, variety="阿莫西林胶囊", quantity=50)
    assert (row.prefilled, row.quantity, row.correction_reason) == (50, 50, "")
    row = services.base_volume_report(w.inst_user, w.tender, variety="阿莫西林胶囊", quantity=60, reason="线下调拨")
    assert (row.prefilled, row.quantity, row.correction_reason) == (50, 60, "线下调拨")


def test_vbp_2_base_volume_for_a_variety_not_in_the_tender_is_refused(published):
    """Bad input: a base volume for a variety not in the tender → VBP-2, nothing written."""
    w = published
    with pytest.raises(RuleViolation) as exc:
        services.base_volume_report(w.inst_user, w.tender, variety="头孢克肟片", quantity=5, reason="x")
    assert exc.value.code == "VBP-2" and exc.value.field == "variety"
    upload = xlsx([services.BASE_HEADERS, ["阿莫西林胶囊", 10, "院内统计"], ["头孢克肟片", 5, "x"]], "base.xlsx")
    with pytest.raises(RuleViolation) as exc:
        services.base_volume_upload(w.inst_user, w.tender, upload)
    assert exc.value.errors[0]["row"] == 3
    assert not BaseVolume.objects.exists()


def test_vbp_2_base_volume_upload(published):
    w = published
    upload = xlsx([services.BASE_HEADERS, ["阿莫西林胶囊", 120, "院内统计"]], "base.xlsx")
    rows = services.base_volume_upload(w.inst_user, w.tender, upload)
    assert [(r.quantity, r.correction_reason) for r in rows] == [(120, "院内统计")]


def test_vbp_2_lock_computes_agreed_volume_and_freezes_base_volumes(locked):
    """VBP-2: agreed = base × ratio (1000 × 60 % = 600); after the lock no base volume changes."""
    w = locked
    line = ContractLine.objects.get(contract=w.contract)
    assert (line.agreed_qty, line.price) == (600, Decimal("6.5000"))
    assert (w.contract.institution, w.contract.enterprise) == (w.institution, w.manufacturer)
    with pytest.raises(RuleViolation) as exc:
        services.base_volume_report(w.inst_user, w.tender, variety="阿莫西林胶囊", quantity=1, reason="x")
    assert exc.value.code == "VBP-2"
    with pytest.raises(Forbidden):
        services.allocation_lock(w.inst_user, w.tender)


def test_vbp_3_signed_by_both_sides_another_enterprise_refused(locked):
    """VBP-3: institution and the selected enterprise sign; another enterprise is refused."""
    w = locked
    with pytest.raises(RuleViolation) as exc:
        services.contract_sign(w.other_mfr_user, w.contract)
    assert exc.value.code == "VBP-3"
    w.contract.refresh_from_db()
    assert w.contract.status == ContractStatus.PENDING and w.contract.enterprise_signed_at is None
    c = services.contract_sign(w.inst_user, w.contract)
    assert c.status == ContractStatus.INSTITUTION_SIGNED
    c = services.contract_sign(w.mfr_user, c)
    assert c.status == ContractStatus.SIGNED


def test_vbp_3_contract_invisible_to_other_institution_and_enterprise(locked):
    w = locked
    assert Contract.objects.visible_to(w.other_inst_user).count() == 0
    assert Contract.objects.visible_to(w.other_mfr_user).count() == 0
    assert Contract.objects.visible_to(w.mfr_user).count() == 1
    assert Contract.objects.visible_to(w.sz_regulator).count() == 0
    assert Contract.objects.visible_to(w.nj_regulator).count() == 1


def test_vbp_3_addition_only_after_completion_jilin(signed):
    """VBP-3 (Jilin text): volume added only once the agreed volume is completed."""
    w = signed
    line = ContractLine.objects.get(contract=w.contract)
    with pytest.raises(RuleViolation):
        services.contract_add_volume(w.inst_user, line, quantity=50, reason="临床需求", today=date(2026, 5, 1))
    receive(w, w.product, 600, date(2026, 4, 1))
    add = services.contract_add_volume(w.inst_user, line, quantity=50, reason="临床需求", today=date(2026, 5, 1))
    line.refresh_from_db()
    assert (add.quantity, line.added_qty) == (50, 50)


def _set_cap(w, mode):
    with time_machine.travel("2025-12-01 10:00 +08:00", tick=False):
        _set_value(w, mode)


def _set_value(w, mode):
    policy.set_value(user=w.province, key="vbp.non_selected_cap_mode", raw_value=mode, effective_from=date(2026, 1, 1),
                     reason="测试")


def _order(w, product, qty, on=date(2026, 3, 2)):
    with time_machine.travel(f"{on.isoformat()} 10:00 +08:00", tick=False):
        return ordering.order_create(w.inst_user, lines=[{"product_id": product.pk, "quantity": qty}])


def test_vbp_4_cap_is_off_by_default(published):
    """VBP-4: off by default (Jiangsu): non-selected products without a cap."""
    w = published
    assert policy.get("vbp.non_selected_cap_mode") == "off"
    _order(w, w.non_selected, 1000)
    assert not CapFlag.objects.exists()


@pytest.mark.parametrize("mode", ["warn", "refuse"])
def test_vbp_4_cap_at_equal_passes_in_every_mode(published, mode):
    w = published
    _set_cap(w, mode)
    _order(w, w.product, 100)
    _order(w, w.non_selected, 100)
    assert not CapFlag.objects.exists()


def test_vbp_4_cap_one_over_in_warn_mode_goes_through_flagged(published):
    w = published
    _set_cap(w, "warn")
    _order(w, w.product, 100)
    order = _order(w, w.non_selected, 101)
    flag = CapFlag.objects.get()
    assert (flag.order_id, flag.selected_qty, flag.non_selected_qty) == (order.pk, 100, 101)


def test_vbp_4_cap_one_over_in_refuse_mode_refused_nothing_written(published):
    """Bad input: an order over the non-selected cap in refuse mode → VBP-4, nothing written."""
    from orders.models import Order

    w = published
    _set_cap(w, "refuse")
    _order(w, w.product, 100)
    with pytest.raises(ordering.BatchRefused) as exc:
        _order(w, w.non_selected, 101)
    assert exc.value.errors[0]["code"] == "VBP-4"
    assert Order.objects.count() == 1


def test_vbp_4_selected_lines_in_the_same_batch_count(published):
    """The batch's own selected lines raise the cap for its non-selected lines (one check per batch)."""
    w = published
    _set_cap(w, "refuse")
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        order = ordering.order_create(w.inst_user, lines=[{"product_id": w.product.pk, "quantity": 10},
                                                  {"product_id": w.non_selected.pk, "quantity": 10}])
    assert order.lines.count() == 2


def test_vbp_4_cap_check_is_one_query_per_batch(published, django_assert_max_num_queries):
    from orders.hooks import BatchLine
    from vbp.providers import cap_check

    w = published
    _set_cap(w, "refuse")
    lines = [BatchLine(i, w.non_selected.pk if i % 2 else w.product.pk, 1) for i in range(1000)]
    policy.get("vbp.non_selected_cap_mode", at=date(2026, 3, 2))
    with django_assert_max_num_queries(2):  # the parameter read and the one cap query
        cap_check(w.institution, lines, date(2026, 3, 2))


def test_vbp_9_alliance_filed_4_working_days_before_refused(vbp_world, nanjing):
    """Bad input: an alliance plan filed 4 working days before publication → VBP-9, nothing written."""
    from parties.models import Region

    w = vbp_world
    cities = list(Region.objects.filter(level="city").order_by("code")[:5])
    fields = tender_fields(code="LM-01", name="区域联盟耗材", level="alliance", alliance_kind="regional_ordinary",
                           product_kind="consumable", lead_city=cities[0], member_cities=cities,
                           plan_filed_on=date(2026, 3, 3), publish_on=date(2026, 3, 9))  # Tue → Mon: 4 days
    with pytest.raises(RuleViolation) as exc:
        services.tender_create(w.province, **fields)
    assert exc.value.code == "VBP-9" and "4" in exc.value.detail
    assert not Tender.objects.exists()
    fields["publish_on"] = date(2026, 3, 10)  # 5 working days
    tender = services.tender_create(w.province, **fields)
    assert tender.member_cities.count() == 5
    fields.update(code="LM-02", member_cities=cities[:4], lead_city=cities[0])
    with pytest.raises(RuleViolation):
        services.tender_create(w.province, **fields)


def test_vbp_9_high_value_alliance_organised_by_province(vbp_world, nanjing):
    w = vbp_world
    fields = tender_fields(code="GZ-01", name="高值耗材", level="alliance", alliance_kind="high_value",
                           product_kind="consumable", selection_mode="insurance_access")
    with pytest.raises(RuleViolation):
        services.tender_create(w.nj_regulator, **fields)
    assert services.tender_create(w.province, **fields).selection_mode == "insurance_access"


def test_vbp_5_insurance_access_only_for_high_value(vbp_world):
    w = vbp_world
    with pytest.raises(RuleViolation) as exc:
        services.tender_create(w.province, **tender_fields(code="S-1", level="provincial",
                                                          selection_mode="insurance_access"))
    assert exc.value.code == "VBP-5"


def test_vbp_5_provincial_tender_experts_bids_and_price_competition(vbp_world):
    """VBP-5: varieties need an expert session; bids in the window; lowest price selected."""

    w = vbp_world
    tender = services.tender_create(w.province, **tender_fields(code="SJ-01", level="provincial",
                                                                selection_mode="price_competition"))
    with pytest.raises(RuleViolation) as exc:
        services.variety_add(w.province, tender, name="阿莫西林胶囊", priority="high_volume")
    assert exc.value.code == "VBP-5"
    session = f.ExpertSessionFactory(title="品种遴选", created_by=w.province)
    with pytest.raises(RuleViolation):
        services.tender_attach_experts(w.province, tender, session)
    tender.expert_session = session  # the draw itself is tested in the experts app
    v = services.variety_add(w.province, tender, name="阿莫西林胶囊", priority="high_volume")
    services.tender_open_bidding(w.province, tender, opens=date(2025, 11, 10), closes=date(2025, 11, 20))
    with pytest.raises(RuleViolation):
        services.bid_submit(w.mfr_user, v, product=w.product, price="6", today=date(2025, 11, 21))
    services.bid_submit(w.mfr_user, v, product=w.product, price="6", today=date(2025, 11, 15))
    services.bid_submit(w.other_mfr_user, v, product=w.non_selected, price="5.5", today=date(2025, 11, 15))
    with pytest.raises(RuleViolation):
        services.bid_submit(w.other_mfr_user, v, product=w.non_selected, price="0", today=date(2025, 11, 15))
    chosen = services.tender_select_by_price(w.province, tender, today=date(2025, 11, 21))
    assert [(s.product, s.price) for s in chosen] == [(w.non_selected, Decimal("5.5"))]
    services.tender_publish(w.province, tender)
    assert Listing.objects.get(product=w.non_selected).price == Decimal("5.5")


__all__ = ["END", "START"]


def test_neg_2_negotiation_service_refuses_a_selected_product_during_the_period(published):
    """NEG-2 end to end: the negotiation channel refuses a proposal on a VBP-selected product."""
    from negotiation import services as negotiation
    from negotiation.models import Proposal

    w = published
    listing = Listing.objects.get(product=w.product)
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False), pytest.raises(RuleViolation) as exc:
        negotiation.proposal_submit(user=w.inst_user, listing_id=listing.pk, unit_price="6.00", quantity=100)
    assert exc.value.code == "NEG-2"
    assert not Proposal.objects.exists()


def test_vbp_9_follow_on_member_buys_at_selected_price_and_reports_monthly(vbp_world, make_product, nanjing):
    """VBP-9: a result extended to a private pharmacy (跟标扩围) gives it the alliance price;
    members report purchases and use monthly, once per month, past months only."""
    from core.errors import Conflict
    from parties.models import OrgKind, Region
    from vbp.models import MonthlyUseReport

    w = vbp_world
    cities = list(Region.objects.filter(level="city").exclude(pk__in=[nanjing.pk, w.other_institution.city_id])
                  .order_by("code")[:5])
    tender = services.tender_create(w.province, **tender_fields(
        code="LM-Y1", name="药品联盟", level="alliance", alliance_kind="drug", member_cities=cities))

    tender.expert_session = f.ExpertSessionFactory(title="遴选", created_by=w.province)
    v = services.variety_add(w.province, tender, name="阿莫西林胶囊", priority="essential")
    SelectedProduct.objects.create(variety=v, product=w.product, enterprise=w.manufacturer, price=Decimal("5.00"))
    services.tender_publish(w.province, tender)
    on = date(2026, 3, 2)
    # Nanjing is not an alliance city: the listing price only — until the result is extended.
    tender.refresh_from_db()
    assert quote_in_force(w.institution, w.product, on).price == Decimal("10.00")
    with pytest.raises(RuleViolation):
        services.monthly_use_report(w.inst_user, tender, month="2026-02", rows=[
            {"variety": "阿莫西林胶囊", "purchased": 10, "used": 8}], today=on)
    services.tender_add_members(w.province, tender, institutions=[w.institution], kind="follow_on")
    quote = quote_in_force(w.institution, w.product, on)
    assert (quote.price, quote.source) == (Decimal("5.00"), "vbp")
    assert quote_in_force(w.other_institution, w.product, on).price == Decimal("10.00")  # Suzhou: not a member
    with pytest.raises(Forbidden):
        services.tender_add_members(w.inst_user, tender, institutions=[w.institution], kind="follow_on")
    with pytest.raises(RuleViolation):
        services.monthly_use_report(w.inst_user, tender, month="2026-03", rows=[
            {"variety": "阿莫西林胶囊", "purchased": 10, "used": 8}], today=on)
    services.monthly_use_report(w.inst_user, tender, month="2026-02", rows=[
        {"variety": "阿莫西林胶囊", "purchased": 10, "used": 8}], today=on)
    with pytest.raises(Conflict):
        services.monthly_use_report(w.inst_user, tender, month="2026-02", rows=[
            {"variety": "阿莫西林胶囊", "purchased": 1, "used": 1}], today=on)
    assert MonthlyUseReport.objects.get().used_qty == 8
    assert OrgKind.INSTITUTION == w.institution.kind

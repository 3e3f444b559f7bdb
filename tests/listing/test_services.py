"""Listing services against PostgreSQL: applications (LST-0.1/0.2, categories), review,
monthly batch, price changes, status transitions (DEL-2/3/4) and LST-5 suspensions."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from core.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from listing import selectors
from listing.models import (
    ApplicationStatus,
    DelistStatus,
    Listing,
    ListingApplication,
    ListingApplicationEvent,
    ListingPriceChange,
    ListingStatus,
)
from listing.services import applications, batch
from listing.services import status as status_services
from notifications.models import Notification
from policy import services as policy
from tests import factories as f
from tests.concurrency import at_once, each_at_once

from .conftest import fake_pdf, pdf

pytestmark = pytest.mark.django_db

NOV24 = "2026-11-24 10:00:00+08:00"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOV24, tick=False):
        yield


def docs(*codes):
    return {c: pdf(f"{c}.pdf") for c in codes}


LST21_DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")


@pytest.fixture
def listed_same_drug(other_maker, make_product, province_user):
    """Another manufacturer's identical drug, listed at 12.00."""
    p = make_product(other_maker)
    return f.ListingFactory(product=p, price=D("12.00"), category="LST-2.3", effective_date=date(2026, 1, 15))


@pytest.fixture
def product(maker, make_product):
    return make_product(maker)


# ------------------------------------------------------------------ submission


def test_lst_2_1_application_submitted_with_documents(maker_user, product, listed_same_drug, spread_prices, province_user):
    spread_prices(product, 8)
    app = applications.application_submit(user=maker_user, product=product, category="LST-2.1", declared_price="11.80",
                                      documents=docs(*LST21_DOCS))
    assert app.status == ApplicationStatus.SUBMITTED and app.listing_price == D("11.80")
    assert app.evaluation["passed"] is True
    assert {d.code for d in app.documents.all()} == set(LST21_DOCS)
    assert Notification.objects.filter(recipient=province_user, kind="listing.review").exists()


def test_lst_2_1_price_one_fen_above_national_lowest_refused_with_numbers(maker_user, product, listed_same_drug,
                                                                          spread_prices):
    spread_prices(product, 8)
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.1", declared_price="11.81",
                                    documents=docs(*LST21_DOCS))
    assert exc.value.code == "LST-2.1" and exc.value.field == "declared_price"
    assert "申报价 11.81 元 高于全国最低价 11.80 元（江西省，2026-08-01 起执行）" in exc.value.detail
    assert not ListingApplication.objects.exists()


def test_lst_2_1_seven_provinces_needs_reference_price(maker_user, product, listed_same_drug, spread_prices):
    spread_prices(product, 7, lowest="20.00")
    with pytest.raises(RuleViolation, match="仅在 7 个省份"):
        applications.application_submit(user=maker_user, product=product, category="LST-2.1", declared_price="12.01",
                                    documents=docs(*LST21_DOCS))
    # at the same drug's listed price 12.00, under condition ② without provinces' records
    app = applications.application_submit(user=maker_user, product=product, category="LST-2.1", declared_price="12.00",
                                      via_reference=True,
                                      documents=docs("qualification", "lowest_price_commitment", "quality_commitment"))
    assert app.status == ApplicationStatus.SUBMITTED


def test_missing_required_document_is_named(maker_user, product, listed_same_drug, spread_prices):
    spread_prices(product, 8)
    with pytest.raises(InvalidInput) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.1", declared_price="11.00",
                                    documents=docs("qualification", "province_records", "quality_commitment"))
    assert exc.value.detail == "缺少必需材料：申报价格及该价格为全国最低价的承诺书"
    assert exc.value.field == "doc_lowest_price_commitment"


def test_document_type_checked_by_content(maker_user, product, listed_same_drug, spread_prices):
    spread_prices(product, 8)
    files = docs(*LST21_DOCS)
    files["quality_commitment"] = fake_pdf()
    with pytest.raises(InvalidInput) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.1", declared_price="11.00",
                                    documents=files)
    assert "药品质量承诺书" in exc.value.detail and "文件类型不符" in exc.value.detail


@pytest.mark.parametrize("raw, text", [("0", "须大于 0"), ("-3", "须大于 0"), ("1.23456", "4 位小数"),
                                       ("99999999", "超过单价上限")])
def test_bad_declared_price_refused_at_the_field(maker_user, product, raw, text):
    with pytest.raises(InvalidInput) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price=raw)
    assert exc.value.field == "declared_price" and text in exc.value.detail


def test_second_active_application_for_same_product_refused(maker_user, product, spread_prices):
    spread_prices(product, 8)
    files = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")
    applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                documents=docs(*files))
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="10",
                                    documents=docs(*files))
    assert exc.value.code == "LST-0.1" and "已有进行中的挂网申请" in exc.value.detail
    assert ListingApplication.objects.count() == 1


def test_other_enterprise_cannot_apply_for_my_product(other_maker_user, product):
    with pytest.raises(NotFound):
        applications.application_submit(user=other_maker_user, product=product, category="LST-2.3", declared_price="1")


def test_blocking_qualification_refuses_naming_it(maker_user, product, spread_prices, monkeypatch):
    spread_prices(product, 8)
    monkeypatch.setattr(selectors, "blocking_qualifications",
                        lambda ent, at: ["资质“药品生产许可证（苏20160001）”已于 2026-06-30 过期"])
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                    documents=docs(*LST21_DOCS))
    assert exc.value.code == "QUA-1" and "药品生产许可证（苏20160001）" in exc.value.detail


def test_lst_0_2_quality_failure_within_two_years_refuses(maker_user, product, spread_prices, province_user):
    spread_prices(product, 8)
    status_services.quality_event_record(user=province_user, product=product, kind="failure", event_date=date(2025, 6, 1),
                                  authority_level="province", severity="minor", description="溶出度不合格")
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                    documents=docs(*LST21_DOCS))
    assert exc.value.code == "LST-0.2" and "2025-06-01" in exc.value.detail


def test_lst_0_2_old_or_city_level_event_does_not_refuse(maker_user, product, spread_prices, province_user):
    spread_prices(product, 8)
    status_services.quality_event_record(user=province_user, product=product, kind="failure", event_date=date(2024, 11, 1),
                                  authority_level="province", severity="minor", description="三年前")
    status_services.quality_event_record(user=province_user, product=product, kind="failure", event_date=date(2026, 1, 1),
                                  authority_level="city", severity="minor", description="市级抽检")
    app = applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                      documents=docs(*LST21_DOCS))
    assert app.status == ApplicationStatus.SUBMITTED


def test_lst_2_2_derivation_uses_policy_coefficients(maker_user, maker, make_product, province_user):
    base = make_product(maker, specification="0.25g*24粒")
    f.ListingFactory(product=base, price=D("10.00"), category="LST-2.3", effective_date=date(2026, 1, 15))
    target = make_product(maker, specification="0.5g*24粒")
    ev = applications.application_check(user=maker_user, product=target, category="LST-2.2", declared_price="17.00")
    res = ev.category_result
    assert res.passed and res.derivation.price == D("17.00")
    assert "以本企业已挂网产品为基础" in applications.application_check(
        user=maker_user, product=target, category="LST-2.2", declared_price="17.01").category_result.message
    policy.set_value(user=province_user, key="lst.ratio.strength", raw_value="1.6", effective_from=date(2026, 11, 24),
                     reason="测试系数调整")
    ev = applications.application_check(user=maker_user, product=target, category="LST-2.2", declared_price="17.00")
    assert not ev.passed and ev.category_result.derivation.price == D("16.00")


def test_lst_3_2_second_generic_not_above_first(maker_user, maker, other_maker, make_product):
    nn = make_product(other_maker, generic_name="国谈药", is_national_negotiated=True, nn_payment_standard=D("50"),
                      nn_agreement_end=date(2027, 12, 31))
    first = make_product(other_maker, generic_name="国谈药", generic_of_negotiated=nn)
    f.ListingFactory(product=first, price=D("40.00"), category="LST-3.2", effective_date=date(2026, 3, 15))
    mine = make_product(maker, generic_name="国谈药", generic_of_negotiated=nn)
    assert applications.application_check(user=maker_user, product=mine, category="LST-3.2", declared_price="40.00").passed
    ev = applications.application_check(user=maker_user, product=mine, category="LST-3.2", declared_price="40.01")
    assert not ev.passed and ev.category_result.rule == "LST-3.2"


def test_lst_5_originator_cap_from_platform(maker_user, maker, other_maker, make_product):
    orig = make_product(other_maker, is_originator=True)
    f.ListingFactory(product=orig, price=D("30.00"), category="LST-1", effective_date=date(2026, 3, 15))
    mine = make_product(maker, is_consistency_evaluated=True)
    assert applications.application_check(user=maker_user, product=mine, category="LST-5", declared_price="30.00").passed
    ev = applications.application_check(user=maker_user, product=mine, category="LST-5", declared_price="30.01")
    assert not ev.passed and "原研药价格 30.00 元" in ev.category_result.message


def test_lst_c5_supplement_not_above_original(maker_user, maker, make_product):
    kw = {"kind": "consumable", "consumable_class": "hv6", "approval_number": "国械注准20203130001",
          "dosage_form": "", "conversion": 1, "national_code": None}
    a = make_product(maker, generic_name="冠脉支架", specification="型号A", **kw)
    f.ListingFactory(product=a, price=D("800.00"), category="LST-C1", effective_date=date(2026, 3, 15))
    original = Listing.objects.get(product=a)
    b = make_product(maker, generic_name="冠脉支架", specification="型号B", **kw)
    assert applications.application_check(user=maker_user, product=b, category="LST-C5", declared_price="800",
                                      original_listing=original).passed
    ev = applications.application_check(user=maker_user, product=b, category="LST-C5", declared_price="800.01",
                                    original_listing=original)
    assert not ev.passed and ev.category_result.rule == "LST-C5"


# ------------------------------------------------------------------ review and batch


@pytest.fixture
def submitted(maker_user, product, spread_prices):
    spread_prices(product, 8)
    return applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11.50",
                                       documents=docs(*LST21_DOCS))


def test_confirm_batch_creates_listing_on_batch_date(submitted, province_user, maker_user):
    app = applications.application_confirm(user=province_user, application=submitted, reason="资质齐全")
    assert app.status == ApplicationStatus.CONFIRMED
    assert app.effective_date == date(2026, 12, 15)  # lst.batch_day = 15, a Tuesday
    assert batch.batch_run(date(2026, 12, 14)) == 0  # not before the batch date
    assert not Listing.objects.filter(product=app.product).exists()
    assert batch.batch_run(date(2026, 12, 15)) == 1
    listing = Listing.objects.get(product=app.product)
    assert listing.price == D("11.50") and listing.status == ListingStatus.ACTIVE and listing.category == "LST-2.3"
    assert listing.effective_date == date(2026, 12, 15)
    change = ListingPriceChange.objects.get(listing=listing)
    assert change.old_price is None and change.new_price == D("11.50") and change.rule == "LST-2.3"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.EFFECTIVE and app.listing == listing
    assert batch.batch_run(date(2026, 12, 16)) == 0  # idempotent
    assert Notification.objects.filter(recipient=maker_user, title="产品已挂网").exists()
    # the decision is audited with who and why
    event = ListingApplicationEvent.objects.filter(pgh_obj=app, status="confirmed").first()
    assert event.pgh_context.metadata["reason"] == "资质齐全"
    assert event.pgh_context.metadata["user"] == province_user.pk


def test_batch_day_moves_to_next_working_day(province_user):
    policy.set_value(user=province_user, key="lst.batch_day", raw_value=12, effective_from=date(2026, 11, 24),
                     reason="测试")
    # 2026-12-12 is a Saturday → Monday 14th
    assert batch.next_batch_date(date(2026, 11, 25)) == date(2026, 12, 14)
    assert batch.next_batch_date(date(2026, 12, 14)) == date(2026, 12, 14)


def test_lst_1_redeclaration_updates_existing_listing_price(maker_user, product, province_user, add_price):
    listing = f.ListingFactory(product=product, price=D("12.00"), category="LST-2.3", effective_date=date(2026, 1, 15))
    add_price(product, "11.00")
    app = applications.application_submit(user=maker_user, product=product, category="LST-1", declared_price="11.00",
                                      documents=docs("province_records", "lowest_price_commitment", "quality_commitment"))
    applications.application_confirm(user=province_user, application=app)
    batch.batch_run(date(2026, 12, 15))
    listing.refresh_from_db()
    assert listing.price == D("11.00") and listing.category == "LST-1"
    assert listing.price_changes.get().old_price == D("12.00")


def test_return_and_resubmit(submitted, province_user, maker_user):
    with pytest.raises(InvalidInput):
        applications.application_return(user=province_user, application=submitted, reason="  ")
    applications.application_return(user=province_user, application=submitted, reason="质量承诺书未盖章")
    submitted.refresh_from_db()
    assert submitted.status == ApplicationStatus.RETURNED
    assert Notification.objects.filter(recipient=maker_user, title="挂网申请退回补充").exists()
    app = applications.application_resubmit(user=maker_user, application=submitted, declared_price="11.40",
                                        documents=docs("quality_commitment"))
    assert app.status == ApplicationStatus.SUBMITTED and app.declared_price == D("11.40")
    assert app.documents.filter(code="quality_commitment").count() == 2
    assert app.documents.filter(code="quality_commitment", superseded_at__isnull=True).count() == 1
    assert [e.action for e in app.trail.all()] == ["submitted", "returned", "resubmitted"]


def test_refuse_requires_reason_and_notifies(submitted, province_user, maker_user):
    applications.application_refuse(user=province_user, application=submitted, reason="资质材料虚假")
    assert Notification.objects.filter(recipient=maker_user, title="挂网申请不予通过", body__contains="资质材料虚假").exists()
    with pytest.raises(Conflict):
        applications.application_confirm(user=province_user, application=submitted)


def test_enterprise_cannot_review(submitted, maker_user, make_user):
    with pytest.raises(Forbidden):
        applications.application_confirm(user=maker_user, application=submitted)
    city = make_user(kind="city_regulator")
    with pytest.raises(Forbidden):
        applications.application_refuse(user=city, application=submitted, reason="x")


@pytest.mark.django_db(transaction=True)
def test_batch_two_workers_create_one_listing(maker_user, product, spread_prices, province_user):
    spread_prices(product, 8)
    app = applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                      documents=docs(*LST21_DOCS))
    applications.application_confirm(user=province_user, application=app)
    results = at_once(lambda: batch.batch_run(date(2026, 12, 15)))
    assert sorted(results) == [0, 1]
    assert Listing.objects.filter(product=product).count() == 1
    assert ListingPriceChange.objects.filter(listing__product=product).count() == 1


# ------------------------------------------------------------------ price changes and statuses


@pytest.fixture
def listing(product):
    return f.ListingFactory(product=product, price=D("12.00"), category="LST-2.3", effective_date=date(2026, 1, 15))


def test_listing_change_price_records_change_with_audit(listing, province_user, maker_user):
    status_services.listing_change_price(user=province_user, listing=listing, new_price="11.20", effective_date=date(2026, 12, 1),
                                  rule="PRC-1", reason="浙江省新最低价联动")
    listing.refresh_from_db()
    assert listing.price == D("11.20")
    change = listing.price_changes.get()
    assert (change.old_price, change.new_price, change.rule, change.changed_by) == (D("12.00"), D("11.20"), "PRC-1", province_user)
    assert Notification.objects.filter(recipient=maker_user, kind="listing.price").exists()
    with pytest.raises(Forbidden):
        status_services.listing_change_price(user=maker_user, listing=listing, new_price="1", effective_date=date(2026, 12, 1),
                                      rule="PRC-1", reason="x")
    with pytest.raises(InvalidInput):
        status_services.listing_change_price(user=province_user, listing=listing, new_price="0", effective_date=date(2026, 12, 1),
                                      rule="PRC-1", reason="x")


def test_status_transitions_declared_as_data(listing, province_user):
    status_services.listing_suspend(province_user, listing=listing, rule="DEL-1", reason="一年无销售")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SUSPENDED and listing.status_rule == "DEL-1"
    assert not Listing.objects.orderable().filter(pk=listing.pk).exists()  # DEL-4
    status_services.listing_restore(province_user, listing=listing, rule="DEL-1", reason="医疗机构书面申请恢复")
    assert Listing.objects.orderable().filter(pk=listing.pk).exists()
    status_services.listing_delist(province_user, listing=listing, rule="DEL-1", reason="择期撤网")
    with pytest.raises(Conflict):
        status_services.listing_restore(province_user, listing=listing, rule="DEL-1", reason="撤网后不能直接恢复")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DELISTED
    assert Listing.objects.filter(pk=listing.pk).exists()  # history stays visible


def test_pending_suspension_can_be_suspended_or_restored(listing, province_user):
    status_services.listing_propose_suspension(None, listing=listing, rule="DEL-1", reason="一年无销售，待审核")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING_SUSPENSION
    status_services.listing_suspend(province_user, listing=listing, rule="DEL-1", reason="审核确认")
    assert Listing.objects.get(pk=listing.pk).status == ListingStatus.SUSPENDED


@pytest.mark.parametrize("severity, status", [("minor", ListingStatus.SUSPENDED), ("serious", ListingStatus.DELISTED)])
def test_del_2_quality_event_suspends_or_revokes_by_severity(listing, province_user, severity, status):
    status_services.quality_event_record(user=province_user, product=listing.product, kind="failure",
                                  event_date=date(2026, 11, 1), authority_level="national", severity=severity,
                                  description="国家抽检含量不合格")
    listing.refresh_from_db()
    assert listing.status == status and listing.status_rule == "DEL-2"
    assert "国家抽检含量不合格" in listing.status_reason


def test_del_2_city_level_event_does_not_change_listing(listing, province_user):
    status_services.quality_event_record(user=province_user, product=listing.product, kind="failure",
                                  event_date=date(2026, 11, 1), authority_level="city", severity="serious",
                                  description="市级抽检")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ACTIVE


def test_del_3_enterprise_applies_regulator_approves(listing, maker_user, other_maker_user, province_user):
    with pytest.raises(NotFound):
        status_services.delist_request_create(user=other_maker_user, listing=listing, reason_kind="stopped_production")
    with pytest.raises(RuleViolation):
        status_services.delist_request_create(user=maker_user, listing=listing, reason_kind="registration_changed")  # consumables only
    req = status_services.delist_request_create(user=maker_user, listing=listing, reason_kind="stopped_production", note="停产")
    with pytest.raises(Conflict):
        status_services.delist_request_create(user=maker_user, listing=listing, reason_kind="no_sales")
    status_services.delist_request_decide(user=province_user, request=req, approve=True, reason="同意")
    req.refresh_from_db()
    listing.refresh_from_db()
    assert req.status == DelistStatus.APPROVED
    assert listing.status == ListingStatus.DELISTED and listing.status_rule == "DEL-3"


def test_lst_5_third_evaluated_manufacturer_suspends_unevaluated(make_org, make_product, maker, listing):
    """listing: maker's not-evaluated 阿莫西林 硬胶囊. Two evaluated manufacturers: nothing;
    the third one (saved in the catalogue) → suspended automatically with rule LST-5."""
    makers = [make_org("manufacturer") for _ in range(3)]
    make_product(makers[0], is_consistency_evaluated=True)
    make_product(makers[1], is_consistency_evaluated=True, specification="0.5g*24粒")
    assert status_services.listing_lst5_suspend() == 0
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ACTIVE
    other_form = make_product(maker, dosage_form="颗粒", specification="0.125g*12袋")
    other_listing = f.ListingFactory(product=other_form, price=D("5"), category="LST-2.2",
                                           effective_date=date(2026, 1, 15))
    third = make_product(makers[2], is_consistency_evaluated=False)
    with pytest.MonkeyPatch.context():
        third.is_consistency_evaluated = True
        third.save()
    status_services.on_product_saved(third.pk)  # what the catalogue hook runs on commit
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SUSPENDED and listing.status_rule == "LST-5"
    assert "3 家" in listing.status_reason
    other_listing.refresh_from_db()
    assert other_listing.status == ListingStatus.ACTIVE  # another dosage form is another variety
    assert status_services.listing_lst5_suspend() == 0  # idempotent


def test_lst_5_detected_automatically_when_catalogue_saves_third_evaluated(make_org, make_product, listing,
                                                                           django_capture_on_commit_callbacks):
    for _ in range(2):
        make_product(make_org("manufacturer"), is_consistency_evaluated=True)
    with django_capture_on_commit_callbacks(execute=True):
        make_product(make_org("manufacturer"), is_consistency_evaluated=True)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.SUSPENDED and listing.status_rule == "LST-5"


def test_lst_6_new_drug_needs_a_passed_expert_review(maker_user, maker, make_product, province_user, monkeypatch):
    """LST-6 / EXP-1: even with an agreed negotiation price, the province cannot confirm before a
    passed review (the full flow: tests/listing/test_expert_link.py)."""
    product = make_product(maker, generic_name="新药", approval_date=date(2026, 3, 1))
    app = applications.application_submit(user=maker_user, product=product, category="LST-6", declared_price="88",
                                      documents=docs("qualification", "quality_commitment"))
    assert app.listing_price is None and app.evaluation["needs_expert"] is True
    monkeypatch.setattr(selectors, "negotiated_price", lambda p: D("66.60"))  # an EXP-2 result exists
    with pytest.raises(RuleViolation) as exc:
        applications.application_confirm(user=province_user, application=app)
    assert exc.value.code == "EXP-1" and exc.value.field == "expert_session"
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and app.listing_price is None


def test_lst_6_more_than_a_year_after_approval_refused(maker_user, maker, make_product):
    product = make_product(maker, generic_name="老药", approval_date=date(2025, 11, 23))
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-6", declared_price="88",
                                    documents=docs("qualification", "quality_commitment"))
    assert exc.value.code == "LST-6" and "已超过批准后1年" in exc.value.detail


def test_lst_c1_lowest_includes_jiangsu_city_price(maker_user, maker, make_product, add_price):
    stent = make_product(maker, kind="consumable", consumable_class="hv6", generic_name="冠脉支架", dosage_form="",
                         specification="3.0×18mm", conversion=1, national_code="C0302010100000002117000001" + "9")
    add_price(stent, "620.00", province="浙江省")
    add_price(stent, "598.00", province="江苏省", city="苏州市", level="city")
    ev = applications.application_check(user=maker_user, product=stent, category="LST-C1", declared_price="598.01",
                                    previously_selected=True)
    assert not ev.passed and "江苏省苏州市" in ev.category_result.message
    assert applications.application_check(user=maker_user, product=stent, category="LST-C1", declared_price="598.00",
                                      previously_selected=True).passed


def test_category_must_fit_the_kind(maker_user, product):
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-C1", declared_price="1")
    assert "不适用于药品" in exc.value.detail


def test_expired_qualification_from_qualifications_app_refuses(maker_user, maker, product, spread_prices,
                                                              province_user):
    """QUA-1 through the qualifications developer's real selector (no stub)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from qualifications.models import Qualification

    spread_prices(product, 8)
    Qualification.objects.create(enterprise=maker, kind="gmp", number="JS20200017", valid_from=date(2021, 1, 1),
                                 valid_until=date(2026, 6, 30), file=ContentFile(b"%PDF-1.4", name="gmp.pdf"),
                                 status="approved", submitted_by=maker_user, submitted_at=timezone.now(),
                                 reviewed_by=province_user, reviewed_at=timezone.now())
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                    documents=docs(*LST21_DOCS))
    assert exc.value.code == "QUA-1"
    assert "JS20200017" in exc.value.detail and "2026-06-30 过期" in exc.value.detail


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_applications_for_one_product_one_wins(maker_user, product, spread_prices):
    spread_prices(product, 8)

    def work(price):
        try:
            applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price=price,
                                             documents=docs(*LST21_DOCS))
            return "ok"
        except (RuleViolation, Conflict) as exc:
            return exc.code

    outcomes = each_at_once(lambda: work("11.00"), lambda: work("11.10"))
    assert sorted(outcomes) == ["LST-0.1", "ok"]
    assert ListingApplication.objects.filter(product=product).count() == 1


def test_listed_product_must_apply_under_lst_1(maker_user, listing):
    ev = applications.application_check(user=maker_user, product=listing.product, category="LST-2.3", declared_price="1")
    violation = ev.first_violation()
    assert violation.code == "LST-2.3" and "应按 LST-1 申报" in violation.detail


def test_beat_entries_and_batch_task(submitted, province_user):
    from core.schedules import SCHEDULES
    from listing import tasks

    assert SCHEDULES["platform:listing-monthly-batch"].task == "listing.tasks.run_listing_batch"
    assert SCHEDULES["platform:listing-lst5-suspensions"].task == "listing.tasks.lst5_suspensions"
    applications.application_confirm(user=province_user, application=submitted)
    with time_machine.travel("2026-12-15 00:30:00+08:00", tick=False):
        assert tasks.run_listing_batch.delay().get() == 1
        assert tasks.run_listing_batch.delay().get() == 0
    assert Listing.objects.filter(product=submitted.product, effective_date=date(2026, 12, 15)).exists()


def test_lst_8_1_without_supply_commitment_refused(maker_user, maker, make_product):
    product = make_product(maker, generic_name="短缺药", is_shortage=True)
    with pytest.raises(RuleViolation) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-8.1", declared_price="30",
                                    documents=docs("qualification", "quality_commitment"))
    assert exc.value.code == "LST-8.1" and "供货稳价承诺书" in exc.value.detail
    app = applications.application_submit(user=maker_user, product=product, category="LST-8.1", declared_price="30",
                                      documents=docs("qualification", "quality_commitment", "supply_commitment"))
    assert app.listing_price == D("30")


def test_oversized_document_refused_by_size_parameter(maker_user, product, spread_prices, province_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    spread_prices(product, 8)
    policy.set_value(user=province_user, key="sys.upload_max_mb", raw_value=1, effective_from=date(2026, 11, 24),
                     reason="测试")
    files = docs(*LST21_DOCS)
    files["qualification"] = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10))
    with pytest.raises(InvalidInput) as exc:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="11",
                                    documents=files)
    assert "文件过大" in exc.value.detail and exc.value.field == "doc_qualification"


def test_lst_2_1_dearer_reference_does_not_raise_the_cap(maker_user, product, other_maker, make_product,
                                                         listed_same_drug, spread_prices):
    spread_prices(product, 3, lowest="20.00")
    dearer = f.ListingFactory(product=make_product(other_maker), price=D("15.00"),
                                    category="LST-2.3", effective_date=date(2026, 1, 15))
    ev = applications.application_check(user=maker_user, product=product, category="LST-2.1", declared_price="14.00",
                                    via_reference=True, reference_listing=dearer)
    assert not ev.passed and "省平台已挂网相同药品最低价 12.00 元" in ev.category_result.message

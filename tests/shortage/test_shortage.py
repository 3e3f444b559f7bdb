"""Shortage lists and shortage self-sourcing (SHO-1, LST-8.1 context): import with row-level
errors and history; needs, negotiations, reported results, the price provider, takeover."""

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from notifications.models import Notification
from orders.pricing import quote_in_force
from orders.services.ordering import BatchRefused, order_create
from parties.models import OrgKind, Role, User
from policy.models import PolicyValue
from qualifications import services as qua_services
from shortage import selectors, services
from shortage.models import NeedStatus, ShortageList, ShortageListEntry, ShortageNeed

from .conftest import pdf

pytestmark = pytest.mark.django_db


def xlsx(rows, header=("通用名", "剂型", "规格", "国家医保药品编码", "备注"), name="list.xlsx"):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def test_sho1_import_list_and_history(province_user):
    """SHO-1: a list issue is imported with source and effective date; the next issue of the
    same list ends the previous one the day before; "on a list on date D" reads the history."""
    first = services.list_import(province_user, kind="shortage", source="苏卫药政〔2026〕1号",
                                 effective_from=date(2026, 1, 1),
                                 upload=xlsx([("注射用甲磺酸酚妥拉明", "注射剂", "", "", ""),
                                              ("盐酸多巴胺注射液", "注射剂", "2ml:20mg", "", "")]))
    second = services.list_import(province_user, kind="shortage", source="苏卫药政〔2026〕9号",
                                  effective_from=date(2026, 7, 1),
                                  upload=xlsx([("盐酸多巴胺注射液", "注射剂", "2ml:20mg", "", "")]))
    first.refresh_from_db()
    assert first.entry_count == 2 and first.effective_to == date(2026, 6, 30) and second.effective_to is None
    assert selectors.list_kinds_for_drug("注射用甲磺酸酚妥拉明", "注射剂", "10mg", date(2026, 3, 1)) == {"shortage"}
    assert selectors.list_kinds_for_drug("注射用甲磺酸酚妥拉明", "注射剂", "10mg", date(2026, 8, 1)) == set()
    assert selectors.list_kinds_for_drug("盐酸多巴胺注射液", "注射剂", "2ml:20mg", date(2026, 8, 1)) == {"shortage"}
    assert selectors.list_kinds_for_drug("盐酸多巴胺注射液", "注射剂", "10ml:100mg", date(2026, 8, 1)) == set()


def test_sho1_import_row_errors_all_or_nothing(province_user):
    with pytest.raises(InvalidInput) as exc:
        services.list_import(province_user, kind="watch", source="苏卫药政〔2026〕2号", effective_from=date(2026, 1, 1),
                             upload=xlsx([("甲药", "片剂", "", "", ""), ("", "片剂", "", "", ""),
                                          ("乙药", "片剂", "", "BAD", ""), ("甲药", "片剂", "", "", "")]))
    errors = exc.value.errors
    assert exc.value.code == "SHO-1" and [e["line"] for e in errors] == [3, 4, 5]
    assert "通用名不能为空" in errors[0]["detail"] and "格式不正确" in errors[1]["detail"] and "重复" in errors[2]["detail"]
    assert not ShortageList.objects.exists() and not ShortageListEntry.objects.exists()


def test_sho1_import_refuses_wrong_file_type_and_non_province(province_user, hospital_user):
    with pytest.raises(InvalidInput) as exc:
        services.list_import(province_user, kind="shortage", source="x", effective_from=date(2026, 1, 1), upload=pdf())
    assert exc.value.field == "file"
    with pytest.raises(Forbidden):
        services.list_import(hospital_user, kind="shortage", source="x", effective_from=date(2026, 1, 1),
                             upload=xlsx([("甲药", "片剂", "", "", "")]))
    assert not ShortageList.objects.exists()


def test_sho1_same_list_same_day_refused(province_user):
    services.list_import(province_user, kind="shortage", source="a", effective_from=date(2026, 1, 1),
                         upload=xlsx([("甲药", "片剂", "", "", "")]))
    with pytest.raises(Conflict):
        services.list_import(province_user, kind="shortage", source="b", effective_from=date(2026, 1, 1),
                             upload=xlsx([("乙药", "片剂", "", "", "")]))
    assert ShortageList.objects.count() == 1


@pytest.fixture
def need(list_drug, hospital_user):
    list_drug()
    with time_machine.travel(date(2026, 12, 1), tick=False):
        return services.need_create(hospital_user, generic_name="注射用甲磺酸酚妥拉明", dosage_form="注射剂",
                                    specification="10mg", quantity=200, note="急诊常备")


def test_sho1_need_visible_to_province_and_makers_of_the_generic(need, make_product, make_org, make_user,
                                                                   province_user, maker_user, other_hospital_user,
                                                                   nanjing_regulator):
    make_product()  # the fixture maker makes this generic
    stranger = make_user(make_org(OrgKind.MANUFACTURER))
    assert list(ShortageNeed.objects.visible_to(maker_user)) == [need]
    assert list(ShortageNeed.objects.visible_to(province_user)) == [need]
    assert list(ShortageNeed.objects.visible_to(nanjing_regulator)) == [need]
    assert not ShortageNeed.objects.visible_to(stranger).exists()
    assert not ShortageNeed.objects.visible_to(other_hospital_user).exists()
    assert Notification.objects.filter(recipient=province_user, kind="shortage.need_created").exists()


def test_sho1_need_for_drug_on_no_list_refused(hospital_user):
    with pytest.raises(RuleViolation) as exc:
        services.need_create(hospital_user, generic_name="阿莫西林胶囊", dosage_form="胶囊", quantity=10)
    assert exc.value.code == "SHO-1" and "清单" in exc.value.detail
    assert not ShortageNeed.objects.exists()


def test_sho1_need_for_listed_drug_refused(list_drug, make_product, list_product, hospital_user):
    list_drug()
    list_product(make_product())
    with pytest.raises(RuleViolation) as exc:
        services.need_create(hospital_user, generic_name="注射用甲磺酸酚妥拉明", dosage_form="注射剂",
                             specification="10mg", quantity=10)
    assert exc.value.code == "SHO-1" and "挂网" in exc.value.detail


def test_sho1_double_need_refused(need, hospital_user):
    with pytest.raises(Conflict):
        services.need_create(hospital_user, generic_name="注射用甲磺酸酚妥拉明", dosage_form="注射剂",
                             specification="10mg", quantity=10)
    assert ShortageNeed.objects.count() == 1


def _report(user, need, product, **kw):
    args = {"product": product, "price": "18.50", "supply_commitment": pdf("supply.pdf"),
            "quality_commitment": pdf("quality.pdf")}
    args.update(kw)
    with time_machine.travel(date(2026, 12, 10), tick=False):
        return services.need_report(user, need, **args)


def test_sho1_report_makes_it_purchasable_by_that_institution_at_that_price(need, make_product, hospital_user,
                                                                            hospital, make_org, make_user, maker):
    product = make_product()
    services.need_record_negotiation(hospital_user, need, enterprise=maker, price="18.50", quantity=200,
                                     held_on=date(2026, 11, 30), note="公平议价")
    need = _report(hospital_user, need, product)
    assert need.status == NeedStatus.PURCHASABLE and need.purchasable_from == date(2026, 12, 10)
    assert set(need.documents.values_list("code", flat=True)) == {"supply_commitment", "quality_commitment"}
    quote = quote_in_force(hospital, product, date(2026, 12, 11), include_unlisted=True)
    assert quote.price == D("18.50") and quote.source == "shortage" and quote.rule == "SHO-1"
    assert quote_in_force(make_org(OrgKind.INSTITUTION), product, date(2026, 12, 11), include_unlisted=True) is None
    # The drug has no listing: the institution orders it through the platform at the reported
    # price (SHO-1 "通过省平台采购"); another institution's order is refused.
    assert quote_in_force(hospital, product, date(2026, 12, 11)).price == D("18.50")
    maker_user = User.objects.create_user(username="sho_self_maker", password=None, organisation=product.manufacturer,
                                          role=Role.MANUFACTURER)
    qua_services.distribution_self_deliver(maker_user, hospital.city)
    with time_machine.travel(date(2026, 12, 11), tick=False):
        order = order_create(hospital_user, lines=[{"product_id": product.pk, "quantity": 10}])
        line = order.lines.get()
        assert (line.unit_price, line.listing_id, line.price_source) == (D("18.50"), None, "shortage")
        other = make_user(make_org(OrgKind.INSTITUTION))
        with pytest.raises(BatchRefused) as refused:  # nothing in force for it: not purchasable
            order_create(other, lines=[{"product_id": product.pk, "quantity": 10}])
        assert refused.value.errors[0]["line"] == 0


@pytest.mark.parametrize("override,field", [({"supply_commitment": None}, "supply_commitment"),
                                            ({"quality_commitment": None}, "quality_commitment"),
                                            ({"price": "abc"}, "price")])
def test_sho1_report_missing_documents_refused(need, make_product, hospital_user, override, field):
    with pytest.raises(RuleViolation) as exc:
        _report(hospital_user, need, make_product(), **override)
    assert exc.value.code == "SHO-1" and exc.value.field == field
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN and need.product is None and not need.documents.exists()


def test_sho1_report_for_drug_on_no_list_refused(need, make_product, hospital_user):
    """The list issue ended before the report: the drug is on no list any more."""
    ShortageList.objects.update(effective_to=date(2026, 12, 5))
    with pytest.raises(RuleViolation) as exc:
        _report(hospital_user, need, make_product())
    assert exc.value.code == "SHO-1" and exc.value.field == "product"
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_sho1_report_without_national_code_refused(need, make_product, hospital_user):
    product = make_product()
    product.national_code = None
    product.save()
    with pytest.raises(RuleViolation) as exc:
        _report(hospital_user, need, product)
    assert exc.value.field == "national_code"


def test_sho1_other_institution_cannot_report(need, make_product, other_hospital_user):
    with pytest.raises(Forbidden):
        _report(other_hospital_user, need, make_product())


def test_sho1_pre_approval_parameter_blocks_until_province_confirms(need, make_product, hospital_user, hospital,
                                                                    province_user):
    PolicyValue.objects.create(key="sho.pre_approval_required", value=True, effective_from=date(2026, 1, 1),
                               reason="测试")
    product = make_product()
    need = _report(hospital_user, need, product)
    assert need.status == NeedStatus.PENDING_APPROVAL
    assert quote_in_force(hospital, product, date(2026, 12, 11), include_unlisted=True) is None
    with time_machine.travel(date(2026, 12, 12), tick=False):
        need = services.need_review(province_user, need, ok=True, note="同意")
    assert need.status == NeedStatus.PURCHASABLE
    assert quote_in_force(hospital, product, date(2026, 12, 12), include_unlisted=True).price == D("18.50")


def test_sho1_province_review_afterwards_can_stop_purchases(need, make_product, hospital_user, province_user):
    need = _report(hospital_user, need, make_product())
    with pytest.raises(InvalidInput):
        services.need_review(province_user, need, ok=False, note="")
    need = services.need_review(province_user, need, ok=False, note="价格明显偏高")
    assert need.status == NeedStatus.WITHDRAWN
    with pytest.raises(Forbidden):
        services.need_review(hospital_user, need, ok=True)


@pytest.mark.django_db(transaction=True)
def test_sho1_later_listing_takes_over_and_institution_is_told(need, make_product, list_product, hospital_user):
    """A listing that appears later for the same drug takes over (post_save receiver, on commit)."""
    need = _report(hospital_user, need, make_product())
    listing = list_product(make_product(), effective_date=date(2026, 12, 20))
    need.refresh_from_db()
    assert need.status == NeedStatus.SUPERSEDED and need.superseded_by_listing_id == listing.pk
    assert Notification.objects.filter(recipient=hospital_user, kind="shortage.need_superseded").count() == 1
    assert services.needs_takeover_sweep() == 0  # idempotent


def test_catalogue_flags_read_the_lists(list_drug, make_product):
    product = make_product()
    list_drug(kind="watch")
    assert selectors.product_list_flags(product, date(2026, 6, 1)) == {"shortage": False, "watch": True}
    assert selectors.product_list_flags(product, date(2025, 6, 1)) == {"shortage": False, "watch": False}

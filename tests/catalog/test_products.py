"""CAT-1…CAT-4: registering and maintaining products, search, product groups and the
consumable sunshine catalogue."""

import pytest

from catalog import selectors, services
from catalog.models import CatalogueChange, Product
from core.errors import Conflict, Forbidden, RuleViolation
from parties.models import OrgKind

pytestmark = pytest.mark.django_db

DRUG = {"kind": "drug", "national_code": "XA01ABD075A002010100483", "generic_name": "阿莫西林胶囊",
        "dosage_form": "胶囊剂", "specification": "0.25g", "pack_unit": "盒", "conversion": 24}


def test_cat_1_manufacturer_registers_its_own_product(maker_user, maker):
    product = services.product_create(maker_user, dict(DRUG, is_essential=True))
    assert product.manufacturer == maker and product.name_initials.startswith("amxljn")
    assert product.events.count() == 1  # pghistory (AUD-1)


def test_cat_1_manufacturer_cannot_register_for_another(maker_user, make_org):
    with pytest.raises(Forbidden):
        services.product_create(maker_user, DRUG, manufacturer=make_org(OrgKind.MANUFACTURER))
    assert not Product.objects.exists()


@pytest.mark.parametrize("kind,code,message", [
    ("drug", "XA01ABD075A00201010048", "应为 23 位"),
    ("drug", "xa01abd075a002010100483", "须以 X（西药）或 Z（中成药）开头"),
    ("drug", "C09100100000000211790000049", "须以 X（西药）或 Z（中成药）开头"),
    ("consumable", "C0910010000000021179000004", "应为 27 位"),
    ("consumable", "XA01ABD075A002010100483", "须以 C 开头"),
])
def test_cat_1_1_malformed_code_refused_on_entry(maker_user, kind, code, message):
    data = dict(DRUG, kind=kind, national_code=code)
    if kind == "consumable":
        data.update(consumable_class="hv6", dosage_form="")
    with pytest.raises(RuleViolation) as exc:
        services.product_create(maker_user, data)
    assert exc.value.code == "CAT-1.1" and exc.value.field == "national_code" and message in exc.value.detail
    assert not Product.objects.exists()


def test_cat_1_code_may_come_later_and_duplicates_are_refused(maker_user, other_maker_user):
    pending = services.product_create(maker_user, dict(DRUG, national_code=""))
    assert pending.national_code is None and pending.code_pending
    services.product_create(maker_user, dict(DRUG, specification="0.5g"))
    with pytest.raises(Conflict) as exc:
        services.product_create(other_maker_user, DRUG)
    assert exc.value.field == "national_code"


def test_cat_2_consumable_needs_its_class_and_takes_no_drug_flags(maker_user):
    data = {"kind": "consumable", "national_code": "C09100100000000211790000049", "generic_name": "冠脉支架",
            "specification": "3.0×18mm", "approval_number": "国械注准20213130001"}
    with pytest.raises(RuleViolation) as exc:
        services.product_create(maker_user, data)
    assert exc.value.code == "CAT-2" and exc.value.field == "consumable_class"
    with pytest.raises(RuleViolation) as exc:
        services.product_create(maker_user, dict(data, consumable_class="hv6", is_essential=True))
    assert exc.value.code == "CAT-2"
    assert services.product_create(maker_user, dict(data, consumable_class="hv6")).consumable_class == "hv6"
    with pytest.raises(RuleViolation):
        services.product_create(maker_user, dict(DRUG, consumable_class="ivd"))


def test_cat_1_negotiated_fields_and_generic_link(maker_user, make_product):
    with pytest.raises(RuleViolation, match="仅国家谈判药品"):
        services.product_create(maker_user, dict(DRUG, nn_payment_standard="10"))
    original = make_product(is_national_negotiated=True)
    not_negotiated = make_product()
    with pytest.raises(RuleViolation, match="须为国家谈判药品"):
        services.product_create(maker_user, dict(DRUG, generic_of_negotiated=not_negotiated))
    generic = services.product_create(maker_user, dict(DRUG, generic_of_negotiated=original))
    assert "国谈药品仿制药" in generic.flag_labels()
    with pytest.raises(RuleViolation, match="注册分类"):
        services.product_create(maker_user, dict(DRUG, national_code=None, is_innovative=True))


def test_cat_1_another_manufacturer_cannot_edit(maker_user, other_maker_user, province_user, make_product):
    product = make_product(generic_name="阿莫西林胶囊")
    with pytest.raises(Forbidden):
        services.product_update(other_maker_user, product, {"generic_name": "篡改"})
    product.refresh_from_db()
    assert product.generic_name == "阿莫西林胶囊"
    # QUA-1: the manufacturer's own change is a change request, not a write
    with pytest.raises(RuleViolation) as exc:
        services.product_update(maker_user, product, {"specification": "0.5g"})
    assert exc.value.code == "QUA-1"
    services.product_update(province_user, product, {"specification": "0.5g", "is_shortage": True})
    product.refresh_from_db()
    assert product.specification == "0.5g" and product.is_shortage


def test_cat_1_catalogue_flag_is_not_writable_through_update(province_user, make_product):
    from core.errors import InvalidInput

    product = make_product(kind="consumable")
    with pytest.raises(InvalidInput):
        services.product_update(province_user, product, {"in_sunshine_catalogue": True})


def test_cat_4_province_adds_and_retires_with_history(province_user, maker_user, make_product):
    stent = make_product(kind="consumable")
    with pytest.raises(Forbidden):
        services.catalogue_add(maker_user, stent, "新技术")
    services.catalogue_add(province_user, stent, "新技术产品纳入")
    services.catalogue_retire(province_user, stent, "不适合临床使用")
    stent.refresh_from_db()
    assert not stent.in_sunshine_catalogue
    assert list(CatalogueChange.objects.filter(product=stent).order_by("id").values_list("action", "reason")) == [
        ("add", "新技术产品纳入"), ("retire", "不适合临床使用")]
    with pytest.raises(Conflict):
        services.catalogue_retire(province_user, stent, "again")
    with pytest.raises(RuleViolation) as exc:
        services.catalogue_add(province_user, make_product(), "药品")
    assert exc.value.code == "CAT-4"


def test_cat_3_search_by_code_name_and_pinyin_initials(maker_user, make_product, make_org):
    amox = make_product(generic_name="阿莫西林胶囊")
    metformin = make_product(generic_name="盐酸二甲双胍片", is_essential=True)
    stent = make_product(kind="consumable", manufacturer=make_org(OrgKind.MANUFACTURER))

    def search(**kw):
        return set(selectors.search_products(maker_user, **kw))

    assert search(q="amxl") == {amox}
    assert search(q="AMXL") == {amox}
    assert search(q="二甲双胍") == {metformin}
    assert search(q=amox.national_code) == {amox}
    assert search(q=amox.national_code[:10]) >= {amox}
    assert search(kind="consumable") == {stent}
    assert search(flags=["is_essential"]) == {metformin}
    assert search(consumable_class="hv6") == {stent}
    assert search(manufacturer=stent.manufacturer_id) == {stent}
    assert search(q="zzzz") == set()
    insulin = make_product(generic_name="重组人胰岛素注射液")
    assert search(q="zzryds") == {insulin}  # the correct reading of 重 finds it too


def test_cat_3_product_group_and_same_product(make_product, make_org):
    a = make_product(generic_name="阿托伐他汀钙片", dosage_form="片剂", specification="20mg")
    b = make_product(generic_name="阿托伐他汀钙片", dosage_form="片剂", specification="20mg",
                     manufacturer=make_org(OrgKind.MANUFACTURER))
    make_product(generic_name="阿托伐他汀钙片", dosage_form="片剂", specification="10mg")
    assert set(selectors.product_group(a)) == {a, b}
    assert set(selectors.same_product(a)) == {a}


def test_name_initials_follow_renames(province_user, make_product):
    product = make_product(generic_name="阿莫西林胶囊")
    services.product_update(province_user, product, {"generic_name": "头孢呋辛酯片"})
    product.refresh_from_db()
    assert product.name_initials.split()[0] == "tbfxzp"

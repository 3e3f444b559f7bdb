"""LST-2.2.1 (差比价, 发改价格〔2011〕2452号): the representative product is chosen only among listed
products of the applicant's dosage-form family with a defined form ratio; an applicant whose
form has no coefficient (or no family) falls back to the 8-province condition and is never
refused with an internal error."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from core.errors import RuleViolation
from listing import rules
from listing.models import ApplicationStatus
from listing.services import applications
from tests import factories as f

from .conftest import pdf

DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")
COEF = rules.RatioCoefficients()


@pytest.mark.parametrize("form, family", [
    ("普通片", "oral_solid"), ("分散片", "oral_solid"), ("硬胶囊", "oral_solid"), ("颗粒剂", "oral_solid"),
    ("注射液", "injection"), ("注射用无菌粉末", "injection"), ("大容量注射剂", "injection"),
    ("滴眼液", "ophthalmic"), ("眼膏", "ophthalmic"), ("吸入用溶液", "inhalation"), ("气雾剂", "inhalation"),
    ("阴道片", "external"), ("软膏", "external"), ("栓剂", "external"),
    ("口服溶液", "oral_liquid"), ("糖浆剂", "oral_liquid"),
    ("膜剂", None), ("", None), (None, None),
])
def test_lst_2_2_1_dosage_form_family_table(form, family):
    assert rules.dosage_form_family(form) == family


@pytest.mark.parametrize("base, target, ok", [
    ("普通片", "分散片", True),     # same family, both coefficients
    ("硬胶囊", "软胶囊", True),
    ("普通片", "普通片", True),     # same form: no coefficient needed
    ("注射液", "注射液", True),
    ("注射液", "分散片", False),    # never across families
    ("分散片", "注射液", False),
    ("普通片", "缓释片", False),    # same family, no coefficient for 缓释片
    ("膜剂", "膜剂", False),        # no family at all
])
def test_lst_2_2_1_comparable_table(base, target, ok):
    assert rules.comparable(base, target, COEF) is ok


def test_lst_2_2_1_representative_never_from_another_family():
    """A cheaper injection per unit is not a candidate for a tablet applicant."""
    target = rules.Presentation("申请", "分散片", strength=D("250"), pack_count=24)
    injection = rules.Presentation("注射液", "注射液", strength=D("250"), pack_count=1, price=D("0.50"))
    tablet = rules.Presentation("普通片", "普通片", strength=D("250"), pack_count=24, price=D("24.00"))
    assert rules.choose_representative([injection, tablet], COEF, target) == tablet
    assert rules.choose_representative([injection], COEF, target) is None


def test_lst_2_2_1_zero_quantity_is_no_ratio():
    """A specification read as 0 mg divides by nothing: the factor is left out."""
    base = rules.Presentation("基", "普通片", strength=D("0"), pack_count=24, price=D("10"))
    target = rules.Presentation("申", "普通片", strength=D("250"), pack_count=24)
    assert rules.derive_price(base, target, COEF).price == D("10.00")


@pytest.mark.parametrize("target_form, forms, expected", [
    ("膜剂", ["普通片"], "无法归入差比价剂型族"),
    ("注射液", ["普通片"], "同一剂型族（注射剂）"),
    ("缓释片", ["普通片"], "没有差比价系数"),
])
def test_lst_2_2_1_fallback_reason_table(target_form, forms, expected):
    assert expected in rules.representative_problem(target_form, forms, COEF)


# ---------------------------------------------------------------- through the service


@pytest.fixture
def _frozen():
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


@pytest.fixture
def tablet_listed(db, _frozen, other_maker, make_product):
    p = make_product(other_maker, generic_name="阿奇霉素", dosage_form="普通片", specification="0.25g*6片", conversion=6)
    return f.ListingFactory(product=p, price=D("6.00"), category="LST-2.3", effective_date=date(2026, 1, 15))


@pytest.mark.django_db
@pytest.mark.parametrize("form, reason", [
    ("注射液", "同一剂型族（注射剂）"),   # other family only: no representative
    ("缓释片", "没有差比价系数"),          # same family, no coefficient
    ("膜剂", "无法归入差比价剂型族"),      # no family
])
def test_lst_2_2_1_no_representative_falls_back_to_eight_provinces(maker_user, maker, make_product, spread_prices,
                                                                   add_price, tablet_listed, form, reason):
    applicant = make_product(maker, generic_name="阿奇霉素", dosage_form=form, specification="0.5g", conversion=1)
    # 7 provinces: refused naming LST-2.2 and the reason, not an internal error
    spread_prices(applicant, 7, lowest="30.00")
    with pytest.raises(RuleViolation) as err:
        applications.application_submit(user=maker_user, product=applicant, category="LST-2.2", declared_price="3.00",
                                    documents={c: pdf() for c in DOCS})
    assert err.value.code == "LST-2.2" and reason in err.value.detail and "7 个省份" in err.value.detail
    # with the 8th province the same applicant is accepted on the 8-province condition
    add_price(applicant, "40.00", province="福建省")
    app = applications.application_submit(user=maker_user, product=applicant, category="LST-2.2", declared_price="30.00",
                                      documents={c: pdf() for c in DOCS})
    assert app.status == ApplicationStatus.SUBMITTED
    assert app.evaluation["results"][-1]["derivation"] is None


@pytest.mark.django_db
def test_lst_2_2_1_same_family_representative_is_used(maker_user, maker, make_product, other_maker, tablet_listed):
    """A cheaper injection of the same generic name is listed too; the dispersible-tablet
    applicant is derived from the tablet (×1.2 form, ×1.7 strength), never from the injection."""
    inj = make_product(other_maker, generic_name="阿奇霉素", dosage_form="注射液", specification="0.25g", conversion=1)
    f.ListingFactory(product=inj, price=D("0.80"), category="LST-2.3", effective_date=date(2026, 1, 15))
    applicant = make_product(maker, generic_name="阿奇霉素", dosage_form="分散片", specification="0.5g*6片", conversion=6)
    ev = applications.application_check(user=maker_user, product=applicant, category="LST-2.2", declared_price="12.24")
    res = ev.category_result
    assert res.derivation.base.dosage_form == "普通片" and res.derivation.price == D("12.24") and res.passed
    assert not applications.application_check(user=maker_user, product=applicant, category="LST-2.2",
                                          declared_price="12.25").passed

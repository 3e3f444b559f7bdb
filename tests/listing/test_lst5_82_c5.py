"""Issue 9 item 10 (listing bullets):
- LST-5: a not-yet-evaluated generic of a variety with ≥ 3 evaluated makers is refused at
  application (not listed and suspended the next day);
- LST-8.2: the rescue-drug negotiation scope is the province's choice, not a price the
  enterprise types;
- LST-C5: the "original listing price" is that of the product the supplement extends, named
  on the form, under the same registration certificate."""

from datetime import date
from decimal import Decimal as D

import pytest

from core.errors import RuleViolation
from experts import services as experts
from listing import rules, selectors
from listing.models import ApplicationStatus, ListingApplication
from listing.services import applications
from tests import factories as f
from tests.clock import frozen_at

from .conftest import pdf

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")

LST1_DOCS = ("province_records", "lowest_price_commitment", "quality_commitment")
RESCUE_DOCS = ("institution_request", "qualification", "province_records", "supply_commitment", "quality_commitment")



def docs(*codes):
    return {c: pdf(f"{c}.pdf") for c in codes}


# ---------------------------------------------------------------- LST-5


@pytest.mark.parametrize("makers, evaluated, originator, reference, barred", [
    (2, False, False, False, False),   # two evaluated makers: not yet
    (3, False, False, False, True),    # the third: refused at application
    (4, False, False, False, True),
    (3, True, False, False, False),    # evaluated itself
    (3, False, True, False, False),    # originator exempt
    (3, False, False, True, False),    # reference preparation exempt
])
def test_lst_5_application_bar_table(makers, evaluated, originator, reference, barred):
    bar = rules.lst_5_application_barred(makers, is_evaluated=evaluated, is_originator=originator,
                                         is_reference=reference, variety="阿莫西林 硬胶囊")
    assert (bar is not None) is barred
    if barred:
        assert f"已达 {makers} 家" in bar.text


def test_lst_5_unevaluated_generic_refused_at_application(maker_user, maker, make_org, make_product, add_price):
    product = make_product(maker)
    add_price(product, "12.00")
    for _ in range(2):
        make_product(make_org("manufacturer"), is_consistency_evaluated=True)
    app = applications.application_check(user=maker_user, product=product, category="LST-2.3", declared_price="12.00")
    assert not any(code == "LST-5" for code, _m, _f in app.blockers)
    make_product(make_org("manufacturer"), is_consistency_evaluated=True)
    with pytest.raises(RuleViolation) as err:
        applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="12.00",
                                    documents=docs("qualification", *LST1_DOCS))
    assert err.value.code == "LST-5" and "已达 3 家" in err.value.detail and err.value.field == "product"
    assert not ListingApplication.objects.filter(product=product).exists()


# ---------------------------------------------------------------- LST-8.2


@pytest.fixture
def rescue(maker, make_product, add_price):
    p = make_product(maker, generic_name="盐酸肾上腺素", dosage_form="注射液", specification="1ml:1mg", conversion=1,
                     is_emergency=True)
    add_price(p, "5.00")
    return p


def test_lst_8_2_enterprise_cannot_type_itself_into_the_negotiation(maker_user, rescue):
    with pytest.raises(RuleViolation) as err:
        applications.application_submit(user=maker_user, product=rescue, category="LST-8.2", declared_price="4.80",
                                    set_price="9.00", documents=docs(*RESCUE_DOCS))
    assert err.value.code == "LST-8.2" and err.value.field == "set_price"
    assert not ListingApplication.objects.exists()
    # without a typed price it is a plain declaration: ≤ national lowest, no expert step
    app = applications.application_submit(user=maker_user, product=rescue, category="LST-8.2", declared_price="4.80",
                                      documents=docs(*RESCUE_DOCS))
    assert app.evaluation["needs_expert"] is False and app.listing_price == D("4.80")
    assert not selectors.needs_expert(app)


def test_lst_8_2_province_puts_it_into_the_rescue_negotiation(maker_user, province_user, rescue):
    app = applications.application_submit(user=maker_user, product=rescue, category="LST-8.2", declared_price="4.80",
                                      documents=docs(*RESCUE_DOCS))
    session = experts.session_create(province_user, purpose="rescue_drug", title="2026年急抢救药品谈判",
                                     date=date(2026, 12, 10))
    app = applications.application_attach_expert_session(user=province_user, application=app, session=session)
    assert selectors.needs_expert(app)
    assert "纳入急抢救药品谈判范围" in app.trail.get(action="expert_attached").reason
    with pytest.raises(RuleViolation) as err:  # now listed only at the negotiated price (EXP-2)
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "LST-8.2" and "谈判" in err.value.detail


# ---------------------------------------------------------------- LST-C5


@pytest.fixture
def stents(maker, other_maker, make_product):
    kw = {"kind": "consumable", "consumable_class": "hv6", "dosage_form": "", "conversion": 1, "national_code": None}
    a = make_product(maker, generic_name="冠脉支架", specification="型号A", approval_number="国械注准20203130001", **kw)
    cheap = make_product(maker, generic_name="冠脉支架", specification="型号C", approval_number="国械注准20203130001",
                         **kw)
    other_reg = make_product(maker, generic_name="冠脉支架", specification="型号D",
                             approval_number="国械注准20203130099", **kw)
    new = make_product(maker, generic_name="冠脉支架", specification="型号B", approval_number="国械注准20203130001",
                       **kw)
    listings = {k: f.ListingFactory(product=p, price=D(price), category="LST-C1", effective_date=date(2026, 3, 15))
                for k, p, price in (("a", a, "800.00"), ("cheap", cheap, "650.00"), ("other_reg", other_reg, "900.00"))}
    return new, listings


def test_lst_c5_original_price_is_the_named_product(maker_user, stents):
    """The cap is the price of the product named on the form (800.00), not the cheapest of the
    certificate (650.00) the platform used to pick."""
    new, listings = stents
    ev = applications.application_check(user=maker_user, product=new, category="LST-C5", declared_price="800.00",
                                    original_listing=listings["a"])
    assert ev.passed and ev.category_result.cap == D("800.00")
    ev = applications.application_check(user=maker_user, product=new, category="LST-C5", declared_price="800.01",
                                    original_listing=listings["a"])
    assert not ev.passed and "原挂网价 800.00 元" in ev.category_result.message


def test_lst_c5_original_is_required_and_same_certificate(maker_user, stents):
    new, listings = stents
    with pytest.raises(RuleViolation) as err:
        applications.application_submit(user=maker_user, product=new, category="LST-C5", declared_price="600",
                                    documents=docs("registration_certificate"))
    assert err.value.code == "LST-C5" and "选择所增补的原挂网产品" in err.value.detail
    with pytest.raises(RuleViolation) as err:
        applications.application_submit(user=maker_user, product=new, category="LST-C5", declared_price="600",
                                    original_listing=listings["other_reg"], documents=docs("registration_certificate"))
    assert err.value.code == "LST-C5" and "同一注册证" in err.value.detail
    assert not ListingApplication.objects.exists()
    app = applications.application_submit(user=maker_user, product=new, category="LST-C5", declared_price="800",
                                      original_listing=listings["a"], documents=docs("registration_certificate"))
    assert app.status == ApplicationStatus.SUBMITTED and app.original_listing == listings["a"]

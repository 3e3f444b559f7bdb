"""LST-0.4 / §0 / BAD-1: no price rise by re-applying.

The national lowest includes this province's own current listing price; a listed product
re-declared under any category above its current price here is refused with the numbers;
the only way up is LST-8.1 (supply-and-price-stability commitment) confirmed by the province,
and that rise is flagged for the regulator as a possible abnormal price rise."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from listing import rules, selectors
from listing.models import ApplicationStatus, ListingApplication, PriceRiseFlag, PriceRiseStatus
from listing.services import applications, batch, status
from notifications.models import Notification
from tests import factories as f
from tests.clock import frozen_at

from .conftest import pdf

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")

LST1_DOCS = ("province_records", "lowest_price_commitment", "quality_commitment")



def docs(*codes):
    return {c: pdf(f"{c}.pdf") for c in codes}


@pytest.fixture
def listed(maker, make_product):
    """A product listed here at 18.90 (other provinces: 20.00, dearer)."""
    product = make_product(maker, is_shortage=True, is_innovative=True, innovative_class="化学药品1类")
    return f.ListingFactory(product=product, price=D("18.90"), category="LST-2.3", effective_date=date(2026, 1, 15))


@pytest.fixture
def dearer_elsewhere(listed, add_price):
    add_price(listed.product, "20.00", province="浙江省")
    return listed


# ---------------------------------------------------------------- the rule, at the boundary


@pytest.mark.parametrize("category, declared, passed", [
    ("LST-1", "18.90", True),      # at the current price: kept
    ("LST-1", "18.91", False),     # one fen above: refused
    ("LST-4", "18.91", False),     # under any category
    ("LST-8.3", "18.91", False),
    ("LST-1", "18.00", True),      # lower: allowed
    ("LST-8.1", "25.00", True),    # the one way up (flagged at confirmation)
])
def test_lst_0_4_rule_table(category, declared, passed):
    current = rules.PriceRecord(D("18.90"), label="本省现行挂网价")
    res = rules.lst_0_4_no_rise(category, declared=D(declared), current=current)
    assert res.passed is passed and res.rule == "LST-0.4"
    if not passed:
        assert "18.91" in res.message and "18.90" in res.message and "0.01" in res.message and "LST-8.1" in res.message


def test_lst_0_4_rule_checks_the_category_listing_price_too():
    """LST-3.1 lists at the payment standard whatever is declared: a standard above the current
    price is a rise too."""
    current = rules.PriceRecord(D("18.90"))
    res = rules.lst_0_4_no_rise("LST-3.1", declared=D("18.00"), current=current, listing_price=D("19.50"))
    assert not res.passed and "拟挂网价 19.50 元" in res.message
    assert rules.lst_0_4_no_rise("LST-1", declared=D("99"), current=None).passed  # not listed here: no bar


def test_section_0_national_lowest_includes_own_current_listing_price(dearer_elsewhere):
    lowest = selectors.national_lowest(dearer_elsewhere.product, date(2026, 11, 24))
    assert lowest.price == D("18.90") and "本省现行挂网价" in lowest.where()


def test_section_0_other_province_lower_than_own_price_stays_the_lowest(listed, add_price):
    add_price(listed.product, "17.50", province="浙江省")
    assert selectors.national_lowest(listed.product, date(2026, 11, 24)).price == D("17.50")


# ---------------------------------------------------------------- applications


def test_lst_0_4_redeclaration_at_current_price_passes(maker_user, dearer_elsewhere):
    app = applications.application_submit(user=maker_user, product=dearer_elsewhere.product, category="LST-1",
                                      declared_price="18.90", documents=docs(*LST1_DOCS))
    assert app.status == ApplicationStatus.SUBMITTED and app.listing_price == D("18.90")
    assert any(r["rule"] == "LST-0.4" and r["passed"] for r in app.evaluation["results"])


@pytest.mark.parametrize("category, documents", [
    ("LST-1", LST1_DOCS),
    ("LST-4", ("qualification", "province_records", "quality_commitment")),
    ("LST-8.3", ("qualification", "quality_commitment")),
])
def test_lst_0_4_redeclaration_one_fen_above_refused_with_numbers(maker_user, dearer_elsewhere, category, documents,
                                                                   monkeypatch):
    product = dearer_elsewhere.product
    if category == "LST-8.3":
        product.is_narcotic_psychotropic = True
        product.save()
    with pytest.raises(RuleViolation) as err:
        applications.application_submit(user=maker_user, product=product, category=category, declared_price="18.91",
                                    documents=docs(*documents))
    assert err.value.code == "LST-0.4" and err.value.field == "declared_price"
    assert "18.91" in err.value.detail and "18.90" in err.value.detail
    assert not ListingApplication.objects.filter(product=product).exists()
    dearer_elsewhere.refresh_from_db()
    assert dearer_elsewhere.price == D("18.90")


def test_lst_8_1_rise_confirmed_by_province_is_flagged_bad_1(client, maker_user, province_user, listed):
    app = applications.application_submit(user=maker_user, product=listed.product, category="LST-8.1",
                                      declared_price="25.00",
                                      documents=docs("qualification", "supply_commitment", "quality_commitment"))
    assert not PriceRiseFlag.objects.exists()  # nothing is flagged before the province decides
    client.force_login(province_user)
    page = client.get(reverse("listing:application_detail", args=[app.pk])).content.decode()
    assert 'data-testid="pending-rise"' in page and "18.90" in page and "6.10" in page
    app = applications.application_confirm(user=province_user, application=app)
    flag = PriceRiseFlag.objects.get()
    assert (flag.listing, flag.application, flag.old_price, flag.new_price, flag.rule, flag.status) == (
        listed, app, D("18.90"), D("25.00"), "LST-8.1", PriceRiseStatus.OPEN)
    note = Notification.objects.get(recipient=province_user, kind="listing.price_rise")
    assert "18.90" in note.body and "25.00" in note.body
    # the batch raises the price and adds no second flag
    batch.batch_run(date(2026, 12, 15))
    batch.batch_run(date(2026, 12, 15))
    listed.refresh_from_db()
    assert listed.price == D("25.00") and PriceRiseFlag.objects.count() == 1
    # visible on the regulator's application and listing pages and in the monitoring list
    for url in (reverse("listing:application_detail", args=[app.pk]), reverse("listing:listing_detail", args=[listed.pk]),
                reverse("listing:price_rise_list")):
        html = client.get(url).content.decode()
        assert 'data-testid="rise-flag' in html or 'data-testid="rise-row"' in html, url
        assert "25.00" in html and "LST-0.4" in html
    # the enterprise does not see the regulator's flag
    client.force_login(maker_user)
    assert 'data-testid="rise-flags"' not in client.get(reverse("listing:listing_detail", args=[listed.pk])).content.decode()
    assert client.get(reverse("listing:price_rise_list")).status_code == 404


def test_lst_0_4_confirmation_rechecks_against_the_price_now(maker_user, province_user, dearer_elsewhere):
    """A PRC-1 linkage lowered the price after submission: confirming the old price would be a
    rise, so it is refused with the numbers and the application stays as it was."""
    app = applications.application_submit(user=maker_user, product=dearer_elsewhere.product, category="LST-1",
                                      declared_price="18.90", documents=docs(*LST1_DOCS))
    status.listing_change_price(user=province_user, listing=dearer_elsewhere, new_price="18.00",
                                  effective_date=date(2026, 11, 24), rule="PRC-1", reason="低价联动")
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=province_user, application=app)
    assert err.value.code == "LST-0.4" and "18.90" in err.value.detail and "18.00" in err.value.detail
    app.refresh_from_db()
    assert app.status == ApplicationStatus.SUBMITTED and not PriceRiseFlag.objects.exists()


def test_lst_0_4_batch_never_raises_a_price_lowered_after_confirmation(maker_user, province_user, dearer_elsewhere):
    app = applications.application_submit(user=maker_user, product=dearer_elsewhere.product, category="LST-1",
                                      declared_price="18.90", documents=docs(*LST1_DOCS))
    applications.application_confirm(user=province_user, application=app)
    status.listing_change_price(user=province_user, listing=dearer_elsewhere, new_price="18.00",
                                  effective_date=date(2026, 11, 25), rule="PRC-1", reason="低价联动")
    batch.batch_run(date(2026, 12, 15))
    dearer_elsewhere.refresh_from_db()
    app.refresh_from_db()
    assert dearer_elsewhere.price == D("18.00") and app.status == ApplicationStatus.EFFECTIVE
    assert app.listing_price == D("18.00") and not PriceRiseFlag.objects.exists()


def test_bad_1_any_listing_price_rise_is_flagged(province_user, listed):
    status.listing_change_price(user=province_user, listing=listed, new_price="19.50",
                                  effective_date=date(2026, 11, 24), rule="EXP-2", reason="专家谈判结果")
    flag = PriceRiseFlag.objects.get()
    assert (flag.old_price, flag.new_price, flag.rule, flag.application) == (D("18.90"), D("19.50"), "EXP-2", None)
    status.listing_change_price(user=province_user, listing=listed, new_price="19.00",
                                  effective_date=date(2026, 11, 25), rule="PRC-1", reason="联动降价")
    assert PriceRiseFlag.objects.count() == 1  # a cut is no rise


def test_bad_1_only_the_province_reviews_a_flag_with_a_reason(province_user, maker_user, make_user, listed):
    status.listing_change_price(user=province_user, listing=listed, new_price="19.50",
                                  effective_date=date(2026, 11, 24), rule="EXP-2", reason="专家谈判结果")
    flag = PriceRiseFlag.objects.get()
    with pytest.raises(Forbidden):
        status.price_rise_review(user=maker_user, flag=flag, note="x")
    with pytest.raises(InvalidInput):
        status.price_rise_review(user=province_user, flag=flag, note=" ")
    flag.refresh_from_db()
    assert flag.status == PriceRiseStatus.OPEN
    status.price_rise_review(user=province_user, flag=flag, note="谈判结果，涨价有据")
    with pytest.raises(Conflict):
        status.price_rise_review(user=province_user, flag=flag, note="再次核查")
    flag.refresh_from_db()
    assert flag.status == PriceRiseStatus.REVIEWED and flag.review_note == "谈判结果，涨价有据"


def test_lst_0_4_page_shows_the_refusal_next_to_the_price(client, maker_user, dearer_elsewhere):
    """Through the application form: one fen above the current price is refused with both
    numbers on the page and nothing is written."""
    client.force_login(maker_user)
    data = {"product": dearer_elsewhere.product.pk, "category": "LST-1", "declared_price": "18.91",
            **{f"doc_{c}": pdf(f"{c}.pdf") for c in LST1_DOCS}}
    resp = client.post(reverse("listing:apply") + f"?product={dearer_elsewhere.product.pk}", data)
    html = resp.content.decode()
    assert resp.status_code == 200 and "18.91" in html and "18.90" in html and "LST-0.4" in html
    assert not ListingApplication.objects.exists()

"""EXP-2: negotiation rounds, agreement/failure, the final price becomes the listing price
(or is stored for the listing application of a product not yet listed)."""

from datetime import date
from decimal import Decimal

import pytest

from core.errors import Conflict, Forbidden, RuleViolation
from experts import selectors, services
from experts.models import CaseOutcome
from listing.models import ListingPriceChange
from tests import factories as f


@pytest.fixture
def drawn_session(province_user, pool, session):
    draw = services.session_draw(province_user, session, {"clinical": 1, "pharmacy": 1, "insurance": 1})
    return session, draw


@pytest.fixture
def case(drawn_session):
    return drawn_session[0].cases.get()


def drawn_expert(draw, pool):
    pk = draw.drawn["clinical"][0]
    return next(e for e in pool["clinical"] if e.pk == pk)


@pytest.mark.django_db
def test_exp2_rounds_and_agreement_for_unlisted_product(province_user, case, product, drawn_session, pool):
    expert = drawn_expert(drawn_session[1], pool)
    services.round_record(province_user, case, enterprise_offer="120.00", expert_counter_offer="95.5")
    services.round_record(expert.user, case, enterprise_offer="108.8800", expert_counter_offer="100")
    assert list(case.rounds.values_list("number", flat=True)) == [1, 2]
    case = services.case_conclude(province_user, case, agreed=True, final_price="104.5", note="双方同意")
    assert case.outcome == CaseOutcome.AGREED and case.final_price == Decimal("104.5")
    assert not case.applied_to_listing
    assert selectors.negotiated_price(product) == Decimal("104.5")


@pytest.mark.django_db
def test_exp2_final_price_above_last_enterprise_offer_is_refused(province_user, case, product):
    services.round_record(province_user, case, enterprise_offer="120")
    services.round_record(province_user, case, enterprise_offer="110")
    with pytest.raises(RuleViolation) as err:
        services.case_conclude(province_user, case, agreed=True, final_price="110.0001")
    assert err.value.code == "EXP-2" and err.value.field == "final_price"
    case.refresh_from_db()
    assert case.outcome == CaseOutcome.OPEN and selectors.negotiated_price(product) is None
    services.case_conclude(province_user, case, agreed=True, final_price="110")
    assert selectors.negotiated_price(product) == Decimal("110")


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.23456", "", "NaN"])
@pytest.mark.django_db
def test_exp2_offers_must_be_positive_with_at_most_4_decimals(province_user, case, bad):
    with pytest.raises(RuleViolation) as err:
        services.round_record(province_user, case, enterprise_offer=bad)
    assert err.value.code == "EXP-2"
    assert not case.rounds.exists()


@pytest.mark.django_db
def test_exp2_agreement_changes_live_listing_price(province_user, case, product):
    listing = f.ListingFactory(product=product, price=Decimal("130"), category="LST-6",
                                     effective_date=date(2026, 7, 15))
    services.round_record(province_user, case, enterprise_offer="118")
    case = services.case_conclude(province_user, case, agreed=True, final_price="115",
                                  effective_date=date(2026, 12, 1))
    listing.refresh_from_db()
    assert case.applied_to_listing and listing.price == Decimal("115")
    change = ListingPriceChange.objects.get(listing=listing)
    assert change.rule == "EXP-2" and change.old_price == Decimal("130") and change.effective_date == date(2026, 12, 1)


@pytest.mark.django_db
def test_exp2_failure_records_no_price(province_user, case, product):
    services.round_record(province_user, case, enterprise_offer="150", expert_counter_offer="90")
    case = services.case_conclude(province_user, case, agreed=False, note="差距过大")
    assert case.outcome == CaseOutcome.FAILED and case.final_price is None
    assert selectors.negotiated_price(product) is None
    with pytest.raises(Conflict):
        services.round_record(province_user, case, enterprise_offer="140")


@pytest.mark.django_db
def test_exp2_undrawn_expert_cannot_record(case, make_expert):
    outsider = make_expert("clinical")
    with pytest.raises(Forbidden):
        services.round_record(outsider.user, case, enterprise_offer="100")


@pytest.mark.django_db
def test_exp2_no_negotiation_before_draw(province_user, session):
    case = session.cases.get()
    with pytest.raises(RuleViolation):
        services.round_record(province_user, case, enterprise_offer="100")

"""ACT-5 / AUD-1 / LST-0.4: confirming an application writes nothing before it is authorised.

The escalation this closes: `application_confirm` (formerly `confirm_application`) used to save the submitted listing price in
its own committed transaction before checking the user was the province. A manufacturer set
its own application to 25.00 (declared 18.90), a county regulator of another city set one to
0.01, and a refused confirmation rewrote the price of an already decided application."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from core.errors import Conflict, Forbidden, RuleViolation
from listing.models import ApplicationStatus, ListingApplication
from listing.services import applications
from tests import factories as f
from tests.clock import frozen_at

from .conftest import pdf

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")

DOCS = ("qualification", "province_records", "lowest_price_commitment", "quality_commitment")



@pytest.fixture
def submitted(maker, maker_user, make_product, spread_prices):
    product = make_product(maker)
    spread_prices(product, 8, lowest="18.90")
    return applications.application_submit(user=maker_user, product=product, category="LST-2.3", declared_price="18.90",
                                       documents={c: pdf(f"{c}.pdf") for c in DOCS})


def _row(app):
    return ListingApplication.objects.values("status", "listing_price", "decided_by", "decision_reason").get(pk=app.pk)


def test_manufacturer_cannot_set_its_own_listing_price(submitted, maker_user):
    before = _row(submitted)
    with pytest.raises(Forbidden):
        applications.application_confirm(user=maker_user, application=submitted, listing_price="25.00")
    assert _row(submitted) == before
    assert before["listing_price"] == D("18.90")


def test_county_regulator_of_another_city_cannot_set_a_price(submitted, make_user, suzhou):
    county = make_user(f.CountyRegulatorFactory(name="吴中区医保局", city=suzhou))
    before = _row(submitted)
    with pytest.raises(Forbidden):
        applications.application_confirm(user=county, application=submitted, listing_price="0.01")
    assert _row(submitted) == before


def test_province_cannot_confirm_above_the_rule_cap(submitted, province_user):
    """LST-2.3: the national lowest is 18.90; the province confirming 18.91 is refused with the
    rule, and the application keeps its price and state."""
    before = _row(submitted)
    with pytest.raises(RuleViolation) as err:
        applications.application_confirm(user=province_user, application=submitted, listing_price="18.91")
    assert err.value.code == "LST-2.3"
    assert _row(submitted) == before


def test_province_may_confirm_a_lower_price_that_passes_the_rule(submitted, province_user):
    app = applications.application_confirm(user=province_user, application=submitted, listing_price="18.50")
    assert app.status == ApplicationStatus.CONFIRMED and app.listing_price == D("18.50")


def test_refused_confirmation_does_not_rewrite_a_decided_price(submitted, province_user):
    applications.application_confirm(user=province_user, application=submitted)
    before = _row(submitted)
    with pytest.raises(Conflict):
        applications.application_confirm(user=province_user, application=submitted, listing_price="1.00")
    assert _row(submitted) == before and before["listing_price"] == D("18.90")


def test_page_refusal_changes_nothing(client, submitted, maker_user):
    """Through the page: the manufacturer's POST to the confirm URL is refused and the
    application's price is what it declared."""
    before = _row(submitted)
    client.force_login(maker_user)
    url = reverse("listing:application_decide", args=[submitted.pk, "confirm"])
    resp = client.post(url, {"listing_price": "25.00", "reason": "x"})
    assert resp.status_code in (302, 403, 404)
    assert _row(submitted) == before

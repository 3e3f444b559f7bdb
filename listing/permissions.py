"""Object permissions of the listing app (rules)."""

import rules

from parties.permissions import (
    can_see,
    is_city_regulator,
    is_manufacturer,
    is_province_regulator,
    is_regulator,
)

rules.add_perm("listing.apply", is_manufacturer)
rules.add_perm("listing.view_application", can_see)
rules.add_perm("listing.review", is_province_regulator)
rules.add_perm("listing.view_review_queue", is_regulator)
rules.add_perm("listing.change_status", is_province_regulator)
rules.add_perm("listing.record_quality_event", is_province_regulator)
rules.add_perm("listing.view_regulator", is_regulator)


@rules.predicate
def makes_listed_product(user, listing):
    return bool(listing is not None and listing.product.manufacturer_id == user.organisation_id)


# The listed product's manufacturer follows its listing (delisting requests, quality events).
rules.add_perm("listing.manage_own_listing", is_manufacturer & makes_listed_product)


# --- for listing.services (the integrator swaps the hand-written checks for these) -----------


@rules.predicate
def makes_product(user, product):
    return bool(product is not None and product.manufacturer_id == user.organisation_id)


@rules.predicate
def applied(user, application):
    return bool(application is not None and application.enterprise_id == user.organisation_id)


@rules.predicate
def reviews_in_city(user, application):
    """LST-C4: the application's review city is the user's city."""
    org = getattr(user, "organisation", None)
    return bool(application is not None and application.review_city_id and org is not None
                and org.city_id == application.review_city_id)


@rules.predicate
def under_city_review(user, application):
    return bool(application is not None and application.city_review)


# ACT-2 / LST-1: a manufacturer applies for its own products and withdraws its own applications.
rules.add_perm("listing.apply_for_product", is_manufacturer & makes_product)
rules.add_perm("listing.withdraw_application", is_manufacturer & applied)
# ACT-5 / LST-C4: the province decides applications; under the city review (ordinary consumables
# and IVD reagents until the catalogue is unified) the review city's regulator decides.
rules.add_perm("listing.city_review", is_city_regulator & reviews_in_city)
rules.add_perm("listing.decide_application", (under_city_review & is_city_regulator & reviews_in_city)
               | (~under_city_review & is_province_regulator))
# PRC-1 / PRC-2 / EXP-2: only the province changes a listing price (a job acts without a user).
rules.add_perm("listing.change_price", is_province_regulator)
# BAD-1: the province records what it found about a flagged price rise.
rules.add_perm("listing.review_price_rise", is_province_regulator)
# DEL-3: the manufacturer applies to delist its own listing; the province decides.
rules.add_perm("listing.request_delist", is_manufacturer & makes_listed_product)
rules.add_perm("listing.decide_delist", is_province_regulator)

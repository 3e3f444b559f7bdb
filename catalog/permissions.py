"""`rules` permissions of the catalogue: the province maintains it and confirms product
information (QUA-1); a manufacturer registers and proposes changes of its own products; other
provinces' prices come from the product's manufacturer or a regulator (LST-0.3)."""

import rules

from parties.permissions import is_city_regulator, is_manufacturer, is_province_regulator, is_regulator

from .models import ChangeReviewer
from .services import city_review_on


@rules.predicate
def owns_product(user, product):
    return product is not None and product.manufacturer_id == user.organisation_id


@rules.predicate
def owns_change_request(user, change_request):
    return change_request is not None and change_request.enterprise_id == user.organisation_id


@rules.predicate
def reviews_change(user, change_request):
    """QUA-1: the province confirms (or refuses); a city-reviewed request only the regulator of
    the named city — or the province once city review is switched off (catalogue unified)."""
    if change_request is None:
        return False
    if change_request.reviewer == ChangeReviewer.CITY:
        if is_city_regulator(user):
            return user.organisation.city_id == change_request.review_city_id
        return is_province_regulator(user) and not city_review_on()
    return is_province_regulator(user)


rules.add_perm("catalog.view_product", rules.is_authenticated)
# ACT-1: a manufacturer maintains its own products only; the province maintains all.
rules.add_perm("catalog.change_product", is_province_regulator | (is_manufacturer & owns_product))
rules.add_perm("catalog.change_product_directly", is_province_regulator)
rules.add_perm("catalog.register_product", is_province_regulator | is_manufacturer)
# CAT-4 / ACT-5: the provincial regulator maintains the catalogue.
rules.add_perm("catalog.maintain_catalogue", is_province_regulator)
rules.add_perm("catalog.propose_product_change", is_manufacturer & owns_product)
rules.add_perm("catalog.withdraw_product_change", is_manufacturer & owns_change_request)
rules.add_perm("catalog.review_product_change", reviews_change)
rules.add_perm("catalog.view_change_requests", is_regulator | is_manufacturer)
# LST-0.3: other-province prices are entered by the product's manufacturer or a regulator
# (province or city).
rules.add_perm("catalog.record_price", is_province_regulator | is_city_regulator | (is_manufacturer & owns_product))
rules.add_perm("catalog.upload_prices", is_province_regulator | is_city_regulator | is_manufacturer)

"""`rules` permissions of the catalogue (object checks mirror catalog.services)."""

import rules

from parties.permissions import is_manufacturer, is_province_regulator

from .services import can_review_change


@rules.predicate
def owns_product(user, product):
    return product is not None and product.manufacturer_id == user.organisation_id


rules.add_perm("catalog.view_product", rules.is_authenticated)
rules.add_perm("catalog.change_product", is_province_regulator | (is_manufacturer & owns_product))
rules.add_perm("catalog.maintain_catalogue", is_province_regulator)


@rules.predicate
def reviews_change(user, change_request):
    """QUA-1: the province, or the named city for ordinary consumables / IVD reagents."""
    return change_request is not None and can_review_change(user, change_request)


rules.add_perm("catalog.propose_product_change", is_manufacturer & owns_product)
rules.add_perm("catalog.review_product_change", reviews_change)

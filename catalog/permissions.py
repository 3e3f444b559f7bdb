"""`rules` permissions of the catalogue (object checks mirror catalog.services)."""

import rules

from parties.permissions import is_manufacturer, is_province_regulator


@rules.predicate
def owns_product(user, product):
    return product is not None and product.manufacturer_id == user.organisation_id


rules.add_perm("catalog.view_product", rules.is_authenticated)
rules.add_perm("catalog.change_product", is_province_regulator | (is_manufacturer & owns_product))
rules.add_perm("catalog.maintain_catalogue", is_province_regulator)

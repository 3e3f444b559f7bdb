"""SHO-1 price provider for orders.pricing: a reported self-sourcing result makes the drug
purchasable through the platform by that institution, at the reported price."""

from orders.pricing import PriceQuote, rows_digest

from .models import ShortageNeed
from .selectors import purchasable_results


def shortage_prices(institution, product_ids, at):
    if institution is None:
        return {}
    return {
        pid: PriceQuote(price, "shortage", "SHO-1", f"短缺药品自主采购 #{need_id}", grants_access=True)
        for pid, need_id, price in purchasable_results(getattr(institution, "pk", institution), product_ids, at)
    }


def catalogue_version(institution):
    """orders.pricing version token (INT-1 304): this institution's shortage needs and results."""
    return rows_digest(ShortageNeed.objects.filter(institution_id=getattr(institution, "pk", institution)),
                       "id", "product_id", "status", "price", "purchasable_from")

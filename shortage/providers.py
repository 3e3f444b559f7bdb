"""SHO-1 price provider for orders.pricing: a reported self-sourcing result makes the drug
purchasable through the platform by that institution, at the reported price."""

from orders.pricing import PriceQuote

from .selectors import purchasable_results


def shortage_prices(institution, product_ids, at):
    if institution is None:
        return {}
    return {
        pid: PriceQuote(price, "shortage", "SHO-1", f"短缺药品自主采购 #{need_id}", grants_access=True)
        for pid, need_id, price in purchasable_results(getattr(institution, "pk", institution), product_ids, at)
    }

"""The channels' answers the payment-standard run needs, registered into `insurance.registry`
from InsuranceConfig.ready(). Insurance reads channels (filing, VBP); they know nothing of it."""

from django.db.models import Min

from filing import selectors as filing_selectors
from filing.models import FilingRequest, FilingStatus
from vbp.models import SelectedProduct, VarietyProduct

from . import registry


def filing_price(product, on):
    """A filed product's price (INS-1 cap for a filed drug; FIL-C5 for a filed consumable): the
    lowest confirmed filing (agreed) price by `on`, and the regulator's FIL-C5 standard if set."""
    rows = FilingRequest.objects.filter(product_id=product.pk, status=FilingStatus.CONFIRMED, confirmed_on__lte=on)
    agg = rows.aggregate(agreed=Min("agreed_price"), price=Min("price"), first=Min("confirmed_on"))
    price = agg["agreed"] or agg["price"]
    if price is None:
        return None
    standard = filing_selectors.payment_standard(product, on)
    return registry.FilingPrice(price=price, filed_on=agg["first"],
                                first_sale_here=bool(standard and standard.first_sale_in_province),
                                reference=f"备案采购（{rows.count()} 家机构）",
                                set_standard=standard.amount if standard else None)


class VbpSelectedPrice:
    """INS-4: for a product of a VBP variety (a provincial or national tender in its period at
    the year end; alliance prices apply to members only and are not a provincial standard), the
    variety's selected price S and whether this product is the selected one. Loaded once per run."""

    def __init__(self):
        self._on, self._table = None, {}

    def prepare(self, on):
        rows = (VarietyProduct.objects.filter(variety__tender__status="published",
                                              variety__tender__period_start__lte=on,
                                              variety__tender__period_end__gte=on)
                .exclude(variety__tender__level="alliance")
                .values_list("product_id", "selected", "variety_id", "variety__name", "variety__tender__code"))
        selected = {}
        for variety_id, price in SelectedProduct.objects.filter(
                variety_id__in={r[2] for r in rows}).values_list("variety_id", "price"):
            selected[variety_id] = min(price, selected.get(variety_id, price))
        table = {}
        for product_id, is_selected, variety_id, name, code in rows:
            if variety_id in selected:
                table[product_id] = registry.SelectedPrice(selected[variety_id], is_selected, f"带量采购 {code} {name}")
        self._on, self._table = on, table

    def __call__(self, product, on):
        if on != self._on:
            self.prepare(on)
        return self._table.get(product.pk)


def register():
    registry.register_filing_price(filing_price)
    registry.register_selected_price(VbpSelectedPrice())

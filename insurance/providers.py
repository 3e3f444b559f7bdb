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

    def products(self, on):
        if on != self._on:
            self.prepare(on)
        return set(self._table)

    def __call__(self, product, on):
        if on != self._on:
            self.prepare(on)
        return self._table.get(product.pk)


class VbpAllianceStandard:
    """INS-6 (002 §28): a consumable of a variety of a published alliance tender in its period
    at the year end — selected or not, the category's similar products — with the variety's
    selected prices, from which the rule takes the one provincial standard. Loaded once per run."""

    def __init__(self):
        self._on, self._table = None, {}

    def prepare(self, on):
        varieties = {}
        for variety_id, price, name, code in SelectedProduct.objects.filter(
                variety__tender__level="alliance", variety__tender__product_kind="consumable",
                variety__tender__status="published", variety__tender__period_start__lte=on,
                variety__tender__period_end__gte=on).values_list("variety_id", "price", "variety__name",
                                                                  "variety__tender__code"):
            prices, _ref = varieties.get(variety_id, ((), ""))
            varieties[variety_id] = (tuple(sorted((*prices, price))), f"联盟带量采购 {code} {name}")
        table = {}
        members = {*VarietyProduct.objects.filter(variety_id__in=varieties).values_list("product_id", "variety_id"),
                   *SelectedProduct.objects.filter(variety_id__in=varieties).values_list("product_id", "variety_id")}
        for product_id, variety_id in sorted(members):
            prices, reference = varieties[variety_id]
            if product_id not in table:  # a product in two alliance varieties: the first (lowest id) decides
                table[product_id] = registry.AllianceStandard(prices, reference)
        self._on, self._table = on, table

    def __call__(self, product, on):
        if on != self._on:
            self.prepare(on)
        return self._table.get(product.pk)


def register():
    registry.register_filing_price(filing_price)
    registry.register_selected_price(VbpSelectedPrice())
    registry.register_alliance_standard(VbpAllianceStandard())

"""The price in force (ORD-1): "what may this institution pay for this product today, and why".

One selector answers it for ordering, the HIS API and the UI. Every procurement channel
contributes through a *provider*: a function

    provider(institution, product_ids: list[int], at: date) -> dict[product_id, PriceQuote]

registered with `register_provider(name, fn)`. The listing provider (挂网价, source
"listing") is registered by this app; the negotiation (议价结果 for that institution), VBP
(中选价) and filing channels register theirs from their own `AppConfig.ready()`. For each
product the lowest applicable quote wins; a product without an orderable listing has no
price in force (DEL-4: suspended/delisted products cannot be ordered).

Providers work on many products at once, so the bulk variant costs one query per
provider whatever the number of products (no N+1)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PriceQuote:
    price: Decimal
    source: str  # "listing" | "negotiation" | "vbp" | "filing" …
    rule: str  # the rule ID that makes this price apply (e.g. "ORD-1", "NEG-3", "VBP-2")
    reference: str  # human-readable reference: listing id, negotiation result number …
    listing_id: int | None = None

    @property
    def source_label(self) -> str:
        return source_label(self.source)

    def as_tuple(self):
        return self.price, self.source, self.rule, self.reference


SOURCE_LABELS = {
    "listing": _("挂网价"),
    "negotiation": _("议价结果"),
    "vbp": _("带量采购中选价"),
    "filing": _("备案采购价"),
}


def source_label(source: str) -> str:
    return str(SOURCE_LABELS.get(source, source))


Provider = Callable[[object, list, date], dict]
_PROVIDERS: dict[str, Provider] = {}


def register_provider(name: str, fn: Provider) -> None:
    """Register (or replace) a channel's provider; idempotent by name."""
    _PROVIDERS[name] = fn


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def listing_provider(institution, product_ids, at):
    """ORD-1 base case: the listing price (挂网价) of the product's orderable listing."""
    from listing.models import Listing

    rows = (
        Listing.objects.orderable()
        .filter(product_id__in=product_ids, effective_date__lte=at)
        .order_by()
        .values_list("product_id", "id", "price")
    )
    return {
        pid: PriceQuote(price, "listing", "ORD-1", f"挂网记录 #{lid}", listing_id=lid) for pid, lid, price in rows
    }


def register_default_providers():
    register_provider("listing", listing_provider)


def prices_in_force(institution, products: Iterable, at: date | None = None) -> dict[int, PriceQuote]:
    """Bulk variant: {product_id: PriceQuote} for every product (ids or Product objects) that
    has a price in force for `institution` on `at`. Products missing from the answer have
    no orderable listing. One query per provider."""
    at = at or timezone.localdate()
    ids = sorted({getattr(p, "pk", p) for p in products})
    if not ids:
        return {}
    base = listing_provider(institution, ids, at)  # the listing is what makes a product orderable
    best = dict(base)
    for name, fn in _PROVIDERS.items():
        if name == "listing":
            continue
        for pid, quote in fn(institution, list(base), at).items():
            # On a tie with the listing price the channel's quote names the reason (e.g. a VBP
            # selected product is listed at its selected price: the source is "vbp").
            if pid in best and (quote.price < best[pid].price
                                or (quote.price == best[pid].price and best[pid].source == "listing")):
                best[pid] = PriceQuote(quote.price, quote.source, quote.rule, quote.reference,
                                       listing_id=base[pid].listing_id)
    return best


def price_in_force(institution, product, at: date | None = None):
    """(price, source, rule, reference) for one product, or None when the product cannot be
    ordered (no active listing — DEL-4)."""
    quote = prices_in_force(institution, [product], at).get(getattr(product, "pk", product))
    return quote.as_tuple() if quote else None


def quote_in_force(institution, product, at: date | None = None) -> PriceQuote | None:
    return prices_in_force(institution, [product], at).get(getattr(product, "pk", product))

"""Questions pricing asks of the apps above it, in the registry shape of `orders/pricing.py`
(`register_x(name, fn)`, idempotent by name; each app registers from its own
`AppConfig.ready()`, so pricing imports neither listing nor orders):

- the live listings (PRC-1 cases, PRC-2 rounds) — registered by the listing app;
- the in-province actual purchase price of a product in a year (PRC-2) — registered by orders.

What pricing decides about a listing travels the other way, as the signals of
`pricing/signals.py` that the listing app receives."""

from collections.abc import Callable, Iterable
from decimal import Decimal

LiveListings = Callable[..., Iterable]
_LIVE_LISTINGS: dict[str, LiveListings] = {}


def register_live_listings(name: str, fn: LiveListings) -> None:
    """fn(*, product_id=None, above=None) -> the live (active, pending suspension, suspended)
    listings, their product and manufacturer loaded; only `product_id`'s, only those priced
    above `above`. Registers (or replaces); idempotent by name."""
    _LIVE_LISTINGS[name] = fn


def live_listings(*, product_id=None, above=None) -> list:
    return [row for fn in _LIVE_LISTINGS.values() for row in fn(product_id=product_id, above=above)]


ActualPrice = Callable[[object, int], Decimal | None]
_ACTUAL_PRICES: dict[str, ActualPrice] = {}


def register_actual_price(name: str, fn: ActualPrice) -> None:
    """fn(product, year) -> the lowest unit price institutions in the province actually paid
    (goods received), or None. Registers (or replaces); idempotent by name."""
    _ACTUAL_PRICES[name] = fn


def actual_price(product, year) -> Decimal | None:
    prices = [p for fn in _ACTUAL_PRICES.values() if (p := fn(product, year)) is not None]
    return min(prices) if prices else None

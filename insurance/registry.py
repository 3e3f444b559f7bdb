"""Questions the payment-standard run asks of other channels, through one registry shape
(like orders' price providers): a channel registers a callable from its AppConfig.ready().

- `selected_price(product, on)` → `SelectedPrice` or None (VBP, INS-4);
- `filing_price(product, on)` → `FilingPrice` or None (filing, INS-1 cap for filed drugs, FIL-C5);
- `alliance_standard(product, on)` → `AllianceStandard` or None (VBP alliances, INS-6).
The first provider that answers wins."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class SelectedPrice:
    selected_price: Decimal  # S of the variety
    is_selected: bool        # this product is the selected one
    reference: str           # e.g. the tender and variety


@dataclass(frozen=True)
class FilingPrice:
    price: Decimal
    filed_on: date
    first_sale_here: bool = False
    reference: str = ""
    set_standard: Decimal | None = None  # FIL-C5: the standard the regulator set for a filed consumable


@dataclass(frozen=True)
class AllianceStandard:
    """INS-6: an alliance-procured consumable category's selected prices, of which the rule
    makes the one provincial standard for every product of the category."""

    selected_prices: tuple[Decimal, ...]
    reference: str


_selected: list[Callable] = []
_filing: list[Callable] = []
_alliance: list[Callable] = []


def prepare(on) -> None:
    """Called once per run before the products are computed: a provider with a `prepare(on)`
    method loads its answers for the whole run in one query instead of one per product."""
    for provider in (*_selected, *_filing, *_alliance):
        ready = getattr(provider, "prepare", None)
        if ready is not None:
            ready(on)


def register_selected_price(provider: Callable) -> None:
    if provider not in _selected:
        _selected.append(provider)


def register_filing_price(provider: Callable) -> None:
    if provider not in _filing:
        _filing.append(provider)


def register_alliance_standard(provider: Callable) -> None:
    if provider not in _alliance:
        _alliance.append(provider)


def alliance_standard(product, on) -> AllianceStandard | None:
    for provider in _alliance:
        found = provider(product, on)
        if found is not None:
            return found
    return None


def selected_products(on) -> set | None:
    """Every product a selected-price provider answers for at `on` (the run leaves them out of
    its set-based INS-1 path). None when a provider cannot list them (no `products(on)`
    method): then the run asks about every product one by one."""
    found = set()
    for provider in _selected:
        listing = getattr(provider, "products", None)
        if listing is None:
            return None
        found |= set(listing(on))
    return found


def selected_price(product, on) -> SelectedPrice | None:
    for provider in _selected:
        found = provider(product, on)
        if found is not None:
            return found
    return None


def filing_price(product, on) -> FilingPrice | None:
    for provider in _filing:
        found = provider(product, on)
        if found is not None:
            return found
    return None

"""Questions the payment-standard run asks of other channels, through one registry shape
(like orders' price providers): a channel registers a callable from its AppConfig.ready().

- `selected_price(product, on)` → `SelectedPrice` or None (VBP, INS-4);
- `filing_price(product, on)` → `FilingPrice` or None (filing, INS-1 cap for filed drugs, FIL-C5).
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


_selected: list[Callable] = []
_filing: list[Callable] = []


def prepare(on) -> None:
    """Called once per run before the products are computed: a provider with a `prepare(on)`
    method loads its answers for the whole run in one query instead of one per product."""
    for provider in (*_selected, *_filing):
        ready = getattr(provider, "prepare", None)
        if ready is not None:
            ready(on)


def register_selected_price(provider: Callable) -> None:
    if provider not in _selected:
        _selected.append(provider)


def register_filing_price(provider: Callable) -> None:
    if provider not in _filing:
        _filing.append(provider)


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

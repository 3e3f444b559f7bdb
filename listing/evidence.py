"""Evidence other channels count for listing (LST-C2 / LST-C4): how many distinct in-province
public institutions of a level hold a filing record of a product. The filing channel (same
layer) registers its counter here from its AppConfig.ready(), so listing imports no channel."""

from collections.abc import Callable
from datetime import date

_filing_counters: list[Callable] = []


def register_filing_counter(fn: Callable) -> None:
    """fn(product, *, min_level: int, at: date) -> int (distinct institutions)."""
    if fn not in _filing_counters:
        _filing_counters.append(fn)


def filing_count(product, *, min_level: int, at: date, typed: int = 0) -> int:
    """The platform's count of filing institutions, replacing the count typed by the
    enterprise; the typed count only stands while no filing channel is installed."""
    if not _filing_counters or product is None or getattr(product, "pk", None) is None:
        return typed
    return max(fn(product, min_level=min_level, at=at) for fn in _filing_counters)

"""Questions negotiation asks of the channels above it, in the registry shape of
`orders/pricing.py` (`register_x(name, fn)`, idempotent by name; each channel registers from
its own `AppConfig.ready()`, so negotiation imports none of them): whether a product is
VBP-selected in its procurement period (NEG-2; the VBP app registers it), and purchases above
the price in force (ZON-3; registered by negotiation itself, over the orders' rows).
The NEG-4 price linkage is no hook: the platform applies it itself through
listing.services.status.listing_change_price (negotiation.services._apply_linkage)."""

from collections.abc import Callable

from .rules import ExclusionFacts

VbpCheck = Callable[[object, object], bool]
_VBP_CHECKS: dict[str, VbpCheck] = {}


def register_vbp_check(name: str, fn: VbpCheck) -> None:
    """fn(product, today) -> bool: the product is VBP-selected and in its procurement period.
    Registers (or replaces) the check; idempotent by name."""
    _VBP_CHECKS[name] = fn


def facts(product, today) -> ExclusionFacts:
    return ExclusionFacts(
        national_negotiated=product.is_national_negotiated,
        designated_production=product.is_designated_production,
        provincial_reserve=product.is_provincial_reserve,
        vbp_selected_in_period=any(check(product, today) for check in _VBP_CHECKS.values()),
    )


InversionCounter = Callable[[object, object], dict]
_INVERSION_COUNTERS: dict[str, InversionCounter] = {}


def register_inversion_counter(name: str, fn: InversionCounter) -> None:
    """fn(since, until) -> {institution_id: count}: purchases above the institution's
    negotiated or listing price (倒挂, ZON-3). Registers (or replaces); idempotent by name."""
    _INVERSION_COUNTERS[name] = fn


def inversions(since, until) -> dict:
    counts: dict = {}
    for fn in _INVERSION_COUNTERS.values():
        for institution_id, n in fn(since, until).items():
            counts[institution_id] = counts.get(institution_id, 0) + n
    return counts

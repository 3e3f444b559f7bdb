"""Hooks other channels fill: facts about a product they know: whether it is VBP-selected in its
procurement period (NEG-2), and purchases above the price in force (ZON-3). Channels register
providers here so negotiation does not import them (the VBP app registers its check).
The NEG-4 price linkage is no hook: the platform applies it itself through
listing.services.listing_change_price (negotiation.services._apply_linkage)."""

from collections.abc import Callable

from .rules import ExclusionFacts

_vbp_checks: list[Callable] = []


def register_vbp_check(fn: Callable) -> None:
    """fn(product, today) -> bool: the product is VBP-selected and in its procurement period."""
    if fn not in _vbp_checks:
        _vbp_checks.append(fn)


def facts(product, today) -> ExclusionFacts:
    return ExclusionFacts(
        national_negotiated=product.is_national_negotiated,
        designated_production=product.is_designated_production,
        provincial_reserve=product.is_provincial_reserve,
        vbp_selected_in_period=any(check(product, today) for check in _vbp_checks),
    )


_inversion_counters: list[Callable] = []


def register_inversion_counter(fn: Callable) -> None:
    """fn(since, until) -> {institution_id: count}: purchases above the institution's
    negotiated or listing price (倒挂, ZON-3). The orders channel registers it."""
    if fn not in _inversion_counters:
        _inversion_counters.append(fn)


def inversions(since, until) -> dict:
    counts: dict = {}
    for fn in _inversion_counters:
        for institution_id, n in fn(since, until).items():
            counts[institution_id] = counts.get(institution_id, 0) + n
    return counts

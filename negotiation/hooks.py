"""Hooks other channels fill: facts about a product they know: whether it is VBP-selected in its
procurement period (NEG-2), and how to open a price linkage (NEG-4). Channels register
providers here so negotiation does not import them (the VBP app registers its check)."""

from collections.abc import Callable

from .rules import ExclusionFacts

_vbp_checks: list[Callable] = []
_linkage_openers: list[Callable] = []


def register_vbp_check(fn: Callable) -> None:
    """fn(product, today) -> bool: the product is VBP-selected and in its procurement period."""
    if fn not in _vbp_checks:
        _vbp_checks.append(fn)


def register_linkage_opener(fn: Callable) -> None:
    """fn(proposal) -> None: open a price linkage bringing the listing to the proposal price."""
    if fn not in _linkage_openers:
        _linkage_openers.append(fn)


def facts(product, today) -> ExclusionFacts:
    return ExclusionFacts(
        national_negotiated=product.is_national_negotiated,
        designated_production=product.is_designated_production,
        provincial_reserve=product.is_provincial_reserve,
        vbp_selected_in_period=any(check(product, today) for check in _vbp_checks),
    )


def open_linkage(proposal) -> None:
    for opener in _linkage_openers:
        opener(proposal)


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

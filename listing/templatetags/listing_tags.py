from django import template

from listing.rules import CATEGORY_LABELS, fmt

register = template.Library()


@register.filter
def yuan(value):
    """A price in yuan: 2 decimals, or up to 4 when it has fractions of a fen ("" for None)."""
    if value in (None, ""):
        return ""
    return fmt(value)


@register.filter
def category_label(value):
    """The Chinese name of a listing category rule ID (LST-2.3 → 未挂网：通用名…); "" if unknown."""

    return CATEGORY_LABELS.get(value, "")

from django import template

from listing.rules import fmt

register = template.Library()


@register.filter
def yuan(value):
    """A price in yuan: 2 decimals, or up to 4 when it has fractions of a fen ("" for None)."""
    if value in (None, ""):
        return ""
    return fmt(value)

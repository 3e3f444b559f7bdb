"""Pure rule checks of listing-price dynamics (RULES §4), no database access."""

from decimal import Decimal

from django.utils.translation import gettext as _

from core import parsing


def parse_price(value) -> Decimal | None:
    """A price is a positive number with at most 4 decimals; None if not."""
    return parsing.decimal_or_none(value, places=parsing.PRICE_PLACES, positive=True)


def linkage_needed(listing_price: Decimal, new_lowest: Decimal) -> bool:
    """PRC-1: a new national lowest price opens a linkage case only when the listing is above it."""
    return new_lowest < listing_price


def declaration_allowed(declared: Decimal, national_lowest: Decimal) -> bool:
    """PRC-1: the enterprise's declared price may not exceed the new national lowest price."""
    return Decimal("0") < declared <= national_lowest


def general_proposal(listing_price: Decimal, national_lowest: Decimal | None,
                     actual_purchase: Decimal | None = None,
                     similar_lowest: Decimal | None = None) -> tuple[Decimal, str] | None:
    """PRC-2: the proposed new listing price = min(listing price, national lowest[, in-province
    actual purchase price when that policy is on][, for consumables the national lowest of
    similar products, 002 §13]); None when it is not a reduction."""
    candidates = []
    if national_lowest is not None and national_lowest > 0:
        candidates.append((Decimal(national_lowest), _("全国最低价")))
    if similar_lowest is not None and similar_lowest > 0:
        candidates.append((Decimal(similar_lowest), _("全国同类产品最低价")))
    if actual_purchase is not None and actual_purchase > 0:
        candidates.append((Decimal(actual_purchase), _("省内实际采购价")))
    if not candidates:
        return None
    price, basis = min(candidates, key=lambda c: c[0])
    if price >= listing_price:
        return None
    return price, _("联动%(basis)s %(price)s") % {"basis": basis, "price": price}



def prc_2_similar_prefix(kind: str, national_code: str | None, code_length: int) -> str | None:
    """PRC-2 (002 §13 "全国同类产品最低价"): consumables are linked with the lowest price of
    SIMILAR products — those sharing the first `code_length` characters of the national
    insurance consumable classification code (the regulator's classification; 20 = the whole
    classification part, fewer = a coarser class). Drugs link with the same product only
    (None); a consumable without a code has no classification (None: the catalogue's product
    group is used instead)."""
    if kind != "consumable" or not national_code or len(national_code) < code_length:
        return None
    return national_code[:code_length]

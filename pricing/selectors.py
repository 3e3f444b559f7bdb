"""Reads of listing-price dynamics (used by views, API, exports and other apps)."""

from decimal import Decimal

from catalog.models import OtherProvincePrice, Product
from core.filters import filter_given

from . import hooks
from .models import (
    Complaint,
    GeneralLinkageItem,
    GeneralLinkageRound,
    LinkageCase,
    LinkageStatus,
    RoundStatus,
)
from .rules import prc_2_similar_prefix


def linkage_cases(user, *, overdue_only=False):
    """The linkage cases `user` may see (only the overdue ones if asked), due first; lists
    narrow them with `pricing.filters.LinkageCaseFilter`, the to-do counts with `.filter`."""
    qs = LinkageCase.objects.visible_to(user).select_related(
        "listing__product__manufacturer", "trigger_price"
    )
    if overdue_only:
        qs = qs.filter(status=LinkageStatus.OVERDUE)
    return qs.order_by("due", "id")


def overdue_listing_ids() -> set[int]:
    """PRC-1: listings marked by an overdue (escalated, undeclared) linkage case — for the
    listing pages to flag them."""
    return set(LinkageCase.objects.filter(status=LinkageStatus.OVERDUE).values_list("listing_id", flat=True))


def listing_has_overdue_linkage(listing) -> bool:
    return LinkageCase.objects.filter(listing=listing, status=LinkageStatus.OVERDUE).exists()


def in_province_actual_price(product, year) -> Decimal | None:
    """PRC-2 (draft 001): the lowest unit price at which institutions in the province actually
    bought `product` in `year` — order lines with goods received into stock (入库), answered by
    the orders app (pricing.hooks.register_actual_price). None when there was no such purchase
    (the proposal then uses the national lowest price only)."""
    return hooks.actual_price(product, year)


def published_rounds():
    return GeneralLinkageRound.objects.exclude(status=RoundStatus.DRAFT).order_by("-year")


def round_items(rnd, user=None):
    qs = rnd.items.select_related("listing__product__manufacturer")
    if user is not None and not getattr(user, "is_regulator", False):
        qs = GeneralLinkageItem.objects.visible_to(user).filter(round=rnd).select_related(
            "listing__product__manufacturer"
        )
    return qs.order_by("listing__product__generic_name", "id")


def complaints(user, *, status="", subject="", q=""):
    qs = filter_given(Complaint.objects.visible_to(user), status=status, subject=subject, title__icontains=q)
    return qs.select_related("complainant", "assigned_to").order_by("-filed_at", "-id")


def published_complaints():
    return Complaint.objects.published().select_related("complainant").order_by("-answered_at", "-id")


def similar_lowest_price(product, at, code_length: int):
    """PRC-2 for consumables: the lowest other-province (or city) price in force on `at` of a
    SIMILAR product — same classification prefix of the national code (rules.prc_2_similar_prefix),
    or, without a code, the catalogue's product group (CAT-3: same name and specification).
    Returns the OtherProvincePrice record (with its product) or None; drugs always None."""
    if product.kind != "consumable":
        return None
    prefix = prc_2_similar_prefix(product.kind, product.national_code, code_length)
    if prefix is not None:
        group = Product.objects.consumables().filter(national_code__startswith=prefix)
    else:
        group = Product.objects.same_drug(product)
    return (OtherProvincePrice.objects.in_force(at).filter(product__in=group.exclude(pk=product.pk))
            .select_related("product").order_by("price", "effective_date", "id").first())

"""Reads of shortage and emergency purchasing, used by views, the API, the catalogue pages,
the price provider and monitoring (MON-2's emergency figure)."""

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from catalog.models import Product, ProductEvent
from listing.models import Listing, ListingEvent

from .models import (
    EMERGENCY_AWAITING,
    EmergencyPurchase,
    EmergencyStatus,
    ListKind,
    NeedStatus,
    ShortageList,
    ShortageListEntry,
    ShortageNeed,
)

# --- lists (SHO-1) ------------------------------------------------------------------------------


def list_entries_on(on: date):
    """Entries of every list issue in force on `on`."""
    return ShortageListEntry.objects.filter(shortage_list__in=ShortageList.objects.in_force(on)).select_related(
        "shortage_list")


def lists_for_drug(generic_name: str, dosage_form: str, specification: str, on: date) -> list[ShortageListEntry]:
    """SHO-1: the list entries (shortage and/or watch list) naming this drug on `on`. An entry
    without a specification covers every specification of the generic name and form."""
    return list(
        list_entries_on(on).filter(generic_name=generic_name.strip(), dosage_form=dosage_form.strip())
        .filter(Q(specification="") | Q(specification=specification.strip()))
        .order_by("shortage_list__kind", "id")
    )


def list_kinds_for_drug(generic_name, dosage_form, specification, on) -> set[str]:
    return {e.shortage_list.kind for e in lists_for_drug(generic_name, dosage_form, specification, on)}


def product_list_flags(product, on: date) -> dict:
    """What the catalogue shows for a product: on the shortage list / watch list on `on`
    (read from the imported lists; the Product flags stay as the enterprise declared them)."""
    kinds = list_kinds_for_drug(product.generic_name, product.dosage_form, product.specification, on)
    return {"shortage": ListKind.SHORTAGE in kinds, "watch": ListKind.WATCH in kinds}


def current_lists():
    today = timezone.localdate()
    return ShortageList.objects.in_force(today).select_related("imported_by")


# --- product status on a date (EMG-2) -----------------------------------------------------------


def _end_of(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d + timedelta(days=1), time.min))


def _value_on(events, field, d: date, current):
    """The value of `field` on date `d` from a row's history events (oldest first): the last
    event recorded up to the end of `d`; for a row recorded only later (back-dated data),
    its first recorded value; without history, the current value."""
    before = [e for e in events if e.pgh_created_at < _end_of(d)]
    if before:
        return getattr(before[-1], field)
    return getattr(events[0], field) if events else current


def listed_on(product_id: int, d: date) -> bool:
    """EMG-2: the product had an active listing on date `d` (effective by then, and active on
    that day by its recorded status history)."""
    for listing in Listing.objects.filter(product_id=product_id, effective_date__lte=d):
        events = list(ListingEvent.objects.filter(pgh_obj_id=listing.pk).order_by("pgh_created_at", "pgh_id"))
        if _value_on(events, "status", d, listing.status) == "active":
            return True
    return False


def in_sunshine_catalogue_on(product_id: int, d: date) -> bool:
    """CAT-4 on date `d`: the consumable's sunshine-catalogue flag by its recorded history."""
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        return False
    events = list(ProductEvent.objects.filter(pgh_obj_id=product_id).order_by("pgh_created_at", "pgh_id"))
    return bool(_value_on(events, "in_sunshine_catalogue", d, product.in_sunshine_catalogue))


def drug_listed(generic_name, dosage_form, specification) -> Listing | None:
    """SHO-1 'no enterprise has listed it': a live (active) listing of the same drug (CAT-3)."""
    return (Listing.objects.orderable().filter(product__kind="drug", product__generic_name=generic_name,
                                               product__dosage_form=dosage_form,
                                               product__specification=specification)
            .order_by("effective_date", "id").first())


# --- emergency purchases ------------------------------------------------------------------------


def emergency_cases(user, *, overdue_only=False):
    """The emergency purchases `user` may see, latest first; lists narrow them with
    `shortage.filters.EmergencyFilter`."""
    qs = EmergencyPurchase.objects.visible_to(user).select_related("institution__city", "product")
    if overdue_only:
        qs = qs.filter(status=EmergencyStatus.OVERDUE)
    return qs.order_by("-purchase_date", "-id")


def emergency_amounts(start: date, end: date, institution_ids=None) -> dict[tuple[int, str], Decimal]:
    """MON-2: the emergency purchase amount per (institution id, kind) with a purchase date in
    [start, end) — from the declared emergency cases (EMG-1), not from a free-text reason."""
    qs = EmergencyPurchase.objects.filter(purchase_date__gte=start, purchase_date__lt=end)
    if institution_ids is not None:
        qs = qs.filter(institution_id__in=list(institution_ids))
    return {(r["institution_id"], r["kind"]): r["total"]
            for r in qs.values("institution_id", "kind").annotate(total=Sum("amount")).order_by()}


# SQL of the off-platform purchase rows recorded for declared emergency cases, for the
# monitoring statements that aggregate off-platform purchases in one query (MON-2).
EMERGENCY_OFFPLATFORM_IDS_SQL = "SELECT offplatform_id FROM shortage_emergencypurchase WHERE offplatform_id IS NOT NULL"


# --- needs (SHO-1) ------------------------------------------------------------------------------


def shortage_needs(user, *, status="", q=""):
    qs = ShortageNeed.objects.visible_to(user).select_related("institution__city", "product__manufacturer")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(generic_name__icontains=q) | Q(institution__name__icontains=q))
    return qs.order_by("-created_at", "-id")


def purchasable_results(institution_id: int, product_ids, at: date):
    """SHO-1 results that make a product purchasable by this institution on `at`."""
    return (ShortageNeed.objects.filter(institution_id=institution_id, product_id__in=list(product_ids),
                                        status=NeedStatus.PURCHASABLE, purchasable_from__lte=at)
            .values_list("product_id", "id", "price"))


# --- dashboard ----------------------------------------------------------------------------------


def dashboard(user, *, start: date, end: date, today: date) -> dict:
    """City and province view: emergency cases (open / overdue / out of scope, amounts) and
    shortage needs (open / purchasable / superseded) by city and month, within the user's scope."""
    cases = EmergencyPurchase.objects.visible_to(user).filter(purchase_date__gte=start, purchase_date__lt=end)
    by_city = defaultdict(lambda: {"city": "", "open": 0, "overdue": 0, "out_of_scope": 0, "cases": 0,
                                   "amount": Decimal(0), "needs": 0, "needs_purchasable": 0, "needs_superseded": 0})
    out_q = Q(scope="out") | Q(scope="", scope_auto="out")
    for r in cases.values("institution__city__name").annotate(
            n=Count("id"), amount=Sum("amount"),
            open=Count("id", filter=Q(status__in=EMERGENCY_AWAITING)),
            overdue=Count("id", filter=Q(status=EmergencyStatus.OVERDUE)),
            out=Count("id", filter=out_q)).order_by():
        row = by_city[r["institution__city__name"] or "—"]
        row.update(cases=r["n"], amount=r["amount"] or Decimal(0), open=r["open"], overdue=r["overdue"],
                   out_of_scope=r["out"])
    needs = ShortageNeed.objects.visible_to(user).filter(created_at__date__gte=start, created_at__date__lt=end)
    for r in needs.values("institution__city__name").annotate(
            n=Count("id"), ok=Count("id", filter=Q(status=NeedStatus.PURCHASABLE)),
            sup=Count("id", filter=Q(status=NeedStatus.SUPERSEDED))).order_by():
        row = by_city[r["institution__city__name"] or "—"]
        row.update(needs=r["n"], needs_purchasable=r["ok"], needs_superseded=r["sup"])
    for name, row in by_city.items():
        row["city"] = name
    months = defaultdict(lambda: {"cases": 0, "amount": Decimal(0), "out_of_scope": 0, "needs": 0})
    for r in cases.annotate(m=TruncMonth("purchase_date")).values("m").annotate(
            n=Count("id"), amount=Sum("amount"), out=Count("id", filter=out_q)).order_by():
        months[r["m"]].update(cases=r["n"], amount=r["amount"] or Decimal(0), out_of_scope=r["out"])
    for r in needs.annotate(m=TruncMonth("created_at")).values("m").annotate(n=Count("id")).order_by():
        key = r["m"].date() if isinstance(r["m"], datetime) else r["m"]
        months[key]["needs"] = r["n"]
    all_open = EmergencyPurchase.objects.visible_to(user)
    return {
        "by_city": sorted(by_city.values(), key=lambda r: r["city"]),
        "by_month": [{"month": m, **v} for m, v in sorted(months.items())],
        "open_now": all_open.filter(status=EmergencyStatus.OPEN).count(),
        "overdue_now": all_open.filter(status=EmergencyStatus.OVERDUE).count(),
        "due_soon": all_open.filter(status=EmergencyStatus.OPEN, due__gte=today,
                                    due__lte=today + timedelta(days=14)).count(),
    }

"""Reads for orders and settlement. Views, API and exports go through these (and through
`Model.objects.visible_to(user)`), so they cannot disagree about what a user may see."""

from datetime import date, timedelta
from decimal import Decimal

from django.db.models import DecimalField, Exists, F, Max, Min, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from parties.models import Organisation
from qualifications.models import DistributionRelationship

from .models import (
    Delivery,
    DeliveryLine,
    Invoice,
    InvoiceStatus,
    NoSalesCase,
    OffPlatformPurchase,
    Order,
    OrderLine,
    Payment,
    Receipt,
    ReceiptLine,
    ReturnRecord,
)
from .pricing import catalogue, rows_digest, shop_rows, table_stamp


def distributors_for(manufacturer_ids, institution) -> dict[int, int]:
    """Bulk form of `qualifications.selectors.distributor_for` (QUA-2) for one institution and
    many manufacturers, in one query: {manufacturer_id: distributor_id}. Same choice: a
    relationship for the institution's county wins over a whole-city one; among equals the
    most recently accepted. (Tested to agree with distributor_for.)"""

    ids = list({int(m) for m in manufacturer_ids})
    if not ids:
        return {}
    through = DistributionRelationship.counties.through
    rows = (
        DistributionRelationship.objects.active()
        .filter(manufacturer_id__in=ids, city_id=institution.city_id)
        .annotate(
            any_county=Exists(through.objects.filter(distributionrelationship_id=OuterRef("pk"))),
            this_county=Exists(through.objects.filter(distributionrelationship_id=OuterRef("pk"),
                                                      region_id=institution.county_id)),
        )
        .filter(Q(any_county=False) | Q(this_county=True))
        .order_by("-answered_at", "-id")
        .values_list("manufacturer_id", "distributor_id", "this_county")
    )
    county: dict[int, int] = {}
    city: dict[int, int] = {}
    for mid, did, specific in rows:
        if specific:
            county.setdefault(mid, did)
        else:
            city.setdefault(mid, did)
    return {**city, **county}


SUPPLIER_ROLES = ("manufacturer", "distributor")


def is_supplier(user) -> bool:
    return getattr(user, "role", "") in SUPPLIER_ROLES


def _with_visible_amount(user, qs):
    """`visible_amount`: what this user may see of an order's value. A supplier (manufacturer or
    distributor, ACT-1/ACT-2) sees only the sum of its own lines — another supplier's prices
    and quantities in the same order are none of its business; everyone else the order total."""
    if not is_supplier(user):
        return qs.annotate(visible_amount=F("total_amount"))
    own = (OrderLine.objects.visible_to(user).filter(order_id=OuterRef("pk")).order_by()
           .values("order_id").annotate(s=Sum("amount")).values("s"))
    return qs.annotate(visible_amount=Coalesce(Subquery(own), Value(Decimal("0")),
                                               output_field=DecimalField(max_digits=16, decimal_places=2)))


def orders_for(user):
    """The orders `user` may see with the amount it may see; lists narrow them with
    `orders.filters.OrderFilter`."""
    return _with_visible_amount(user, Order.objects.visible_to(user).select_related("institution", "created_by"))


def lines_for(user, *, order=None, status="", q="", distributor_id=None):
    qs = OrderLine.objects.visible_to(user).select_related(
        "order", "order__institution", "product", "product__manufacturer", "distributor"
    )
    if order is not None:
        qs = qs.filter(order=order)
    if status:
        statuses = status if isinstance(status, list | tuple) else [status]
        qs = qs.filter(status__in=statuses)
    if distributor_id:
        qs = qs.filter(distributor_id=distributor_id)
    if q:
        qs = qs.filter(
            Q(order__number__icontains=q) | Q(product__generic_name__icontains=q)
            | Q(product__national_code__icontains=q) | Q(order__institution__name__icontains=q)
        )
    return qs.order_by("-order__created_at", "order_id", "line_no")


def order_detail(user, pk):
    order = _with_visible_amount(user, Order.objects.visible_to(user)).select_related(
        "institution", "created_by").filter(pk=pk).first()
    if order is None:
        return None, []
    lines = list(lines_for(user, order=order))
    return order, lines


def deliveries_for(user, order=None):
    qs = Delivery.objects.visible_to(user).select_related("order", "order__institution", "distributor")
    if order is not None:
        qs = qs.filter(order=order)
    return qs.prefetch_related("lines", "lines__order_line", "lines__order_line__product")


def receivable_deliveries(user):
    """Deliveries of the user's institution with something still to receive."""

    open_lines = DeliveryLine.objects.filter(delivery_id=OuterRef("pk"), received_qty__lt=F("quantity"))
    return deliveries_for(user).filter(Exists(open_lines))


def invoices_for(user, *, status="", overdue_on: date | None = None, q="", institution_id=None,
                 not_yet_due_on: date | None = None):
    qs = Invoice.objects.visible_to(user).select_related("institution", "distributor", "delivery", "delivery__order")
    if status:
        qs = qs.filter(status=status)
    if not_yet_due_on:
        # ORD-2: unpaid and still within the payment term (the counterpart of `overdue_on`).
        qs = qs.exclude(status=InvoiceStatus.PAID).exclude(due_date__lt=not_yet_due_on)
    if overdue_on:
        qs = qs.overdue(overdue_on)
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(institution__name__icontains=q) | Q(distributor__name__icontains=q)
                       | Q(delivery__order__number__icontains=q))
    return qs


def overdue_invoices(user, today: date | None = None, **filters):
    """ORD-2 monitoring: unpaid invoices past their due date, oldest first."""
    today = today or timezone.localdate()
    return invoices_for(user, overdue_on=today, **filters).order_by("due_date", "id")


def line_flow(user, pk):
    """ORD-3 三流合一: order → delivery → receipt → invoice → payment for one order line."""
    line = (
        OrderLine.objects.visible_to(user)
        .select_related("order", "order__institution", "order__created_by", "product", "product__manufacturer",
                        "distributor", "listing")
        .filter(pk=pk)
        .first()
    )
    if line is None:
        return None
    delivery_lines = list(line.delivery_lines.select_related("delivery").order_by("delivery__shipped_on", "id"))
    delivery_ids = {d.delivery_id for d in delivery_lines}
    receipts = list(
        ReceiptLine.objects.filter(order_line=line).select_related("receipt", "receipt__created_by")
        .order_by("received_on", "id")
    )
    invoices = list(
        Invoice.objects.filter(delivery_id__in=delivery_ids)
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.select_related("account")))
        .order_by("issued_on", "id")
    )
    returns = list(ReturnRecord.objects.filter(order_line=line).order_by("returned_on", "id"))
    return {"line": line, "deliveries": delivery_lines, "receipts": receipts, "invoices": invoices,
            "returns": returns}


def receipts_for(user):
    return Receipt.objects.visible_to(user).select_related("delivery", "delivery__order")


def offplatform_for(user, *, reason="", kind="", q=""):
    qs = OffPlatformPurchase.objects.visible_to(user).select_related("institution", "product")
    if reason:
        qs = qs.filter(reason=reason)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(item_name__icontains=q) | Q(national_code__icontains=q) | Q(institution__name__icontains=q)
                       | Q(product__generic_name__icontains=q))
    return qs


# ----------------------------------------------------------------- DEL-1


def _counting_receipts():
    """DEL-1: receipts that count as sales — those whose order line was not returned in full
    (returns net off the receipts they undo). Asked through the line's returns, not by joining
    every receipt to its order line: order lines are partitioned by month and a join on their id
    cannot prune, so it probed every month's partition for each receipt (the one-year selection
    went from 0.3 s to 7.8 s at 10 M lines). A line's returned quantity only grows with a
    ReturnRecord (fulfilment.return_create) and a received line has received_qty > 0, so "not
    returned in full" = "no return, or returned less than received"; returns are rare, so the
    order line is read only for the few receipts that have one."""
    returned_in_full = ReturnRecord.objects.filter(order_line_id=OuterRef("order_line_id"),
                                                   order_line__received_qty__lte=F("order_line__returned_qty"))
    return ReceiptLine.objects.filter(~Exists(returned_in_full))


def no_sales_candidates(today: date, days: int):
    """DEL-1 selection in SQL: active listings in force for at least `days` days with no
    counting receipt (入库, net of returns) in the last `days` days and no open case — one
    NOT EXISTS over the indexed receipt lines. The listings are those the cases reference (the
    FK names "listing.Listing": a data reference, orders imports no channel)."""
    listings = NoSalesCase._meta.get_field("listing").related_model.objects
    cutoff = today - timedelta(days=days)
    recent = _counting_receipts().filter(listing_id=OuterRef("pk"), received_on__gt=cutoff)
    # A regulator's "not to suspend" holds for another full period.
    dismissed = NoSalesCase.objects.filter(listing_id=OuterRef("pk"), status="dismissed", decided_at__date__gt=cutoff)
    # A consumable resumed on request starts a new period from its resumption.
    restored = NoSalesCase.objects.filter(listing_id=OuterRef("pk"), status="restored",
                                          restoration_requests__decided_at__date__gt=cutoff)
    open_case = NoSalesCase.objects.filter(listing_id=OuterRef("pk"),
                                           status__in=["pending", "suspended", "restoration_approved"])
    return (listings.filter(status="active", effective_date__lte=cutoff)
            .filter(~Exists(recent)).filter(~Exists(dismissed)).filter(~Exists(restored))
            .filter(~Exists(open_case)).order_by())


NO_SALES_SQL = """
SELECT l.id FROM listing_listing l
WHERE l.status = 'active' AND l.effective_date <= %(cutoff)s
  AND NOT EXISTS (SELECT 1 FROM orders_receiptline r
                  WHERE r.listing_id = l.id AND r.received_on > %(cutoff)s
                    AND NOT EXISTS (SELECT 1 FROM orders_returnrecord x JOIN orders_orderline ol ON ol.id = x.order_line_id
                                    WHERE x.order_line_id = r.order_line_id AND ol.received_qty <= ol.returned_qty))
  AND NOT EXISTS (SELECT 1 FROM orders_nosalescase c WHERE c.listing_id = l.id AND c.status = 'dismissed'
                  AND c.decided_at::date > %(cutoff)s)
  AND NOT EXISTS (SELECT 1 FROM orders_nosalescase c JOIN orders_restorationrequest q ON q.case_id = c.id
                  WHERE c.listing_id = l.id AND c.status = 'restored' AND q.decided_at::date > %(cutoff)s)
  AND NOT EXISTS (SELECT 1 FROM orders_nosalescase c WHERE c.listing_id = l.id
                  AND c.status IN ('pending', 'suspended', 'restoration_approved'))
"""


def last_receipt_dates(listing_ids) -> dict[int, date]:
    return dict(
        _counting_receipts().filter(listing_id__in=listing_ids).values("listing_id")
        .annotate(last=Max("received_on")).values_list("listing_id", "last")
    )


def no_sales_cases_for(user, status=""):
    qs = NoSalesCase.objects.visible_to(user).select_related("listing", "listing__product",
                                                               "listing__product__manufacturer")
    if status:
        qs = qs.filter(status=status)
    return qs


def catalogue_for(institution, *, updated_since=None, q=""):
    """INT-1 catalogue pull: the rows of the registered catalogue (the listing channel's
    orderable listings, orders.pricing.register_catalogue); prices in force are added per page
    by the caller in bulk."""
    return catalogue(institution, updated_since=updated_since, q=q)


def shop_for(institution, *, q=""):
    """The shop page: the registered channel's orderable rows with their products."""
    return shop_rows(institution, q=q)


def latest_receipt_subquery():
    return Subquery(ReceiptLine.objects.filter(listing_id=OuterRef("pk")).order_by("-received_on")
                    .values("received_on")[:1])


def online_procurement_amounts(date_from: date, date_to: date, institution_ids=None) -> dict:
    """MON-1 inputs for the monitoring app: per (institution_id, kind) the amount received
    through the platform (receipt lines, 入库) and the amount reported as received outside it,
    between two dates inclusive. {(institution_id, kind): {"platform": Decimal, "offplatform": Decimal}}."""


    platform = ReceiptLine.objects.filter(received_on__range=(date_from, date_to))
    offplatform = OffPlatformPurchase.objects.filter(received_on__range=(date_from, date_to))
    if institution_ids is not None:
        platform = platform.filter(institution_id__in=institution_ids)
        offplatform = offplatform.filter(institution_id__in=institution_ids)
    out: dict = {}
    for inst, kind, amount in (platform.values("institution_id", "listing__product__kind")
                               .annotate(s=Sum("amount")).order_by()
                               .values_list("institution_id", "listing__product__kind", "s")):
        out.setdefault((inst, kind), {"platform": Decimal("0"), "offplatform": Decimal("0")})["platform"] = amount
    for inst, kind, amount in (offplatform.values("institution_id", "kind").annotate(s=Sum("amount")).order_by()
                               .values_list("institution_id", "kind", "s")):
        out.setdefault((inst, kind), {"platform": Decimal("0"), "offplatform": Decimal("0")})["offplatform"] = amount
    return out


# --- catalogue versions (INT-1, issue 16 item 10): orders' own sources of the catalogue page ---


def product_version(institution):
    """Product rows (names, codes, specifications shown in the pull) change through save()."""
    from catalog.models import Product  # imported here like the other selectors' models of lower apps

    return table_stamp(Product.objects.all())


def distributor_version(institution):
    """The QUA-2 distributor shown per row: the relationships of the institution's city (with
    their counties) and the organisations' names."""

    city_id = getattr(institution, "city_id", None)
    through = DistributionRelationship.counties.through
    relationships = rows_digest(DistributionRelationship.objects.filter(city_id=city_id),
                                "id", "manufacturer_id", "distributor_id", "status", "answered_at")
    counties = rows_digest(through.objects.filter(distributionrelationship__city_id=city_id),
                           "id", "distributionrelationship_id", "region_id")
    return relationships, counties, table_stamp(Organisation.objects.all())


def in_province_actual_price(product, year) -> Decimal | None:
    """PRC-2 (draft 001, pricing.hooks.register_actual_price): the lowest unit price at which
    institutions in the province actually bought `product` in `year` — order lines with goods
    received into stock (入库). None when there was no such purchase."""
    return (
        OrderLine.objects.filter(product=product, received_qty__gt=0, order__created_at__year=year)
        .aggregate(lowest=Min("unit_price"))["lowest"]
    )

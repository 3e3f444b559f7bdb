"""What VBP contributes to other apps through their registries (registered in
VbpConfig.ready()): the selected price in force (ORD-1, VBP-1), "is this product
VBP-selected in its period" for negotiation (NEG-2), and the non-selected cap on an order
batch (VBP-4)."""

from collections import defaultdict
from datetime import date

from django.conf import settings
from django.db import connection
from django.db.models import Q, Value
from django.utils.translation import gettext as _

from orders.hooks import BatchCheck
from orders.pricing import PriceQuote, rows_digest
from policy import services as policy

from . import rules
from .models import CapFlag, SelectedProduct, SimilarExtension, Tender, TenderMember, Variety


def _in_force(at: date) -> Q:
    return Q(variety__tender__status="published", variety__tender__period_start__lte=at,
             variety__tender__period_end__gte=at)


def selected_prices(institution, product_ids, at):
    """orders.pricing provider: the selected price during the period; an alliance's price
    only for institutions of its member cities and its members (incl. 跟标扩围)."""
    city_id = getattr(institution, "city_id", None)
    scope = (~Q(variety__tender__level="alliance") | Q(variety__tender__member_cities__id=city_id)
             | Q(variety__tender__members__institution_id=getattr(institution, "pk", None)))
    fields = ("product_id", "price", "variety__tender__code", "extension")
    rows = (SelectedProduct.objects.filter(_in_force(at), scope, product_id__in=product_ids)
            .annotate(extension=Value(False)).values_list(*fields))
    # VBP-9 (002 §24): similar products the province extended the result to, once accepted —
    # in the same query (UNION ALL): one query per provider, whatever the batch.
    extended = (SimilarExtension.objects.filter(_in_force(at), scope, status="accepted", product_id__in=product_ids)
                .annotate(extension=Value(True)).values_list(*fields))
    out = {}
    for pid, price, code, extension in sorted(rows.union(extended, all=True), key=lambda r: (r[1], r[3])):
        label = "同类产品扩围价" if extension else "中选价"
        out.setdefault(pid, PriceQuote(price, "vbp", "VBP-9" if extension else "VBP-1", f"带量采购 {code} {label}"))
    return out


def selected_in_period(product, today) -> bool:
    """negotiation.hooks check (NEG-2): VBP-selected products are not negotiated in their period."""
    return (SelectedProduct.objects.filter(_in_force(today), product=product).exists()
            or SimilarExtension.objects.filter(_in_force(today), product=product, status="accepted").exists())


# One statement per order batch: for every variety (of a tender in its period) that a
# product of the batch belongs to, the institution's ordered quantity of each member product
# since the period began (declined and cancelled lines do not count). The institution's
# orders are found once through order_inst_created_idx, their lines through the order FK.
CAP_SQL = """
    WITH members AS (
        SELECT vp.variety_id, vp.product_id, vp.selected, t.period_start
        FROM vbp_varietyproduct vp
        JOIN vbp_variety v ON v.id = vp.variety_id
        JOIN vbp_tender t ON t.id = v.tender_id
        WHERE t.status = 'published' AND t.period_start <= %(at)s AND t.period_end >= %(at)s
          AND vp.variety_id IN (SELECT variety_id FROM vbp_varietyproduct WHERE product_id = ANY(%(pids)s))
    ), placed AS (
        SELECT o.id, (o.created_at AT TIME ZONE %(tz)s)::date AS day
        FROM orders_order o
        WHERE o.institution_id = %(inst)s
          AND o.created_at >= (SELECT MIN(period_start) FROM members) - INTERVAL '1 day'
    ), used AS (
        SELECT l.product_id, p.day, l.quantity
        FROM placed p JOIN orders_orderline l ON l.order_id = p.id
        WHERE l.status NOT IN ('declined', 'cancelled')
    )
    SELECT m.variety_id, m.product_id, m.selected,
           COALESCE(SUM(u.quantity) FILTER (WHERE u.day >= m.period_start), 0)
    FROM members m LEFT JOIN used u ON u.product_id = m.product_id
    GROUP BY m.variety_id, m.product_id, m.selected
"""


def cap_check(institution, lines, at):
    """VBP-4 (orders.hooks batch check): the non-selected quantity of a variety in the
    period may not exceed the selected quantity. Off by default (Jiangsu); warn flags the
    order for the regulator; refuse refuses the non-selected lines naming VBP-4."""
    mode = policy.get("vbp.non_selected_cap_mode", at=at)
    if mode == "off" or not lines:
        return None
    pids = sorted({ln.product_id for ln in lines})
    with connection.cursor() as cur:
        cur.execute(CAP_SQL, {"inst": institution.pk, "at": at, "pids": pids, "tz": settings.TIME_ZONE})
        rows = cur.fetchall()
    if not rows:
        return None
    membership = defaultdict(list)  # product -> [(variety, selected)]
    totals = defaultdict(lambda: [0, 0])  # variety -> [selected, non-selected]
    for variety_id, product_id, selected, qty in rows:
        membership[product_id].append((variety_id, selected))
        totals[variety_id][0 if selected else 1] += int(qty)
    for ln in lines:
        for variety_id, selected in membership.get(ln.product_id, ()):
            totals[variety_id][0 if selected else 1] += ln.quantity
    errors, flags = [], []
    for variety_id, (sel, non) in totals.items():
        result = rules.vbp_4_cap(mode, sel, non)
        if result.action == "refuse":
            for ln in lines:
                if any(v == variety_id and not s for v, s in membership.get(ln.product_id, ())):
                    errors.append({"line": ln.index, "code": "VBP-4", "field": "quantity",
                                   "detail": _("%(message)s，非中选产品采购量不得超过中选产品采购量") % {"message": result.message}})
        elif result.action == "warn":
            flags.append((variety_id, sel, non))
    if not errors and not flags:
        return None

    def record(order):
        CapFlag.objects.bulk_create([CapFlag(order=order, institution=institution, variety_id=v, selected_qty=s,
                                             non_selected_qty=n) for v, s, n in flags])

    return BatchCheck(errors=errors, after_create=record if flags else None)



def catalogue_version(institution):
    """orders.pricing version token (INT-1 304): selected and extension prices, the tenders'
    status and periods, alliance cities and members — every input of selected_prices."""
    return (
        rows_digest(SelectedProduct.objects.all(), "id", "product_id", "price", "variety_id"),
        rows_digest(SimilarExtension.objects.all(), "id", "product_id", "price", "status", "variety_id"),
        rows_digest(Variety.objects.all(), "id", "tender_id"),
        rows_digest(Tender.objects.all(), "id", "status", "level", "period_start", "period_end", "code"),
        rows_digest(Tender.member_cities.through.objects.all(), "id", "tender_id", "region_id"),
        rows_digest(TenderMember.objects.all(), "id", "tender_id", "institution_id"),
    )

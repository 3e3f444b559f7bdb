"""What negotiation contributes to other channels: the negotiated price in force (NEG-6,
ORD-1) and price inversion counts (ZON-3)."""

from django.db import connection

from orders.pricing import PriceQuote, rows_digest

from .models import NegotiationResult


def negotiated_prices(institution, product_ids, at):
    """orders.pricing provider: the institution's current negotiated result per product."""
    rows = NegotiationResult.objects.filter(
        institution=institution, product_id__in=product_ids, superseded_at__isnull=True, confirmed_at__date__lte=at
    ).values_list("product_id", "unit_price", "proposal_id")
    return {
        pid: PriceQuote(price, "negotiation", "NEG-6", f"议价结果（议价 #{proposal_id}）")
        for pid, price, proposal_id in rows
    }


def order_inversions(since, until):
    """ZON-3 倒挂: order lines priced above the institution's negotiated result in force
    when the order was placed. Counted in SQL per institution."""
    sql = """
        SELECT o.institution_id, COUNT(*)
        FROM orders_orderline l
        JOIN orders_order o ON o.id = l.order_id
        JOIN negotiation_negotiationresult r
          ON r.institution_id = o.institution_id AND r.product_id = l.product_id
         AND r.confirmed_at <= o.created_at
         AND (r.superseded_at IS NULL OR r.superseded_at > o.created_at)
        WHERE o.created_at >= %s AND o.created_at < %s AND l.unit_price > r.unit_price
        GROUP BY o.institution_id
    """
    with connection.cursor() as cur:
        cur.execute(sql, [since, until])
        return dict(cur.fetchall())


def catalogue_version(institution):
    """orders.pricing version token (INT-1 304): this institution's results — a new result, a
    supersession (a queryset update, no updated_at) or a confirmation all change it."""
    return rows_digest(NegotiationResult.objects.filter(institution=institution),
                       "id", "product_id", "unit_price", "superseded_at", "confirmed_at")

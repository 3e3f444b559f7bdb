"""ZON-2 price zones, computed in SQL: volume-weighted quantiles per product over the
trailing window of confirmed results from secondary-and-above PUBLIC institutions (public and
military, rules.PUBLIC_OWNERSHIPS; private institutions' and pharmacies' results are zoned but
do not set the thresholds), each weighted by its own member quantity (NEG-5), then every
result in the window classified against its product's thresholds. The pure functions in
negotiation.rules define the same quantile and classification; tests hold the two together."""

from datetime import date
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.utils import timezone

from policy.services import get as policy

from . import rules
from .models import ProductZone

_THRESHOLDS_SQL = """
WITH base AS (
    SELECT r.id, r.product_id, r.institution_id, r.unit_price, r.quantity
    FROM negotiation_negotiationresult r
    JOIN parties_organisation o ON o.id = r.institution_id
    WHERE r.confirmed_at >= %(since)s AND r.confirmed_at < %(until)s AND o.level >= 2
      AND o.ownership = ANY(%(public)s)
      {product_filter}
), cum AS (
    SELECT product_id, institution_id, unit_price,
           SUM(quantity) OVER (PARTITION BY product_id ORDER BY unit_price, id
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS c,
           SUM(quantity) OVER (PARTITION BY product_id) AS t
    FROM base
)
INSERT INTO negotiation_productzone (product_id, p_blue, p_yellow, lowest, institutions, results, computed_at)
SELECT product_id,
       MIN(unit_price) FILTER (WHERE c >= t * %(q_blue)s),
       MIN(unit_price) FILTER (WHERE c >= t * %(q_yellow)s),
       MIN(unit_price),
       COUNT(DISTINCT institution_id),
       COUNT(*),
       %(now)s
FROM cum GROUP BY product_id
ON CONFLICT (product_id) DO UPDATE SET
    p_blue = EXCLUDED.p_blue, p_yellow = EXCLUDED.p_yellow, lowest = EXCLUDED.lowest,
    institutions = EXCLUDED.institutions, results = EXCLUDED.results, computed_at = EXCLUDED.computed_at
"""

_CLASSIFY_SQL = """
WITH classified AS (
    SELECT r.id,
           CASE WHEN z.institutions >= %(min_inst)s THEN
                    CASE WHEN r.unit_price <= z.p_blue THEN 'blue'
                         WHEN r.unit_price <= z.p_yellow THEN 'yellow' ELSE 'red' END
                ELSE
                    CASE WHEN r.unit_price <= z.lowest * %(f_blue)s THEN 'blue'
                         WHEN r.unit_price <= z.lowest * %(f_yellow)s THEN 'yellow' ELSE 'red' END
           END AS zone
    FROM negotiation_negotiationresult r
    JOIN negotiation_productzone z ON z.product_id = r.product_id
    WHERE r.confirmed_at >= %(since)s AND r.confirmed_at < %(until)s {product_filter}
)
UPDATE negotiation_negotiationresult r SET zone = c.zone, zone_computed_at = %(now)s
FROM classified c
WHERE r.id = c.id AND r.zone IS DISTINCT FROM c.zone  -- only rows whose zone changes are written
"""


def parameters(at: date) -> dict:
    return {
        "q_blue": Decimal(policy("zon.blue_percentile", at=at)) / 100,
        "q_yellow": Decimal(policy("zon.yellow_percentile", at=at)) / 100,
        "months": int(policy("zon.trailing_months", at=at)),
        "min_inst": int(policy("zon.min_institutions", at=at)),
        "f_blue": Decimal(policy("zon.fallback_blue_factor", at=at)),
        "f_yellow": Decimal(policy("zon.fallback_yellow_factor", at=at)),
    }


def recompute(product_ids=None, at: date | None = None, *, classify_results: bool = True) -> int:
    """Recompute thresholds (and classify results) for some products, or for all. Returns the
    number of products with thresholds. Idempotent: the same data gives the same rows, and a
    second run writes no result row."""
    # TRUNCATE is fastest for the nightly rebuild but is refused inside a transaction with
    # pending deferred constraint checks (a caller's bigger transaction): DELETE there.
    nested = connection.in_atomic_block
    with transaction.atomic():
        return _recompute(product_ids, at, classify_results, truncate=not nested)


def _recompute(product_ids, at, classify_results, *, truncate) -> int:
    at = at or timezone.localdate()
    p = parameters(at)
    until = timezone.make_aware(timezone.datetime.combine(at + relativedelta(days=1), timezone.datetime.min.time()))
    since = until - relativedelta(months=p["months"])
    args = {**p, "since": since, "until": until, "now": timezone.now(), "public": list(rules.PUBLIC_OWNERSHIPS)}
    product_filter = ""
    if product_ids is not None:
        args["products"] = list(product_ids)
        product_filter = "AND r.product_id = ANY(%(products)s)"
    with connection.cursor() as cur:
        if product_ids is None:
            # Thresholds are derived data, rebuilt whole.
            cur.execute("TRUNCATE negotiation_productzone" if truncate else "DELETE FROM negotiation_productzone")
        else:
            cur.execute("DELETE FROM negotiation_productzone WHERE product_id = ANY(%(products)s)", args)
        cur.execute(_THRESHOLDS_SQL.format(product_filter=product_filter), args)
        count = cur.rowcount
        if classify_results:
            cur.execute(_CLASSIFY_SQL.format(product_filter=product_filter), args)
    return count


def thresholds_for(product_id) -> rules.ZoneThresholds:
    z = ProductZone.objects.filter(product_id=product_id).first()
    if z is None:
        return rules.ZoneThresholds(None, None, None, 0)
    return rules.ZoneThresholds(z.p_blue, z.p_yellow, z.lowest, z.institutions)


def classify(product_id, price: Decimal, at: date | None = None) -> tuple[str | None, str]:
    """The zone a price would fall in for a product now (shown before a proposal is sent)."""
    at = at or timezone.localdate()
    method = policy("zon.method", at=at)
    t = thresholds_for(product_id)
    if method == "listing_ratio":
        return rules.zon_2_listing_ratio(price, t.lowest, policy("zon.ratio_grades", at=at))
    p = parameters(at)
    return rules.zon_2_classify(
        price, t, min_institutions=p["min_inst"], fallback_blue=p["f_blue"], fallback_yellow=p["f_yellow"]
    )

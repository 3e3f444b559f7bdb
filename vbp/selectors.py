"""Read queries of the VBP channel: progress from receipts (VBP-6), lists, dashboards."""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone as tz

from orders.models import Invoice
from parties.models import Organisation
from policy import services as policy

from . import rules
from .models import Contract, ContractLine, ProgressSnapshot, Tender

# Completed volume per contract = receipts (入库) of the contract's selected products by its
# institution within the period, up to `on`. One statement for any number of contracts: the
# receipts of the batch's products (through receipt_line_listing_date_idx) are aggregated
# once per (institution, product, period), not looked up once per contract line.
PROGRESS_SQL = """
    WITH lines AS (
        SELECT c.id AS contract_id, c.institution_id, sp.product_id, cl.agreed_qty, cl.price,
               t.period_start, LEAST(t.period_end, %(on)s::date) AS upto
        FROM vbp_contract c
        JOIN vbp_contractline cl ON cl.contract_id = c.id
        JOIN vbp_selectedproduct sp ON sp.id = cl.selected_id
        JOIN vbp_tender t ON t.id = c.tender_id
        WHERE c.id = ANY(%(ids)s)
    ), keys AS MATERIALIZED (
        SELECT DISTINCT institution_id, product_id, period_start, upto FROM lines
    ), received AS MATERIALIZED (
        SELECT rl.institution_id, li.product_id, rl.received_on, SUM(rl.quantity) AS qty
        FROM listing_listing li
        JOIN orders_receiptline rl ON rl.listing_id = li.id
        WHERE li.product_id IN (SELECT product_id FROM keys)
          AND rl.institution_id IN (SELECT institution_id FROM keys)
          AND rl.received_on BETWEEN %(lo)s AND %(hi)s
        GROUP BY rl.institution_id, li.product_id, rl.received_on
    ), done AS (
        SELECT k.institution_id, k.product_id, k.period_start, k.upto, SUM(r.qty) AS qty
        FROM keys k
        JOIN received r ON r.institution_id = k.institution_id AND r.product_id = k.product_id
        WHERE r.received_on BETWEEN k.period_start AND k.upto
        GROUP BY k.institution_id, k.product_id, k.period_start, k.upto
    )
    SELECT l.contract_id, SUM(l.agreed_qty), SUM(l.agreed_qty * l.price),
           SUM(LEAST(COALESCE(d.qty, 0), l.agreed_qty)), SUM(LEAST(COALESCE(d.qty, 0), l.agreed_qty) * l.price),
           SUM(COALESCE(d.qty, 0))
    FROM lines l
    LEFT JOIN done d ON d.institution_id = l.institution_id AND d.product_id = l.product_id
     AND d.period_start = l.period_start AND d.upto = l.upto
    GROUP BY l.contract_id
"""

PERIOD_BOUNDS_SQL = """
    SELECT MIN(t.period_start), MAX(LEAST(t.period_end, %(on)s::date))
    FROM vbp_contract c JOIN vbp_tender t ON t.id = c.tender_id
    WHERE c.id = ANY(%(ids)s)
"""


def _cents(value) -> Decimal:
    # Half up, as PostgreSQL's ROUND does in the progress job (jobs.SNAPSHOT_SQL).
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def contract_progress(contract_ids: list[int], on: date) -> dict[int, dict]:
    """{contract_id: {agreed_qty, agreed_amount, completed_qty, completed_amount, received_qty}}.
    Completion counts up to the agreed quantity per line (buying more of one product does
    not complete another)."""
    if not contract_ids:
        return {}
    with connection.cursor() as cur:
        # The receipts' date bounds as constants, so PostgreSQL reads only the receipt-line
        # partitions of those months when it plans (docs/scaling.md "Monthly partitions").
        cur.execute(PERIOD_BOUNDS_SQL, {"ids": list(contract_ids), "on": on})
        lo, hi = cur.fetchone()
        cur.execute(PROGRESS_SQL, {"ids": list(contract_ids), "on": on, "lo": lo, "hi": hi})
        return {
            cid: {"agreed_qty": int(aq), "agreed_amount": _cents(aa),
                  "completed_qty": int(cq), "completed_amount": _cents(ca),
                  "received_qty": int(rq)}
            for cid, aq, aa, cq, ca, rq in cur.fetchall()
        }


def line_completed(line: ContractLine, on: date) -> int:
    """Received quantity of one contract line's product in the period (VBP-3 add-on check)."""
    contract = line.contract
    tender = contract.tender
    with connection.cursor() as cur:
        cur.execute(
            """SELECT COALESCE(SUM(rl.quantity), 0) FROM orders_receiptline rl
               JOIN listing_listing li ON li.id = rl.listing_id
               WHERE rl.institution_id = %s AND li.product_id = %s AND rl.received_on BETWEEN %s AND %s""",
            [contract.institution_id, line.selected.product_id, tender.period_start, min(tender.period_end, on)],
        )
        return int(cur.fetchone()[0])


def progress_rows(user, on: date, *, tender_id=None, city_id=None):
    """Live progress of the contracts `user` may see: list of dicts for tables and charts."""
    qs = Contract.objects.visible_to(user).select_related("tender", "institution__city", "enterprise")
    if tender_id:
        qs = qs.filter(tender_id=tender_id)
    if city_id:
        qs = qs.filter(institution__city_id=city_id)
    contracts = list(qs)
    figures = contract_progress([c.pk for c in contracts], on)
    threshold = _threshold(on)
    out = []
    for c in contracts:
        f = figures.get(c.pk, {"agreed_qty": 0, "agreed_amount": Decimal(0), "completed_qty": 0,
                               "completed_amount": Decimal(0), "received_qty": 0})
        done = rules.completed_percent(f["completed_amount"], f["agreed_amount"])
        elapsed = rules.elapsed_percent(c.tender.period_start, c.tender.period_end, on)
        out.append({"contract": c, **f, "completed_percent": done, "elapsed_percent": elapsed,
                    "lagging": rules.vbp_6_lagging(done, elapsed, threshold)})
    return out


def _threshold(on):
    return policy.get("vbp.lag_threshold_points", at=on)


def group_progress(rows: list[dict], key) -> list[dict]:
    """Aggregate live progress rows by tender / institution / city / enterprise."""
    groups: dict = {}
    for r in rows:
        k, label = key(r["contract"])
        g = groups.setdefault(k, {"label": label, "contracts": 0, "agreed_amount": Decimal(0),
                                  "completed_amount": Decimal(0), "lagging": 0, "elapsed": []})
        g["contracts"] += 1
        g["agreed_amount"] += r["agreed_amount"]
        g["completed_amount"] += r["completed_amount"]
        g["lagging"] += int(r["lagging"])
        g["elapsed"].append(r["elapsed_percent"])
    for g in groups.values():
        g["completed_percent"] = rules.completed_percent(g["completed_amount"], g["agreed_amount"])
        g["elapsed_percent"] = max(g.pop("elapsed")) if g.get("elapsed") else Decimal(0)
    return sorted(groups.values(), key=lambda g: g["completed_percent"])


GROUPINGS = {
    "tender": lambda c: (c.tender_id, str(c.tender)),
    "institution": lambda c: (c.institution_id, f"{c.institution.name}（{c.institution.city.name if c.institution.city else ''}）"),
    "city": lambda c: (c.institution.city_id, c.institution.city.name if c.institution.city else "-"),
    "enterprise": lambda c: (c.enterprise_id, c.enterprise.name),
}


def tenders_for(user):
    return (Tender.objects.visible_to(user).annotate(n_varieties=Count("varieties", distinct=True))
            .order_by("-period_start", "-id"))


SUPPLY_SQL = """
    SELECT m.name,
           COUNT(DISTINCT l.id) AS lines, SUM(l.quantity) AS ordered, SUM(l.received_qty) AS received,
           COUNT(DISTINCT l.id) FILTER (WHERE l.status = 'declined') AS declined,
           AVG(EXTRACT(EPOCH FROM (l.status_changed_at - o.created_at)) / 3600.0)
               FILTER (WHERE l.status_changed_at IS NOT NULL) AS response_hours,
           AVG(d.shipped_on - (o.created_at AT TIME ZONE %(tz)s)::date) AS delivery_days
    FROM orders_orderline l
    JOIN orders_order o ON o.id = l.order_id
    JOIN catalog_product p ON p.id = l.product_id
    JOIN parties_organisation m ON m.id = p.manufacturer_id
    LEFT JOIN LATERAL (SELECT MIN(dd.shipped_on) AS shipped_on FROM orders_deliveryline dl
                       JOIN orders_delivery dd ON dd.id = dl.delivery_id WHERE dl.order_line_id = l.id) d ON true
    WHERE l.product_id IN (SELECT sp.product_id FROM vbp_selectedproduct sp JOIN vbp_variety v ON v.id = sp.variety_id
                           JOIN vbp_tender t ON t.id = v.tender_id WHERE t.status = 'published')
      AND o.created_at >= %(since)s AND o.created_at < %(until)s {scope}
    GROUP BY m.name ORDER BY m.name
"""


def supply_monitoring(user, since: date, until: date) -> list[dict]:
    """VBP-6 supply monitoring of selected enterprises, from the orders data: order response
    time (hours to confirm or decline), delivery time (days to first shipment), fill rate
    (received / ordered) and declined lines, for the institutions `user` supervises."""
    params = {"tz": settings.TIME_ZONE, "since": tz.make_aware(datetime.combine(since, time.min)),
              "until": tz.make_aware(datetime.combine(until + timedelta(days=1), time.min))}
    scope = ""
    if not user.is_province:
        params["insts"] = list(Organisation.objects.visible_to(user).filter(kind="institution")
                               .values_list("pk", flat=True))
        scope = "AND o.institution_id = ANY(%(insts)s)"
    with connection.cursor() as cur:
        cur.execute(SUPPLY_SQL.format(scope=scope), params)
        cols = [c[0] for c in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    for r in rows:
        r["fill_rate"] = rules.completed_percent(r["received"] or 0, r["ordered"] or 0)
    return rows


def contract_payments(contract, on: date) -> dict:
    """VBP-6/VBP-8: on-time payment (回款) per contract, from settlement data: the invoices
    for deliveries of the contract's products to its institution — paid, open, overdue."""
    invoices = Invoice.objects.filter(
        institution_id=contract.institution_id,
        delivery__lines__order_line__product__vbp_selections__contract_lines__contract=contract,
    ).distinct()
    return {
        "invoices": invoices.count(),
        "paid": invoices.filter(status="paid").count(),
        "overdue": invoices.overdue(on).count(),
    }


def snapshots_for(user, contract_id=None):
    qs = ProgressSnapshot.objects.visible_to(user).select_related("contract__institution", "contract__tender")
    if contract_id:
        qs = qs.filter(contract_id=contract_id)
    return qs

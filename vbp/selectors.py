"""Read queries of the VBP channel: progress from receipts (VBP-6), lists, dashboards."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum

from . import rules
from .models import Contract, ContractLine, ProgressSnapshot, Tender

# Completed volume per contract = receipts (入库) of the contract's selected products by its
# institution within the period, up to `on`. One statement for any number of contracts;
# the receipt lines are reached through receipt_line_listing_date_idx (listing, received_on).
PROGRESS_SQL = """
    WITH lines AS (
        SELECT c.id AS contract_id, c.institution_id, sp.product_id, cl.agreed_qty, cl.price,
               t.period_start, LEAST(t.period_end, %(on)s::date) AS upto
        FROM vbp_contract c
        JOIN vbp_contractline cl ON cl.contract_id = c.id
        JOIN vbp_selectedproduct sp ON sp.id = cl.selected_id
        JOIN vbp_tender t ON t.id = c.tender_id
        WHERE c.id = ANY(%(ids)s)
    ), done AS (
        SELECT l.contract_id, l.product_id, SUM(rl.quantity) AS qty
        FROM lines l
        JOIN listing_listing li ON li.product_id = l.product_id
        JOIN orders_receiptline rl
          ON rl.listing_id = li.id AND rl.institution_id = l.institution_id
         AND rl.received_on BETWEEN l.period_start AND l.upto
        GROUP BY l.contract_id, l.product_id
    )
    SELECT l.contract_id, SUM(l.agreed_qty), SUM(l.agreed_qty * l.price),
           SUM(LEAST(COALESCE(d.qty, 0), l.agreed_qty)), SUM(LEAST(COALESCE(d.qty, 0), l.agreed_qty) * l.price),
           SUM(COALESCE(d.qty, 0))
    FROM lines l LEFT JOIN done d ON d.contract_id = l.contract_id AND d.product_id = l.product_id
    GROUP BY l.contract_id
"""


def contract_progress(contract_ids: list[int], on: date) -> dict[int, dict]:
    """{contract_id: {agreed_qty, agreed_amount, completed_qty, completed_amount, received_qty}}.
    Completion counts up to the agreed quantity per line (buying more of one product does
    not complete another)."""
    if not contract_ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(PROGRESS_SQL, {"ids": list(contract_ids), "on": on})
        return {
            cid: {"agreed_qty": int(aq), "agreed_amount": Decimal(aa).quantize(Decimal("0.01")),
                  "completed_qty": int(cq), "completed_amount": Decimal(ca).quantize(Decimal("0.01")),
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
    from policy import services as policy

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


def supply_monitoring(user, since: date, until: date):
    """VBP-6 supply monitoring of selected enterprises, from the orders data: order lines of
    selected products, fill rate (received / ordered), average days to confirm and to ship."""
    from orders.models import OrderLine

    qs = (OrderLine.objects.filter(product__vbp_selections__variety__tender__status="published",
                                   order__created_at__date__range=(since, until))
          .filter(Q(order__institution__in=Contract.objects.visible_to(user).values("institution"))))
    return list(
        qs.values("product__manufacturer__name")
        .annotate(lines=Count("id", distinct=True), ordered=Sum("quantity"), received=Sum("received_qty"),
                  declined=Count("id", filter=Q(status="declined"), distinct=True))
        .order_by("product__manufacturer__name")
    )


def snapshots_for(user, contract_id=None):
    qs = ProgressSnapshot.objects.visible_to(user).select_related("contract__institution", "contract__tender")
    if contract_id:
        qs = qs.filter(contract_id=contract_id)
    return qs

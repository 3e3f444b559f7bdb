"""Monitoring benchmark (`manage.py bench_monitoring`; callable from `make bench` as
`monitoring.bench.run("procurement_bench_mon", stdout)`).

On its own database (default `procurement_bench_mon`, created and migrated on first use,
never the dev database) it generates 1,500 institutions and 1,000,000 receipt lines (入库)
of one month plus 100,000 off-platform purchases, then times:

- the monthly job `monitoring.services.monthly_run` (INSERT … SELECT … ON CONFLICT DO
  UPDATE snapshot, reports opened pre-filled, MON-4/EMG-2 checks), and its snapshot step;
- a hand-written single-pass SQL query producing the same rates,

checks that both give identical rates, and prints the figures (target: job within 1.5×
the hand-written query and under 10 s). Figures are printed, never asserted in tests.

Receipt lines are written with `INSERT … SELECT … FROM generate_series` under
`session_replication_role = replica` (no FK checks): their receipt/delivery/order-line
keys point at placeholder ids — the monthly job reads only institution, listing, amount
and date, which are consistent."""

import sys
import time
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from core.bench import admin_connection, use_database
from orders import partitions
from orders.benchdata import insert_select

MONTH = date(2026, 10, 1)

HAND_SQL = """
SELECT x.institution_id, x.kind,
       round(SUM(x.platform) * 100 / NULLIF(SUM(x.platform) + SUM(x.off), 0), 2) AS rate
FROM (
    SELECT rl.institution_id, p.kind, rl.amount AS platform, 0::numeric AS off
    FROM orders_receiptline rl JOIN listing_listing l ON l.id = rl.listing_id JOIN catalog_product p ON p.id = l.product_id
    WHERE rl.received_on >= %(start)s AND rl.received_on < %(end)s
    UNION ALL
    SELECT op.institution_id, op.kind, 0, op.amount FROM orders_offplatformpurchase op
    WHERE op.received_on >= %(start)s AND op.received_on < %(end)s
) x
GROUP BY x.institution_id, x.kind
"""


def generate(out, institutions=1500, lines=1_000_000, products=20_000, offplatform=100_000):
    from catalog.models import Product
    from listing.models import Listing
    from orders.models import OffPlatformPurchase, ReceiptLine
    from parties.models import Organisation, OrgKind, Region, Role, User

    t = time.perf_counter()
    cities = list(Region.objects.filter(level="city").order_by("code"))
    counties = {c.pk: list(c.children.order_by("code")) for c in cities}
    insts = Organisation.objects.bulk_create([
        Organisation(name=f"监测基准医院{i + 1:05d}", kind=OrgKind.INSTITUTION, city=cities[i % len(cities)],
                     county=counties[cities[i % len(cities)].pk][(i // len(cities)) % len(counties[cities[i % len(cities)].pk])],
                     level=2 + i % 2, ownership="public")
        for i in range(institutions)])
    maker = Organisation.objects.create(name="监测基准制药", kind=OrgKind.MANUFACTURER)
    user = User.objects.create_user("bench_mon", password=None, organisation=maker, role=Role.MANUFACTURER)
    first, n_inst = insts[0].pk, len(insts)
    partitions.ensure_month_range(MONTH, MONTH)  # the month's own partition, not DEFAULT
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM catalog_product")
        p0 = cur.fetchone()[0]
        insert_select(cur, Product, {
            "id": f"{p0} + g", "kind": "CASE WHEN g % 5 = 0 THEN 'consumable' ELSE 'drug' END",
            "generic_name": "'监测基准产品' || g::text", "specification": "g::text || 'mg'",
            "dosage_form": "'片剂'", "manufacturer_id": str(maker.pk),
            "consumable_class": "CASE WHEN g % 5 = 0 THEN 'ordinary' ELSE '' END",
        }, f"generate_series(1, {products}) AS g")
        cur.execute("SELECT COALESCE(MAX(id), 0) FROM listing_listing")
        l0 = cur.fetchone()[0]
        insert_select(cur, Listing, {
            "id": f"{l0} + g", "product_id": f"{p0} + g", "price": "10", "status": "'active'",
            "category": "'LST-1'", "effective_date": "DATE '2024-01-01'",
        }, f"generate_series(1, {products}) AS g")
        n = insert_select(cur, ReceiptLine, {
            "receipt_id": "1", "delivery_line_id": "1", "order_line_id": "1",
            "listing_id": f"{l0} + 1 + ((g / {n_inst}) * 7919 + g) % {products}",
            "institution_id": f"{first} + g % {n_inst}",
            "quantity": "1 + g % 20", "amount": "((g * 104729) % 100000) / 100.0 + 1",
            "received_on": f"DATE '{MONTH}' + (g % 31)::int",
        }, f"generate_series(1::bigint, {lines}) AS g")
        out(f"  receipt lines: {n:,}")
        n = insert_select(cur, OffPlatformPurchase, {
            "institution_id": f"{first} + (g * 7) % {n_inst}",
            "kind": "CASE WHEN g % 4 = 0 THEN 'consumable' ELSE 'drug' END",
            "product_id": f"CASE WHEN g % 10 = 0 THEN {p0} + 1 + g % {products} END",
            "item_name": "'线下采购品'", "amount": "((g * 7) % 50000) / 10.0 + 1",
            "received_on": f"DATE '{MONTH}' + (g % 31)::int", "reason": "CASE WHEN g % 3 = 0 THEN 'emergency' ELSE 'other' END",
            "created_by_id": str(user.pk),
        }, f"generate_series(1::bigint, {offplatform}) AS g")
        out(f"  off-platform purchases: {n:,}")
        cur.execute("SET session_replication_role = DEFAULT")
        cur.execute("ANALYZE orders_receiptline; ANALYZE orders_offplatformpurchase; ANALYZE listing_listing;"
                    " ANALYZE catalog_product; ANALYZE parties_organisation")
    out(f"  generated in {time.perf_counter() - t:.1f} s")


def _prepare(database, out, regenerate):
    if database == settings.DATABASES["default"]["NAME"]:
        raise SystemExit("Refusing to benchmark on the main database")
    admin = admin_connection()
    with admin.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        exists = cur.fetchone() is not None
        if exists and regenerate:
            cur.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = False
        if not exists:
            out(f"Creating database {database} …")
            cur.execute(f'CREATE DATABASE "{database}"')
    admin.close()
    use_database(database)
    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    out(f"Migrated in {time.perf_counter() - t:.1f} s")
    with connection.cursor() as cur:
        cur.execute("CREATE TABLE IF NOT EXISTS bench_mon_meta (key text PRIMARY KEY, value text)")
        cur.execute("SELECT value FROM bench_mon_meta WHERE key = 'generated'")
        if cur.fetchone() is None:
            out("Generating monitoring bench data …")
            with transaction.atomic():
                generate(out)
                cur.execute("INSERT INTO bench_mon_meta VALUES ('generated', now()::text)")
        else:
            out("Using existing monitoring bench data (--regenerate to rebuild)")


def _timed(fn, n=3):  # best of n
    best = None
    for _ in range(n):
        t = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def measure(month: date, repeat: int = 3) -> dict:
    """The monthly job (MON-1 snapshot, reports, EMG-2 checks) for `month` on whatever the
    database holds, against HAND_SQL (best of `repeat`); checks both give the same rates."""
    from monitoring import rules, services
    from monitoring.models import MonthlySnapshot

    params = {"start": month, "end": rules.add_months(month, 1)}
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders_receiptline WHERE received_on >= %(start)s AND received_on < %(end)s",
                    params)
        n_lines = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM parties_organisation WHERE kind = 'institution'")
        n_inst = cur.fetchone()[0]

    def hand():
        with connection.cursor() as cur:
            cur.execute(HAND_SQL, params)
            return cur.fetchall()

    t_hand, hand_rows = _timed(hand, repeat)
    t_snap, _ = _timed(lambda: services.snapshot_compute(month), repeat)
    t_job, result = _timed(lambda: services.monthly_run(month), repeat)
    snap = {(s.institution_id, s.kind): s.rate for s in
            MonthlySnapshot.objects.filter(month=month).only("institution_id", "kind", "rate")}
    mismatches = sum(1 for inst, kind, rate in hand_rows if snap.get((inst, kind)) != rate)
    return {**result, "month": f"{month:%Y-%m}", "institutions": n_inst, "receipt_lines": n_lines,
            "hand_sql_s": t_hand, "snapshot_s": t_snap, "monthly_job_s": t_job, "ratio_snapshot": t_snap / t_hand,
            "ratio_job": t_job / t_hand, "mismatches": mismatches, "rows": len(hand_rows)}


def report(f: dict) -> str:
    met = f["monthly_job_s"] < 10 and f["ratio_snapshot"] <= 1.5
    same = "yes" if f["mismatches"] == 0 else f"NO ({f['mismatches']} differ)"
    return "\n".join([
        f"Monitoring data: {f['institutions']:,} institutions, {f['receipt_lines']:,} receipt lines in {f['month']}",
        f"  hand-written SQL (rates only):          {f['hand_sql_s'] * 1000:8.0f} ms  ({f['rows']:,} rates)",
        f"  snapshot upsert (INSERT…ON CONFLICT):   {f['snapshot_s'] * 1000:8.0f} ms  "
        f"({f['ratio_snapshot']:.2f}× hand SQL)",
        f"  whole monthly job (snapshot+reports+checks): {f['monthly_job_s'] * 1000:8.0f} ms  "
        f"({f['ratio_job']:.2f}× hand SQL)",
        f"  rates identical to hand SQL: {same}; "
        f"target: ≤ 1.5× and < 10 s → {'met' if met else 'NOT met'}",
    ])


def run(database="procurement_bench_mon", stdout=None, regenerate=False):
    """Print the monitoring figures; returns them as a dict."""
    stdout = stdout or sys.stdout
    def out(s):
        return (stdout.write(s + ("" if s.endswith("\n") else "\n")))
    name = database if isinstance(database, str) else database.settings_dict["NAME"]
    previous = settings.DATABASES["default"]["NAME"]
    _prepare(name, out, regenerate)
    try:
        figures = measure(MONTH)
        out(report(figures))
        return figures
    finally:
        use_database(previous)

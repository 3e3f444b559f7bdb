"""Synthetic province-scale data for `manage.py bench` (deterministic: same scale → same rows).

Full scale (scale=1): ~1,500 institutions, 300 manufacturers, 50 distributors, 100,000
products with listings, and 10 million order lines over the last year (10 per order), each
shipped once and received once — so orders, deliveries, receipts and their lines are
all populated (≈ 40 million rows). 0.5 % of listings never sell (the no-sales job finds
them) and 0.5 % changed in the last hour (the incremental catalogue pull returns them).

Rows are produced inside PostgreSQL with `INSERT … SELECT … FROM generate_series` (no
Python loop, no network round trip per row — faster than COPY from Python), with triggers
and foreign-key checks off for the session (`session_replication_role = replica`; the
generator writes consistent keys by construction). Organisations go through the ORM
(a few thousand rows). Pseudo-random choices are arithmetic hashes of the row number, so
the data is deterministic without a random generator."""

import time
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from catalog.models import Product
from listing.models import Listing
from parties.models import ApiClient, Organisation, OrgKind, Region, Role, User, _hash_key
from qualifications.models import DistributionRelationship

from . import partitions
from .models import Delivery, DeliveryLine, OffPlatformPurchase, Order, OrderLine, Receipt, ReceiptLine

BENCH_TOKEN = "sp_bench0000001_BenchHisSecretForLocalUseOnly"
LINES_PER_ORDER = 10
HASH = 2654435761  # Knuth's multiplicative hash


def counts(scale: float) -> dict:
    return {
        "institutions": max(20, int(1500 * scale)),
        "manufacturers": max(10, int(300 * scale)),
        "distributors": max(5, int(50 * scale)),
        "listings": max(2000, int(100_000 * scale)),
        "lines": max(10_000, int(10_000_000 * scale)) // LINES_PER_ORDER * LINES_PER_ORDER,
        # received outside the platform (the MON-1 denominator): one per ten orders
        "offplatform": max(100, int(100_000 * scale)),
    }


def insert_select(cur, model, exprs: dict, from_sql: str):
    """INSERT INTO <model table> (...) SELECT ... FROM <from_sql>: columns not given in
    `exprs` take the model field's default (auto_now → now()); nullable ones stay NULL."""
    cols, vals = [], []
    for f in model._meta.concrete_fields:
        col = f.column
        if col in exprs:
            cols.append(col)
            vals.append(exprs[col])
        elif f.primary_key:
            continue
        elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            cols.append(col)
            vals.append("now()")
        elif f.has_default() or (not f.null and not f.is_relation):
            default = f.get_default()  # "" for a blank CharField without a default
            cols.append(col)
            vals.append(cur.mogrify("%s", [f.get_db_prep_save(default, connection)]).decode())
        elif f.null:
            continue
        else:
            raise ValueError(f"{model.__name__}.{col} needs a value in the generator")
    # No query parameters: values are inlined (ints and dates built here), so "%" is plain SQL.
    cur.execute(f"INSERT INTO {model._meta.db_table} ({', '.join(cols)}) SELECT {', '.join(vals)} FROM {from_sql}")
    return cur.rowcount


def _array(ids) -> str:
    return "ARRAY[" + ",".join(str(int(i)) for i in ids) + "]::bigint[]"


def generate(scale: float = 1.0, log=print) -> dict:
    c = counts(scale)
    today = timezone.localdate()
    timings = {}
    t_all = time.perf_counter()

    # ------------------------------------------------ parties (ORM: a few thousand rows)
    t = time.perf_counter()
    cities = list(Region.objects.filter(level="city").order_by("code"))
    counties = {city.pk: list(city.children.order_by("code")) for city in cities}
    province = Organisation.objects.create(name="基准测试省医保局", kind=OrgKind.PROVINCE_REGULATOR)
    prov_user = User.objects.create_user("bench_province", password=None, organisation=province,
                                         role=Role.PROVINCE_REGULATOR)
    insts = []
    for i in range(c["institutions"]):
        city = cities[i % len(cities)]
        county = counties[city.pk][(i // len(cities)) % len(counties[city.pk])]
        insts.append(Organisation(name=f"基准医院{i + 1:05d}", kind=OrgKind.INSTITUTION, city=city, county=county,
                                  level=1 + i % 3, ownership="public"))
    insts = Organisation.objects.bulk_create(insts, batch_size=2000)
    mfrs = Organisation.objects.bulk_create(
        [Organisation(name=f"基准制药{i + 1:04d}", kind=OrgKind.MANUFACTURER) for i in range(c["manufacturers"])])
    dists = Organisation.objects.bulk_create(
        [Organisation(name=f"基准配送{i + 1:03d}", kind=OrgKind.DISTRIBUTOR) for i in range(c["distributors"])])
    now = timezone.now()
    DistributionRelationship.objects.bulk_create([
        DistributionRelationship(manufacturer=m, distributor=dists[(mi + ci) % len(dists)], city=city, status="active",
                                 proposed_by=prov_user, answered_at=now)
        for mi, m in enumerate(mfrs) for ci, city in enumerate(cities)
    ], batch_size=5000)
    his_inst = insts[0]
    his_user = User.objects.create_user("bench_his", password=None, organisation=his_inst, role=Role.HIS)
    key_id, secret = ApiClient.split_token(BENCH_TOKEN)
    ApiClient.objects.create(institution=his_inst, name="基准 HIS", user=his_user, key_id=key_id,
                             key_hash=_hash_key(secret))
    timings["parties"] = time.perf_counter() - t
    log(f"  parties: {len(insts)} institutions, {len(mfrs)} manufacturers, {len(dists)} distributors "
        f"({timings['parties']:.1f} s)")

    inst_arr, mfr_arr, dist_arr = _array(o.pk for o in insts), _array(o.pk for o in mfrs), _array(o.pk for o in dists)
    n_inst, n_mfr, n_dist = len(insts), len(mfrs), len(dists)
    n_list, n_lines = c["listings"], c["lines"]
    n_orders = n_lines // LINES_PER_ORDER
    n_sold = n_list - max(1, n_list // 200)  # the last 0.5 % never sell

    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET work_mem = '128MB'")

        def step(name, fn):
            t0 = time.perf_counter()
            rows = fn()
            timings[name] = time.perf_counter() - t0
            log(f"  {name}: {rows:,} rows ({timings[name]:.1f} s)")

        # ------------------------------------------------ catalogue and listings
        step("products", lambda: insert_select(cur, Product, {
            "id": "g",
            "kind": "CASE WHEN g % 10 = 0 THEN 'consumable' ELSE 'drug' END",
            "national_code": "CASE WHEN g % 10 = 0 THEN 'C' || lpad(g::text, 26, '0') ELSE 'X' || lpad(g::text, 22, '0') END",
            "generic_name": "'基准产品' || (g % 5000)::text",
            "specification": "(g % 7 + 1)::text || '0mg*' || (g % 5 + 1)::text || '0'",
            "pack_unit": "'盒'",
            "consumable_class": "CASE WHEN g % 10 = 0 THEN 'ordinary' ELSE '' END",
            "manufacturer_id": f"({mfr_arr})[1 + (g * {HASH}::bigint) % {n_mfr}]",
            "created_at": "now() - interval '800 days'",
            "updated_at": "now() - interval '30 days'",
        }, f"generate_series(1, {n_list}) AS g"))
        step("listings", lambda: insert_select(cur, Listing, {
            "id": "g", "product_id": "g",
            "price": "(1 + ((g::bigint * 7919) % 50000) / 100.0)::numeric(14,4)",  # bigint: 300,000 × 7919 > 2³¹
            "status": "'active'", "category": "'LST-1'",
            "effective_date": f"'{today - timedelta(days=800)}'::date",
            "created_at": "now() - interval '800 days'",
            "updated_at": "CASE WHEN g % 200 = 7 THEN now() - interval '1 hour' ELSE now() - interval '30 days' END",
        }, f"generate_series(1, {n_list}) AS g"))

        # ------------------------------------------------ a year of orders, 10 lines each
        # Every month of the year gets its partition first: a migrated empty database only has
        # this month's and the next ones', and a year of rows in DEFAULT would prune nothing.
        step("month partitions", lambda: len(partitions.ensure_month_range(today - timedelta(days=364), today)))
        order_day = f"('{today}'::date - ((o * 37) % 365))"
        step("orders", lambda: insert_select(cur, Order, {
            "id": "o",
            "institution_id": f"({inst_arr})[1 + (o * {HASH}::bigint) % {n_inst}]",
            "number": "'BN' || lpad(o::text, 12, '0')",
            "created_by_id": str(his_user.pk), "source": "'api'", "status": "'completed'",
            "created_at": f"{order_day}::timestamptz + interval '9 hours'",
            "updated_at": f"{order_day}::timestamptz + interval '10 hours'",
        }, f"generate_series(1, {n_orders}) AS o"))
        # line g belongs to order (g-1)/10+1; its listing is a hash of g among the sold ones
        line_from = (f"(SELECT g, (g - 1) / {LINES_PER_ORDER} + 1 AS o, 1 + (g * {HASH}::bigint) % {n_sold} AS k, "
                     f"1 + g % 50 AS q FROM generate_series(1, {n_lines}) AS g) s JOIN listing_listing l ON l.id = s.k")
        step("order lines", lambda: insert_select(cur, OrderLine, {
            "id": "s.g", "order_id": "s.o", "line_no": f"1 + (s.g - 1) % {LINES_PER_ORDER}",
            "product_id": "s.k", "listing_id": "s.k", "quantity": "s.q", "unit_price": "l.price",
            "amount": "round(l.price * s.q, 2)", "price_source": "'listing'", "price_rule": "'ORD-1'",
            "distributor_id": f"({dist_arr})[1 + (s.o * 31) % {n_dist}]",
            "status": "'received'", "shipped_qty": "s.q", "received_qty": "s.q",
            "ordered_on": f"('{today}'::date - ((s.o * 37) % 365))",  # the order's day: its monthly partition
        }, line_from))
        step("deliveries", lambda: insert_select(cur, Delivery, {
            "id": "o", "order_id": "o", "distributor_id": f"({dist_arr})[1 + (o * 31) % {n_dist}]",
            "note_number": "'DN' || o::text", "shipped_on": order_day, "created_by_id": str(his_user.pk),
        }, f"generate_series(1, {n_orders}) AS o"))
        step("delivery lines", lambda: insert_select(cur, DeliveryLine, {
            "id": "g", "delivery_id": f"(g - 1) / {LINES_PER_ORDER} + 1", "order_line_id": "g",
            "batch_number": "'B' || ((g - 1) / 100)::text", "expiry_date": f"'{today + timedelta(days=700)}'::date",
            "quantity": "1 + g % 50",
            "received_qty": "1 + g % 50",
            "created_on": f"('{today}'::date - ((((g - 1) / {LINES_PER_ORDER} + 1) * 37) % 365))",
        }, f"generate_series(1, {n_lines}) AS g"))
        step("receipts", lambda: insert_select(cur, Receipt, {
            "id": "o", "institution_id": f"({inst_arr})[1 + (o * {HASH}::bigint) % {n_inst}]", "delivery_id": "o",
            "received_on": order_day, "source": "'api'", "created_by_id": str(his_user.pk),
        }, f"generate_series(1, {n_orders}) AS o"))
        step("receipt lines", lambda: insert_select(cur, ReceiptLine, {
            "id": "s.g", "receipt_id": "s.o", "delivery_line_id": "s.g", "order_line_id": "s.g", "listing_id": "s.k",
            "institution_id": f"({inst_arr})[1 + (s.o * {HASH}::bigint) % {n_inst}]", "quantity": "s.q",
            "amount": "round(l.price * s.q, 2)",
            "received_on": f"('{today}'::date - ((s.o * 37) % 365))",
        }, line_from))
        step("off-platform purchases", lambda: insert_select(cur, OffPlatformPurchase, {
            "institution_id": f"({inst_arr})[1 + (g * 7) % {n_inst}]",
            "kind": "CASE WHEN g % 10 = 0 THEN 'consumable' ELSE 'drug' END",
            "item_name": "'线下采购品'", "amount": "((g * 7) % 50000) / 10.0 + 1",
            # one in ten names a consumable of the catalogue (the EMG-2 out-of-scope check reads them)
            "product_id": f"CASE WHEN g % 10 = 0 THEN 10 * (1 + (g / 10) % {max(1, n_list // 10)}) END",
            "received_on": f"('{today}'::date - ((g * 37) % 365))",
            "reason": "CASE WHEN g % 3 = 0 THEN 'emergency' ELSE 'other' END", "created_by_id": str(his_user.pk),
        }, f"generate_series(1, {c['offplatform']}) AS g"))

        for model in (Product, Listing, Order, OrderLine, Delivery, DeliveryLine, Receipt, ReceiptLine,
                      OffPlatformPurchase):
            table = model._meta.db_table
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cur.execute("SET session_replication_role = DEFAULT")
        step("analyze", lambda: (cur.execute("ANALYZE"), 0)[1])
    timings["total"] = time.perf_counter() - t_all
    log(f"  generated in {timings['total']:.1f} s")
    return {"counts": c, "timings": timings, "institution_id": his_inst.pk}

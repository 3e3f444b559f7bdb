"""`make bench` → `manage.py bench`: province-scale figures for orders, on a separate database.

Creates (once) the database `procurement_bench` (`procurement_bench_x<scale>` at another
`--scale`) beside the demo database, migrates it, fills it with
`orders.benchdata.generate(scale)` plus the VBP bench's tender and contracts, and prints:

1. order ingestion through the HIS API (batches of 1,000 lines with Idempotency-Key;
   lines/s; target ≥ 2,000);
2. the incremental catalogue pull of one institution (p50/p95 ms; target p95 ≤ 50 ms);
3. the DEL-1 no-sales job's selection vs a hand-written SQL query doing the same selection
   (target within 1.5×), and the whole detection step (rolled back, so it is repeatable);
4. the monthly online-procurement-rate job (MON-1…4, `monitoring.bench.measure`) for the last
   full month vs its hand-written SQL, on the partitioned receipt lines and on an unpartitioned
   copy of the same rows (same indexes; swapped in under the table's name inside a transaction
   that is rolled back);
5. the VBP-6 progress job vs its hand-written SQL and the VBP-4 cap check (`vbp.bench`).

The figures, the data's size on disk and the machine's load are saved to
`.local/bench/figures-scale-<scale>.json`; every saved scale is printed side by side at the end
(run `make bench` and `make bench SCALE=3` to compare 10 and 30 million order lines).
Figures are printed, not asserted. `--scale 0.05` makes a quick small run; `--regenerate`
drops and rebuilds the bench database."""

import json
import os
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.utils import timezone

from core.bench import admin_connection, use_database


def _ms(seconds):
    return seconds * 1000


FIGURES_DIR = Path(settings.BASE_DIR) / ".local" / "bench"
# the received-line copy without partitions, for the monthly job's side-by-side (section 4)
FLAT = "bench_flat_receiptline"
PARTED = "bench_parted_receiptline"


def database_for(scale: float) -> str:
    return "procurement_bench" if scale == 1 else "procurement_bench_x" + f"{scale:g}".replace(".", "_")


class Command(BaseCommand):
    help = "Province-scale benchmark of orders, monthly rates and VBP progress (separate database procurement_bench)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="1.0 = 1,500 institutions, 100,000 listings, 10 million order lines")
        parser.add_argument("--database", help="default procurement_bench (procurement_bench_x<scale> at another scale)")
        parser.add_argument("--regenerate", action="store_true", help="drop and rebuild the bench database")
        parser.add_argument("--batches", type=int, default=10, help="API order batches of 1,000 lines")
        parser.add_argument("--pulls", type=int, default=200, help="incremental catalogue pulls")
        parser.add_argument("--repeat", type=int, default=3, help="runs of the monthly and VBP jobs (median/best)")
        parser.add_argument("--generate-only", action="store_true", help="build the data, measure nothing")

    def handle(self, *args, scale, database, regenerate, batches, pulls, repeat, generate_only, **options):
        out = self.stdout.write
        database = database or database_for(scale)
        if database == settings.DATABASES["default"]["NAME"]:
            raise SystemExit("Refusing to benchmark on the main database")
        template = f"{database}_migrated"
        admin = admin_connection()
        with admin.cursor() as cur:
            cur.execute("SELECT datname FROM pg_database WHERE datname IN (%s, %s)", [database, template])
            present = {r[0] for r in cur.fetchall()}
            exists = database in present
            if exists and regenerate:
                out(f"Dropping database {database} …")
                cur.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
                exists = False
            if not exists and template in present:
                # An empty, migrated copy kept from the first run: cloning takes seconds.
                out(f"Creating database {database} from {template} …")
                cur.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
            elif not exists:
                out(f"Creating database {database} …")
                cur.execute(f'CREATE DATABASE "{database}"')
        use_database(database)
        t = time.perf_counter()
        call_command("migrate", verbosity=0)  # quick when the database is up to date
        out(f"Migrated in {time.perf_counter() - t:.1f} s")
        if not exists and template not in present:
            connections.close_all()
            with admin.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{template}" TEMPLATE "{database}"')
        admin.close()

        with connection.cursor() as cur:
            cur.execute("CREATE TABLE IF NOT EXISTS bench_meta (key text PRIMARY KEY, value text)")
            cur.execute("SELECT value FROM bench_meta WHERE key = 'scale'")
            row = cur.fetchone()
        if row is None:
            from orders import benchdata

            out(f"Generating data at scale {scale} …")
            with transaction.atomic():
                result = benchdata.generate(scale, log=out)
            with connection.cursor() as cur:
                cur.execute("INSERT INTO bench_meta VALUES ('scale', %s), ('institution', %s), ('generated_s', %s)",
                            [str(scale), str(result["institution_id"]), str(round(result["timings"]["total"]))])
        else:
            out(f"Using existing bench data (scale {row[0]}; --regenerate to rebuild)")
            if float(row[0]) != scale:
                out(f"  note: --scale {scale} ignored; the data was generated at scale {row[0]}")
                scale = float(row[0])
        from vbp import bench as vbp_bench

        vbp_bench.ensure_contracts(out)
        if generate_only:
            return

        figures = {"scale": scale, "database": database, "started": timezone.now().isoformat(timespec="seconds"),
                   "load_before": os.getloadavg()[0], **_data_figures()}
        out(f"Data: {figures['listings']:,} listings, {figures['order_lines']:,} order lines\n")

        overrides = {
            "DEBUG": False, "ALLOWED_HOSTS": ["*"],
            "REST_FRAMEWORK": {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "1000000/min"}},
        }
        with override_settings(**overrides):
            figures["ingestion"] = self._ingestion(out, batches)
            figures["catalogue"] = self._catalogue(out, pulls)
            figures["no_sales"] = self._no_sales(out)
            figures["monthly"], figures["monthly_unpartitioned"] = self._monthly(out, repeat)
            figures["vbp"] = self._vbp(out, repeat)
        figures["load_after"] = os.getloadavg()[0]
        figures.update(_disk_figures())  # after section 4 built its unpartitioned copy
        FIGURES_DIR.mkdir(parents=True, exist_ok=True)
        path = FIGURES_DIR / f"figures-scale-{scale:g}.json"
        path.write_text(json.dumps(figures, indent=1, ensure_ascii=False))
        out(f"Figures saved to {path}\n")
        out(side_by_side(_saved_figures()))

    # ------------------------------------------------------------------ 1. ingestion

    def _ingestion(self, out, batches):
        from orders.benchdata import BENCH_TOKEN

        with connection.cursor() as cur:
            cur.execute("SELECT p.national_code FROM listing_listing l JOIN catalog_product p ON p.id = l.product_id "
                        "WHERE l.status = 'active' ORDER BY l.id LIMIT %s", [1000 * (batches + 1)])
            codes = [r[0] for r in cur.fetchall()]
        client = Client(HTTP_AUTHORIZATION=f"Token {BENCH_TOKEN}")

        def post(i):
            chunk = codes[(i * 1000) % len(codes):][:1000] or codes[:1000]
            body = {"external_ref": f"BENCH-{i}", "lines": [{"national_code": c, "quantity": 1 + n % 20}
                                                              for n, c in enumerate(chunk)]}
            r = client.post("/api/v1/orders/", body, content_type="application/json",
                            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
            if r.status_code != 201:
                raise SystemExit(f"order batch refused: {r.status_code} {r.content[:500]!r}")
            return len(chunk)

        post(batches)  # warm-up (connections, caches)
        total_lines, times = 0, []
        t_all = time.perf_counter()
        for i in range(batches):
            t = time.perf_counter()
            total_lines += post(i)
            times.append(time.perf_counter() - t)
        elapsed = time.perf_counter() - t_all
        rate = total_lines / elapsed
        hand = [_insert_batch_by_hand(codes[(i * 1000) % len(codes):][:1000] or codes[:1000]) for i in range(batches)]
        hand_rate = total_lines / sum(hand)
        out("1. Order ingestion through the HIS API (POST /api/v1/orders/, 1,000 lines per batch, Idempotency-Key)")
        out(f"   {batches} batches, {total_lines:,} lines in {elapsed:.2f} s → {rate:,.0f} lines/s "
            f"(batch p50 {_ms(statistics.median(times)):.0f} ms, max {_ms(max(times)):.0f} ms)  "
            f"target ≥ 2,000 lines/s: {'OK' if rate >= 2000 else 'MISSED'}")
        out(f"   hand-written SQL floor (the order and its 1,000 lines inserted, priced from the listing; no "
            f"checks, no receipt of the request): {hand_rate:,.0f} lines/s, batch p50 {_ms(statistics.median(hand)):.0f} ms "
            f"→ the API takes {statistics.median(times) / statistics.median(hand):.1f}× the floor per batch\n")
        return {"lines_per_s": rate, "batch_p50_ms": _ms(statistics.median(times)), "batch_max_ms": _ms(max(times)),
                "hand_lines_per_s": hand_rate, "hand_batch_p50_ms": _ms(statistics.median(hand))}

    # ------------------------------------------------------------------ 2. catalogue

    def _catalogue(self, out, pulls):
        from orders.benchdata import BENCH_TOKEN

        client = Client(HTTP_AUTHORIZATION=f"Token {BENCH_TOKEN}")
        # "Changes since the last pull" = at least the 500 most recently changed listings, wherever
        # the clock stands now (the data may have been generated hours or days ago): the cursor is
        # the last change before them (ties included — at scale 3 the 1,500 changed listings share
        # one timestamp, and a cursor inside the tie returned an empty page).
        with connection.cursor() as cur:
            cur.execute("SELECT max(updated_at) FROM listing_listing WHERE updated_at < (SELECT min(updated_at) FROM "
                        "(SELECT updated_at FROM listing_listing ORDER BY updated_at DESC LIMIT 500) t)")
            row = cur.fetchone()
            row = row if row and row[0] else None
        since = (row[0] if row else timezone.now() - timedelta(hours=2)).isoformat()
        r = client.get("/api/v1/orders/catalogue/", {"updated_since": since, "page_size": 200})
        first = r.json()
        times = []
        for _ in range(pulls):
            t = time.perf_counter()
            r = client.get("/api/v1/orders/catalogue/", {"updated_since": since, "page_size": 200})
            times.append(time.perf_counter() - t)
            assert r.status_code == 200
        nxt = first.get("next")
        t = time.perf_counter()
        if nxt:
            client.get(nxt)
        next_ms = _ms(time.perf_counter() - t) if nxt else 0
        full_times = []
        for _ in range(20):
            t = time.perf_counter()
            client.get("/api/v1/orders/catalogue/", {"page_size": 200})
            full_times.append(time.perf_counter() - t)
        times.sort()
        p50, p95 = _ms(statistics.median(times)), _ms(times[int(len(times) * 0.95) - 1])
        hand, institution = [], self._his_institution()
        for _ in range(pulls):
            t = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(CATALOGUE_PAGE_SQL, {"since": since, "institution": institution})
                cur.fetchall()
            hand.append(time.perf_counter() - t)
        hand.sort()
        hand_p50, hand_p95 = _ms(statistics.median(hand)), _ms(hand[int(len(hand) * 0.95) - 1])
        out("2. Incremental catalogue pull for one institution (GET /api/v1/orders/catalogue/?updated_since=…, "
            "200 per page, prices in force + distributor)")
        out(f"   {pulls} pulls, {len(first['results'])} rows on the first page: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"(next page {next_ms:.1f} ms; full-catalogue first page p50 {_ms(statistics.median(full_times)):.1f} ms)"
            f"  target p95 ≤ 50 ms: {'OK' if p95 <= 50 else 'MISSED'}")
        out(f"   hand-written SQL floor (the page's 200 rows with product, maker and the city's distributor; "
            f"no prices in force, no JSON): p50 {hand_p50:.1f} ms, p95 {hand_p95:.1f} ms\n")
        return {"p50_ms": p50, "p95_ms": p95, "full_first_page_p50_ms": _ms(statistics.median(full_times)),
                "hand_p50_ms": hand_p50, "hand_p95_ms": hand_p95}

    def _his_institution(self):
        with connection.cursor() as cur:
            cur.execute("SELECT value FROM bench_meta WHERE key = 'institution'")
            return int(cur.fetchone()[0])

    # ------------------------------------------------------------------ 3. DEL-1

    def _no_sales(self, out):
        from orders import selectors
        from orders.services import no_sales

        today = timezone.localdate()
        cutoff = today - timedelta(days=365)

        def orm():
            return list(selectors.no_sales_candidates(today, 365).values_list("pk", flat=True))

        def sql():
            with connection.cursor() as cur:
                cur.execute(selectors.NO_SALES_SQL, {"cutoff": cutoff})
                return [r[0] for r in cur.fetchall()]

        def timed(fn, n=5):
            results, times = None, []
            for _ in range(n):
                t = time.perf_counter()
                results = fn()
                times.append(time.perf_counter() - t)
            return results, statistics.median(times)

        orm(), sql()  # warm caches
        a, t_orm = timed(orm)
        b, t_sql = timed(sql)
        assert set(a) == set(b), "the job's selection and the hand-written SQL disagree"
        with transaction.atomic():
            t = time.perf_counter()
            cases = no_sales.no_sales_detect(today)
            t_job = time.perf_counter() - t
            transaction.set_rollback(True)
        ratio = t_orm / t_sql if t_sql else float("inf")
        out("3. DEL-1 one-year no-sales job")
        out(f"   selection (job's ORM NOT EXISTS query) {_ms(t_orm):.1f} ms vs hand-written SQL {_ms(t_sql):.1f} ms "
            f"→ {ratio:.2f}×, {len(a):,} listings  target ≤ 1.5×: {'OK' if ratio <= 1.5 else 'MISSED'}")
        out(f"   whole detection step (select + {len(cases):,} guarded status changes via listing.set_status + cases; "
            f"rolled back) {_ms(t_job):.0f} ms\n")
        return {"job_ms": _ms(t_orm), "hand_sql_ms": _ms(t_sql), "ratio": ratio, "listings": len(a),
                "detection_ms": _ms(t_job)}

    # ------------------------------------------------------------------ 4. MON-1 monthly job

    def _monthly(self, out, repeat):
        from monitoring import bench as mon_bench

        month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)  # the last full month
        _ensure_flat_copy(out)
        parted = mon_bench.measure(month, repeat)
        out("4. MON-1…4 monthly online-procurement-rate job, partitioned receipt lines (one partition per month)")
        out(_indent(mon_bench.report(parted)))
        # The same job on the same rows in one plain table: swapped in under the table's name,
        # measured, and rolled back (DDL is transactional in PostgreSQL).
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(f"ALTER TABLE orders_receiptline RENAME TO {PARTED}")
                cur.execute(f"ALTER TABLE {FLAT} RENAME TO orders_receiptline")
            flat = mon_bench.measure(month, repeat)
            transaction.set_rollback(True)
        out("   the same on an unpartitioned copy (same rows, same indexes)")
        out(_indent(mon_bench.report(flat)))
        out(f"   partitioned vs unpartitioned: job {_ms(parted['monthly_job_s']):.0f} ms vs "
            f"{_ms(flat['monthly_job_s']):.0f} ms, hand SQL {_ms(parted['hand_sql_s']):.0f} ms vs "
            f"{_ms(flat['hand_sql_s']):.0f} ms\n")
        return parted, flat

    # ------------------------------------------------------------------ 5. VBP-6

    def _vbp(self, out, repeat):
        from vbp import bench as vbp_bench

        figures = vbp_bench.measure(repeat)
        out("5. VBP-6 monthly progress job and VBP-4 cap check")
        out(_indent(vbp_bench.report(figures)) + "\n")
        return figures


# What the catalogue page needs from the database, written by hand: the listings changed since
# the cursor (directly or through their product), with product, maker and the distributor the
# institution's city has for the maker (QUA-2), in the page's order.
CATALOGUE_PAGE_SQL = """
WITH changed AS (
    SELECT id FROM listing_listing WHERE updated_at > %(since)s
    UNION
    SELECT l.id FROM listing_listing l JOIN catalog_product p ON p.id = l.product_id WHERE p.updated_at > %(since)s
)
SELECT l.id, l.price, l.status, l.updated_at, p.national_code, p.generic_name, p.specification, p.pack_unit,
       m.name, d.name
FROM changed c JOIN listing_listing l ON l.id = c.id JOIN catalog_product p ON p.id = l.product_id
JOIN parties_organisation m ON m.id = p.manufacturer_id
LEFT JOIN qualifications_distributionrelationship r ON r.manufacturer_id = p.manufacturer_id AND r.status = 'active'
     AND r.city_id = (SELECT city_id FROM parties_organisation WHERE id = %(institution)s)
LEFT JOIN parties_organisation d ON d.id = r.distributor_id
ORDER BY l.updated_at, l.id
LIMIT 200
"""


def _insert_batch_by_hand(codes: list[str]) -> float:
    """The least database work of accepting a 1,000-line order: one order row and one INSERT …
    SELECT of its lines priced from the active listing (committed, like the API's). Seconds."""
    from orders.benchdata import insert_select
    from orders.models import Order, OrderLine
    from parties.models import User

    his = User.objects.select_related("organisation").get(username="bench_his")
    arr = "ARRAY[" + ",".join(f"'{c}'" for c in codes) + "]::text[]"  # generated codes: [A-Z0-9] only
    t = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        order = Order.objects.create(institution_id=his.organisation_id, number=f"HS{uuid.uuid4().hex[:16]}",
                                     created_by=his, source="api", status="submitted")
        insert_select(cur, OrderLine, {
            "order_id": str(order.pk), "line_no": "b.n", "product_id": "p.id", "listing_id": "l.id",
            "quantity": "1 + b.n % 20", "unit_price": "l.price", "amount": "round(l.price * (1 + b.n % 20), 2)",
            "price_source": "'listing'", "price_rule": "'ORD-1'", "status": "'submitted'",
            "ordered_on": "current_date",
            # QUA-2: the distributor the institution's city has for the maker
            "distributor_id": "(SELECT r.distributor_id FROM qualifications_distributionrelationship r "
                              "WHERE r.manufacturer_id = p.manufacturer_id AND r.status = 'active' "
                              f"AND r.city_id = {int(his.organisation.city_id)} ORDER BY r.id LIMIT 1)",
        }, f"unnest({arr}) WITH ORDINALITY AS b(code, n) JOIN catalog_product p ON p.national_code = b.code "
           "JOIN listing_listing l ON l.product_id = p.id AND l.status = 'active'")
    return time.perf_counter() - t


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())


def _ensure_flat_copy(out):
    """`bench_flat_receiptline`: every received line in one plain table with the partitioned
    table's indexes (the primary key on id alone, as before partitioning). Built once."""
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s) IS NOT NULL", [FLAT])
        if cur.fetchone()[0]:
            return
        t = time.perf_counter()
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'orders_receiptline'")
        indexes = cur.fetchall()
        cur.execute(f"CREATE TABLE {FLAT} (LIKE orders_receiptline INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cur.execute(f"INSERT INTO {FLAT} SELECT * FROM orders_receiptline")
        for name, definition in indexes:
            if name.endswith("_pkey"):
                cur.execute(f"ALTER TABLE {FLAT} ADD PRIMARY KEY (id)")
                continue
            definition = definition.replace(" ON ONLY public.orders_receiptline ", f" ON public.{FLAT} ")
            cur.execute(definition.replace(f"INDEX {name} ", f"INDEX flat_{name[:50]} ", 1))
        cur.execute(f"VACUUM ANALYZE {FLAT}")
        cur.execute("VACUUM ANALYZE orders_receiptline")
    out(f"   (unpartitioned copy of the receipt lines built in {time.perf_counter() - t:.0f} s)")


def _data_figures() -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM listing_listing")
        listings = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM orders_orderline")
        lines = cur.fetchone()[0]
        cur.execute("SELECT value FROM bench_meta WHERE key = 'generated_s'")
        generated = cur.fetchone()
    return {"listings": listings, "order_lines": lines, "generated_s": int(generated[0]) if generated else None}


def _disk_figures() -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
        # the three partitioned line tables with every partition's indexes (the unpartitioned
        # copy of section 4 is in the database's size too, and shown on its own)
        cur.execute("SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits "
                    "WHERE inhparent IN ('orders_orderline'::regclass, 'orders_deliveryline'::regclass, "
                    "'orders_receiptline'::regclass)")
        line_tables = cur.fetchone()[0]
        cur.execute("SELECT COALESCE(pg_total_relation_size(to_regclass(%s)), 0)", [FLAT])
        flat = cur.fetchone()[0]
    return {"database_bytes": size, "line_tables_bytes": int(line_tables or 0), "flat_copy_bytes": flat}


def _saved_figures() -> list[dict]:
    return sorted((json.loads(p.read_text()) for p in FIGURES_DIR.glob("figures-scale-*.json")),
                  key=lambda f: f["scale"])


def side_by_side(runs: list[dict]) -> str:
    """Every saved scale's figures in one table, a column per scale."""
    def gib(n):
        return f"{n / 2**30:.1f} GiB" if n else "—"

    rows = [
        ("order lines", lambda f: f"{f['order_lines']:,}"),
        ("measured at (UTC), load before/after", lambda f: f"{f['started'][:16]} {f['load_before']:.1f}/{f['load_after']:.1f}"),
        ("data generated in", lambda f: f"{f['generated_s'] / 60:.0f} min" if f.get("generated_s") else "—"),
        ("database on disk", lambda f: gib(f["database_bytes"])),
        ("  of which line tables (3, with indexes)", lambda f: gib(f["line_tables_bytes"])),
        ("  of which unpartitioned receipt-line copy", lambda f: gib(f["flat_copy_bytes"])),
        ("1. ingestion, lines/s (batch p50)", lambda f: f"{f['ingestion']['lines_per_s']:,.0f} ({f['ingestion']['batch_p50_ms']:.0f} ms)"),
        ("   hand-written SQL floor, lines/s", lambda f: f"{f['ingestion']['hand_lines_per_s']:,.0f} ({f['ingestion']['hand_batch_p50_ms']:.0f} ms)"),
        ("2. catalogue pull p50 / p95", lambda f: f"{f['catalogue']['p50_ms']:.1f} / {f['catalogue']['p95_ms']:.1f} ms"),
        ("   hand-written SQL floor p50 / p95", lambda f: f"{f['catalogue']['hand_p50_ms']:.1f} / {f['catalogue']['hand_p95_ms']:.1f} ms"),
        ("3. DEL-1 selection vs hand SQL", lambda f: f"{f['no_sales']['job_ms']:.0f} vs {f['no_sales']['hand_sql_ms']:.0f} ms ({f['no_sales']['ratio']:.2f}×)"),
        ("4. MON-1 receipt lines in the month", lambda f: f"{f['monthly']['receipt_lines']:,}"),
        ("   monthly job vs hand SQL, partitioned", lambda f: _vs(f["monthly"])),
        ("   monthly job vs hand SQL, unpartitioned", lambda f: _vs(f["monthly_unpartitioned"])),
        ("5. VBP-6 contract lines", lambda f: f"{f['vbp']['contract_lines']:,}"),
        ("   progress job vs hand SQL", lambda f: f"{f['vbp']['job_s']:.2f} vs {f['vbp']['hand_sql_s']:.2f} s ({f['vbp']['ratio']:.2f}×)"),
        ("   VBP-4 cap check per 1,000 lines", lambda f: f"{f['vbp']['cap_check_ms']:.1f} ms"),
    ]
    head = ["scale"] + [f"{f['scale']:g}" for f in runs]
    table = [head] + [[label] + [fn(f) for f in runs] for label, fn in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in table)


def _vs(m: dict) -> str:
    return f"{m['monthly_job_s'] * 1000:.0f} vs {m['hand_sql_s'] * 1000:.0f} ms ({m['ratio_job']:.2f}×)"

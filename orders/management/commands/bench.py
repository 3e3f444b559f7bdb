"""`make bench` → `manage.py bench`: province-scale figures for orders, on a separate database.

Creates (once) the database `procurement_bench` beside the demo database, migrates it,
fills it with `orders.benchdata.generate(scale)` and prints:

1. order ingestion through the HIS API (batches of 1,000 lines with Idempotency-Key;
   lines/s; target ≥ 2,000);
2. the incremental catalogue pull of one institution (p50/p95 ms; target p95 ≤ 50 ms);
3. the DEL-1 no-sales job's selection vs a hand-written SQL query doing the same selection
   (target within 1.5×), and the whole detection step (rolled back, so it is repeatable).

Figures are printed, not asserted. `--scale 0.05` makes a quick small run; `--regenerate`
drops and rebuilds the bench database."""

import statistics
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, connections, transaction
from django.test import Client, override_settings
from django.utils import timezone


def _admin_cursor():
    """A connection to the server's maintenance DB (CREATE/DROP DATABASE need autocommit)."""
    import psycopg2

    s = settings.DATABASES["default"]
    conn = psycopg2.connect(dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"],
                            port=s["PORT"])
    conn.autocommit = True
    return conn


def _use_database(name):
    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name
    connections["default"].settings_dict["NAME"] = name


def _ms(seconds):
    return seconds * 1000


class Command(BaseCommand):
    help = "Province-scale benchmark of orders (separate database procurement_bench)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0,
                            help="1.0 = 1,500 institutions, 100,000 listings, 10 million order lines")
        parser.add_argument("--database", default="procurement_bench")
        parser.add_argument("--regenerate", action="store_true", help="drop and rebuild the bench database")
        parser.add_argument("--batches", type=int, default=10, help="API order batches of 1,000 lines")
        parser.add_argument("--pulls", type=int, default=200, help="incremental catalogue pulls")

    def handle(self, *args, scale, database, regenerate, batches, pulls, **options):
        out = self.stdout.write
        if database == settings.DATABASES["default"]["NAME"]:
            raise SystemExit("Refusing to benchmark on the main database")
        template = f"{database}_migrated"
        admin = _admin_cursor()
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
        _use_database(database)
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
                cur.execute("INSERT INTO bench_meta VALUES ('scale', %s), ('institution', %s)",
                            [str(scale), str(result["institution_id"])])
        else:
            out(f"Using existing bench data (scale {row[0]}; --regenerate to rebuild)")
            if float(row[0]) != scale:
                out(f"  note: --scale {scale} ignored; the data was generated at scale {row[0]}")

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM orders_orderline")
            n_lines = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM listing_listing")
            n_listings = cur.fetchone()[0]
            cur.execute("SELECT value FROM bench_meta WHERE key = 'institution'")
            institution_id = int(cur.fetchone()[0])
        out(f"Data: {n_listings:,} listings, {n_lines:,} order lines\n")

        overrides = {
            "DEBUG": False, "ALLOWED_HOSTS": ["*"],
            "REST_FRAMEWORK": {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "1000000/min"}},
        }
        with override_settings(**overrides):
            self._ingestion(out, batches)
            self._catalogue(out, pulls)
            self._no_sales(out)
        del institution_id

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
        out("1. Order ingestion through the HIS API (POST /api/v1/orders/, 1,000 lines per batch, Idempotency-Key)")
        out(f"   {batches} batches, {total_lines:,} lines in {elapsed:.2f} s → {rate:,.0f} lines/s "
            f"(batch p50 {_ms(statistics.median(times)):.0f} ms, max {_ms(max(times)):.0f} ms)  "
            f"target ≥ 2,000 lines/s: {'OK' if rate >= 2000 else 'MISSED'}\n")

    # ------------------------------------------------------------------ 2. catalogue

    def _catalogue(self, out, pulls):
        from orders.benchdata import BENCH_TOKEN

        client = Client(HTTP_AUTHORIZATION=f"Token {BENCH_TOKEN}")
        # "Changes since the last pull" = the 500 most recently changed listings, wherever the
        # clock stands now (the data may have been generated hours or days ago).
        with connection.cursor() as cur:
            cur.execute("SELECT updated_at FROM listing_listing ORDER BY updated_at DESC OFFSET 500 LIMIT 1")
            row = cur.fetchone()
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
        out("2. Incremental catalogue pull for one institution (GET /api/v1/orders/catalogue/?updated_since=…, "
            "200 per page, prices in force + distributor)")
        out(f"   {pulls} pulls, {len(first['results'])} rows on the first page: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
            f"(next page {next_ms:.1f} ms; full-catalogue first page p50 {_ms(statistics.median(full_times)):.1f} ms)"
            f"  target p95 ≤ 50 ms: {'OK' if p95 <= 50 else 'MISSED'}\n")

    # ------------------------------------------------------------------ 3. DEL-1

    def _no_sales(self, out):
        from orders import selectors

        from .services import no_sales

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

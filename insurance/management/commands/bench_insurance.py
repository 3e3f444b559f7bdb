"""Benchmark the yearly payment-standard run (INS-1) at province scale: 100,000 drugs in the
insurance catalogue with 1,000,000 confirmed negotiation results, against hand-written SQL
that computes the same INS-1 standards (volume-weighted mean of last year's results, capped
at the year-end listing price) and writes them to a table.

Runs in its own database (procurement_bench_insurance), generated once with the negotiation
benchmark's deterministic generator. Prints figures; asserts nothing."""

import os
import statistics
import subprocess
import sys
import time

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from negotiation.management.commands import bench_zones

BENCH_DB = "procurement_bench_insurance"
YEAR = 2027  # the generator's results fall in 2025-11 … 2026-10: 2026 is "last year"

HAND_SQL = """
DROP TABLE IF EXISTS bench_hand_standard;
CREATE UNLOGGED TABLE bench_hand_standard AS
WITH res AS (
    SELECT product_id, SUM(unit_price * quantity) / SUM(quantity) AS mean
      FROM negotiation_negotiationresult
     WHERE confirmed_at >= %(start)s AND confirmed_at < %(end)s AND quantity > 0
  GROUP BY product_id
), price AS (
    SELECT DISTINCT ON (l.product_id) l.product_id,
           COALESCE((SELECT c.new_price FROM listing_listingpricechange c WHERE c.listing_id = l.id
                      AND c.effective_date <= %(on)s ORDER BY c.effective_date DESC, c.id DESC LIMIT 1), l.price) AS price
      FROM listing_listing l WHERE l.effective_date <= %(on)s AND l.status <> 'delisted'
  ORDER BY l.product_id, l.effective_date DESC, l.id DESC
)
SELECT p.id AS product_id,
       round(CASE WHEN res.mean IS NULL THEN price.price ELSE LEAST(res.mean, COALESCE(price.price, res.mean)) END, 4)
         AS amount
  FROM catalog_product p
  JOIN insurance_catalogueentry e ON e.product_id = p.id
  LEFT JOIN res ON res.product_id = p.id
  LEFT JOIN price ON price.product_id = p.id
 WHERE p.kind = 'drug';
"""


class Command(BaseCommand):
    help = "Benchmark the INS-1 payment-standard run (100k products, 1M results) against hand-written SQL."

    def add_arguments(self, parser):
        parser.add_argument("--results", type=int, default=1_000_000)
        parser.add_argument("--products", type=int, default=100_000)
        parser.add_argument("--institutions", type=int, default=1_500)
        parser.add_argument("--manufacturers", type=int, default=300)
        parser.add_argument("--repeat", type=int, default=2)
        parser.add_argument("--child", action="store_true", help=BENCH_DB)

    def handle(self, *args, **opts):
        if not opts["child"]:
            return self._spawn(opts)
        self._ensure_data(opts)
        self._measure(opts)

    def _spawn(self, opts):
        import psycopg2

        url = dj_database_url.parse(os.environ.get("DATABASE_URL", "") or bench_zones._default_url())
        admin = psycopg2.connect(dbname="postgres", user=url["USER"], password=url["PASSWORD"], host=url["HOST"],
                                 port=url["PORT"])
        admin.autocommit = True
        with admin.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{BENCH_DB}"')
        admin.close()
        env = {**os.environ, "DATABASE_URL": bench_zones._url_with_db(url, BENCH_DB)}
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        argv = [f"--{k}={opts[k]}" for k in ("results", "products", "institutions", "manufacturers", "repeat")]
        subprocess.run([*manage, "bench_insurance", "--child", *argv], env=env, check=True)

    def _ensure_data(self, opts):
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM negotiation_negotiationresult")
            have = cur.fetchone()[0]
        if have:
            self.stdout.write(f"insurance bench: reusing {have:,} results in {BENCH_DB}")
            return
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # no audit triggers for synthetic rows
            user = bench_zones._bulk_parties_and_listings(opts)
            cur.execute(bench_zones.GENERATE, {"results": opts["results"], "products": opts["products"],
                                               "institutions": opts["institutions"], "user": user.pk})
            cur.execute("""INSERT INTO insurance_catalogueentry (product_id, category, valid_from, valid_to,
                               recorded_by_id, recorded_at)
                           SELECT id, 'B', DATE '2020-01-01', NULL, %s, now() FROM catalog_product
                            WHERE generic_name LIKE 'bench-product-%%'""", [user.pk])
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        self.stdout.write(f"insurance bench: generated {opts['results']:,} results in "
                          f"{time.perf_counter() - started:.0f} s")

    def _measure(self, opts):
        from datetime import date, datetime
        from datetime import time as dtime

        from django.utils import timezone

        from insurance.models import PaymentStandard, StandardRun
        from insurance.services import standards
        from parties.models import User

        user = User.objects.get(username="bench")
        params = {"start": timezone.make_aware(datetime(YEAR - 1, 1, 1)),
                  "end": timezone.make_aware(datetime.combine(date(YEAR, 1, 1), dtime())), "on": date(YEAR - 1, 12, 31)}
        hand, ours, digests = [], [], set()
        for _ in range(opts["repeat"]):
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(HAND_SQL, params)
            hand.append(time.perf_counter() - t0)
            with transaction.atomic(), connection.cursor() as cur:
                # Each measured run starts clean (published standards are never deleted on the
                # platform; the bench database is synthetic).
                cur.execute("SET LOCAL session_replication_role = replica")
                PaymentStandard.objects.all().delete()
                StandardRun.objects.all().delete()
            run = StandardRun.objects.create(year=YEAR, version=1, started_by=user)
            t0 = time.perf_counter()
            run = standards.run_execute(run.pk)
            ours.append(time.perf_counter() - t0)
            digests.add(run.digest)
        with connection.cursor() as cur:
            cur.execute("""SELECT COUNT(*) FROM bench_hand_standard h JOIN insurance_paymentstandard s
                             ON s.product_id = h.product_id WHERE s.amount IS DISTINCT FROM h.amount""")
            differ = cur.fetchone()[0]
        h, o = statistics.median(hand), statistics.median(ours)
        self.stdout.write(
            f"INS-1 payment-standard run: {run.total:,} products, {opts['results']:,} results\n"
            f"  hand-written SQL (compute + write):      {h:6.2f} s (median of {opts['repeat']})\n"
            f"  standards.run_execute (with explanations): {o:6.2f} s -> ratio {o / h:.2f}x (target <= 1.5x)\n"
            f"  same amounts as the hand SQL: {'yes' if differ == 0 else f'NO ({differ} differ)'}; "
            f"identical digest on every run: {'yes' if len(digests) == 1 else 'NO'}"
        )

"""Benchmark the yearly payment-standard run (INS-1) at province scale: 100,000 drugs in the
insurance catalogue with 1,000,000 confirmed negotiation results, against hand-written SQL
that computes the same INS-1 standards (volume-weighted mean of last year's results, capped
at the year-end listing price) and writes them to a table.

Runs in its own database (procurement_bench_insurance), generated once with the negotiation
benchmark's deterministic generator. Prints figures; asserts nothing."""

import statistics
import time

from django.db import connection, transaction

from core.bench import BenchCommand
from negotiation.management.commands import bench_zones

BENCH_DB = "procurement_bench_insurance"
YEAR = 2027  # the generator's results fall in 2025-11 … 2026-10: 2026 is "last year"

# The hand-written SQL writes what a standard row holds except the explanation — run, year,
# product, rule, method, computed amount, amount, payable, status — one row per product, in
# one transaction, into a logged table (WAL like the real one) with the real table's
# constraints: primary key, UNIQUE (run, product), and foreign keys to the run and the product,
# deferred to the commit as Django creates them. What it does not write, and the run does: the
# explanation (inputs, steps, the parameters' reference) as JSONB, the digest, the run's status
# and progress, and the special cases computed in Python (none in the bench data).
# `--hand-without-fk` drops the two foreign keys (the comparison measured before 2026-11-30 wrote
# two columns into an UNLOGGED table with no index at all).
HAND_TABLE = """
CREATE TABLE bench_hand_standard (
    id bigserial PRIMARY KEY,
    run_id bigint NOT NULL {run_fk},
    year smallint NOT NULL,
    product_id bigint NOT NULL {product_fk},
    rule varchar(12) NOT NULL, method varchar(60) NOT NULL, computed_amount numeric(14, 4),
    amount numeric(14, 4), payable boolean NOT NULL, status varchar(12) NOT NULL,
    UNIQUE (run_id, product_id));
"""
FK = "REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"

HAND_SQL = """
INSERT INTO bench_hand_standard (run_id, year, product_id, rule, method, computed_amount, amount, payable, status)
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
), std AS (
    SELECT p.id AS product_id,
           CASE WHEN res.mean IS NULL THEN 'cap_without_results'
                WHEN res.mean > price.price THEN 'weighted_mean_capped' ELSE 'weighted_mean' END AS method,
           round(CASE WHEN res.mean IS NULL THEN price.price ELSE LEAST(res.mean, COALESCE(price.price, res.mean)) END,
                 4) AS amount
      FROM catalog_product p
      JOIN insurance_catalogueentry e ON e.product_id = p.id
      LEFT JOIN res ON res.product_id = p.id
      LEFT JOIN price ON price.product_id = p.id
     WHERE p.kind = 'drug'
)
SELECT %(run)s, %(year)s, product_id, 'INS-1', method, amount, amount, TRUE, 'draft' FROM std
"""


class Command(BenchCommand):
    help = "Benchmark the INS-1 payment-standard run (100k products, 1M results) against hand-written SQL."

    command, bench_db = "bench_insurance", BENCH_DB

    def add_arguments(self, parser):
        super().add_arguments(parser)
        bench_zones.add_size_arguments(parser, repeat=2)
        parser.add_argument("--hand-without-fk", action="store_true",
                            help="the hand SQL's table without the real table's two foreign keys")
        parser.add_argument("--db", default=BENCH_DB, help="database of the generated data (one per size)")

    def database(self, opts):
        return opts["db"]

    def child_argv(self, opts):
        argv = [f"--{k}={opts[k]}" for k in bench_zones.SIZE_OPTIONS]
        return argv + (["--hand-without-fk"] if opts["hand_without_fk"] else [])


    def _ensure_data(self, opts):
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM negotiation_negotiationresult")
            have = cur.fetchone()[0]
        if have:
            self.stdout.write(f"insurance bench: reusing {have:,} results in {connection.settings_dict['NAME']}")
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

        from insurance.models import StandardRun
        from insurance.services import standards
        from parties.models import User

        user = User.objects.get(username="bench")
        params = {"start": timezone.make_aware(datetime(YEAR - 1, 1, 1)),
                  "end": timezone.make_aware(datetime.combine(date(YEAR, 1, 1), dtime())), "on": date(YEAR - 1, 12, 31)}
        fks = ({"run_fk": "", "product_fk": ""} if opts["hand_without_fk"] else
               {"run_fk": FK.format(table="insurance_standardrun"), "product_fk": FK.format(table="catalog_product")})
        hand, ours, digests = [], [], set()
        for _ in range(opts["repeat"]):
            with transaction.atomic(), connection.cursor() as cur:
                # Both start from empty tables, outside the timing (published standards are
                # never deleted on the platform; the bench database is synthetic).
                cur.execute("DROP TABLE IF EXISTS bench_hand_standard")
                cur.execute("TRUNCATE insurance_paymentstandard, insurance_paymentstandardevent, "
                            "insurance_standardrun, insurance_standardrunevent")
                cur.execute(HAND_TABLE.format(**fks))
            run = StandardRun.objects.create(year=YEAR, version=1, started_by=user)
            t0 = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(HAND_SQL, {**params, "run": run.pk, "year": YEAR})
            hand.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            run = standards.run_execute(run.pk)
            ours.append(time.perf_counter() - t0)
            digests.add(run.digest)
        with connection.cursor() as cur:
            cur.execute("""SELECT COUNT(*) FROM bench_hand_standard h JOIN insurance_paymentstandard s
                             ON s.product_id = h.product_id WHERE s.amount IS DISTINCT FROM h.amount""")
            differ = cur.fetchone()[0]
            cur.execute("SELECT (SELECT COUNT(*) FROM bench_hand_standard), (SELECT COUNT(*) FROM insurance_paymentstandard)")
            hand_rows, run_rows = cur.fetchone()
        h, o = statistics.median(hand), statistics.median(ours)
        self.stdout.write(
            f"INS-1 payment-standard run: {run.total:,} products, {opts['results']:,} results\n"
            f"  hand-written SQL (compute + write {hand_rows:,} rows{', no FKs' if opts['hand_without_fk'] else ''}): "
            f"{h:6.2f} s (median of {opts['repeat']})\n"
            f"  standards.run_execute ({run_rows:,} rows with explanations): {o:6.2f} s -> ratio {o / h:.2f}x (target <= 1.5x)\n"
            f"  same amounts as the hand SQL: {'yes' if differ == 0 else f'NO ({differ} differ)'}; "
            f"identical digest on every run: {'yes' if len(digests) == 1 else 'NO'}"
        )

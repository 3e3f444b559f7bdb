"""Benchmark ZON-2 zone recomputation at province scale: 1,000,000 confirmed results over
100,000 products, against a hand-written SQL query computing the same quantiles.

Runs against its own database (procurement_bench_zones, created and migrated on first use)
so the demo database stays small. Data is generated in SQL (generate_series, seeded
setseed) with triggers off, so the set is deterministic and fast to build. Prints figures;
asserts nothing (performance is measured here, never in unit tests)."""

import statistics
import time
from datetime import date

from django.db import connection, transaction

from core.bench import BenchCommand

BENCH_DB = "procurement_bench_zones"
AT = date(2026, 11, 1)

# Proposals and results (this app's own tables) are generated in SQL; parties, products and
# listings through the ORM so that columns other apps add keep their defaults.
GENERATE = """
SELECT setseed(0.2026);
CREATE TEMP TABLE bench_inst AS
  SELECT id, row_number() OVER (ORDER BY id) AS n FROM parties_organisation WHERE name LIKE 'bench-inst-%%';
CREATE TEMP TABLE bench_prod AS
  SELECT p.id, p.manufacturer_id, l.id AS listing_id, l.price, row_number() OVER (ORDER BY p.id) AS n
  FROM catalog_product p JOIN listing_listing l ON l.product_id = p.id WHERE p.generic_name LIKE 'bench-product-%%';
CREATE TEMP TABLE bench_rows AS
SELECT g AS n, 1 + floor(random() * %(products)s)::int AS p, 1 + floor(random() * %(institutions)s)::int AS i,
       round((0.6 + random() * 0.4)::numeric, 4) AS f, 1 + floor(random() * 1000)::int AS q,
       timestamptz '2025-11-05' + random() * interval '360 days' AS t
FROM generate_series(1, %(results)s) g;
INSERT INTO negotiation_proposal (due_start, due_days, due, due_provisional, institution_id, group_id, listing_id,
    product_id, manufacturer_id, listing_price, unit_price, quantity, evidence_price, evidence_note, evidence_file,
    evidence_review, contest_reason, evidence_decision_note,
    path, rule, zone_at_proposal, status, note, created_by_id, created_at, decided_at, decided_by_id, decision_reason)
SELECT NULL, NULL, NULL, false, bi.id, NULL, bp.listing_id, bp.id, bp.manufacturer_id, bp.price,
       round(bp.price * r.f, 4), r.q, NULL, '', '', '', '', '',
       'enterprise', 'NEG-3', '', 'confirmed', '', %(user)s, r.t, r.t, NULL, ''
FROM bench_rows r JOIN bench_prod bp ON bp.n = r.p JOIN bench_inst bi ON bi.n = r.i
ORDER BY r.n;
INSERT INTO negotiation_negotiationresult (proposal_id, institution_id, product_id, manufacturer_id, unit_price,
    quantity, confirmed_at, zone, zone_reason, zone_computed_at, superseded_at)
SELECT id, institution_id, product_id, manufacturer_id, unit_price, quantity, created_at, '', '', NULL, created_at
FROM negotiation_proposal;
"""


def _bulk_parties_and_listings(opts):
    """1,500 institutions, 300 manufacturers, 100,000 products each listed once (ORM, in bulk)."""
    from catalog.models import Product
    from listing.models import Listing
    from parties.models import Organisation, Region, User

    cities = list(Region.objects.filter(level="city").order_by("code"))
    Organisation.objects.bulk_create(
        [Organisation(name=f"bench-inst-{i}", kind="institution", city=cities[i % 13], level=1 + i % 3,
                      ownership="public") for i in range(1, opts["institutions"] + 1)], batch_size=5000)
    makers = Organisation.objects.bulk_create(
        [Organisation(name=f"bench-mfr-{i}", kind="manufacturer") for i in range(1, opts["manufacturers"] + 1)])
    user = User.objects.create_user(username="bench", password=None, is_superuser=True)
    for start in range(0, opts["products"], 10_000):
        products = Product.objects.bulk_create([
            Product(kind="drug", generic_name=f"bench-product-{i}", dosage_form="片剂", specification=f"{i}mg",
                    manufacturer=makers[i % len(makers)])
            for i in range(start + 1, min(start + 10_000, opts["products"]) + 1)
        ])
        Listing.objects.bulk_create([
            Listing(product=p, price=10 + (p.pk % 90), category="LST-1", effective_date=date(2026, 1, 1))
            for p in products
        ])
    return user


# The same quantiles written by hand, as a plain read: the yardstick for zones.recompute.
HAND_SQL = """
SELECT product_id,
       MIN(unit_price) FILTER (WHERE c >= t * 0.5) AS p50,
       MIN(unit_price) FILTER (WHERE c >= t * 0.8) AS p80,
       MIN(unit_price) AS lowest, COUNT(DISTINCT institution_id) AS institutions
FROM (
    SELECT r.product_id, r.institution_id, r.unit_price,
           SUM(r.quantity) OVER (PARTITION BY r.product_id ORDER BY r.unit_price, r.id) AS c,
           SUM(r.quantity) OVER (PARTITION BY r.product_id) AS t
    FROM negotiation_negotiationresult r JOIN parties_organisation o ON o.id = r.institution_id
    WHERE r.confirmed_at >= %(since)s AND r.confirmed_at < %(until)s AND o.level >= 2
) x GROUP BY product_id
"""


# The synthetic data set's size: the insurance bench generates the same data with the same options.
SIZE_OPTIONS = ("results", "products", "institutions", "manufacturers", "repeat")


def add_size_arguments(parser, *, repeat):
    parser.add_argument("--results", type=int, default=1_000_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--institutions", type=int, default=1_500)
    parser.add_argument("--manufacturers", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=repeat)


class Command(BenchCommand):
    help = "Benchmark ZON-2 zone recomputation (1M results, 100k products) against hand-written SQL."

    command, bench_db = "bench_zones", BENCH_DB

    def add_arguments(self, parser):
        super().add_arguments(parser)
        add_size_arguments(parser, repeat=3)

    def child_argv(self, opts):
        return [f"--{k}={opts[k]}" for k in SIZE_OPTIONS]


    def _ensure_data(self, opts):
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM negotiation_negotiationresult")
            have = cur.fetchone()[0]
        if have == opts["results"]:
            self.stdout.write(f"zones bench: reusing {have:,} results in {BENCH_DB}")
            return
        if have:
            self.stdout.write("zones bench: data of another size present; drop the database to regenerate")
            opts["results"] = have
            return
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # no audit triggers for synthetic rows
            user = _bulk_parties_and_listings(opts)
            cur.execute(GENERATE, {"results": opts["results"], "products": opts["products"],
                                   "institutions": opts["institutions"], "user": user.pk})
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        self.stdout.write(f"zones bench: generated {opts['results']:,} results in {time.perf_counter() - started:.0f} s")

    def _measure(self, opts):
        from negotiation import zones

        params = zones.parameters(AT)
        from dateutil.relativedelta import relativedelta
        from django.utils import timezone

        until = timezone.make_aware(timezone.datetime.combine(AT + relativedelta(days=1), timezone.datetime.min.time()))
        since = until - relativedelta(months=params["months"])
        t0 = time.perf_counter()
        zones.recompute(at=AT)  # first full run classifies every result
        first_full = time.perf_counter() - t0
        hand, ours, full = [], [], []
        for _ in range(opts["repeat"]):
            t0 = time.perf_counter()
            with connection.cursor() as cur:
                cur.execute(HAND_SQL, {"since": since, "until": until})
                rows = cur.fetchall()
            hand.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            zones.recompute(at=AT, classify_results=False)
            ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            zones.recompute(at=AT)
            full.append(time.perf_counter() - t0)
        h, o, f = statistics.median(hand), statistics.median(ours), statistics.median(full)
        self.stdout.write(
            f"ZON-2 zone recomputation: {opts['results']:,} results, {len(rows):,} products with results\n"
            f"  hand-written SQL quantiles (read only):        {h:6.2f} s (median of {opts['repeat']})\n"
            f"  zones.recompute thresholds (stored per product): {o:6.2f} s -> ratio {o / h:.2f}x (target <= 1.5x)\n"
            f"  nightly run incl. classifying results:          {f:6.2f} s (first run, classifying all: "
            f"{first_full:.2f} s)"
        )


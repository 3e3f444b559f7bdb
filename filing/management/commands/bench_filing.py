"""`make bench` → `manage.py bench_filing`: the price in force with filings at province scale.

Runs on the bench database that `manage.py bench` builds (procurement_bench). Adds once
20,000 confirmed filings of 2,000 unlisted consumables by the bench institutions (each
product filed by 10 institutions: "several institutions may file together"), then prints:

1. the bulk price-in-force lookup for one institution and 20 products (its own filed products,
   other institutions' filed products and listed ones) — p50/p95 over 300 institutions;
2. the HIS incremental catalogue pull again (p95 must stay ≤ 50 ms with the filing provider
   registered: listed products never reach it).

Figures are printed, not asserted."""

import random
import statistics
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from core.bench import use_database
from orders.management.commands.bench import Command as OrdersBench
from orders.management.commands.bench import _ms

FILINGS, PRODUCTS, PER_PRODUCT = 20_000, 2_000, 10


def _p95(times):
    times = sorted(times)
    return times[max(0, int(len(times) * 0.95) - 1)]


class Command(BaseCommand):
    help = "Price in force with 20,000 filings (run `manage.py bench` first: it builds the bench database)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="procurement_bench")
        parser.add_argument("--pulls", type=int, default=200)

    def handle(self, *args, database, pulls, **options):
        out = self.stdout.write
        if database == settings.DATABASES["default"]["NAME"]:
            raise SystemExit("Refusing to benchmark on the main database")
        use_database(database)
        from catalog.models import Product
        from filing.models import FilingRequest
        from orders.pricing import prices_in_force
        from parties.models import Organisation, User

        institutions = list(Organisation.objects.filter(kind="institution").order_by("id").values_list("id", flat=True))
        if not institutions:
            raise SystemExit("No bench data: run `manage.py bench` first")
        if not FilingRequest.objects.exists():
            out(f"Adding {FILINGS:,} filings of {PRODUCTS:,} unlisted consumables …")
            maker = Organisation.objects.filter(kind="manufacturer").order_by("id").first()
            user = User.objects.order_by("id").first()
            today = timezone.localdate()
            with transaction.atomic():
                products = Product.objects.bulk_create([
                    Product(kind="consumable", national_code=f"C99{n:024d}", generic_name=f"基准备案耗材{n}",
                            specification="1", consumable_class="hv6", manufacturer=maker) for n in range(PRODUCTS)
                ], batch_size=1000)
                FilingRequest.objects.bulk_create([
                    FilingRequest(number=f"BENCH{p * PER_PRODUCT + j:09d}", kind="high_value",
                                  institution_id=institutions[(p * PER_PRODUCT + j) % len(institutions)],
                                  product=products[p], enterprise=maker, price=100 + p % 50, quantity=10,
                                  status="confirmed", confirmed_on=today - timedelta(days=30),
                                  confirming_body="province", submitted_by=user)
                    for p in range(PRODUCTS) for j in range(PER_PRODUCT)
                ], batch_size=2000)
            with connection.cursor() as cur:
                cur.execute("ANALYZE filing_filingrequest")
        n = FilingRequest.objects.count()
        filed = list(FilingRequest.objects.order_by("id").values_list("institution_id", "product_id"))
        own: dict[int, list[int]] = {}
        for inst, pid in filed:
            own.setdefault(inst, []).append(pid)
        listed = list(Product.objects.filter(listings__status="active").order_by("id").values_list("id", flat=True)[:5000])
        rng = random.Random(2026)
        sample = rng.sample(sorted(own), min(300, len(own)))
        institutions_by_id = Organisation.objects.in_bulk(sample)
        times, hits = [], 0
        for inst_id in sample:
            products = own[inst_id][:5] + [pid for _i, pid in rng.sample(filed, 5)] + rng.sample(listed, min(10, len(listed)))
            t = time.perf_counter()
            quotes = prices_in_force(institutions_by_id[inst_id], products)
            times.append(time.perf_counter() - t)
            hits += sum(1 for q in quotes.values() if q.source == "filing")
        out(f"Data: {n:,} filings, {len(institutions):,} institutions\n")
        out("1. Price in force, 20 products per lookup (own filed, others' filed, listed)")
        out(f"   {len(sample)} institutions: p50 {_ms(statistics.median(times)):.1f} ms, p95 {_ms(_p95(times)):.1f} ms; "
            f"{hits} filed prices found (own filings only)\n")
        overrides = {
            "DEBUG": False, "ALLOWED_HOSTS": ["*"],
            "REST_FRAMEWORK": {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"client": "1000000/min"}},
        }
        with override_settings(**overrides):
            OrdersBench(stdout=self.stdout)._catalogue(out, pulls)

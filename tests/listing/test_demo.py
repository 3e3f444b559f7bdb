"""Demo data: most demo products listed, applications in each status, idempotent."""

import pytest
import time_machine

from catalog.models import Product
from listing.models import ApplicationStatus, Listing, ListingApplication

pytestmark = pytest.mark.django_db


def test_load_demo_lists_most_products_and_is_idempotent():
    from catalog.demo import load_demo as catalog_demo
    from listing.demo import load_demo
    from parties.demo import load_demo as parties_demo

    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        parties_demo()
        catalog_demo()
        load_demo()
        coded = Product.objects.filter(national_code__isnull=False).count()
        listed = Listing.objects.count()
        assert listed >= coded * 0.7
        statuses = set(ListingApplication.objects.values_list("status", flat=True))
        assert statuses >= {ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED, ApplicationStatus.CONFIRMED,
                            ApplicationStatus.REFUSED, ApplicationStatus.EFFECTIVE, ApplicationStatus.WITHDRAWN}
        assert Listing.objects.filter(status="suspended", status_rule="DEL-2").exists()
        apps = ListingApplication.objects.count()
        load_demo()
        assert (Listing.objects.count(), ListingApplication.objects.count()) == (listed, apps)
        # realistic prices: every listing is priced at (or below) its national lowest
        for listing in Listing.objects.filter(product__kind="drug").exclude(category="LST-3.1")[:10]:
            low = listing.product.other_prices.order_by("price").first()
            assert low is None or listing.price <= low.price

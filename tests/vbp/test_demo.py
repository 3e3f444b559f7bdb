"""The VBP demo loader: a published national batch with signed contracts; loading twice adds nothing."""

import pytest

from vbp.models import Contract, Prepayment, Tender

pytestmark = pytest.mark.django_db


def test_vbp_demo_loads_once():
    from catalog.demo import load_demo as catalog_demo
    from listing.demo import load_demo as listing_demo
    from orders.demo import load_demo as orders_demo
    from parties.demo import load_demo as parties_demo
    from vbp.demo import load_demo

    parties_demo()
    catalog_demo()
    for loader in (listing_demo, orders_demo):
        loader()
    load_demo()
    counts = (Tender.objects.count(), Contract.objects.count(), Prepayment.objects.count())
    assert counts[0] == 1 and counts[1] >= 3
    assert Contract.objects.filter(status="signed").count() == counts[1]
    assert counts[2] >= counts[1]
    load_demo()
    assert (Tender.objects.count(), Contract.objects.count(), Prepayment.objects.count()) == counts

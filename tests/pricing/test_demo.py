"""Demo data loads, and loads again without duplicating anything."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from catalog.models import Product
from experts.models import ExpertDraw, ExpertProfile, ExpertSession
from listing.models import Listing
from parties.demo import load_demo as load_parties
from parties.models import Organisation
from pricing.models import Complaint, LinkageCase, LinkageStatus


@pytest.mark.django_db
def test_demo_is_idempotent(nanjing):
    from experts.demo import load_demo as load_experts
    from pricing.demo import load_demo as load_pricing

    load_parties()
    maker = Organisation.objects.get(name="江苏康宁制药有限公司")
    for i in range(2):
        product = Product.objects.create(kind="drug", generic_name=f"演示药{i}", manufacturer=maker)
        Listing.objects.create(product=product, price=Decimal("12.5"), category="LST-1", effective_date=date(2026, 1, 15))
    with time_machine.travel(date(2026, 11, 24), tick=False):
        for _ in range(2):
            load_experts()
            load_pricing()
    assert ExpertProfile.objects.count() == 8
    assert ExpertSession.objects.count() == 1 and ExpertDraw.objects.count() == 1
    # expert_05 declared a conflict with the session's enterprise: never drawn
    draw = ExpertDraw.objects.get()
    assert ExpertProfile.objects.get(user__username="expert_05").pk not in [p for ids in draw.drawn.values() for p in ids]
    assert LinkageCase.objects.count() == 2
    assert LinkageCase.objects.filter(status=LinkageStatus.OVERDUE).count() == 1
    assert Complaint.objects.published().count() == 1

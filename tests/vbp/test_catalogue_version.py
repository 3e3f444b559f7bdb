"""INT-1 / issue 16 item 10: the HIS catalogue's ETag is a version of every source of the
institution's prices; a VBP selected or extension price is one of them (no stale 304)."""

from decimal import Decimal

import pytest

from orders.pricing import catalogue_version
from vbp.models import SelectedProduct

pytestmark = pytest.mark.django_db


def test_int_1_vbp_1_a_selected_price_change_changes_the_catalogue_version(published):
    w = published
    before = catalogue_version(w.institution)
    assert catalogue_version(w.institution) == before  # stable while nothing changes
    # A queryset update bypasses any updated_at: the version digests the prices themselves.
    SelectedProduct.objects.filter(pk=w.selected.pk).update(price=Decimal("6.40"))
    after_price = catalogue_version(w.institution)
    w.tender.status = "draft"
    w.tender.save(update_fields=["status"])
    assert len({before, after_price, catalogue_version(w.institution)}) == 3

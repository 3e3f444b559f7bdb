"""INT-1 / issue 16 item 10: a confirmed filing (FIL-3) changes the HIS catalogue's version, so
the repeated pull does not answer a stale 304."""

import pytest

from orders.pricing import catalogue_version

pytestmark = pytest.mark.django_db


def test_int_1_fil_3_a_confirmed_filing_changes_the_catalogue_version(world, confirmed):
    before = catalogue_version(world.tertiary)
    filing = confirmed(world, world.tertiary, world.hv)
    confirmed_now = catalogue_version(world.tertiary)
    filing.status = "submitted"
    filing.save()
    assert len({before, confirmed_now, catalogue_version(world.tertiary)}) == 3

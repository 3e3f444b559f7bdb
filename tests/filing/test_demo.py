"""Demo filings: every state shown, in force for the filing hospitals; loading twice adds nothing."""

import pytest

from filing.models import FilingRequest

pytestmark = pytest.mark.django_db


def test_demo_filings_cover_the_states_and_are_idempotent():
    from catalog.demo import load_demo as catalog_demo
    from filing.demo import load_demo
    from parties.demo import load_demo as parties_demo

    parties_demo()
    catalog_demo()
    load_demo()
    count = FilingRequest.objects.count()
    load_demo()
    assert FilingRequest.objects.count() == count >= 6
    statuses = set(FilingRequest.objects.values_list("status", flat=True))
    assert {"confirmed", "submitted", "awaiting_enterprise", "returned"} <= statuses
    assert FilingRequest.objects.filter(emergency_case_ref__gt="").exists()

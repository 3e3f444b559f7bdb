"""The HIS catalogue pull answers 304 Not Modified to a repeated pull (issue 16 item 10, INT-1):
an idle HIS polling every few minutes costs no body; any change to the page changes the ETag."""

from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from negotiation.models import NegotiationResult, Proposal
from qualifications.models import DistributionRelationship

pytestmark = pytest.mark.django_db


def test_repeated_catalogue_pull_is_304_until_something_changes(world, his):
    first = his.get("/api/v1/orders/catalogue/")
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.json()["results"]
    assert first["Cache-Control"] == "private, no-cache"

    again = his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag

    listing = world.product2.listings.get()
    listing.price = "19.00"
    listing.save()
    changed = his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_stale_or_foreign_tag_gets_the_full_page(world, his):
    response = his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH='"0000", W/"1111"')
    assert response.status_code == 200 and response.json()["results"]


def test_the_304_answer_does_not_build_the_page(world, his, django_assert_max_num_queries):
    """Issue 16 item 10: the validator is a version of the sources (one statement), not a hash
    of the built page — the repeated pull costs the token check and that one query."""
    etag = his.get("/api/v1/orders/catalogue/")["ETag"]
    with django_assert_max_num_queries(4):
        again = his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304


def test_page_parameters_and_the_date_are_part_of_the_tag(world, his):
    """INT-1: another page size or search is another page; tomorrow a price may come into force."""
    etag = his.get("/api/v1/orders/catalogue/")["ETag"]
    assert his.get("/api/v1/orders/catalogue/?page_size=1", HTTP_IF_NONE_MATCH=etag).status_code == 200
    with time_machine.travel(timezone.now() + timezone.timedelta(days=1)):
        assert his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_neg_6_a_new_negotiation_result_changes_the_tag(world, his):
    """NEG-6: a negotiated result in force for this institution changes its price in force."""
    etag = his.get("/api/v1/orders/catalogue/")["ETag"]
    listing = world.product2.listings.get()
    proposal = Proposal.objects.create(
        institution=world.institution, listing=listing, product=world.product2, manufacturer=world.manufacturer,
        listing_price=listing.price, unit_price=Decimal("20.00"), quantity=Decimal(10), path="enterprise",
        rule="NEG-3", status="confirmed", created_by=world.inst_user)
    result = NegotiationResult.objects.create(
        proposal=proposal, institution=world.institution, product=world.product2, manufacturer=world.manufacturer,
        unit_price=Decimal("20.00"), quantity=Decimal(10), confirmed_at=timezone.now())
    changed = his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    # Superseding a result is a queryset update (no updated_at): still a new tag.
    NegotiationResult.objects.filter(pk=result.pk).update(superseded_at=timezone.now())
    assert his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 200


def test_qua_2_a_distributor_relationship_change_changes_the_tag(world, his):
    """QUA-2: the distributor shown per row comes from the relationships of the city."""
    etag = his.get("/api/v1/orders/catalogue/")["ETag"]
    DistributionRelationship.objects.filter(manufacturer=world.manufacturer,
                                            city=world.institution.city).update(status="ended")
    assert his.get("/api/v1/orders/catalogue/", HTTP_IF_NONE_MATCH=etag).status_code == 200

"""The HIS catalogue pull answers 304 Not Modified to a repeated pull (issue 16 item 10, INT-1):
an idle HIS polling every few minutes costs no body; any change to the page changes the ETag."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def his(world, his_token):
    token, _ = his_token(world.institution)
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


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

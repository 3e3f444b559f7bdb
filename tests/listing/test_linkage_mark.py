"""PRC-1 "marks the listing": a listing with an overdue (escalated, undeclared) linkage case
shows a red "联动逾期" tag linking to the case on the listing pages, and the listing API
carries `linkage_overdue` and the case id — computed in the listing query (no N+1)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pricing.models import LinkageCase, LinkageStatus
from tests import factories as f
from tests.clock import frozen_at

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-24 10:00:00+08:00")


@pytest.fixture
def listed(maker, make_product):
    def make(name="阿莫西林", price="12"):
        return f.ListingFactory(product=make_product(maker, generic_name=name), price=D(price), category="LST-1",
                                      effective_date=date(2026, 1, 15))

    return make


@pytest.fixture
def case_for(add_price):
    def make(listing, status=LinkageStatus.OVERDUE):
        trigger = add_price(listing.product, "10.00", province="浙江省", effective=date(2026, 9, 1))
        return LinkageCase.objects.create(
            listing=listing, trigger_price=trigger, province="浙江省", national_lowest=D("10"),
            listing_price_at_open=listing.price, price_effective_date=date(2026, 9, 1), status=status,
            due=date(2026, 9, 29), escalated_at=timezone.now() if status == LinkageStatus.OVERDUE else None,
        )

    return make


def test_prc1_overdue_listing_marked_on_list_and_detail_pages(client, listed, case_for, make_user):
    overdue, fine, open_only = listed("阿莫西林"), listed("布洛芬"), listed("头孢克肟")
    case = case_for(overdue)
    case_for(open_only, status=LinkageStatus.OPEN)  # not yet overdue: no mark
    client.force_login(make_user(kind="institution"))
    html = client.get(reverse("listing:listing_list")).content.decode()
    case_url = reverse("pricing:linkage_detail", args=[case.pk])
    assert html.count('data-testid="linkage-overdue"') == 1
    assert "联动逾期" in html and case_url in html
    detail = client.get(reverse("listing:listing_detail", args=[overdue.pk])).content.decode()
    assert 'data-testid="linkage-overdue"' in detail and case_url in detail and "联动逾期" in detail
    for other in (fine, open_only):
        page = client.get(reverse("listing:listing_detail", args=[other.pk])).content.decode()
        assert "联动逾期" not in page


def test_prc1_mark_goes_when_the_case_is_no_longer_overdue(client, listed, case_for, make_user):
    listing = listed()
    case = case_for(listing)
    client.force_login(make_user(kind="institution"))
    assert "联动逾期" in client.get(reverse("listing:listing_detail", args=[listing.pk])).content.decode()
    LinkageCase.objects.filter(pk=case.pk).update(status=LinkageStatus.CONFIRMED)
    assert "联动逾期" not in client.get(reverse("listing:listing_detail", args=[listing.pk])).content.decode()


def test_prc1_api_carries_linkage_overdue_and_case_id(client, listed, case_for, make_user):
    overdue, fine = listed("阿莫西林"), listed("布洛芬")
    case = case_for(overdue)
    client.force_login(make_user(kind="institution"))
    rows = {r["id"]: r for r in client.get("/api/v1/listings/").json()["results"]}
    assert rows[overdue.pk]["linkage_overdue"] is True and rows[overdue.pk]["overdue_linkage_case_id"] == case.pk
    assert rows[fine.pk]["linkage_overdue"] is False and rows[fine.pk]["overdue_linkage_case_id"] is None
    detail = client.get(f"/api/v1/listings/{overdue.pk}").json()
    assert detail["linkage_overdue"] is True and detail["overdue_linkage_case_id"] == case.pk
    assert client.get(f"/api/v1/listings/{fine.pk}").json()["linkage_overdue"] is False


def test_prc1_mark_costs_no_query_per_listing(client, listed, case_for, make_user):
    """The flag comes from the listing query itself (Exists), not one lookup per row."""
    client.force_login(make_user(kind="institution"))
    case_for(listed("药品0"))

    def queries(url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few_api, few_page = queries("/api/v1/listings/"), queries(reverse("listing:listing_list"))
    for i in range(1, 6):
        case_for(listed(f"药品{i}"))
    assert queries("/api/v1/listings/") == few_api
    assert queries(reverse("listing:listing_list")) == few_page

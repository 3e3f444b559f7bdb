"""Issue 14 item 6: the main list pages and API lists run a fixed number of queries — the
same for 3 and 9 rows, and equal to the stored baseline (tests/query_counts.py)."""

import pytest

from parties.models import OrgKind
from tests import factories as f
from tests.query_counts import assert_query_baseline

pytestmark = pytest.mark.django_db


@pytest.fixture
def maker():
    return f.ManufacturerFactory()


@pytest.fixture
def institution():
    return f.InstitutionFactory()


def _listings(maker):
    def add(k):
        for _ in range(k):
            f.ListingFactory(product__manufacturer=maker)

    return add


def _orders(institution):
    def add(k):
        for _ in range(k):
            order = f.OrderFactory(institution=institution)
            f.OrderLineFactory(order=order, line_no=1)
            f.OrderLineFactory(order=order, line_no=2)

    return add


def _get(client, user, url, **params):
    client.force_login(user)
    return lambda: client.get(url, params)


@pytest.mark.parametrize("kind", [OrgKind.INSTITUTION, OrgKind.CITY_REGULATOR, OrgKind.PROVINCE_REGULATOR])
def test_order_list_page_queries_do_not_grow_with_orders(client, institution, kind):
    viewer = f.user(institution) if kind == OrgKind.INSTITUTION else f.user(kind=kind)
    assert_query_baseline(f"page orders:order_list {kind}", add_rows=_orders(institution),
                          fetch=_get(client, viewer, "/orders/orders/"))


def test_order_api_list_queries_do_not_grow_with_orders(client, institution):
    assert_query_baseline("api /api/v1/orders/ institution", add_rows=_orders(institution),
                          fetch=_get(client, f.user(institution), "/api/v1/orders/"))


@pytest.mark.parametrize("kind", [OrgKind.MANUFACTURER, OrgKind.PROVINCE_REGULATOR, OrgKind.INSTITUTION])
def test_listing_list_page_queries_do_not_grow_with_listings(client, maker, kind):
    viewer = f.user(maker) if kind == OrgKind.MANUFACTURER else f.user(kind=kind)
    assert_query_baseline(f"page listing:listing_list {kind}", add_rows=_listings(maker),
                          fetch=_get(client, viewer, "/listing/listings/"))


def test_listing_api_list_queries_do_not_grow_with_listings(client, maker):
    assert_query_baseline("api /api/v1/listings/ province_regulator", add_rows=_listings(maker),
                          fetch=_get(client, f.user(kind=OrgKind.PROVINCE_REGULATOR), "/api/v1/listings/"))


@pytest.mark.parametrize("kind", [OrgKind.MANUFACTURER, OrgKind.PROVINCE_REGULATOR])
def test_catalogue_page_and_api_queries_do_not_grow_with_products(client, maker, kind):
    viewer = f.user(maker) if kind == OrgKind.MANUFACTURER else f.user(kind=kind)
    assert_query_baseline(f"page catalog:product_list {kind}", add_rows=_listings(maker),
                          fetch=_get(client, viewer, "/catalog/"))
    assert_query_baseline(f"api /api/v1/products/ {kind}", add_rows=_listings(maker),
                          fetch=_get(client, viewer, "/api/v1/products/"))


def test_order_catalogue_api_queries_do_not_grow_with_listings(client, maker, institution):
    assert_query_baseline("api /api/v1/orders/catalogue/ institution", add_rows=_listings(maker),
                          fetch=_get(client, f.user(institution), "/api/v1/orders/catalogue/"))


def test_a_list_that_grows_with_its_rows_fails(client, maker):
    """The helper itself: one extra query per row is caught, not stored."""
    from catalog.models import Product

    def fetch():
        response = client.get("/api/v1/products/")
        for product in Product.objects.all():
            product.manufacturer.name  # noqa: B018  (one query per row: the N+1 under test)
        return response

    client.force_login(f.user(kind=OrgKind.PROVINCE_REGULATOR))
    with pytest.raises(AssertionError, match="N\\+1"):
        assert_query_baseline("never stored", add_rows=_listings(maker), fetch=fetch)


# --- negotiation, home pages ----------------------------------------------------------


def _proposals(institution, maker):
    def add(k):
        for _ in range(k):
            f.ProposalFactory(institution=institution, listing__product__manufacturer=maker)

    return add


def _viewer(kind, institution, maker):
    if kind == OrgKind.INSTITUTION:
        return f.user(institution)
    if kind == OrgKind.MANUFACTURER:
        return f.user(maker)
    return f.user(kind=kind)


@pytest.mark.parametrize("kind", [OrgKind.INSTITUTION, OrgKind.MANUFACTURER, OrgKind.PROVINCE_REGULATOR])
def test_proposal_list_page_and_api_queries_do_not_grow_with_proposals(client, institution, maker, kind):
    """NEG-1/NEG-3: the proposals each party answers or watches list at a fixed query cost."""
    viewer = _viewer(kind, institution, maker)
    add = _proposals(institution, maker)
    assert_query_baseline(f"page negotiation:proposal_list {kind}", add_rows=add,
                          fetch=_get(client, viewer, "/negotiation/"))
    assert_query_baseline(f"api /api/v1/negotiations/ {kind}", add_rows=add,
                          fetch=_get(client, viewer, "/api/v1/negotiations/"))


HOME_ROLES = [OrgKind.INSTITUTION, OrgKind.MANUFACTURER, OrgKind.DISTRIBUTOR, OrgKind.COUNTY_REGULATOR,
              OrgKind.CITY_REGULATOR, OrgKind.PROVINCE_REGULATOR]


@pytest.mark.parametrize("kind", HOME_ROLES)
def test_home_page_todo_queries_do_not_grow_with_tasks(client, institution, maker, kind):
    """Issue 15 item 6: each role's home page counts its to-dos with aggregate queries — the
    same cost for 3 and 9 open proposals and orders (core/todos.py)."""
    viewer = _viewer(kind, institution, maker)
    proposals, orders = _proposals(institution, maker), _orders(institution)

    def add(k):
        proposals(k)
        orders(k)

    assert_query_baseline(f"page home {kind}", add_rows=add, fetch=_get(client, viewer, "/"))


# --- filing, shortage, VBP ------------------------------------------------------------


@pytest.mark.parametrize("kind", [OrgKind.INSTITUTION, OrgKind.MANUFACTURER, OrgKind.PROVINCE_REGULATOR])
def test_filing_list_page_and_api_queries_do_not_grow_with_requests(client, institution, maker, kind):
    """FIL-1: filing requests list at a fixed query cost for the institution, the enterprise and the province."""
    viewer = _viewer(kind, institution, maker)

    def add(k):
        for _ in range(k):
            f.FilingRequestFactory(institution=institution, product__manufacturer=maker)

    assert_query_baseline(f"page filing:list {kind}", add_rows=add, fetch=_get(client, viewer, "/filing/"))
    assert_query_baseline(f"api /api/v1/filings/ {kind}", add_rows=add, fetch=_get(client, viewer, "/api/v1/filings/"))


@pytest.mark.parametrize("kind", [OrgKind.INSTITUTION, OrgKind.PROVINCE_REGULATOR])
def test_emergency_list_page_and_api_queries_do_not_grow_with_cases(client, institution, maker, kind):
    """EMG-1: emergency purchases list at a fixed query cost for the institution and the province."""
    viewer = _viewer(kind, institution, maker)

    def add(k):
        for _ in range(k):
            f.EmergencyPurchaseFactory(institution=institution)

    assert_query_baseline(f"page shortage:emergency_list {kind}", add_rows=add,
                          fetch=_get(client, viewer, "/shortage/emergency/"))
    assert_query_baseline(f"api /api/v1/shortage/emergency-purchases/ {kind}", add_rows=add,
                          fetch=_get(client, viewer, "/api/v1/shortage/emergency-purchases/"))


@pytest.mark.parametrize("kind", [OrgKind.INSTITUTION, OrgKind.MANUFACTURER, OrgKind.PROVINCE_REGULATOR])
def test_vbp_contract_list_page_and_api_queries_do_not_grow_with_contracts(client, institution, maker, kind):
    """VBP contracts (signing, ORD-6 progress) list at a fixed query cost for both parties and the province."""
    viewer = _viewer(kind, institution, maker)
    def add(k):
        for _ in range(k):
            # One contract per (batch, institution, enterprise): each row in a batch of its own.
            f.ContractFactory(institution=institution, enterprise=maker)

    assert_query_baseline(f"page vbp:contract_list {kind}", add_rows=add, fetch=_get(client, viewer, "/vbp/contracts/"))
    if kind == OrgKind.INSTITUTION:  # the API serves the institutions' HIS only (vbp.report)
        assert_query_baseline(f"api /api/v1/vbp/contracts/ {kind}", add_rows=add,
                              fetch=_get(client, viewer, "/api/v1/vbp/contracts/"))

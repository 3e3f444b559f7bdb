"""The header search (issue 15 item 10): products by code, name and pinyin initials; orders,
listing applications and negotiations scoped exactly like their lists (`visible_to`); counts
equal to the lists' counts; clear messages for empty, short, blank or oversized queries
without touching the database; the box in the header of every signed-in page."""

from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from core import search as registry
from listing.models import ListingApplication
from parties.models import OrgKind
from portal import search as page_search
from tests import factories as f
from tests.query_counts import assert_query_baseline

AMOX_CODE = "XA01ABD075A002010100483"
CEF_CODE = "XJ01DDA080E001010100777"


def _application(product, by):
    return ListingApplication.objects.create(product=product, enterprise=product.manufacturer, category="LST-1",
                                             declared_price=D("10.00"), status="submitted", submitted_by=by)


@pytest.fixture
def world(db, make_org, make_user, suzhou):
    """Two manufacturers, each with its product, application, orders and a proposal; one
    hospital in Nanjing and one in Suzhou."""
    w = SimpleNamespace()
    w.maker_a = make_org(OrgKind.MANUFACTURER, name="江苏康宁制药有限公司")
    w.maker_b = make_org(OrgKind.MANUFACTURER, name="苏州恒瑞药业有限公司")
    w.user_a, w.user_b = make_user(w.maker_a), make_user(w.maker_b)
    w.nj_hospital = make_org(OrgKind.INSTITUTION, name="南京市鼓楼医院")
    w.sz_hospital = make_org(OrgKind.INSTITUTION, name="苏州大学附属第一医院", city=suzhou,
                             county=f.first_county(suzhou))
    w.nj_user, w.sz_user = make_user(w.nj_hospital), make_user(w.sz_hospital)
    w.city_nj = make_user(kind=OrgKind.CITY_REGULATOR)
    w.province = make_user(kind=OrgKind.PROVINCE_REGULATOR)
    w.distributor = make_user(kind=OrgKind.DISTRIBUTOR)
    w.amox = f.ProductFactory(national_code=AMOX_CODE, generic_name="阿莫西林胶囊", manufacturer=w.maker_a)
    w.cef = f.ProductFactory(national_code=CEF_CODE, generic_name="头孢克肟片", dosage_form="片剂",
                             manufacturer=w.maker_b)
    w.amox_listing = f.ListingFactory(product=w.amox)
    w.cef_listing = f.ListingFactory(product=w.cef)
    w.app_a, w.app_b = _application(w.amox, w.user_a), _application(w.cef, w.user_b)
    w.nj_order = f.OrderFactory(institution=w.nj_hospital, number="DD20260115900001")
    w.sz_order = f.OrderFactory(institution=w.sz_hospital, number="DD20260115900002")
    f.OrderLineFactory(order=w.nj_order, listing=w.amox_listing)
    f.OrderLineFactory(order=w.sz_order, listing=w.cef_listing)
    w.nj_proposal = f.ProposalFactory(institution=w.nj_hospital, listing=w.amox_listing)
    w.sz_proposal = f.ProposalFactory(institution=w.sz_hospital, listing=w.cef_listing)
    return w


def _groups(client, user, q):
    client.force_login(user)
    response = client.get(reverse("search"), {"q": q})
    assert response.status_code == 200
    return {g.kind: g for g in response.context["search"].groups}, response


def _titles(group):
    return [h.title for h in group.hits]


def test_enterprise_finds_other_public_product_but_none_of_its_business(client, world):
    """Scoping (visible_to): maker A searching maker B's national code finds B's published
    product, never B's application, negotiations or orders."""
    groups, response = _groups(client, world.user_a, CEF_CODE)
    assert groups["products"].count == 1 and "头孢克肟片" in _titles(groups["products"])[0]
    assert groups["applications"].count == 0
    assert groups["negotiations"].count == 0
    assert groups["orders"].count == 0
    body = response.content.decode()
    assert f"/listing/applications/{world.app_b.pk}/" not in body
    assert world.sz_order.number not in body


def test_enterprise_finds_its_own_application_and_negotiation(client, world):
    groups, _ = _groups(client, world.user_a, AMOX_CODE)
    assert groups["applications"].count == 1
    assert groups["applications"].hits[0].url == reverse("listing:application_detail", args=[world.app_a.pk])
    assert groups["negotiations"].count == 1
    assert groups["negotiations"].hits[0].url == reverse("negotiation:proposal_detail", args=[world.nj_proposal.pk])


def test_city_regulator_sees_only_its_institutions_orders(client, world):
    """A city regulator finds its city's order and nothing of another city's, even by number."""
    groups, _ = _groups(client, world.city_nj, "DD20260115900")
    assert [h.title for h in groups["orders"].hits] == [world.nj_order.number]
    groups, _ = _groups(client, world.city_nj, world.sz_order.number)
    assert groups["orders"].count == 0
    groups, _ = _groups(client, world.city_nj, "苏州大学")
    assert groups["orders"].count == 0 and groups["negotiations"].count == 0


def test_institution_sees_own_orders_and_no_application_kind(client, world):
    """An institution has no application list: the kind is not offered at all; another
    hospital's order and proposal stay hidden."""
    groups, _ = _groups(client, world.nj_user, "DD20260115900")
    assert "applications" not in groups
    assert _titles(groups["orders"]) == [world.nj_order.number]
    groups, _ = _groups(client, world.nj_user, "头孢克肟")
    assert groups["products"].count == 1 and groups["negotiations"].count == 0


def test_distributor_finds_orders_with_its_lines_only(client, world):
    """A distributor sees the orders it delivers (none here: the lines name other
    distributors), and has no negotiation or application kind."""
    groups, _ = _groups(client, world.distributor, "DD20260115900")
    assert groups["orders"].count == 0
    assert set(groups) == {"products", "orders"}


def test_pinyin_initials_find_product_and_negotiation(client, world):
    """CAT-3: amxl finds 阿莫西林胶囊 (upper case too), as the catalogue list does."""
    for q in ("amxl", "AMXL"):
        groups, _ = _groups(client, world.province, q)
        assert _titles(groups["products"]) == [str(world.amox)]
        assert groups["negotiations"].count == 1


@pytest.mark.parametrize("q", ["阿莫西林", "DD20260115900", "XA01", "药业", "amxl"])
def test_counts_equal_the_lists_counts(client, world, q):
    """Each kind's count is the count of its own list page behind "查看全部" (same query)."""
    groups, _ = _groups(client, world.province, q)
    assert set(groups) == {"products", "orders", "applications", "negotiations"}
    for group in groups.values():
        listed = client.get(group.all_url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == group.count, (group.kind, q)


def test_results_page_groups_with_counts_and_links(client, world):
    _, response = _groups(client, world.province, "阿莫西林")
    body = response.content.decode()
    for kind in ("products", "orders", "applications", "negotiations"):
        assert f'data-testid="search-group-{kind}"' in body
    assert 'data-testid="search-count-products">1<' in body
    assert reverse("catalog:product_list") + "?q=%E9%98%BF%E8%8E%AB%E8%A5%BF%E6%9E%97" in body
    assert reverse("catalog:product_detail", args=[world.amox.pk]) in body


def test_hits_are_capped_but_count_is_complete(client, world, make_org):
    for i in range(7):
        f.ProductFactory(generic_name=f"阿莫西林胶囊{i}", manufacturer=world.maker_a)
    groups, _ = _groups(client, world.province, "阿莫西林")
    assert groups["products"].count == 8 and len(groups["products"].hits) == page_search.HITS_PER_KIND


@pytest.mark.parametrize(("raw", "expected"), [
    ("", "至少 2 个字符"),
    ("     ", "只有空格"),
    ("阿", "太短"),
    ("x" * 200, "过长（200 个字符）"),
    (" " * 250, "过长"),
])
def test_bad_queries_get_a_message_and_no_search(client, world, monkeypatch, raw, expected):
    """Empty → the hint; blank, too short, 200+ characters or NUL → a clear refusal; no
    provider is asked (no database scan)."""
    def boom(*args, **kwargs):
        raise AssertionError("searched")
    monkeypatch.setattr(page_search, "search_all", boom)
    client.force_login(world.province)
    response = client.get(reverse("search"), {"q": raw})
    assert response.status_code == 200
    assert expected in response.context["search"].message
    assert 'data-testid="search-message"' in response.content.decode()


def test_control_characters_are_refused_before_any_search(client, world):
    """A NUL byte never reaches PostgreSQL: the request middleware answers 400 and the query
    check refuses it too (for callers that bypass the middleware)."""
    client.force_login(world.province)
    assert client.get(reverse("search"), {"q": "ab\x00cd"}).status_code == 400
    assert page_search.check_query("ab\x00cd") == ("", str(page_search.BAD_CHARS), True)


def test_spaces_inside_are_collapsed_and_edges_stripped(client, world):
    groups, response = _groups(client, world.province, "  阿莫西林   胶囊 ")
    assert response.context["search"].q == "阿莫西林 胶囊"


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("search"), {"q": "阿莫西林"})
    assert response.status_code == 302 and settings.LOGIN_URL in response.url


@pytest.mark.parametrize("url_name", ["home", "catalog:product_list", "orders:order_list", "notifications:inbox",
                                      "negotiation:proposal_list", "search"])
def test_header_box_on_every_signed_in_page(client, world, url_name):
    client.force_login(world.nj_user)
    body = client.get(reverse(url_name)).content.decode()
    assert 'data-testid="header-search"' in body and f'action="{reverse("search")}"' in body


def test_header_box_keeps_the_query_on_the_results_page(client, world):
    _, response = _groups(client, world.province, "amxl")
    assert 'value="amxl"' in response.content.decode().split('data-testid="header-search"')[1].split("</form>")[0]


def test_no_header_box_for_anonymous(client, db):
    assert 'data-testid="header-search"' not in client.get(reverse("login")).content.decode()


def test_results_page_in_english(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _, response = _groups(client, world.province, "阿莫西林")
    body = response.content.decode()
    assert "Search results for" in body and "Products" in body and "Orders" in body
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("search"), {"q": "x" * 200})
    assert "too long" in response.content.decode()


def test_registry_is_idempotent_by_name(world):
    before = registry.providers()
    registry.register_search("catalog.products", before["catalog.products"])
    assert registry.providers() == before
    assert registry.search_all(SimpleNamespace(is_authenticated=False), "amxl") == []


def test_search_query_count_does_not_grow_with_matches(client, world):
    """No N+1: two queries per kind whatever the number of matching rows."""
    client.force_login(world.province)

    def add_rows(k):
        for _ in range(k):
            listing = f.ListingFactory(product=f.ProductFactory(generic_name="阿莫西林胶囊", manufacturer=world.maker_a))
            order = f.OrderFactory(institution=world.nj_hospital)
            f.OrderLineFactory(order=order, listing=listing)
            f.ProposalFactory(institution=world.nj_hospital, listing=listing)
            _application(listing.product, world.user_a)

    assert_query_baseline("page search province_regulator", add_rows=add_rows,
                          fetch=lambda: client.get(reverse("search"), {"q": "阿莫西林"}))

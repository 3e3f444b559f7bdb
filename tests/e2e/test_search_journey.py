"""Journey (issue 15 item 10): the one search box in the header. A hospital finds a product by
its pinyin initials and opens the catalogue list with the same query, finds its own order by
number, is told when the text is too short; a manufacturer searching a competitor's national
code finds the published product but none of the competitor's applications. The results page
is taken again in English. Viewport 1440×900: the box must fit beside the user line."""

from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from listing.models import ListingApplication
from parties.models import OrgKind
from tests import factories as f
from tests.i18n_en import compile_catalogues

from .conftest import login, shot

AMOX_CODE = "XA01ABD075A002010100483"


def _search(page, q):
    page.get_by_test_id("header-search-input").fill(q)
    with page.expect_navigation():
        page.get_by_test_id("header-search-input").press("Enter")


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_search_journey(page, reference_regions):
    compile_catalogues("project", "portal")  # step 5 is in English
    page.set_viewport_size({"width": 1440, "height": 900})
    maker = f.org(OrgKind.MANUFACTURER, name="江苏康宁制药有限公司")
    rival = f.org(OrgKind.MANUFACTURER, name="苏州恒瑞药业有限公司")
    hospital = f.org(OrgKind.INSTITUTION, name="南京市鼓楼医院")
    f.user(hospital, username="hosp")
    f.user(maker, username="maker")
    rival_user = f.user(rival, username="rival")
    amox = f.ProductFactory(national_code=AMOX_CODE, generic_name="阿莫西林胶囊", manufacturer=maker)
    f.ProductFactory(generic_name="阿莫西林克拉维酸钾片", dosage_form="片剂", specification="0.375g*12片",
                     manufacturer=rival)
    listing = f.ListingFactory(product=amox, price=D("12.00"))
    order = f.OrderFactory(institution=hospital, number="DD20261130000017")
    f.OrderLineFactory(order=order, listing=listing)
    f.ProposalFactory(institution=hospital, listing=listing)
    ListingApplication.objects.create(product=amox, enterprise=maker, category="LST-1", declared_price=D("12.00"),
                                      status="submitted", submitted_by=f.user(maker))
    ListingApplication.objects.create(product=amox.__class__.objects.get(manufacturer=rival), enterprise=rival,
                                      category="LST-1", declared_price=D("9.00"), status="submitted",
                                      submitted_by=rival_user)

    # 1. The hospital types pinyin initials into the header box.
    login(page, "hosp", f.PASSWORD)
    expect(page.get_by_test_id("header-search")).to_be_visible()
    shot(page, "home-with-search-box")
    _search(page, "amxl")
    expect(page.get_by_test_id("search-count-products")).to_have_text("2")
    expect(page.get_by_test_id("search-group-products")).to_contain_text("阿莫西林胶囊")
    expect(page.get_by_test_id("search-count-negotiations")).to_have_text("1")
    expect(page.get_by_test_id("search-group-applications")).to_have_count(0)  # no such list for a hospital
    expect(page.get_by_test_id("header-search-input")).to_have_value("amxl")
    shot(page, "hospital-results-amxl")
    with page.expect_navigation():
        page.get_by_test_id("search-all-products").click()
    assert "/catalog/?q=amxl" in page.url
    expect(page.locator("main")).to_contain_text("阿莫西林克拉维酸钾片")
    shot(page, "catalogue-list-with-query")

    # 2. Its own order by number, then the order itself.
    _search(page, "DD20261130")
    expect(page.get_by_test_id("search-count-orders")).to_have_text("1")
    shot(page, "hospital-results-order")
    with page.expect_navigation():
        page.get_by_test_id("search-group-orders").get_by_role("link", name=order.number).click()
    assert f"/orders/orders/{order.pk}/" in page.url

    # 3. Too short: a clear hint, nothing searched.
    _search(page, "a")
    expect(page.get_by_test_id("search-message")).to_contain_text("至少输入 2 个字符")
    shot(page, "too-short")

    # 4. A competitor searching the national code: the published product, none of the business.
    page.context.clear_cookies()
    login(page, "rival", f.PASSWORD)
    _search(page, AMOX_CODE)
    expect(page.get_by_test_id("search-count-products")).to_have_text("1")
    expect(page.get_by_test_id("search-count-applications")).to_have_text("0")
    expect(page.get_by_test_id("search-count-negotiations")).to_have_text("0")
    expect(page.get_by_test_id("search-count-orders")).to_have_text("0")
    shot(page, "rival-results-code")

    # 5. The same page in English.
    page.get_by_test_id("language").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    _search(page, AMOX_CODE)
    expect(page.get_by_test_id("search-title")).to_contain_text("Search results for")
    expect(page.get_by_test_id("search-group-applications")).to_contain_text("Listing applications")
    shot(page, "rival-results-code-en")
    _search(page, " ")
    expect(page.get_by_test_id("search-message")).to_contain_text("only spaces")
    shot(page, "only-spaces-en")
    assert not page.js_errors

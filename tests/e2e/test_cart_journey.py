"""Journey (issue 15 item 1; ORD-1, INT-2): a hospital orders across two pages and three
searches and gets every line. Quantities typed on page 1 stay in the server-side cart when the
buyer moves to page 2 and searches three times; the confirmation lists every line with its
price and basis; one order with every line is placed. Then re-order from that order, an .xlsx
upload with a bad row (every error listed, nothing added), and the same pages in English."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
from django.conf import settings
from playwright.sync_api import expect

from catalog.models import Product
from listing.models import Listing
from orders.models import CartLine, Order
from tests.security.world import xlsx_file

from .conftest import login, shot
from .ordering_world import ordering_world

PASSWORD = "Journey-2026!"
SEARCHED = ("阿莫西林胶囊", "头孢克肟片", "布洛芬缓释胶囊")


def _world():
    maker = ordering_world(PASSWORD).maker
    # 25 listed products: two pages of the shop (20 a page), three of them found by name.
    names = [f"维生素{chr(0x4e00 + i * 7)}{i:02d}片" for i in range(22)] + list(SEARCHED)
    products = []
    for i, name in enumerate(names):
        product = Product.objects.create(
            kind="drug", national_code=f"XA01ABD075A{i + 1:012d}", generic_name=name, name_initials=f"T{i:02d}",
            dosage_form="片剂", specification=f"{i + 1}mg*24片", pack_unit="盒", manufacturer=maker)
        Listing.objects.create(product=product, price=D("10.00") + i, category="LST-1", effective_date=date(2025, 1, 1))
        products.append(product)
    return products


def _set(page, product_id, quantity, label="已加入购物车"):
    box = page.get_by_test_id(f"qty-{product_id}")
    box.fill(str(quantity))
    box.press("Tab")  # the change event: one htmx POST stores the line
    expect(page.get_by_test_id(f"line-state-{product_id}")).to_contain_text(label)


def _first_ids(page, n, exclude=()):
    ids = page.locator("[data-testid^='qty-']:not([disabled])").evaluate_all("els => els.map(e => e.dataset.testid)")
    return [pid for pid in (int(x.split("-")[1]) for x in ids) if pid not in exclude][:n]


def _xlsx(rows) -> dict:
    upload = xlsx_file(rows, name="order.xlsx")
    return {"name": upload.name, "buffer": upload.read(), "mimeType": upload.content_type}


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_hospital_orders_across_two_pages_and_three_searches_and_gets_every_line(page, live_server, reference_regions):
    products = _world()
    by_name = {p.generic_name: p for p in products}
    page.set_viewport_size({"width": 1440, "height": 900})
    login(page, "hosp", PASSWORD)

    # 1. Page 1: two quantities, stored at once; the header counts them with their total.
    page.goto("/orders/shop/")
    searched = {by_name[name].pk for name in SEARCHED}
    wanted: dict[int, int] = {}
    for pid, qty in zip(_first_ids(page, 2, searched), (3, 5), strict=True):
        _set(page, pid, qty)
        wanted[pid] = qty
    expect(page.get_by_test_id("cart-count")).to_have_text("2")
    shot(page, "shop-page-1-quantities")

    # 2. Page 2: one more; page 1's quantities are still in the cart.
    with page.expect_navigation():
        page.get_by_test_id("pagination").get_by_role("link", name="下一页").click()
    (pid,) = _first_ids(page, 1, searched)
    assert pid not in wanted
    _set(page, pid, 7)
    wanted[pid] = 7
    expect(page.get_by_test_id("cart-count")).to_have_text("3")
    shot(page, "shop-page-2")

    # 3. Three different searches, each adding a line.
    for n, name in enumerate(SEARCHED, start=1):
        page.get_by_test_id("search").fill(name)
        with page.expect_navigation():
            page.get_by_test_id("search").press("Enter")
        product = by_name[name]
        _set(page, product.pk, 10 * n)
        wanted[product.pk] = 10 * n
        shot(page, f"search-{n}")
    expect(page.get_by_test_id("cart-count")).to_have_text("6")
    # a quantity set back to 0 leaves the cart; setting it again brings it back
    _set(page, by_name[SEARCHED[2]].pk, 0, label="已移出购物车")
    expect(page.get_by_test_id("cart-count")).to_have_text("5")
    _set(page, by_name[SEARCHED[2]].pk, 30)
    assert dict(CartLine.objects.values_list("product_id", "quantity")) == wanted

    # 4. The confirmation lists every line with its price and basis, and the total.
    with page.expect_navigation():
        page.get_by_test_id("checkout").click()
    lines = page.get_by_test_id("cart-line")
    expect(lines).to_have_count(6)
    for i in range(6):
        expect(lines.nth(i).get_by_test_id("price-basis")).to_contain_text("挂网价")
    prices = {p.pk: D("10.00") + i for i, p in enumerate(products)}
    total = sum(prices[pid] * qty for pid, qty in wanted.items())
    expect(page.get_by_test_id("confirm-total")).to_have_text(f"{total:,.2f}")
    shot(page, "confirmation")

    # 5. Place: one order with every line; the cart is empty.
    with page.expect_navigation():
        page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-status")).to_contain_text("待确认")
    shot(page, "order-placed")
    order = Order.objects.get()
    assert dict(order.lines.values_list("product_id", "quantity")) == wanted
    assert order.total_amount == total and not CartLine.objects.exists()

    # 6. Re-order: the order's lines back into the cart at today's price.
    with page.expect_navigation():
        page.get_by_test_id("reorder").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(6)
    shot(page, "reorder-into-cart")

    # 6b. A price changed since the line was added (ORD-1): shown with both prices, to re-confirm.
    Listing.objects.filter(product=products[0]).update(price=D("9.50"))
    page.reload()
    expect(page.get_by_test_id("price-changed")).to_be_visible()
    expect(page.get_by_test_id("place-order")).to_be_disabled()
    shot(page, "price-changed")
    with page.expect_navigation():
        page.get_by_test_id("accept-prices").click()
    expect(page.get_by_test_id("place-order")).to_be_enabled()

    # 7. An .xlsx upload with bad rows: every error listed by row and column, nothing added.
    page.get_by_test_id("clear-cart").click()
    page.wait_for_url(re.compile(r"/orders/cart/$"))
    page.get_by_test_id("upload-file").set_input_files(_xlsx([
        ["国家医保编码", "采购数量"], [products[0].national_code, 2], ["XA01ABD075A999999999999", 1.5], [None, 3]]))
    with page.expect_navigation():
        page.get_by_test_id("upload").click()
    errors = page.get_by_test_id("upload-errors").locator("tbody tr")
    expect(errors).to_have_count(3)
    expect(page.get_by_test_id("upload-errors")).to_contain_text("INT-2")
    assert not CartLine.objects.exists()
    shot(page, "upload-row-errors")
    page.get_by_test_id("upload-file").set_input_files(_xlsx([
        ["国家医保编码", "采购数量"], [products[0].national_code, 2], [products[1].national_code, 4]]))
    with page.expect_navigation():
        page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("cart-line")).to_have_count(2)
    shot(page, "upload-into-cart")

    # 8. The same pages in English (language cookie).
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    page.goto("/orders/shop/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("cart-summary")).to_contain_text("Checkout")
    _set(page, _first_ids(page, 1)[0], 6, label="In the cart")
    shot(page, "en-shop-page-1")
    page.goto("/orders/shop/?page=2")
    shot(page, "en-shop-page-2")
    page.goto(f"/orders/shop/?q={SEARCHED[0]}")
    shot(page, "en-search")
    page.goto("/orders/cart/")
    expect(page.get_by_test_id("place-order")).to_have_text("Place order")
    shot(page, "en-confirmation")
    page.get_by_test_id("upload-file").set_input_files(_xlsx([["国家医保编码", "采购数量"], ["XA01ABD075A999999999999", 0]]))
    with page.expect_navigation():
        page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("upload-errors")).to_contain_text("INT-2")
    shot(page, "en-upload-row-errors")
    page.goto(f"/orders/orders/{order.pk}/")
    shot(page, "en-order")
    assert page.js_errors == []

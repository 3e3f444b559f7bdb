"""The shop and cart pages (issue 15 item 1): quantities survive pages and searches (htmx per
line, a form without JavaScript), the header's count and total, the confirmation page with every
line's price basis, re-order from an order page, the .xlsx upload's row errors, and the denial
of everyone but the institution's buyer (nothing written)."""

import re
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from orders.models import CartLine, Order
from orders.services import cart as carts
from orders.services import ordering
from tests.security.world import xlsx_file as _xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]


def htmx_set(client, product, quantity):
    return client.post(f"/orders/cart/lines/{product.pk}/", {f"qty_{product.pk}": quantity}, HTTP_HX_REQUEST="true")


def token_of(html):
    return re.search(r'name="token" value="([0-9a-f]+)"', html).group(1)


def test_a_quantity_set_on_one_page_is_still_there_on_the_next(client, world):
    """The bug of issue 15: quantities typed on page 1 were dropped when ordering from page 2."""
    client.force_login(world.inst_user)
    r = htmx_set(client, world.product, "4")
    html = r.content.decode()
    assert r.status_code == 200 and 'hx-swap-oob="true"' in html and 'data-testid="cart-count">1<' in html
    assert "40.00" in html  # the header's running total
    page = client.get("/orders/shop/", {"q": world.product2.generic_name}).content.decode()
    assert 'data-testid="cart-count">1<' in page
    htmx_set(client, world.product2, "2")
    page = client.get("/orders/shop/").content.decode()
    assert f'name="qty_{world.product.pk}" aria-label="采购数量" value="4"' in page
    cart = client.get("/orders/cart/").content.decode()
    assert cart.count('data-testid="cart-line"') == 2 and "91.00" in cart and "挂网价" in cart


def test_a_refused_line_shows_its_rule_in_place_and_is_not_stored(client, world):
    client.force_login(world.inst_user)
    html = htmx_set(client, world.no_distributor, "1").content.decode()
    assert "QUA-2" in html and 'data-testid="cart-count">0<' in html
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("who", ["dist_user", "mfr_user", "nj_regulator", "province"])
def test_everyone_but_the_institution_buyer_is_denied_and_nothing_is_written(client, world, who):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 1}])
    client.force_login(getattr(world, who))
    assert client.get("/orders/shop/").status_code == 403
    assert client.get("/orders/cart/").status_code == 403
    assert client.get("/orders/cart/template.xlsx").status_code == 403
    assert htmx_set(client, world.product, "3").status_code == 403
    assert client.post("/orders/shop/", {f"qty_{world.product.pk}": "3"}).status_code == 403
    assert client.post(f"/orders/orders/{order.pk}/reorder/").status_code == 403
    assert client.post("/orders/cart/", {"action": "place", "token": "x"}).status_code == 403
    assert not CartLine.objects.exists() and Order.objects.count() == 1


def test_one_buyers_cart_is_invisible_to_another(client, world):
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="7")
    client.force_login(world.other_inst_user)
    page = client.get("/orders/cart/").content.decode()
    assert 'data-testid="cart-empty"' in page and str(world.product) not in page


def test_the_confirmation_page_asks_to_reconfirm_a_changed_price(client, world):
    from listing.models import Listing

    client.force_login(world.inst_user)
    htmx_set(client, world.product, "4")
    Listing.objects.filter(product=world.product).update(price="12.00")
    page = client.get("/orders/cart/").content.decode()
    assert 'data-testid="price-changed"' in page and 'data-testid="place-order" disabled' in page
    assert "10.00" in page and "12.00" in page
    r = client.post("/orders/cart/", {"action": "place", "token": token_of(page)}, follow=True)
    assert "ORD-1" in r.content.decode() and not Order.objects.exists()
    client.post("/orders/cart/", {"action": "accept"})
    page = client.get("/orders/cart/").content.decode()
    assert 'data-testid="price-changed"' not in page
    r = client.post("/orders/cart/", {"action": "place", "token": token_of(page)})
    order = Order.objects.get()
    assert r["Location"] == f"/orders/orders/{order.pk}/" and not CartLine.objects.exists()
    # the second click of a double click: the cart is empty, no second order, the buyer is told
    r = client.post("/orders/cart/", {"action": "place", "token": token_of(page)}, follow=True)
    assert Order.objects.count() == 1 and "订单可能已经提交" in r.content.decode()


def test_reorder_from_the_order_page(client, world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 3},
                                                          {"product_id": world.product2.pk, "quantity": 1}])
    from listing.models import Listing

    Listing.objects.filter(product=world.product2).update(status="suspended")
    client.force_login(world.inst_user)
    assert 'data-testid="reorder"' in client.get(f"/orders/orders/{order.pk}/").content.decode()
    r = client.post(f"/orders/orders/{order.pk}/reorder/", follow=True)
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == "/orders/cart/"
    assert "不能再次采购" in html and "DEL-4" in html and html.count('data-testid="cart-line"') == 1
    client.force_login(world.dist_user)  # the distributor sees the order, not the button
    assert 'data-testid="reorder"' not in client.get(f"/orders/orders/{order.pk}/").content.decode()


def test_upload_shows_every_row_error_and_adds_nothing(client, world):
    client.force_login(world.inst_user)
    template = client.get("/orders/cart/template.xlsx")
    assert [c.value for c in load_workbook(BytesIO(template.content)).active[1]] == ["国家医保编码", "采购数量"]
    r = client.post("/orders/cart/", {"action": "upload", "file": _xlsx([
        ["国家医保编码", "采购数量"], [world.product.national_code, 2], [world.suspended.national_code, 0]])})
    html = r.content.decode()
    assert r.status_code == 400 and 'data-testid="upload-errors"' in html
    assert "DEL-4" in html and "数量须大于 0" in html and not CartLine.objects.exists()
    r = client.post("/orders/cart/", {"action": "upload", "file": SimpleUploadedFile("order.pdf", b"%PDF-1.4 x")})
    assert r.status_code == 400 and "文件类型不符" in r.content.decode()
    r = client.post("/orders/cart/", {"action": "upload", "file": _xlsx([
        ["国家医保编码", "采购数量"], [world.product.national_code, 2]])})
    assert r.status_code == 302 and CartLine.objects.get().quantity == 2


def test_cart_pages_in_english_with_the_language_cookie(client, world):
    client.force_login(world.inst_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    htmx_set(client, world.product, "4")
    shop = client.get("/orders/shop/").content.decode()
    assert "Checkout" in shop and "去结算" not in shop
    page = client.get("/orders/cart/").content.decode()
    assert "Confirm order" in page and "Place order" in page and "确认订单" not in page
    r = client.post("/orders/cart/", {"action": "upload", "file": _xlsx([
        ["国家医保编码", "采购数量"], ["XA01ABD075A999999999999", 1]])})
    html = r.content.decode()
    assert "is not in the platform" in html and "<th>Column</th>" in html and "(basis: INT-2)" in html

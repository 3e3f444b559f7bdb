"""The hospital's cart (issue 15 item 1; ORD-1, ORD-4, DEL-4, QUA-2, INT-2): quantities kept per
user and institution, totals at today's price, a confirmation that places ONE order and empties
the cart, price changes re-confirmed, re-order, and the all-or-nothing .xlsx upload."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from listing.models import Listing
from orders.models import CartLine, Order, OrderLine
from orders.services import cart as carts
from orders.services import ordering
from tests.concurrency import at_once
from tests.security.world import xlsx_file as xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]


def set_price(product, price):
    Listing.objects.filter(product=product).update(price=Decimal(price))


def test_set_keeps_one_line_per_product_and_zero_removes_it(world):
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="3")
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity=5)  # a second set replaces
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="2")
    assert dict(CartLine.objects.values_list("product_id", "quantity")) == {world.product.pk: 5, world.product2.pk: 2}
    assert carts.cart_summary(world.inst_user) == (2, Decimal("101.00"))  # 5 × 10.00 + 2 × 25.50
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="0")
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="")
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("product, quantity, code", [
    ("suspended", "1", "DEL-4"), ("no_distributor", "1", "QUA-2"), ("product", "1.5", "invalid"),
    ("product", "-2", "invalid"), ("product", "abc", "invalid"),
])
def test_a_line_the_rules_refuse_never_enters_the_cart(world, product, quantity, code):
    """DEL-4 / QUA-2 / ORD-1 whole quantities: the HIS batch's checks, the rule named, nothing stored."""
    with pytest.raises(ordering.BatchRefused) as exc:
        carts.cart_set(world.inst_user, product_id=getattr(world, product).pk, quantity=quantity)
    assert exc.value.errors[0]["code"] == code
    assert not CartLine.objects.exists()


def test_the_total_is_recomputed_at_todays_price(world):
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="4")
    set_price(world.product, "9.00")
    assert carts.cart_summary(world.inst_user) == (1, Decimal("36.00"))


def test_only_an_institution_buyer_has_a_cart_and_carts_are_private(world):
    """orders.use_cart: a distributor, manufacturer or regulator is refused and nothing is written;
    one buyer never sees another's lines."""
    for user in (world.dist_user, world.mfr_user, world.nj_regulator, world.province):
        with pytest.raises(Forbidden):
            carts.cart_set(user, product_id=world.product.pk, quantity="1")
        with pytest.raises(Forbidden):
            carts.cart_get(user)
    assert not CartLine.objects.exists()
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="1")
    colleague = type(world.inst_user).objects.create_user(
        username="colleague", password="x", organisation=world.institution, role=world.inst_user.role)
    assert carts.cart_get(colleague).rows == [] and carts.cart_summary(colleague) == (0, Decimal("0"))
    with pytest.raises(Conflict):
        carts.cart_place(colleague, token=carts.cart_get(colleague).token)
    assert CartLine.objects.count() == 1 and not Order.objects.exists()


def test_placing_the_cart_makes_one_order_with_every_line_and_empties_it(world):
    """ORD-1: every line, its price in force and basis recorded on the order line; the cart empties."""
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="4")
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="2")
    cart = carts.cart_get(world.inst_user)
    assert cart.ready and cart.total == Decimal("91.00")
    assert [r.quote.source for r in cart.rows] == ["listing", "listing"]
    order = carts.cart_place(world.inst_user, token=cart.token, note="急用")
    assert sorted(order.lines.values_list("product_id", "quantity", "unit_price", "price_rule")) == sorted([
        (world.product.pk, 4, Decimal("10.0000"), "ORD-1"), (world.product2.pk, 2, Decimal("25.5000"), "ORD-1")])
    assert order.total_amount == Decimal("91.00") and order.note == "急用"
    assert not CartLine.objects.exists()


def test_a_cart_changed_since_confirmation_is_not_placed(world):
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="4")
    token = carts.cart_get(world.inst_user).token
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="40")  # another tab
    with pytest.raises(Conflict):
        carts.cart_place(world.inst_user, token=token)
    assert not Order.objects.exists() and CartLine.objects.get().quantity == 40


def test_a_price_changed_since_adding_must_be_reconfirmed_ord_1(world):
    """ORD-1: a line whose price in force changed is shown with both prices and refused until the
    buyer re-confirms it; nothing is half-placed (the other line stays in the cart too)."""
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="4")
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="1")
    set_price(world.product, "11.00")
    cart = carts.cart_get(world.inst_user)
    assert not cart.ready and [r.product.pk for r in cart.changed] == [world.product.pk]
    assert cart.changed[0].line.price_seen == Decimal("10.0000") and cart.changed[0].quote.price == Decimal("11.00")
    with pytest.raises(RuleViolation) as exc:
        carts.cart_place(world.inst_user, token=cart.token)
    assert exc.value.code == "ORD-1"
    assert not Order.objects.exists() and CartLine.objects.count() == 2
    assert carts.cart_accept_prices(world.inst_user) == 1
    cart = carts.cart_get(world.inst_user)
    assert cart.ready
    order = carts.cart_place(world.inst_user, token=cart.token)
    assert order.lines.get(product=world.product).unit_price == Decimal("11.0000")


def test_a_line_no_longer_orderable_is_refused_with_its_rule_and_nothing_placed(world):
    """DEL-4: suspended after it was added — shown with the rule, the whole order refused."""
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="4")
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="1")
    Listing.objects.filter(product=world.product2).update(status="suspended")
    cart = carts.cart_get(world.inst_user)
    assert [(r.product.pk, r.problems[0][0]) for r in cart.refused] == [(world.product2.pk, "DEL-4")]
    with pytest.raises(ordering.BatchRefused) as exc:
        carts.cart_place(world.inst_user, token=cart.token)
    assert exc.value.code == "DEL-4"
    assert not Order.objects.exists() and not OrderLine.objects.exists() and CartLine.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_place_one_order(world):
    """A double click / two tabs: the cart's rows are locked; the second submit finds it empty."""
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="4")
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="2")
    token = carts.cart_get(world.inst_user).token

    def place():
        try:
            return carts.cart_place(world.inst_user, token=token).number
        except Conflict:
            return "conflict"

    results = at_once(place)
    assert results.count("conflict") == 1 and [r for r in results if r != "conflict"][0].startswith("PO")
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 2 and not CartLine.objects.exists()


def test_reorder_puts_lines_in_the_cart_at_todays_price_and_lists_what_cannot_be_bought(world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 3},
                                                          {"product_id": world.product2.pk, "quantity": 1}])
    set_price(world.product, "9.50")
    Listing.objects.filter(product=world.product2).update(status="delisted")
    carts.cart_set(world.inst_user, product_id=world.product.pk, quantity="2")
    added, refused = carts.cart_reorder(world.inst_user, order_id=order.pk)
    assert added == 1 and [(r.code, r.label) for r in refused] == [("DEL-4", str(world.product2))]
    line = CartLine.objects.get()
    assert (line.product_id, line.quantity, line.price_seen) == (world.product.pk, 5, Decimal("9.5000"))
    with pytest.raises(Exception):  # noqa: B017 — another institution's order: not found, nothing added
        carts.cart_reorder(world.other_inst_user, order_id=order.pk)
    assert not CartLine.objects.filter(user=world.other_inst_user).exists()


def test_xlsx_upload_puts_every_row_in_the_cart(world):
    n = carts.cart_upload(world.inst_user, xlsx([["国家医保编码", "采购数量"], [world.product.national_code, 12],
                                                 [world.product2.national_code, 3.0]]))
    assert n == 2
    assert dict(CartLine.objects.values_list("product_id", "quantity")) == {world.product.pk: 12, world.product2.pk: 3}


def test_xlsx_upload_lists_every_error_of_every_row_and_adds_nothing(world):
    """All-or-nothing: one good row and four bad ones — every error (row, column, message, rule)
    is reported, also two errors of one row; the cart stays empty."""
    carts.cart_set(world.inst_user, product_id=world.product2.pk, quantity="1")
    upload = xlsx([
        ["国家医保编码", "采购数量"],
        [world.product.national_code, 5],                  # 2: good
        ["XA01ABD075A999999999999", 1.5],                  # 3: unknown code (INT-2) AND a fraction
        [world.suspended.national_code, 2],                # 4: DEL-4
        [None, 3],                                         # 5: no code
        [world.no_distributor.national_code, "十"],        # 6: QUA-2 AND not a number
        [world.product.national_code, 1],                  # 7: duplicate of row 2
    ])
    with pytest.raises(InvalidInput) as exc:
        carts.cart_upload(world.inst_user, upload)
    got = [(e["row"], e["column"], e["code"]) for e in exc.value.errors]
    assert got == [(3, "国家医保编码", "INT-2"), (3, "采购数量", "invalid"), (4, "国家医保编码", "DEL-4"),
                   (5, "国家医保编码", "invalid"), (6, "国家医保编码", "QUA-2"), (6, "采购数量", "invalid"),
                   (7, "国家医保编码", "invalid")]
    assert "7 处错误" in exc.value.detail
    assert dict(CartLine.objects.values_list("product_id", "quantity")) == {world.product2.pk: 1}


@pytest.mark.parametrize("upload, message", [
    (SimpleUploadedFile("order.csv", b"national_code,quantity\n", content_type="text/csv"), "文件类型不符"),
    (SimpleUploadedFile("order.xlsx", b"PK\x03\x04" + b"\0" * (carts.UPLOAD_MAX_BYTES + 1)), "上限 2 MB"),
])
def test_wrong_file_type_and_oversized_file_are_refused_naming_the_limit(world, upload, message):
    with pytest.raises(InvalidInput) as exc:
        carts.cart_upload(world.inst_user, upload)
    assert message in exc.value.detail and not CartLine.objects.exists()


def test_wrong_header_is_refused(world):
    with pytest.raises(InvalidInput) as exc:
        carts.cart_upload(world.inst_user, xlsx([["编码", "数量"], [world.product.national_code, 1]]))
    assert "国家医保编码、采购数量" in exc.value.detail and not CartLine.objects.exists()


def test_the_template_has_the_headers_the_upload_expects(world):
    wb = load_workbook(BytesIO(carts.cart_template()))
    assert [c.value for c in wb.active[1]] == carts.UPLOAD_HEADERS_ZH

"""Ordering, delivery, receipt, settlement services (ORD-1…ORD-4, DEL-4, QUA-2)."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from core.errors import Conflict, NotFound, RuleViolation
from orders.models import (
    Invoice,
    LineStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
)
from orders.pricing import PriceQuote, price_in_force, prices_in_force, register_provider
from orders.selectors import distributors_for, overdue_invoices
from orders.services import fulfilment, ordering, settlement
from qualifications.selectors import distributor_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]

TODAY = date(2026, 3, 2)


def place(w, *items, user=None):
    return ordering.order_create(user or w.inst_user, lines=list(items))


def test_price_in_force_is_the_listing_price_and_says_why(world):
    assert price_in_force(world.institution, world.product) == (
        Decimal("10.0000"), "listing", "ORD-1", f"挂网记录 #{world.product.listings.get().pk}")
    assert price_in_force(world.institution, world.suspended) is None  # DEL-4


def test_lowest_applicable_provider_wins_and_bulk_is_one_query_per_provider(world):
    def negotiated(institution, ids, at):
        if institution != world.institution:
            return {}
        return {world.product.pk: PriceQuote(Decimal("9.20"), "negotiation", "NEG-3", "议价结果 Y1")}

    register_provider("test-negotiation", negotiated)
    try:
        assert price_in_force(world.institution, world.product)[:3] == (Decimal("9.20"), "negotiation", "NEG-3")
        assert price_in_force(world.other_institution, world.product)[1] == "listing"
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from orders.pricing import providers

        with CaptureQueriesContext(connection) as one:
            prices_in_force(world.institution, [world.product])
        with CaptureQueriesContext(connection) as three:
            quotes = prices_in_force(world.institution, [world.product, world.product2, world.suspended])
        # no N+1: at most one query per provider, whatever the number of products (an unlisted
        # product adds the base providers' one query each: filing, FIL-3)
        assert len(one) <= len(three) <= len(providers())
        assert set(quotes) == {world.product.pk, world.product2.pk}
        order = place(world, {"product_id": world.product.pk, "quantity": 2})
        line = order.lines.get()
        assert (line.unit_price, line.price_source, line.amount) == (Decimal("9.2"), "negotiation", Decimal("18.40"))
    finally:
        from orders import pricing

        pricing._PROVIDERS.pop("test-negotiation")


def test_order_lines_get_price_listing_and_area_distributor(world):
    order = place(world, {"national_code": world.product.national_code, "quantity": "3"},
                  {"product_id": world.product2.pk, "quantity": 1, "unit_price": "25.50"})
    assert order.number.startswith("PO20260302")
    lines = list(order.lines.order_by("line_no"))
    assert [(li.quantity, li.unit_price, li.distributor_id) for li in lines] == [
        (3, Decimal("10"), world.distributor.pk), (1, Decimal("25.5"), world.distributor.pk)]
    assert order.total_amount == Decimal("55.50")
    assert order.status == OrderStatus.SUBMITTED


@pytest.mark.parametrize(
    "item_key, quantity, price, code, field",
    [
        ("suspended", 1, None, "DEL-4", "product_id"),
        ("no_distributor", 1, None, "QUA-2", "product_id"),
        ("product", 1, "10.01", "ORD-4", "unit_price"),
        ("product", 0, None, "invalid", "quantity"),
        ("product", -2, None, "invalid", "quantity"),
        ("product", "1.5", None, "invalid", "quantity"),
    ],
)
def test_refused_lines_name_the_rule_and_nothing_is_written(world, item_key, quantity, price, code, field):
    bad = {"product_id": getattr(world, item_key).pk, "quantity": quantity}
    if price:
        bad["unit_price"] = price
    with pytest.raises(Exception) as exc:
        place(world, {"product_id": world.product.pk, "quantity": 1}, bad)
    err = exc.value
    assert err.code == code
    assert err.errors == [{"line": 1, "code": code, "detail": err.errors[0]["detail"], "field": field}]
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_unknown_national_code_is_int_2(world):
    with pytest.raises(ordering.BatchRefused) as exc:
        place(world, {"national_code": "XA01ABD075A999999999999", "quantity": 1})
    assert exc.value.code == "INT-2"


def test_only_institutions_order(world):
    from core.errors import Forbidden

    with pytest.raises(Forbidden):
        place(world, {"product_id": world.product.pk, "quantity": 1}, user=world.dist_user)


def test_bulk_distributor_choice_agrees_with_distributor_for(world, make_org, make_distribution, nanjing):
    county = world.institution.county
    third = make_org("distributor", name="县级配送")
    make_distribution(world.manufacturer, third, nanjing, counties=[county])
    assert distributor_for(world.manufacturer, world.institution) == third
    assert distributors_for([world.manufacturer.pk, world.other_manufacturer.pk], world.institution) == {
        world.manufacturer.pk: third.pk}
    other_county = nanjing.children.exclude(pk=county.pk).first()
    inst2 = make_org("institution", city=nanjing, county=other_county)
    assert distributors_for([world.manufacturer.pk], inst2)[world.manufacturer.pk] == \
        distributor_for(world.manufacturer, inst2).pk == world.distributor.pk


def ship_all(w, order, note="PS-1", qty=None, batch="B1"):
    for line in order.lines.all():
        if line.status == LineStatus.SUBMITTED:
            ordering.order_lines_confirm(w.dist_user, order_line_ids=[line.pk])
    lines = [{"order_line": li.pk, "batch_number": batch, "expiry_date": "2028-01-31",
              "quantity": qty or li.quantity} for li in order.lines.all()]
    return fulfilment.delivery_create(w.dist_user, order_id=order.pk, note_number=note, lines=lines)


def test_full_flow_order_ship_receive_invoice_pay(world):
    order = place(world, {"product_id": world.product.pk, "quantity": 10})
    line = order.lines.get()
    delivery = ship_all(world, order, qty=6)
    line.refresh_from_db()
    assert (line.status, line.shipped_qty) == (LineStatus.PARTIALLY_SHIPPED, 6)
    dl = delivery.lines.get()
    fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk, lines=[{"delivery_line": dl.pk, "quantity": 4}])
    line.refresh_from_db()
    assert (line.status, line.received_qty) == (LineStatus.PARTIALLY_RECEIVED, 4)
    # ORD-1: receipt larger than what was shipped
    with pytest.raises(RuleViolation) as exc:
        fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk, lines=[{"delivery_line": dl.pk, "quantity": 3}])
    assert exc.value.code == "ORD-1"
    fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk, received_on="2026-03-02")
    d2 = fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="PS-2", lines=[
        {"order_line": line.pk, "batch_number": "B2", "expiry_date": "2028-02-28", "quantity": 4}])
    fulfilment.receipt_create(world.inst_user, delivery_id=d2.pk)
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.status, line.received_qty, order.status) == (LineStatus.RECEIVED, 10, OrderStatus.COMPLETED)

    # ORD-2: invoice, due = receipt date + policy days (30), payment from the dedicated account
    invoice = settlement.invoice_create(world.dist_user, delivery_id=delivery.pk, number="INV-1", amount="60.00")
    assert invoice.due_date == date(2026, 4, 1)
    with pytest.raises(RuleViolation) as exc:
        settlement.payment_create(world.inst_user, invoice_id=invoice.pk, amount="60", reference="R1")
    assert exc.value.code == "ORD-2"  # no dedicated account yet
    settlement.account_set(world.inst_user, bank_name="工商银行", account_name="测试省人民医院",
                         account_number="6222000011112222")
    # another institution's invoice is not found (and nothing is paid)
    with pytest.raises(NotFound):
        settlement.payment_create(world.other_inst_user, invoice_id=invoice.pk, amount="60", reference="R1")
    settlement.payment_create(world.inst_user, invoice_id=invoice.pk, amount="60", reference="R1")
    invoice.refresh_from_db()
    assert invoice.status == "paid" and Payment.objects.get().account.account_number == "6222000011112222"


def test_decline_needs_reason_and_transitions_are_enforced(world):
    order = place(world, {"product_id": world.product.pk, "quantity": 1})
    line = order.lines.get()
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        ordering.order_line_decline(world.dist_user, order_line_id=line.pk, reason=" ")
    ordering.order_line_decline(world.dist_user, order_line_id=line.pk, reason="缺货")
    with pytest.raises(Conflict) as exc:
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
    assert exc.value.code == "ORD-1"
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED
    # another distributor cannot act on the line
    order2 = place(world, {"product_id": world.product.pk, "quantity": 1})
    with pytest.raises(NotFound):
        ordering.order_lines_confirm(world.other_dist_user, order_line_ids=[order2.lines.get().pk])


def test_overdue_payments_listed_for_the_regulator_of_the_city_only(world):
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        order = place(world, {"product_id": world.product.pk, "quantity": 2})
        delivery = ship_all(world, order)
        settlement.invoice_create(world.dist_user, delivery_id=delivery.pk, number="INV-9", amount="20")
        fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk, received_on="2026-01-05")
    inv = Invoice.objects.get()
    assert inv.due_date == date(2026, 2, 4)
    assert list(overdue_invoices(world.nj_regulator, TODAY)) == [inv]
    assert list(overdue_invoices(world.province, TODAY)) == [inv]
    assert list(overdue_invoices(world.sz_regulator, TODAY)) == []  # denial: other city
    assert list(overdue_invoices(world.nj_regulator, date(2026, 2, 4))) == []


def test_returns_cannot_exceed_received(world):
    order = place(world, {"product_id": world.product.pk, "quantity": 2})
    delivery = ship_all(world, order)
    fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk)
    line = order.lines.get()
    fulfilment.return_create(world.inst_user, order_line_id=line.pk, quantity=1, reason="破损")
    with pytest.raises(RuleViolation):
        fulfilment.return_create(world.inst_user, order_line_id=line.pk, quantity=2, reason="破损")


def test_visible_to_scoping_and_denials(world):
    order = place(world, {"product_id": world.product.pk, "quantity": 1})
    visible = lambda u: set(Order.objects.visible_to(u))  # noqa: E731
    assert visible(world.inst_user) == {order}
    assert visible(world.other_inst_user) == set()  # other institution
    assert visible(world.dist_user) == {order}
    assert visible(world.other_dist_user) == set()  # other enterprise
    assert visible(world.mfr_user) == {order}
    assert visible(world.other_mfr_user) == set()
    assert visible(world.nj_regulator) == {order}
    assert visible(world.sz_regulator) == set()  # other city
    assert visible(world.province) == {order}
    assert OrderLine.objects.visible_to(world.other_dist_user).count() == 0


def test_county_regulators_see_only_their_countys_institutions(world, make_org, make_user, nanjing):
    order = place(world, {"product_id": world.product.pk, "quantity": 1})
    own = make_user(make_org("county_regulator", city=nanjing, county=world.institution.county))
    other_county = nanjing.children.exclude(pk=world.institution.county_id).first()
    other = make_user(make_org("county_regulator", city=nanjing, county=other_county))
    assert list(Order.objects.visible_to(own)) == [order]
    assert list(Order.objects.visible_to(other)) == []  # denial: other county


def test_online_procurement_inputs_split_platform_and_offplatform_by_kind(world):
    from orders.selectors import online_procurement_amounts

    order = place(world, {"product_id": world.product.pk, "quantity": 3})
    delivery = ship_all(world, order)
    fulfilment.receipt_create(world.inst_user, delivery_id=delivery.pk)
    ordering.offplatform_create(world.inst_user, items=[
        {"item_name": "急救药", "kind": "drug", "amount": "10", "received_on": "2026-03-01", "reason": "emergency"}])
    amounts = online_procurement_amounts(date(2026, 3, 1), date(2026, 3, 31))
    assert amounts == {(world.institution.pk, "drug"): {"platform": Decimal("30.00"), "offplatform": Decimal("10.00")}}
    assert online_procurement_amounts(date(2026, 3, 1), date(2026, 3, 31), [world.other_institution.pk]) == {}

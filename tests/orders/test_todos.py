"""Home-page to-do lists for ordering and settlement (issue 15 item 6; ORD-1, ORD-2): each
role sees its own tasks with their deadlines and a link to the page where the same rows are
listed; another party sees none of them; the home page costs the same number of queries
whatever the number of tasks."""

from datetime import date

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import todos
from orders import selectors
from orders.services import fulfilment, ordering, settlement
from tests.todos import home_todos

pytestmark = pytest.mark.django_db


def _todos(client, user):
    return home_todos(client, user, ORDER_TASKS)


# The orders app's tasks (other apps add theirs, e.g. the monthly report, tested there).
ORDER_TASKS = {"待收货入库的配送单", "待付款发票", "已超过回款期限的发票", "待确认配送的订单行", "已确认待发货的订单行",
               "回款超期的发票"}


def _received_invoice(world, qty=2, number="FP-1"):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": qty}])
    line = order.lines.get()
    ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
    d = fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number=f"SH-{number}", lines=[
        {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": qty}])
    fulfilment.receipt_create(world.inst_user, delivery_id=d.pk)
    return settlement.invoice_create(world.dist_user, delivery_id=d.pk, number=number, amount=str(10 * qty))


def test_institution_sees_deliveries_to_receive_and_invoices_due_and_overdue_ORD_2(client, world):
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        old = _received_invoice(world, number="FP-OLD")  # due 2026-02-04 (30 days after receipt)
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        new = _received_invoice(world, number="FP-NEW")  # due 2026-04-01
        order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product2.pk, "quantity": 1}])
        line = order.lines.get()
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
        fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="SH-OPEN", lines=[
            {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": 1}])
        items = _todos(client, world.inst_user)
        receive = items["待收货入库的配送单"]
        assert receive["count"] == 1 and receive["url"] == "/orders/receiving/"
        unpaid = items["待付款发票"]  # within the payment term: the next deadline
        assert unpaid["count"] == 1 and unpaid["due"] == new.due_date == date(2026, 4, 1) and not unpaid["overdue"]
        overdue = items["已超过回款期限的发票"]
        assert overdue["count"] == 1 and overdue["days_late"] == 26 and old.due_date == date(2026, 2, 4)
        # Each link opens the list on exactly the rows counted.
        page = client.get(overdue["url"]).content.decode()
        assert "FP-OLD" in page and "FP-NEW" not in page
        page = client.get(unpaid["url"]).content.decode()
        assert "FP-OLD" not in page and "FP-NEW" in page
        assert "SH-OPEN" in client.get(receive["url"]).content.decode()
        html = client.get("/").content.decode()
        assert 'data-testid="todos"' in html and "已逾期 26 天" in html and 'href="/orders/payments/?overdue=1"' in html


def test_other_parties_do_not_see_the_institutions_tasks(client, world):
    """Denial: another institution, the distributor of another city and Suzhou's regulator
    see none of the Nanjing hospital's invoices or deliveries."""
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        _received_invoice(world, number="FP-OLD")
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        assert _todos(client, world.other_inst_user) == {}
        assert _todos(client, world.other_dist_user) == {}
        assert _todos(client, world.sz_regulator) == {}
        # Nanjing's regulator supervises the overdue payment (ORD-2), it does not pay it.
        nj = _todos(client, world.nj_regulator)
        assert nj["回款超期的发票"]["count"] == 1 and nj["回款超期的发票"]["url"] == "/orders/overdue/"
        assert "待付款发票" not in nj and "待收货入库的配送单" not in nj


def test_distributor_sees_lines_to_confirm_then_to_ship(client, world):
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        a = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 1}])
        ordering.order_create(world.inst_user, lines=[{"product_id": world.product2.pk, "quantity": 1}])
        items = _todos(client, world.dist_user)
        assert items["待确认配送的订单行"]["count"] == 2 and "已确认待发货的订单行" not in items
        ordering.order_lines_confirm(world.dist_user, order_line_ids=[a.lines.get().pk])
        items = _todos(client, world.dist_user)
        assert items["待确认配送的订单行"]["count"] == 1 and items["已确认待发货的订单行"]["count"] == 1
        listed = client.get(items["已确认待发货的订单行"]["url"]).content.decode()
        assert a.number in listed
        # The institution ordering is not the distributor: it has no lines to confirm.
        assert "待确认配送的订单行" not in _todos(client, world.inst_user)


def _home_queries(client, user):
    client.force_login(user)
    client.get("/")  # warm caches (session, policy values)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_home_page_query_count_does_not_grow_with_the_number_of_tasks(client, world):
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        _received_invoice(world, number="FP-A")
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        one_inst = _home_queries(client, world.inst_user)
        one_dist = _home_queries(client, world.dist_user)
        one_reg = _home_queries(client, world.nj_regulator)
    with time_machine.travel("2026-01-06 10:00 +08:00", tick=False):
        for n in range(6):
            _received_invoice(world, number=f"FP-B{n}")
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        for _ in range(4):
            ordering.order_create(world.inst_user, lines=[{"product_id": world.product2.pk, "quantity": 1}])
        assert _todos(client, world.inst_user)["已超过回款期限的发票"]["count"] == 7
        assert _home_queries(client, world.inst_user) == one_inst
        assert _home_queries(client, world.dist_user) == one_dist
        assert _home_queries(client, world.nj_regulator) == one_reg


def test_counts_come_from_the_list_selectors(world):
    """The number on the home page is the number of rows of the page behind the link."""
    with time_machine.travel("2026-01-05 10:00 +08:00", tick=False):
        _received_invoice(world, number="FP-OLD")
    today = date(2026, 3, 2)
    items = {str(i.label): i for fn in todos.providers().values() for i in fn(world.inst_user, today)}
    assert items["已超过回款期限的发票"].count == selectors.invoices_for(world.inst_user, overdue_on=today).count()
    assert items["待付款发票"].count == selectors.invoices_for(world.inst_user, not_yet_due_on=today).count()


def test_registry_is_idempotent_by_name():
    before = dict(todos.providers())
    fn = before["orders.institution"]
    todos.register_todo("orders.institution", fn)
    assert todos.providers() == before

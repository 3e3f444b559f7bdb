"""Each role's pages show only what it can do now (issue 15 item 7): the distributor's order
page offers shipping only after confirmation (ORD-1) and hides finished steps; a regulator's
menu lists orders for supervision, not as "我的订单"; only the province, which can confirm a
calendar year, sees the calendar-confirmation banner."""

import pytest
import time_machine
from django.urls import reverse

from orders.services import fulfilment, ordering

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    # 2026-11-24: the installed calendar package knows 2026, not 2027 → the banner has a reason.
    with time_machine.travel("2026-11-24 10:00 +08:00", tick=False):
        yield


def _detail(client, user, order):
    client.force_login(user)
    r = client.get(reverse("orders:order_detail", args=[order.pk]))
    assert r.status_code == 200
    return r.content.decode()


def test_ord_1_distributor_sees_shipping_only_after_confirming(client, world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 3}])
    line = order.lines.get()
    html = _detail(client, world.dist_user, order)
    assert 'data-testid="confirm"' in html and 'data-testid="decline-form"' in html
    assert 'data-testid="ship-form"' not in html and 'data-testid="ship-after-confirm"' in html
    # A ship request for an unconfirmed line is still refused by the service (nothing shipped).
    client.post(reverse("orders:order_detail", args=[order.pk]), {
        "action": "ship", "note_number": "SH-X", f"ship_{line.pk}": "3", f"batch_{line.pk}": "B",
        f"expiry_{line.pk}": "2029-12-31"})
    line.refresh_from_db()
    assert line.status == "submitted" and not order.deliveries.exists()

    ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
    html = _detail(client, world.dist_user, order)
    assert 'data-testid="ship-form"' in html and 'data-testid="ship-qty-1"' in html
    # Confirming and declining are finished steps now: no button, no form.
    assert 'data-testid="confirm"' not in html and 'data-testid="decline-form"' not in html


def test_ord_1_finished_order_shows_no_step_at_all(client, world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 2}])
    line = order.lines.get()
    ordering.order_lines_confirm(world.dist_user, order_line_ids=[line.pk])
    fulfilment.delivery_create(world.dist_user, order_id=order.pk, note_number="SH-DONE", lines=[
        {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": 2}])
    html = _detail(client, world.dist_user, order)
    for step in ('data-testid="ship-form"', 'data-testid="confirm"', 'data-testid="decline-form"',
                 'data-testid="ship-after-confirm"'):
        assert step not in html
    assert "SH-DONE" in html  # what was done stays visible


def test_institution_and_regulator_get_no_supplier_steps(client, world):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 1}])
    for user in (world.inst_user, world.nj_regulator):
        html = _detail(client, user, order)
        assert 'data-testid="confirm"' not in html and 'data-testid="ship-form"' not in html
        assert 'data-testid="decline-form"' not in html


def _menu(client, user):
    client.force_login(user)
    return client.get("/").content.decode().split('data-testid="home-title"', 1)[0]


@pytest.mark.parametrize("who", ["nj_regulator", "province"])
def test_regulators_menu_does_not_say_my_orders(client, world, who):
    menu = _menu(client, getattr(world, who))
    assert "我的订单" not in menu
    assert "订单查询" in menu and 'href="/orders/orders/"' in menu


@pytest.mark.parametrize("who", ["inst_user", "dist_user", "mfr_user"])
def test_ordering_parties_keep_my_orders(client, world, who):
    menu = _menu(client, getattr(world, who))
    assert "我的订单" in menu and "订单查询" not in menu


def test_calendar_banner_only_for_the_province_that_can_confirm(client, world, make_user, make_org):
    from parties.models import OrgKind

    client.force_login(world.province)
    assert 'data-testid="calendar-banner"' in client.get("/").content.decode()
    county_user = make_user(make_org(OrgKind.COUNTY_REGULATOR))
    for user in (world.nj_regulator, county_user, world.inst_user):
        client.force_login(user)
        assert 'data-testid="calendar-banner"' not in client.get("/").content.decode()

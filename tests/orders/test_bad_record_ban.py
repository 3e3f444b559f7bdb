"""BAD-2 reaches orders: when the province switches the draft's bar on, an institution cannot
order a barred enterprise's products (the whole batch is refused naming BAD-2, nothing is
written); with the parameter at its default (off) the same order goes through."""

from datetime import date

import pytest

from orders.models import Order
from orders.services import ordering
from policy.models import PolicyValue
from qualifications import services as qua

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_march_2")]


@pytest.fixture
def serious_record(world):
    return qua.bad_record_enter(world.province, enterprise=world.manufacturer, kind="bribery", severity="serious",
                                recorded_on=date(2026, 2, 20), description="商业贿赂，列入不良记录名单")


def test_bad_2_off_by_default_orders_go_through(world, serious_record):
    order = ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 2}])
    assert order.lines.count() == 1


def test_bad_2_switched_on_refuses_orders_of_the_barred_enterprises_products(world, serious_record):
    PolicyValue.objects.create(key="bad.ban_enabled", value=True, effective_from=date(2026, 3, 1),
                               reason="省医保局决定执行禁入")
    with pytest.raises(ordering.BatchRefused) as exc:
        ordering.order_create(world.inst_user, lines=[{"product_id": world.no_distributor.pk, "quantity": 1},
                                                {"product_id": world.product.pk, "quantity": 2}])
    codes = [e["code"] for e in exc.value.errors]
    assert "BAD-2" in codes and "不能订购其产品" in exc.value.errors[codes.index("BAD-2")]["detail"]
    assert not Order.objects.exists()
    # switched off again: the same order goes through
    PolicyValue.objects.create(key="bad.ban_enabled", value=False, effective_from=date(2026, 3, 2),
                               reason="恢复默认")
    assert ordering.order_create(world.inst_user, lines=[{"product_id": world.product.pk, "quantity": 2}])

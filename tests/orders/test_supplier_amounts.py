"""ACT-1 / ACT-2: a supplier opening an order sees its own lines and their amount, never the
order total (the other suppliers' prices and quantities are none of its business)."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from orders.services import ordering

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_order(world, make_product, make_distribution, nanjing):
    """One order with a line for each of two suppliers: 5 × 10.00 (测试制药 via 测试配送) and
    3 × 8.00 (外地制药 via 其他配送) — total 74.00."""
    make_distribution(world.other_manufacturer, world.other_distributor, nanjing)
    order = ordering.order_create(world.inst_user, lines=[
        {"product_id": world.product.pk, "quantity": 5},
        {"product_id": world.no_distributor.pk, "quantity": 3},
    ])
    assert order.total_amount == Decimal("74.00")
    return order


@pytest.mark.parametrize("who, own", [("dist_user", "50.00"), ("other_dist_user", "24.00"), ("mfr_user", "50.00")])
def test_supplier_sees_only_its_lines_amount_on_the_order_page(client, world, mixed_order, who, own):
    client.force_login(getattr(world, who))
    page = client.get(reverse("orders:order_detail", args=[mixed_order.pk])).content.decode()
    assert own in page and "74.00" not in page
    listing = client.get(reverse("orders:order_list")).content.decode()
    assert own in listing and "74.00" not in listing


def test_supplier_export_carries_its_own_amount(client, world, mixed_order):
    client.force_login(world.other_dist_user)
    resp = client.get(reverse("orders:order_list"), {"export": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(resp.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][4] == "本企业明细金额"
    assert [r[4] for r in rows[1:]] == [24]


def test_institution_and_regulator_still_see_the_order_total(client, world, mixed_order):
    for user in (world.inst_user, world.nj_regulator, world.province):
        client.force_login(user)
        page = client.get(reverse("orders:order_detail", args=[mixed_order.pk])).content.decode()
        assert "74.00" in page

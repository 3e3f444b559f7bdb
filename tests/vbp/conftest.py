"""A small VBP world on top of the orders world: a national result with one variety
(阿莫西林胶囊) whose selected product is `world.product`, a non-selected product of the same
variety by another manufacturer, and helpers to build .xlsx uploads."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from tests.orders import conftest as orders_fixtures
from vbp import services

# The orders world (institutions, manufacturers, listed products, distributors, users); the
# reference regions come from the autouse fixture of tests/conftest.py.
his_token = orders_fixtures.his_token
make_distribution = orders_fixtures.make_distribution
make_product = orders_fixtures.make_product
world = orders_fixtures.world

START, END = date(2026, 1, 1), date(2026, 12, 31)


def xlsx(rows, name="result.xlsx"):
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    buf = BytesIO()
    wb.save(buf)
    return SimpleUploadedFile(name, buf.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def tender_fields(**kw):
    base = {"code": "GJ-2026-01", "name": "第十批国家组织药品集采", "product_kind": "drug", "volume_ratio": "60",
            "period_start": START, "period_end": END}
    base.update(kw)
    return base


@pytest.fixture
def vbp_world(world, make_product, make_distribution, nanjing):
    w = world
    # A non-selected product of the same variety (same generic name), also listed and deliverable.
    w.non_selected = make_product(w.other_manufacturer, price="12.00", name="阿莫西林胶囊")
    make_distribution(w.other_manufacturer, w.distributor, nanjing)
    return w


@pytest.fixture
def published(vbp_world):
    w = vbp_world
    upload = xlsx([services.RESULT_HEADERS, ["阿莫西林胶囊", w.product.national_code, "6.50", "100"]])
    w.tender = services.national_result_import(w.province, upload, **tender_fields())
    w.variety = w.tender.varieties.get()
    w.selected = w.variety.selected.get()
    return w


@pytest.fixture
def locked(published):
    """Base volume reported (1,000) and the allocation locked: one contract, agreed 600."""
    w = published
    services.base_volume_report(w.inst_user, w.tender, variety="阿莫西林胶囊", quantity=1000, reason="院内HIS统计")
    w.contract = services.allocation_lock(w.province, w.tender)[0]
    return w


@pytest.fixture
def signed(locked):
    w = locked
    services.contract_sign(w.inst_user, w.contract)
    w.contract = services.contract_sign(w.mfr_user, w.contract)
    return w


__all__ = ["Decimal"]


def receive(w, product, qty, on, user=None):
    """Order, ship and receive `qty` of `product` for w.institution on `on` (入库)."""
    import time_machine

    from orders.services import fulfilment, ordering

    with time_machine.travel(f"{on.isoformat()} 10:00 +08:00", tick=False):
        order = ordering.order_create(user or w.inst_user, lines=[{"product_id": product.pk, "quantity": qty}])
        line = order.lines.get()
        ordering.order_lines_confirm(w.dist_user, order_line_ids=[line.pk])
        d = fulfilment.delivery_create(w.dist_user, order_id=order.pk, note_number=f"N{line.pk}", lines=[
            {"order_line": line.pk, "batch_number": "B", "expiry_date": "2030-01-01", "quantity": qty}])
        fulfilment.receipt_create(w.inst_user, delivery_id=d.pk)
    return order

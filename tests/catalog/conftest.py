import pytest

from tests.factories import ProductFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def make_product(maker):
    seq = iter(range(1, 10_000))

    def make(kind="drug", manufacturer=None, **kw):
        # Catalogue tests tell drugs apart by specification; consumables here are high-value.
        if kind == "drug":
            kw.setdefault("specification", f"0.{next(seq)}g")
        else:
            kw.setdefault("consumable_class", "hv6")
        return ProductFactory(consumable=kind != "drug", manufacturer=manufacturer or maker, pack_unit="", **kw)

    return make


@pytest.fixture
def frozen():
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        yield dt.date(2026, 11, 24)


def xlsx_bytes(rows, headers=None):
    from io import BytesIO

    from openpyxl import Workbook

    from catalog.services import UPLOAD_HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(headers if headers is not None else UPLOAD_HEADERS)
    for row in rows:
        ws.append(row)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content, name="prices.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/octet-stream")

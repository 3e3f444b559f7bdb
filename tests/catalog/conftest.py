import pytest

from catalog.models import Product
from parties.models import OrgKind


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def maker(make_org):
    return make_org(OrgKind.MANUFACTURER)


@pytest.fixture
def maker_user(make_user, maker):
    return make_user(maker)


@pytest.fixture
def other_maker_user(make_user, make_org):
    return make_user(make_org(OrgKind.MANUFACTURER))


@pytest.fixture
def make_product(maker):
    seq = iter(range(1, 10_000))

    def make(kind="drug", manufacturer=None, **kw):
        n = next(seq)
        if kind == "drug":
            kw.setdefault("national_code", f"XA01ABD075A0020101{n:05d}")
            kw.setdefault("generic_name", "阿莫西林胶囊")
            kw.setdefault("dosage_form", "胶囊剂")
            kw.setdefault("specification", f"0.{n}g")
        else:
            kw.setdefault("national_code", f"C091001000000002117900{n:05d}")
            kw.setdefault("generic_name", "冠脉支架")
            kw.setdefault("specification", "3.0×18mm")
            kw.setdefault("consumable_class", "hv6")
        return Product.objects.create(kind=kind, manufacturer=manufacturer or maker, **kw)

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

"""Exports cannot attack their reader (issue 16 item 3): user text starting with `=`, `+`, `-`,
`@`, tab or CR is written as a text cell, never a formula — an HIS `external_ref` or an
off-platform `note` carrying a DDE payload stays inert in a regulator's Excel."""

import io
import json

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from tests.security.world import build_world

EVIL = "=cmd|' /C calc'!A0"
PAYLOADS = [EVIL, "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.fixture
def world(db):
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield build_world()


def _xlsx_cells(resp):
    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
    wb = load_workbook(io.BytesIO(body))
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def _client(user=None, token=None):
    c = Client()
    if user is not None:
        c.force_login(user)
    if token:
        c.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    return c


def _hostile_text(w):
    """User text through the real paths (HIS API), plus the other free-text fields exports show."""
    from experts.models import ExpertProfile
    from orders.models import Invoice, OffPlatformPurchase
    from parties.models import ApiClient
    from pricing.models import Complaint

    his = _client(token=w.his_token)
    r = his.post("/api/v1/orders/", json.dumps({"lines": [{"national_code": w.product.national_code, "quantity": 1}],
                                                "external_ref": EVIL}), content_type="application/json")
    assert r.status_code == 201, r.content
    r = his.post("/api/v1/orders/off-platform-purchases/", json.dumps({"items": [
        {"item_name": "@SUM(A1)", "kind": "drug", "amount": "10.00", "received_on": "2026-11-20", "reason": "other",
         "note": EVIL}]}), content_type="application/json")
    assert r.status_code == 201, r.content
    assert OffPlatformPurchase.objects.filter(note=EVIL).exists()
    Complaint.objects.update(title="+1+1")
    ApiClient.objects.filter(pk=w.api_client_to_revoke.pk).update(name="-2+3")
    ExpertProfile.objects.update(employer="\t=1+1")
    Invoice.objects.update(number="\r=1+1")


EXPORTS = [
    ("institution", "/orders/orders/?export=xlsx"),
    ("institution", "/orders/offplatform/?export=xlsx"),
    ("city_regulator", "/orders/offplatform/?export=xlsx"),
    ("institution", "/orders/payments/?export=xlsx"),
    ("distributor", "/orders/deliveries/?export=xlsx"),
    ("province_regulator", "/orders/overdue/?export=xlsx"),
    ("province_regulator", "/orders/nosales/?export=xlsx"),
    ("province_regulator", "/listing/applications/?export=xlsx"),
    ("province_regulator", "/listing/listings/?export=xlsx"),
    ("province_regulator", "/negotiation/?export=xlsx"),
    ("province_regulator", "/negotiation/dashboard/?export=xlsx"),
    ("province_regulator", "/monitoring/table.xlsx?month=2026-10"),
    ("province_regulator", "/monitoring/flags/?export=xlsx"),
    ("institution", "/monitoring/reports/template.xlsx"),
    ("province_regulator", "/experts/pool/?export=xlsx"),
    ("province_regulator", "/pricing/linkage/?export=xlsx"),
    ("province_regulator", "/pricing/linkage/overdue/?export=xlsx"),
    ("province_regulator", "/pricing/complaints/?export=xlsx"),
    ("province_regulator", "/catalog/export.xlsx"),
    ("province_regulator", "/catalog/prices/template.xlsx"),
    ("province_regulator", "/parties/api-clients/export.xlsx"),
    ("province_regulator", "/policy/export.xlsx"),
]


@pytest.mark.django_db
def test_no_export_contains_a_formula_from_user_text(world):
    with time_machine.travel("2026-11-24 10:05:00+08:00", tick=False):
        _hostile_text(world)
        texts, problems = [], []
        urls = [*EXPORTS, ("province_regulator", f"/pricing/general/{world.round.pk}/?export=xlsx")]
        for role, url in urls:
            resp = _client(world.users[role]).get(url)
            assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxml"), url
            for cell in _xlsx_cells(resp):
                if cell.data_type == "f":
                    problems.append(f"{url} {cell.coordinate}: {cell.value!r}")
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    assert problems == []
    # The hostile text is there, as text: the HIS reference and the off-platform note.
    assert EVIL in texts and texts.count(EVIL) >= 2
    assert {"+1+1", "-2+3", "@SUM(A1)", "\t=1+1"} <= set(texts)
    assert {"\r=1+1", "\n=1+1"} & set(texts)  # an XML reader normalises the CR of the invoice number


def test_safe_cell_marks_every_formula_prefix_as_text():
    from openpyxl import Workbook

    from core.exports import safe_cell

    ws = Workbook(write_only=True).create_sheet()
    for text in PAYLOADS:
        cell = safe_cell(ws, text)
        assert cell.data_type == "s" and cell.quotePrefix and cell.value == text
    assert safe_cell(ws, -5).data_type == "n"
    assert safe_cell(ws, "a\x00b\x07c").value == "abc"

"""Pages and the HIS API of the VBP channel: scoping, denial, exports, Idempotency-Key."""

from datetime import date
from decimal import Decimal as D
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from tests import factories as f
from vbp.models import BaseVolume, Tender

from .conftest import receive, tender_fields, xlsx

pytestmark = pytest.mark.django_db


def test_vbp_1_province_imports_result_page_and_bad_file_lists_rows(client, vbp_world):
    from vbp import services

    w = vbp_world
    client.force_login(w.province)
    data = {k: str(v) for k, v in tender_fields().items()}
    bad = xlsx([services.RESULT_HEADERS, ["阿莫西林胶囊", w.product.national_code, "0", "100"]])
    r = client.post("/vbp/import/", {**data, "file": bad})
    assert r.status_code == 200 and "中选价须大于 0" in r.content.decode()
    assert not Tender.objects.exists()
    good = xlsx([services.RESULT_HEADERS, ["阿莫西林胶囊", w.product.national_code, "6.5", "100"]])
    r = client.post("/vbp/import/", {**data, "file": good})
    assert r.status_code == 302
    assert Tender.objects.get().status == "published"


def test_vbp_1_institution_cannot_open_import(client, vbp_world):
    client.force_login(vbp_world.inst_user)
    assert client.get("/vbp/import/").status_code == 403


def test_vbp_pages_render_for_each_party(client, signed):
    w = signed
    for user, urls in [
        (w.inst_user, ["/vbp/", f"/vbp/tenders/{w.tender.pk}/", "/vbp/contracts/", f"/vbp/contracts/{w.contract.pk}/",
                       "/vbp/circulars/"]),
        (w.province, ["/vbp/", f"/vbp/tenders/{w.tender.pk}/", "/vbp/dashboard/", "/vbp/dashboard/?by=city",
                      "/vbp/circulars/"]),
        (w.mfr_user, ["/vbp/contracts/", f"/vbp/contracts/{w.contract.pk}/"]),
    ]:
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 200, (user, url)


def test_vbp_6_dashboard_denied_to_institutions_and_contract_hidden_from_others(client, signed):
    w = signed
    client.force_login(w.inst_user)
    assert client.get("/vbp/dashboard/").status_code == 403
    client.force_login(w.other_inst_user)
    assert client.get(f"/vbp/contracts/{w.contract.pk}/").status_code == 404
    client.force_login(w.other_mfr_user)
    assert client.get(f"/vbp/contracts/{w.contract.pk}/").status_code == 404


def test_vbp_6_dashboard_export_xlsx(client, signed):
    w = signed
    receive(w, w.product, 300, date(2026, 2, 1))
    client.force_login(w.province)
    r = client.get("/vbp/dashboard/?by=institution&export=xlsx&on=2026-03-01")
    body = b"".join(r.streaming_content) if hasattr(r, "streaming_content") else r.content
    ws = load_workbook(BytesIO(body)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "医疗机构"
    assert rows[1][4] == 50  # 300 of 600 completed


def test_vbp_3_sign_page_flow(client, locked):
    w = locked
    client.force_login(w.inst_user)
    client.post(f"/vbp/contracts/{w.contract.pk}/sign")
    client.force_login(w.mfr_user)
    client.post(f"/vbp/contracts/{w.contract.pk}/sign")
    w.contract.refresh_from_db()
    assert w.contract.status == "signed"


def _api(client, token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_vbp_his_api_contracts_and_progress_own_institution_only(client, signed, his_token):
    w = signed
    receive(w, w.product, 300, date(2026, 2, 1))
    token, _ = his_token(w.institution)
    with time_machine.travel("2026-03-01 10:00 +08:00", tick=False):
        r = client.get("/api/v1/vbp/contracts/", **_api(client, token))
    assert r.status_code == 200
    data = r.json()["results"]
    assert data[0]["lines"][0]["agreed_qty"] == 600
    assert data[0]["progress"]["completed_qty"] == 300
    other, _ = his_token(w.other_institution)
    assert client.get("/api/v1/vbp/contracts/", **_api(client, other)).json()["results"] == []
    assert client.get(f"/api/v1/vbp/contracts/{w.contract.pk}", **_api(client, other)).status_code == 404


def test_vbp_2_his_api_reports_base_volume_idempotently(client, published, his_token):
    w = published
    token, _ = his_token(w.institution)
    body = {"tender_code": w.tender.code, "variety": "阿莫西林胶囊", "quantity": 800, "reason": "HIS统计"}
    headers = {**_api(client, token), "HTTP_IDEMPOTENCY_KEY": "bv-1"}
    r1 = client.post("/api/v1/vbp/base-volumes/", body, content_type="application/json", **headers)
    r2 = client.post("/api/v1/vbp/base-volumes/", body, content_type="application/json", **headers)
    assert r1.status_code == r2.status_code == 201
    assert r2.headers.get("Idempotent-Replayed") == "true"
    assert BaseVolume.objects.get().quantity == 800


@pytest.mark.parametrize("body,code", [
    ({"variety": "头孢克肟片", "quantity": 5, "reason": "x"}, "VBP-2"),
    ({"variety": "阿莫西林胶囊", "quantity": -1}, "invalid"),
    ({"variety": "阿莫西林胶囊", "quantity": 5}, "VBP-2"),
])
def test_vbp_2_his_api_bad_base_volume_names_the_rule(client, published, his_token, body, code):
    w = published
    token, _ = his_token(w.institution)
    r = client.post("/api/v1/vbp/base-volumes/", {"tender_code": w.tender.code, **body},
                    content_type="application/json", **_api(client, token))
    assert r.status_code in (400, 422)
    assert r.json()["code"] == code
    assert not BaseVolume.objects.exists()


def test_vbp_6_supply_monitoring_and_payments(signed):
    """VBP-6: fill rate, response and delivery time of selected enterprises; invoices per contract."""
    from vbp import selectors

    w = signed
    receive(w, w.product, 300, date(2026, 2, 1))
    rows = selectors.supply_monitoring(w.province, date(2026, 1, 1), date(2026, 12, 31))
    assert [(r["name"], r["ordered"], r["received"], r["fill_rate"]) for r in rows] == [
        ("测试制药", 300, 300, 100)]
    assert rows[0]["delivery_days"] == 0
    assert selectors.supply_monitoring(w.sz_regulator, date(2026, 1, 1), date(2026, 12, 31)) == []
    assert selectors.contract_payments(w.contract, date(2026, 3, 1)) == {"invoices": 0, "paid": 0, "overdue": 0}


def test_vbp_7_ledger_page_and_export_scoped(client, signed):
    """VBP-7/VBP-8: the prepayment ledger with its triggers; institutions see their own rows only."""
    from vbp import jobs

    w = signed
    jobs.prepayments(on=date(2026, 1, 1))
    client.force_login(w.province)
    r = client.get("/vbp/ledger/")
    assert r.status_code == 200 and "采购周期开始" in r.content.decode() and "1,950.00" in r.content.decode()
    r = client.get("/vbp/ledger/?export=xlsx")
    body = b"".join(r.streaming_content) if hasattr(r, "streaming_content") else r.content
    rows = list(load_workbook(BytesIO(body)).active.iter_rows(values_only=True))
    assert rows[1][3] == "开始预付" and rows[1][7] == "采购周期开始"
    client.force_login(w.other_inst_user)
    assert "1950.00" not in client.get("/vbp/ledger/").content.decode()
    client.force_login(w.mfr_user)
    assert client.get("/vbp/ledger/").status_code == 403


def test_vbp_5_provincial_tender_run_in_the_browser_pages(client, vbp_world):
    """VBP-5/VBP-9: the province creates a tender (VBP-9 refusal shown on the form), adds a
    variety only after linking an expert session, opens bidding; an enterprise bids."""
    from experts.models import ExpertDraw
    from parties.models import Region
    from vbp.models import Bid, Variety

    w = vbp_world
    client.force_login(w.province)
    cities = list(Region.objects.filter(level="city").order_by("code")[:5])
    base = {"code": "LM-9", "name": "区域联盟", "level": "alliance", "alliance_kind": "regional_ivd",
            "product_kind": "consumable", "selection_mode": "price_competition", "volume_ratio": "60",
            "period_start": "2026-01-01", "period_end": "2026-12-31", "lead_city": cities[0].pk,
            "member_cities": [c.pk for c in cities], "plan_filed_on": "2025-12-01", "publish_on": "2025-12-05"}
    r = client.post("/vbp/tenders/new/", base)
    assert r.status_code == 200 and "至少 5 个工作日" in r.content.decode()
    assert not Tender.objects.exists()
    r = client.post("/vbp/tenders/new/", {**base, "level": "provincial", "alliance_kind": "", "product_kind": "drug",
                                          "code": "SJ-9"})
    tender = Tender.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/vbp/tenders/{tender.pk}/manage/"
    url = f"/vbp/tenders/{tender.pk}/manage/"
    client.post(url, {"action": "variety", "name": "阿莫西林胶囊", "priority": "high_volume"})
    assert not Variety.objects.exists()  # EXP-1: experts first
    session = f.ExpertSessionFactory(title="品种遴选", created_by=w.province)
    assert ExpertDraw._meta.get_field("session")  # the draw itself is the experts app's (EXP-1)
    Tender.objects.filter(pk=tender.pk).update(expert_session=session)
    client.post(url, {"action": "variety", "name": "阿莫西林胶囊", "priority": "high_volume"})
    variety = Variety.objects.get()
    with time_machine.travel("2025-11-15 10:00 +08:00", tick=False):
        client.post(url, {"action": "bidding", "opens": "2025-11-10", "closes": "2025-11-20"})
        client.force_login(w.mfr_user)
        assert client.get(url).status_code == 200
        client.post(url, {"action": "bid", "variety": variety.pk, "national_code": w.product.national_code,
                          "price": "6.10"})
    assert Bid.objects.get().price == D("6.10")
    client.force_login(w.inst_user)
    assert client.get(url).status_code == 403

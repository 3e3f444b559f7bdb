"""Monitoring over HTTP: the HIS API (idempotent), pages per role, the MON-6 table opened
with openpyxl, the public bulletin, and the denials (other city, other institution)."""

import io
import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from openpyxl import load_workbook

from monitoring import services
from monitoring.models import Flag, MonthlyReport, ReportVersion
from parties.models import OrgKind

from .conftest import figures

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("nov24")]


BODY = {"month": "2026-10", "drug_total": "1000000", "drug_platform": "850000", "drug_emergency": "10000",
        "consumable_total": "100", "consumable_platform": "80", "consumable_emergency": "0"}


def test_his_submits_report_idempotently(his, hospital):
    r = his.post("/api/v1/monitoring/reports", BODY, format="json", HTTP_IDEMPOTENCY_KEY="m1")
    assert r.status_code == 201, r.content
    again = his.post("/api/v1/monitoring/reports", BODY, format="json", HTTP_IDEMPOTENCY_KEY="m1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert ReportVersion.objects.count() == 1
    assert his.get("/api/v1/monitoring/reports").json()["results"][0]["version"] == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"month": "2026-12"}, "month"),
    ({"drug_total": "-5"}, "drug_total"),
    ({"drug_platform": "2000000"}, "drug_platform"),
])
def test_his_bad_input_gives_field_error(his, change, field):
    r = his.post("/api/v1/monitoring/reports", {**BODY, **change}, format="json")
    assert r.status_code in (400, 422) and r.json()["field"] == field
    assert not ReportVersion.objects.exists()


def test_his_second_report_without_reason_refused(his):
    his.post("/api/v1/monitoring/reports", BODY, format="json")
    r = his.post("/api/v1/monitoring/reports", {**BODY, "drug_platform": "900000"}, format="json")
    assert r.status_code == 422 and r.json() == {"code": "MON-2", "field": "reason", "detail": r.json()["detail"]}
    r = his.post("/api/v1/monitoring/reports", {**BODY, "drug_platform": "900000", "reason": "补录"}, format="json")
    assert r.status_code == 201 and r.json()["version"] == 2


def test_browser_form_prefilled_then_submitted(client, hospital, hospital_user, receive):
    receive(hospital, "1234.50", date(2026, 10, 8))
    client.force_login(hospital_user)
    page = client.get("/monitoring/reports/new/?month=2026-10")
    assert page.status_code == 200 and 'value="1234.50"' in page.content.decode()
    bad = client.post("/monitoring/reports/new/", {**figures(drug_total=10, drug_platform=20), "month": "2026-10"})
    assert "省平台采购金额不得大于实际采购金额" in bad.content.decode() and not ReportVersion.objects.exists()
    ok = client.post("/monitoring/reports/new/", {**figures(drug_total="1234.50", drug_platform="1234.50"),
                                                  "month": "2026-10"})
    assert ok.status_code == 302
    detail = client.get(ok["Location"]).content.decode()
    assert "100.00%" in detail and "v1" in detail


def test_mon6_monitoring_table_totals(client, province_user, hospital, hospital_user, make_org, make_user, suzhou):
    other = make_org(OrgKind.INSTITUTION, city=suzhou, level=2)
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=1000, drug_platform=850,
                                                                                consumable_total=400, consumable_platform=300))
    services.report_submit(user=make_user(other), month="2026-10", figures=figures(drug_total=1000, drug_platform=650))
    client.force_login(province_user)
    r = client.get("/monitoring/table.xlsx?month=2026-10")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "月份" and rows[0][8] == "药品网上采购率（%）"
    assert len(rows) == 4
    total = rows[-1]
    assert total[0] == "合计" and D(str(total[5])) == D("2000") and D(str(total[6])) == D("1500")
    assert D(str(total[8])) == D("75.00") and D(str(total[12])) == D("75.00")


def test_monitoring_table_scoped_to_city(client, suzhou_regulator, hospital, hospital_user):
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=1000, drug_platform=850))
    client.force_login(suzhou_regulator)
    ws = load_workbook(io.BytesIO(b"".join(client.get("/monitoring/table.xlsx?month=2026-10").streaming_content))).active
    assert len(list(ws.iter_rows(values_only=True))) == 2      # headers + totals, no Nanjing row


def test_other_institution_and_city_cannot_see_report(client, make_user, make_org, hospital, hospital_user,
                                                      suzhou_regulator, nanjing_regulator):
    v = services.report_submit(user=hospital_user, month="2026-10", figures=figures())
    url = f"/monitoring/reports/{v.report_id}/"
    client.force_login(make_user(make_org(OrgKind.INSTITUTION)))
    assert client.get(url).status_code == 404
    client.force_login(suzhou_regulator)
    assert client.get(url).status_code == 404
    client.force_login(nanjing_regulator)
    assert client.get(url).status_code == 200


def test_city_page_forward_and_other_city_refused(client, nanjing_regulator, hospital_user, nanjing, suzhou_regulator):
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=90))
    client.force_login(suzhou_regulator)
    r = client.post("/monitoring/forwards/?month=2026-10", {"month": "2026-10", "city": nanjing.pk})
    assert "不能汇总上报其他设区市" in r.content.decode()
    client.force_login(nanjing_regulator)
    r = client.post("/monitoring/forwards/?month=2026-10", {"month": "2026-10", "note": "审核通过"})
    assert r.status_code == 302
    assert "已于" in client.get("/monitoring/forwards/?month=2026-10").content.decode()


def test_inspection_list_scoped_and_recorded(client, nanjing_regulator, suzhou_regulator, hospital, hospital_user):
    """MON-4/MON-5: a report below target is flagged; only its city may record the inspection."""
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=10))
    flag = Flag.objects.get(institution=hospital, category="low_rate")
    client.force_login(suzhou_regulator)
    assert hospital.name not in client.get("/monitoring/flags/").content.decode()
    client.post("/monitoring/flags/", {"flag": flag.pk, "outcome": "referral", "note": "越权"})
    assert not flag.inspections.exists()
    client.force_login(nanjing_regulator)
    assert hospital.name in client.get("/monitoring/flags/").content.decode()
    client.post("/monitoring/flags/", {"flag": flag.pk, "outcome": "rectification", "note": "限期整改"})
    assert flag.inspections.get().outcome == "rectification"


def test_public_bulletin_without_sign_in(client, province_user, hospital_user):
    with time_machine.travel("2026-10-05 10:00 +0800", tick=False):
        services.report_submit(user=hospital_user, month="2026-09", figures=figures(drug_total=100, drug_platform=90))
    client.force_login(province_user)
    r = client.post("/monitoring/bulletins/", {"year": "2026", "quarter": "3", "is_public": "on"})
    assert r.status_code == 302
    client.logout()
    page = client.get(r["Location"]).content.decode()
    assert "2026年第3季度全省三级公立医疗机构网上采购情况通报" in page and "90.00%" in page
    assert client.get(r["Location"] + "?print=1").status_code == 200
    xlsx = client.get(r["Location"] + "?export=xlsx")
    ws = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert list(ws.iter_rows(values_only=True))[-1][0] == "合计"
    listing = client.get("/monitoring/bulletins/").content.decode()   # the public list, signed out
    assert "2026年第3季度全省三级公立医疗机构网上采购情况通报" in listing and "发布通报" not in listing


def test_private_bulletin_needs_sign_in(client, province_user, hospital_user):
    with time_machine.travel("2026-10-05 10:00 +0800", tick=False):
        services.report_submit(user=hospital_user, month="2026-09", figures=figures(drug_total=100, drug_platform=90))
    b = services.bulletin_publish(user=province_user, year=2026, quarter=3, is_public=False)
    assert client.get(b.get_absolute_url()).status_code == 302
    assert b.title not in client.get("/monitoring/bulletins/").content.decode()


@pytest.mark.parametrize("who", ["institution", "city", "province"])
def test_dashboards_render_with_local_echarts(client, who, hospital, hospital_user, nanjing_regulator, province_user,
                                              receive):
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=100))
    client.force_login({"institution": hospital_user, "city": nanjing_regulator, "province": province_user}[who])
    html = client.get("/monitoring/").content.decode()
    assert "/static/vendor/echarts.min.js" in html
    # no asset from another host (a CSRF token may contain any letters, so look at the URLs)
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html)
    assert "100.00" in html


def test_template_download_and_upload_page(client, hospital_user):
    client.force_login(hospital_user)
    ws = load_workbook(io.BytesIO(b"".join(client.get("/monitoring/reports/template.xlsx").streaming_content))).active
    assert list(next(ws.iter_rows(values_only=True))) == services.UPLOAD_HEADERS
    assert client.get("/monitoring/reports/upload/").status_code == 200
    assert MonthlyReport.objects.count() == 0

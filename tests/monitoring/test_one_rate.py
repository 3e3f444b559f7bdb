"""Issue 15 item 4: one online-procurement-rate definition (MON-1 on the reports in force,
004 §二(二)), one selector (selectors.procurement_rates) — the rate page, the city summary,
the inspection list, the dashboard's chart data and the .xlsx exports give the same figure;
the page opens on the latest month with data; the demo fills twelve months."""

import io
import json
import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from openpyxl import load_workbook

from monitoring import selectors, services
from monitoring.models import Flag

from .conftest import figures

pytestmark = pytest.mark.django_db
OCT = date(2026, 10, 1)


def _chart(html, element_id="mon-data"):
    raw = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S).group(1)
    return json.loads(json.loads(raw))


def _xlsx(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_mon1_page_city_summary_inspection_list_chart_and_exports_agree(
        nov24, client, hospital, hospital_user, nanjing_regulator, province_user):
    """MON-1: Nanjing's tertiary hospital reports drugs 911,500 of 1,000,000 (91.15 %) and
    consumables 700 of 1,000 (70 %, below target → on the inspection list). Every view of
    that institution and month shows 91.15 %."""
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(
        drug_total=1000000, drug_platform=911500, consumable_total=1000, consumable_platform=700))
    assert Flag.objects.filter(institution=hospital, month=OCT, category="low_rate", kind="consumable").exists()
    [row] = selectors.procurement_rates(start=OCT, by="institution")
    assert row["rate"] == D("91.15") and row["consumable_rate"] == D("70.00")

    client.force_login(nanjing_regulator)
    page = client.get("/monitoring/?month=2026-10").content.decode()          # the rate page
    assert re.search(r'data-testid="inst-table".*南京第一人民医院.*?911,500\.00.*?91\.15%', page, re.S)
    assert re.search(r'data-testid="area-rate">91\.15%', page)
    chart = _chart(page)                                                         # the ECharts data
    assert chart["institutions"] == {"labels": ["南京第一人民医院"], "rates": [91.15]}
    assert chart["trend"]["rates"][-1] == 91.15
    summary = client.get("/monitoring/forwards/?month=2026-10").content.decode()  # the city summary
    assert re.search(r'data-testid="summary-drug-rate">91\.15%', summary)
    flags = client.get("/monitoring/flags/").content.decode()                  # the inspection list
    assert re.search(r'data-testid="flag-rates">药品 91\.15%', flags)
    table = _xlsx(client.get("/monitoring/table.xlsx?month=2026-10"))         # the MON-6 export
    assert table[1][3] == "南京第一人民医院" and D(str(table[1][8])) == D("91.15")
    assert D(str(table[-1][8])) == D("91.15")
    flag_export = _xlsx(client.get("/monitoring/flags/?export=xlsx"))
    assert flag_export[0][8] == "药品网上采购率（%）" and D(str(flag_export[1][8])) == D("91.15")

    client.force_login(province_user)                                           # the province's city view
    province = client.get("/monitoring/?month=2026-10").content.decode()
    assert re.search(r'data-testid="city-table".*南京市.*?91\.15%', province, re.S)
    assert _chart(province)["cities"]["rates"] == [91.15]
    client.force_login(hospital_user)                                           # the institution's own page
    own = client.get("/monitoring/?month=2026-10").content.decode()
    assert re.search(r'data-testid="drug-rate">91\.15%', own)


def test_mon1_platform_receipts_do_not_make_a_second_rate(nov24, client, hospital, hospital_user, nanjing_regulator,
                                                           receive, offplatform):
    """The platform's own receipts (50 %) are the cross-check (MON-5), not the rate: the page
    shows the reported 91.15 %."""
    receive(hospital, "500", date(2026, 10, 3))
    offplatform(hospital, "500", date(2026, 10, 3))
    services.monthly_run(OCT)
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=1000000,
                                                                                drug_platform=911500))
    client.force_login(nanjing_regulator)
    page = client.get("/monitoring/?month=2026-10").content.decode()
    assert "91.15%" in page and "50.00%" not in page


def test_rate_page_opens_on_the_latest_month_with_data_and_says_what_counts(nov24, client, hospital_user,
                                                                            nanjing_regulator):
    """The default month is the latest month with a submitted report (September here: nobody
    has reported October yet), not an empty month; the page says what the rate counts."""
    services.report_submit(user=hospital_user, month="2026-09", figures=figures(drug_total=1000000,
                                                                                drug_platform=911500))
    for user in (nanjing_regulator, hospital_user):
        client.force_login(user)
        page = client.get("/monitoring/").content.decode()
        assert re.search(r'<option value="2026-09" selected>', page)
        assert "91.15%" in page
        assert "在省平台采购入库金额 ÷ 同期采购入库总金额" in page


def test_rate_page_without_any_report_says_so(nov24, client, nanjing_regulator, hospital):
    client.force_login(nanjing_regulator)
    page = client.get("/monitoring/").content.decode()
    assert '<option value="2026-10" selected>' in page and "本月尚无已报送的月报" in page


def test_rates_follow_the_users_scope(nov24, client, hospital_user, suzhou_regulator):
    """A city sees its own institutions' rates only (the selector is scoped by visible_to)."""
    services.report_submit(user=hospital_user, month="2026-10", figures=figures(drug_total=100, drug_platform=90))
    assert selectors.procurement_rates(suzhou_regulator, start=OCT, by="institution") == []
    client.force_login(suzhou_regulator)
    assert "南京第一人民医院" not in client.get("/monitoring/?month=2026-10").content.decode()


def test_demo_fills_twelve_months_so_the_trend_is_a_line(client):
    """The demo (make run's load_demo) gives the rate page a twelve-point trend."""
    from monitoring.demo import load_demo
    from parties.demo import load_demo as parties_demo
    from parties.models import User

    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        parties_demo()
        load_demo()
        rows = selectors.procurement_rates(start=date(2025, 11, 1), end=date(2026, 11, 1), by="month")
        assert len(rows) == 12 and all(r["rate"] is not None for r in rows)
        client.force_login(User.objects.filter(role="province_regulator").first())
        page = client.get("/monitoring/").content.decode()
        assert '<option value="2026-10" selected>' in page
        trend = _chart(page)["trend"]
        assert len(trend["months"]) == 12 and None not in trend["rates"]
        assert trend["months"][0] == "2025-11" and trend["months"][-1] == "2026-10"

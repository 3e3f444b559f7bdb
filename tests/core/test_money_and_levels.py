"""Issue 15 item 5: money reads with thousands separators and two decimals (one template
filter, `money`; unit prices keep four decimals where they have them, `unit_price`), and the
home page's institution counts by level add up to the total (the rest shows as 未定级)."""

import re
from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from core.templatetags.core_tags import money, unit_price
from parties.models import OrgKind


@pytest.mark.parametrize("value,shown", [
    (D("1234567.5"), "1,234,567.50"), (1000, "1,000.00"), ("999.999", "1,000.00"), (D("0"), "0.00"),
    (D("-1234.5"), "-1,234.50"), (None, "—"), ("", "—"), ("无记录", "无记录"),
])
def test_money_has_thousands_separators_and_two_decimals(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize("value,shown", [
    (D("0.1234"), "0.1234"), (D("12.5"), "12.50"), (D("12345.6789"), "12,345.6789"), (D("3.10"), "3.10"),
    (None, "—"),
])
def test_unit_price_keeps_four_decimals_only_where_the_price_has_them(value, shown):
    assert unit_price(value) == shown


@pytest.mark.django_db
def test_monitoring_report_page_shows_amounts_with_separators(client, make_org, make_user, nanjing):
    """MON-2 report detail: 1,234,567.80 yuan, not 1234567.80."""
    from monitoring import services

    hospital = make_org(OrgKind.INSTITUTION, city=nanjing, level=3)
    user = make_user(hospital)
    with time_machine.travel("2026-11-10 10:00 +0800", tick=False):
        version = services.report_submit(user=user, month=date(2026, 10, 1), figures={
            "drug_total": "1234567.80", "drug_platform": "1100000", "drug_emergency": "0",
            "consumable_total": "0", "consumable_platform": "0", "consumable_emergency": "0"})
    client.force_login(user)
    html = client.get(f"/monitoring/reports/{version.report_id}/").content.decode()
    assert "1,234,567.80" in html and "1,100,000.00" in html and "1234567.80" not in html


@pytest.mark.django_db
def test_institution_counts_by_level_add_up_to_the_total(client, make_org, make_user, nanjing):
    for level in (3, 3, 2, 1):
        make_org(OrgKind.INSTITUTION, city=nanjing, level=level)
    make_org(OrgKind.INSTITUTION, city=nanjing, level=None, ownership="retail_pharmacy")   # a pharmacy has no level
    client.force_login(make_user(kind=OrgKind.PROVINCE_REGULATOR))
    html = client.get("/").content.decode()
    total = int(re.search(r'data-testid="card-institutions"><span class="stat-num">(\d+)', html).group(1))
    levels = re.search(r'data-testid="card-levels"><span class="stat-num">([\d / ]+)</span>'
                       r'<span class="stat-label">([^<]+)</span>', html)
    counts = [int(n) for n in levels.group(1).split("/")]
    assert sum(counts) == total == 5 and counts == [2, 1, 1, 1]
    assert levels.group(2) == "三级 / 二级 / 一级 / 未定级"

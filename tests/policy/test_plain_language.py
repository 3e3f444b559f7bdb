"""Issue 15 item 5: the policy-parameter pages speak plainly — a Chinese name, the value as a
table (not JSON), and the document clause it rests on; not the parameter key, not "RULES.md"."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from policy import services
from policy.clauses import CLAUSES
from policy.registry import PARAMETERS

pytestmark = pytest.mark.django_db
LIST = reverse("policy:parameter_list")


@pytest.fixture(autouse=True)
def nov24():
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        yield


def _visible_text(html):
    """What a reader sees: no tags, no attribute values."""
    return re.sub(r"<[^>]+>", " ", html)


def test_list_shows_names_tables_and_clauses_not_keys_json_or_rules_md(client, city_user):
    """MON-4 targets read as a year × kind table with the 004 clause."""
    client.force_login(city_user)
    html = client.get(LIST).content.decode()
    text = _visible_text(html)
    assert "网上采购率目标（%）" in text
    row = html.split('data-key="mon.targets"')[1].split("data-key=")[0]
    assert re.search(r"<th>2022年</th><td>85</td><td>75</td>", row)
    assert "<th>药品</th><th>医用耗材</th>" in row
    assert "苏医保发〔2022〕38号 附件 一（三）" in row
    assert '{"2022"' not in html and "&quot;2022&quot;" not in html
    assert "RULES.md" not in html
    assert "mon.targets" not in text and "参数键" not in text


def test_every_parameters_rule_has_a_document_clause():
    """No parameter page falls back to a bare rule key: every rule used has its clause."""
    assert {p.rule for p in PARAMETERS.values()} <= set(CLAUSES)


def test_detail_shows_table_clause_and_plain_history(client, city_user):
    """VBP-7 prepayment shares: a name/value table; the seed's reason no longer cites RULES.md."""
    client.force_login(city_user)
    html = client.get(reverse("policy:parameter_detail", args=["vbp.prepayment_shares"])).content.decode()
    current = html.split('data-testid="current-value">')[1].split('data-testid="clause"')[0]
    assert "<th>首期预付</th><td>50</td>" in current and "<th>期末清算</th><td>5</td>" in current
    assert "吉医保联〔2019〕23号 三（五）" in html
    assert "RULES.md" not in html and "系统初始默认值" in html
    text = _visible_text(html)
    assert "vbp.prepayment_shares" not in text and '{"start"' not in html


def test_list_of_records_reads_as_a_table_with_a_header(client, province_user):
    """ZON-2 graded zones: a list of records is a table whose header names the columns."""
    client.force_login(province_user)
    html = client.get(reverse("policy:parameter_detail", args=["zon.ratio_grades"])).content.decode()
    assert "<th>低于（倍）</th>" in html and "<td>红色一级</td>" in html and "<td>黄色</td>" in html


def test_choice_value_shows_its_chinese_name(client, province_user):
    client.force_login(province_user)
    services.set_value(user=province_user, key="zon.method", raw_value="listing_ratio",
                       effective_from=date(2026, 11, 24), reason="改为按最低价之比")
    html = client.get(LIST, {"q": "zon.method"}).content.decode()
    assert "按与最低价之比分级" in html and "listing_ratio" not in _visible_text(html)

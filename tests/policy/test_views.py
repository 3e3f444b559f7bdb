"""Policy parameter pages: everyone signed in reads, only the province changes (POST from
anyone else is refused with 403), errors in Chinese next to the field, Excel export."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from core import navigation
from policy import services
from policy.models import PolicyValue

TZ = ZoneInfo("Asia/Shanghai")
LIST = reverse("policy:parameter_list")
EXPORT = reverse("policy:parameter_export")


def detail(key):
    return reverse("policy:parameter_detail", args=[key])


@pytest.fixture(autouse=True)
def on_nov_24():
    with time_machine.travel(datetime(2026, 11, 24, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_list_shows_every_parameter_grouped_with_current_value(as_user, city_user):
    page = as_user(city_user).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "§3 阳光挂网" in html and "§12 网上采购率监测" in html
    assert 'data-key="neg.confirm_working_days"' in html
    assert "药品议价企业确认时限（工作日）" in html and "NEG-3" in html
    assert "仅省医保局可调整" in html
    assert len(page.context["page"].object_list) == PolicyValue.objects.values("key").distinct().count()


def test_list_search_and_rule_filter(as_user, city_user):
    client = as_user(city_user)
    rows = client.get(LIST, {"rule": "ZON-2"}).context["page"].object_list
    assert rows and {r.definition.rule for r in rows} == {"ZON-2"}
    rows = client.get(LIST, {"q": "差比价"}).context["page"].object_list
    assert {r.key for r in rows} == {"lst.ratio.strength", "lst.ratio.fill_volume", "lst.ratio.pack_oral_solid",
                                     "lst.ratio.pack_other", "lst.ratio.dosage_forms"}
    rows = client.get(LIST, {"q": "lst.batch"}).context["page"].object_list
    assert [r.key for r in rows] == ["lst.batch_day"]
    page = client.get(LIST, {"q": "没有这个参数"})
    assert "没有符合条件的政策参数" in page.content.decode()


def test_list_marks_scheduled_changes(as_user, province_user):
    services.set_value(user=province_user, key="lst.batch_day", raw_value="20",
                       effective_from=date(2027, 1, 1), reason="明年起改为20日")
    page = as_user(province_user).get(LIST, {"q": "lst.batch_day"})
    rows = page.context["page"].object_list
    assert rows[0].value == 15 and [v.effective_from for v in rows[0].pending] == [date(2027, 1, 1)]
    assert "2027-01-01 → 20" in page.content.decode()


def test_detail_shows_full_history(as_user, province_user, city_user):
    services.set_value(user=province_user, key="neg.confirm_working_days", raw_value="12",
                       effective_from=date(2026, 11, 24), reason="试行延长")
    services.set_value(user=province_user, key="neg.confirm_working_days", raw_value="15",
                       effective_from=date(2027, 1, 1), reason="正式延长")
    page = as_user(city_user).get(detail("neg.confirm_working_days"))
    html = page.content.decode()
    statuses = [(h["display"], h["status"]) for h in page.context["history"]]
    assert statuses == [("15", "pending"), ("12", "current"), ("10", "superseded")]
    assert "试行延长" in html and "正式延长" in html and "系统初始默认值" in html
    assert str(province_user) in html
    assert page.context["form"] is None and 'data-testid="change-form"' not in html


def test_province_changes_a_value_through_the_form(as_user, province_user):
    client = as_user(province_user)
    page = client.get(detail("lst.batch_day"))
    assert 'data-testid="change-form"' in page.content.decode()
    response = client.post(detail("lst.batch_day"), {
        "value": "20", "effective_from": "2026-12-01", "reason": "按省局通知调整集中挂网日",
    })
    assert response.status_code == 302
    assert services.get("lst.batch_day", at=date(2026, 12, 1)) == 20
    assert services.get("lst.batch_day", at=date(2026, 11, 30)) == 15
    row = PolicyValue.objects.filter(key="lst.batch_day").latest("id")
    assert row.set_by == province_user and row.reason == "按省局通知调整集中挂网日"


def test_province_changes_bool_and_json(as_user, province_user):
    client = as_user(province_user)
    client.post(detail("bad.ban_enabled"), {"value": "false", "effective_from": "2026-11-24", "reason": "暂停执行"})
    assert services.get("bad.ban_enabled") is False
    client.post(detail("vbp.prepayment_shares"), {
        "value": '{"start": 40, "midterm": 50, "final": 10}', "effective_from": "2026-11-24", "reason": "新方案"})
    assert services.get("vbp.prepayment_shares") == {"start": 40, "midterm": 50, "final": 10}


@pytest.mark.parametrize("data,field,message", [
    ({"value": "abc"}, "value", "取值类型错误：应为整数"),
    ({"value": "99"}, "value", "取值不得大于 28"),
    ({"value": ""}, "value", "请填写取值"),
    ({"reason": ""}, "reason", "调整政策参数必须填写理由"),
    ({"effective_from": ""}, "effective_from", "请填写生效日期"),
    ({"effective_from": "2026-13-45"}, "effective_from", "请填写有效的日期"),
    ({"effective_from": "2026-11-01"}, "effective_from", "不可追溯调整"),
])
def test_form_errors_are_shown_in_chinese_next_to_the_field(as_user, province_user, data, field, message):
    before = PolicyValue.objects.count()
    post = {"value": "20", "effective_from": "2026-12-01", "reason": "调整"} | data
    page = as_user(province_user).post(detail("lst.batch_day"), post)
    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors[field])
    html = page.content.decode()
    assert f'data-testid="error-{field}"' in html and message in html
    assert PolicyValue.objects.count() == before


def test_all_field_errors_show_in_one_pass(as_user, province_user):
    page = as_user(province_user).post(detail("lst.batch_day"), {"value": "abc", "effective_from": "", "reason": ""})
    errors = page.context["form"].errors
    assert set(errors) == {"value", "effective_from", "reason"}


def test_cross_parameter_refusal_is_shown_next_to_the_value(as_user, province_user):
    page = as_user(province_user).post(detail("zon.blue_percentile"), {
        "value": "90", "effective_from": "2026-12-01", "reason": "收紧"})
    assert page.status_code == 200
    assert "蓝区分位数须小于黄区分位数" in " ".join(page.context["form"].errors["value"])
    assert services.get("zon.blue_percentile", at=date(2026, 12, 1)) == 50


@pytest.mark.parametrize("fixture", ["city_user", "institution_user", "manufacturer_user"])
def test_others_read_but_a_post_is_refused(db, as_user, request, fixture):
    client = as_user(request.getfixturevalue(fixture))
    assert client.get(detail("lst.batch_day")).status_code == 200
    response = client.post(detail("lst.batch_day"), {"value": "20", "effective_from": "2026-12-01", "reason": "x"})
    assert response.status_code == 403
    assert services.get("lst.batch_day", at=date(2026, 12, 1)) == 15


def test_anonymous_is_sent_to_login(db, client):
    assert client.get(LIST).status_code == 302
    response = client.post(detail("lst.batch_day"), {"value": "20", "effective_from": "2026-12-01", "reason": "x"})
    assert response.status_code == 302
    assert services.get("lst.batch_day", at=date(2026, 12, 1)) == 15


def test_unknown_key_is_404(as_user, province_user):
    assert as_user(province_user).get(detail("no.such.key")).status_code == 404


def test_export_xlsx_lists_the_filtered_parameters(as_user, province_user, city_user):
    services.set_value(user=province_user, key="zon.trailing_months", raw_value="6",
                       effective_from=date(2026, 11, 24), reason="缩短统计期")
    response = as_user(city_user).get(EXPORT, {"rule": "ZON-2"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("章节", "规则", "参数键", "名称", "类型", "现行取值")
    by_key = {r[2]: r for r in rows[1:]}
    assert {r[1] for r in rows[1:]} == {"ZON-2"}
    assert by_key["zon.trailing_months"][5] == "6"
    assert by_key["zon.trailing_months"][6] == "2026-11-24"
    assert by_key["zon.blue_percentile"][5] == "50"


def test_navigation_entry_for_regulators_only(province_user, city_user, institution_user, manufacturer_user):
    def labels(user):
        return [(g["section"], i["name"]) for g in navigation.for_user(user) for i in g["items"]]

    assert ("系统管理", "policy:parameter_list") in labels(province_user)
    assert ("系统管理", "policy:parameter_list") in labels(city_user)
    assert "policy:parameter_list" not in [n for _, n in labels(institution_user)]
    assert "policy:parameter_list" not in [n for _, n in labels(manufacturer_user)]


def test_english_interface(as_user, city_user):
    client = as_user(city_user)
    client.cookies["django_language"] = "en"
    html = client.get(detail("neg.confirm_working_days")).content.decode()
    assert "Version history" in html
    assert "Drug negotiation: confirmation period (working days)" in html

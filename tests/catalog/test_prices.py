"""LST-0.3 other provinces' prices: recording, superseding, the one national-lowest-price
selector, the lower-price signal, and the all-or-nothing .xlsx upload."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from catalog import services
from catalog.models import OtherProvincePrice
from catalog.selectors import national_lowest_price
from catalog.signals import lower_national_price_recorded
from core.errors import Forbidden, InvalidInput, RuleViolation
from parties.models import OrgKind

from .conftest import upload, xlsx_bytes

pytestmark = pytest.mark.django_db


def record(user, product, province, price, eff, city=""):
    return services.price_record(user, product, province=province, city=city, price=price, effective_date=eff,
                                 source="某省平台公告")


@pytest.fixture
def signals():
    received = []

    def receiver(sender, record, previous_lowest, **kw):
        received.append((record, previous_lowest))

    lower_national_price_recorded.connect(receiver)
    yield received
    lower_national_price_recorded.disconnect(receiver)


def test_lst_0_3_national_lowest_is_the_minimum_of_provincial_records(frozen, maker_user, make_product):
    drug = make_product()
    assert national_lowest_price(drug) is None
    record(maker_user, drug, "浙江", "12.50", "2026-01-01")
    record(maker_user, drug, "安徽省", "11.80", "2026-03-01")
    record(maker_user, drug, "山东", "13.00", "2026-02-01")
    lowest = national_lowest_price(drug)
    assert (lowest.price, lowest.province, lowest.effective_date) == (Decimal("11.8000"), "安徽省", date(2026, 3, 1))


def test_rules_0_drugs_ignore_city_records_consumables_count_them(frozen, maker_user, province_user, make_product):
    stent = make_product(kind="consumable")
    record(maker_user, stent, "浙江省", "600", "2026-01-01")
    record(maker_user, stent, "浙江省", "560", "2026-01-01", city="杭州市")
    assert national_lowest_price(stent).city == "杭州市"
    assert national_lowest_price(stent, include_city=False).price == Decimal("600")
    # A drug never takes a city price (refused on entry) and city rows don't count for it.
    drug = make_product()
    with pytest.raises(RuleViolation) as exc:
        record(maker_user, drug, "浙江省", "5", "2026-01-01", city="杭州市")
    assert exc.value.field == "city"
    record(maker_user, drug, "浙江省", "9", "2026-01-01")
    OtherProvincePrice.objects.create(product=drug, province="广东省", city="深圳市", level="city", price=1,
                                      effective_date=date(2026, 1, 1), source="x", entered_by=maker_user)
    assert national_lowest_price(drug).price == Decimal("9")
    assert national_lowest_price(drug, include_city=True).price == Decimal("1")


def test_lst_0_3_new_record_supersedes_never_deletes(frozen, maker_user, make_product):
    drug = make_product()
    old = record(maker_user, drug, "浙江省", "10", "2026-01-01")
    new = record(maker_user, drug, "浙江", "12", "2026-06-01")
    old.refresh_from_db()
    assert old.superseded_at is not None and old.superseded_by == new
    assert OtherProvincePrice.objects.filter(product=drug).count() == 2
    # In force today: the new (higher) one only; in force in March: the old one.
    assert national_lowest_price(drug).price == Decimal("12")
    assert national_lowest_price(drug, at=date(2026, 3, 1)).price == Decimal("10")
    assert national_lowest_price(drug, at=date(2025, 12, 31)) is None
    with pytest.raises(Exception):  # noqa: B017 — the database refuses deletion (AUD-1)
        old.delete()


def test_lst_0_3_future_record_not_in_force_yet(frozen, maker_user, make_product):
    drug = make_product()
    record(maker_user, drug, "浙江省", "10", "2026-01-01")
    record(maker_user, drug, "浙江省", "8", "2026-12-15")
    assert national_lowest_price(drug).price == Decimal("10")
    assert national_lowest_price(drug, at=date(2026, 12, 15)).price == Decimal("8")


def test_lst_0_3_signal_when_a_record_lowers_the_national_lowest(frozen, maker_user, make_product, signals):
    drug = make_product()
    first = record(maker_user, drug, "浙江省", "10", "2026-01-01")
    assert signals == [(first, None)]
    record(maker_user, drug, "安徽省", "11", "2026-01-01")  # not lower: no signal
    assert len(signals) == 1
    lower = record(maker_user, drug, "山东省", "9.5", "2026-02-01")
    assert signals[-1] == (lower, first)
    record(maker_user, drug, "河南省", "9.5", "2026-02-01")  # equal: not lower
    assert len(signals) == 2


@pytest.mark.parametrize("price,field,message", [
    ("0", "price", "须大于 0"), ("-1", "price", "须大于 0"), ("1.23456", "price", "最多保留 4 位小数"),
    ("99999999", "price", "超过单价上限"), ("abc", "price", "须为数字"),
])
def test_lst_0_3_bad_prices_refused_and_nothing_recorded(frozen, maker_user, make_product, price, field, message):
    drug = make_product()
    with pytest.raises(RuleViolation) as exc:
        record(maker_user, drug, "浙江省", price, "2026-01-01")
    assert exc.value.code == "LST-0.3" and exc.value.field == field and message in exc.value.detail
    assert not OtherProvincePrice.objects.exists()


def test_lst_0_3_ceiling_follows_the_policy_parameter(frozen, maker_user, province_user, make_product):
    from policy import services as policy

    policy.set_value(user=province_user, key="sys.price_ceiling_yuan", raw_value="500",
                     effective_from=date(2026, 11, 24), reason="测试：单价上限调整")
    drug = make_product()
    with pytest.raises(RuleViolation, match="超过单价上限 500"):
        record(maker_user, drug, "浙江省", "500.01", "2026-01-01")
    assert record(maker_user, drug, "浙江省", "500", "2026-01-01").price == Decimal("500")


def test_lst_0_3_only_own_products_or_a_regulator(frozen, maker_user, other_maker_user, make_product, make_user):
    drug = make_product()
    with pytest.raises(Forbidden):
        record(other_maker_user, drug, "浙江省", "10", "2026-01-01")
    with pytest.raises(Forbidden):
        record(make_user(kind=OrgKind.INSTITUTION), drug, "浙江省", "10", "2026-01-01")
    assert not OtherProvincePrice.objects.exists()
    assert record(make_user(kind=OrgKind.CITY_REGULATOR), drug, "浙江省", "10", "2026-01-01").pk


def test_lst_0_3_jiangsu_itself_is_not_another_province(frozen, maker_user, make_product):
    with pytest.raises(RuleViolation, match="本省挂网价"):
        record(maker_user, make_product(), "江苏", "10", "2026-01-01")


# ------------------------------------------------------------------ upload

def test_lst_0_3_upload_imports_all_rows(frozen, maker_user, make_product, signals):
    drug, stent = make_product(), make_product(kind="consumable")
    content = xlsx_bytes([
        [drug.national_code, "浙江省", None, 12.5, date(2026, 1, 1), "浙江平台"],
        [drug.national_code, "安徽", "", "11.2", "2026-02-01", "安徽平台"],
        [stent.national_code, "广东省", "深圳市", 580, date(2026, 3, 1), "深圳平台"],
        [None, None, None, None, None, None],  # blank rows are skipped
    ])
    created = services.price_upload(maker_user, upload(content))
    assert len(created) == 3
    assert national_lowest_price(drug).price == Decimal("11.2")
    assert national_lowest_price(stent).city == "深圳市"


def test_lst_0_3_upload_reports_every_bad_row_and_commits_nothing(frozen, maker_user, make_product,
                                                                  other_maker_user):
    drug = make_product()
    foreign = make_product(manufacturer=other_maker_user.organisation)
    content = xlsx_bytes([
        [drug.national_code, "浙江省", None, 12.5, date(2026, 1, 1), "ok"],            # 2 valid
        ["XA01ABD075A002010199999", "浙江省", None, 12.5, date(2026, 1, 1), "s"],     # 3 unknown code
        [drug.national_code, "安徽省", None, 0, date(2026, 1, 1), "s"],                # 4 price 0
        [drug.national_code, "山东省", None, "12.34567", date(2026, 1, 1), "s"],       # 5 >4 decimals
        [drug.national_code, "河南省", None, 50000000, date(2026, 1, 1), "s"],         # 6 absurd
        [drug.national_code, "湖北省", None, 10, "2026-13-01", "s"],                   # 7 bad date
        [drug.national_code, "火星省", None, 10, date(2026, 1, 1), "s"],               # 8 unknown province
        [drug.national_code, "湖南省", None, "十二元", date(2026, 1, 1), "s"],          # 9 text in number cell
        [foreign.national_code, "湖南省", None, 10, date(2026, 1, 1), "s"],            # 10 not own product
        ["XA01", "湖南省", None, 10, date(2026, 1, 1), "s"],                           # 11 malformed code
        [drug.national_code, "浙江", None, 11, date(2026, 1, 1), "s"],                 # 12 duplicate of row 2
        [drug.national_code, "福建省", None, -3, date(2026, 1, 1), "s"],               # 13 negative
    ])
    with pytest.raises(InvalidInput) as exc:
        services.price_upload(maker_user, upload(content))
    errors = {e["row"]: e for e in exc.value.errors}
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    assert "未知的国家医保编码" in errors[3]["detail"]
    assert "须大于 0" in errors[4]["detail"] and errors[4]["field"] == "price" and errors[4]["column"] == "挂网价（元）"
    assert "最多保留 4 位小数" in errors[5]["detail"]
    assert "超过单价上限" in errors[6]["detail"]
    assert "格式错误" in errors[7]["detail"] and errors[7]["field"] == "effective_date"
    assert "未知的省份" in errors[8]["detail"]
    assert "应为数字" in errors[9]["detail"]
    assert "不属于本企业" in errors[10]["detail"]
    assert "编码格式错误" in errors[11]["detail"]
    assert "与第 2 行重复" in errors[12]["detail"]
    assert "共 11 行有误，未导入任何记录" in exc.value.detail
    assert not OtherProvincePrice.objects.exists()  # the valid row 2 was not imported either


def test_lst_0_3_upload_wrong_headers(frozen, maker_user, make_product):
    headers = ["编码", "省份", "城市", "价格", "执行日期", "来源"]
    with pytest.raises(InvalidInput, match="表头不符：第 1 列应为“国家医保编码”"):
        services.price_upload(maker_user, upload(xlsx_bytes([], headers=headers)))


@pytest.mark.parametrize("content,name,message", [
    (b"%PDF-1.4 not a spreadsheet" + b"0" * 100, "prices.xlsx", "文件类型不符"),
    (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "prices.xlsx", "文件类型不符"),
    (b"code,province\nX,zj\n", "prices.xlsx", "文件类型不符"),
    (b"", "prices.xlsx", "文件为空"),
])
def test_lst_0_3_upload_checks_the_file_by_content(frozen, maker_user, content, name, message):
    with pytest.raises(InvalidInput, match=message) as exc:
        services.price_upload(maker_user, upload(content, name))
    assert exc.value.field == "file"


def test_lst_0_3_upload_zip_that_is_not_a_workbook(frozen, maker_user):
    import zipfile
    from io import BytesIO

    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "not excel")
    with pytest.raises(InvalidInput, match="无法读取 Excel 文件"):
        services.price_upload(maker_user, upload(buffer.getvalue()))


def test_lst_0_3_upload_refused_for_institutions(frozen, make_user):
    with pytest.raises(Forbidden):
        services.price_upload(make_user(kind=OrgKind.INSTITUTION), upload(xlsx_bytes([])))


def test_lst_0_3_template_has_the_upload_headers():
    from io import BytesIO

    from openpyxl import load_workbook

    ws = load_workbook(BytesIO(services.price_template())).active
    assert [c.value for c in ws[1]] == services.UPLOAD_HEADERS


def test_lst_0_3_historic_lowest_uses_superseding_chain(frozen, maker_user, make_product):
    drug = make_product()
    record(maker_user, drug, "浙江省", "10", "2026-01-01")
    record(maker_user, drug, "安徽省", "9", "2026-01-01")
    record(maker_user, drug, "安徽省", "15", (frozen - timedelta(days=10)).isoformat())
    assert national_lowest_price(drug).price == Decimal("10")
    assert national_lowest_price(drug, at=date(2026, 6, 1)).price == Decimal("9")


def test_lst_0_3_upload_lists_every_error_of_a_row(frozen, maker_user, make_product):
    """Issue 15 item 2: a row with an unknown province, a text price, a bad date and no source
    shows all four problems, not only the first; the row is counted once."""
    drug = make_product()
    content = xlsx_bytes([[drug.national_code, "火星省", None, "十二元", "2026-13-01", None]])
    with pytest.raises(InvalidInput) as exc:
        services.price_upload(maker_user, upload(content))
    errors = exc.value.errors
    assert {e["row"] for e in errors} == {2}
    assert [e["field"] for e in errors] == ["province", "price", "effective_date", "source"]
    assert "共 1 行有误" in exc.value.detail

"""Pure catalogue rules, table-tested: CAT-1.1 code formats, CAT-3 group keys, LST-0.3 values."""

from datetime import date
from decimal import Decimal

import pytest

from catalog import rules
from catalog.rules import RuleError, check_national_code

DRUG_OK = "XA01ABD075A002010100483"
CONSUMABLE_OK = "C09100100000000211790000049"


@pytest.mark.parametrize("kind,code", [
    ("drug", DRUG_OK),
    ("drug", "ZA12BAA031E0040101" + "01147"),  # Chinese patent medicine, unknown but well-formed
    ("drug", "XJ01CAA001E0010101" + "00037"),  # unknown but well-formed: accepted
    ("consumable", CONSUMABLE_OK),
    ("consumable", "C" + "9" * 26),
    ("drug", f"  {DRUG_OK} "),  # surrounding blanks are not part of the code
])
def test_cat_1_1_well_formed_codes_are_accepted(kind, code):
    assert check_national_code(kind, code) == code.strip()


@pytest.mark.parametrize("kind,code,message", [
    ("drug", DRUG_OK[:-1], "应为 23 位，实际为 22 位"),          # one short
    ("drug", DRUG_OK + "0", "应为 23 位，实际为 24 位"),         # one long
    ("drug", "A" + DRUG_OK[1:], "须以 X（西药）或 Z（中成药）开头"),  # wrong first letter
    ("drug", "C" + DRUG_OK[1:], "须以 X（西药）或 Z（中成药）开头"),
    ("drug", DRUG_OK.lower(), "须以 X（西药）或 Z（中成药）开头"),   # lower case x
    ("drug", "X" + DRUG_OK[1:].lower(), "只能包含大写字母和数字"),  # lower case inside
    ("drug", DRUG_OK[:10] + "-" + DRUG_OK[11:], "只能包含大写字母和数字"),
    ("drug", CONSUMABLE_OK, "须以 X（西药）或 Z（中成药）开头"),   # consumable code on a drug
    ("consumable", CONSUMABLE_OK[:-1], "应为 27 位，实际为 26 位"),
    ("consumable", CONSUMABLE_OK + "1", "应为 27 位，实际为 28 位"),
    ("consumable", "X" + CONSUMABLE_OK[1:], "须以 C 开头"),
    ("consumable", CONSUMABLE_OK.lower(), "须以 C 开头"),
    ("consumable", DRUG_OK, "须以 C 开头"),
    ("consumable", "C" + "0" * 25 + "a", "只能包含大写字母和数字"),
    ("drug", "", "不能为空"),
    ("drug", None, "不能为空"),
    ("consumable", "   ", "不能为空"),
])
def test_cat_1_1_malformed_codes_are_refused_with_a_chinese_message(kind, code, message):
    with pytest.raises(RuleError) as exc:
        check_national_code(kind, code)
    assert message in str(exc.value)


def test_cat_1_1_classification_part_is_first_20_characters():
    assert rules.consumable_classification_part(CONSUMABLE_OK) == "C0910010000000021179"


@pytest.mark.parametrize("name,initials", [
    ("阿莫西林胶囊", "amxljn"),
    ("盐酸二甲双胍片", "ysejsgp"),
    ("注射用头孢曲松钠", "zsytbqsn"),
    ("氯化钠注射液 0.9%", "lhnzsy09"),
    ("", ""),
])
def test_pinyin_initials(name, initials):
    assert rules.name_initials(name).split(" ")[0] == initials


def test_pinyin_initials_keep_other_readings_of_polyphonic_characters():
    # pypinyin reads 重组 as "chóng"; users type the correct "zhòng" (zzryds) — both are found.
    assert {"czryds", "zzryds"} <= set(rules.name_initials("重组人胰岛素").split())
    assert len(rules.name_initials("注射用紫杉醇（白蛋白结合型）" * 5)) <= 100


def test_cat_3_group_key_ignores_blanks_and_same_product_adds_manufacturer():
    assert rules.product_group_key("阿莫西林胶囊", "胶囊剂", "0.25 g") == rules.product_group_key(
        "阿莫西林胶囊", "胶囊剂", "0.25g")
    assert rules.product_group_key("阿莫西林胶囊", "胶囊剂", "0.25g") != rules.product_group_key(
        "阿莫西林胶囊", "胶囊剂", "0.5g")
    assert rules.same_product_key("a", "b", "c", 1) != rules.same_product_key("a", "b", "c", 2)


@pytest.mark.parametrize("raw,expected", [
    ("12.5", Decimal("12.5000")),
    (12.3456, Decimal("12.3456")),
    (Decimal("0.0001"), Decimal("0.0001")),
    ("1,234.50", Decimal("1234.5000")),
    (7, Decimal("7.0000")),
    ("1000000", Decimal("1000000.0000")),  # exactly at the ceiling
])
def test_lst_0_3_valid_prices(raw, expected):
    assert rules.check_price(raw, Decimal("1000000")) == expected


@pytest.mark.parametrize("raw,message", [
    ("0", "须大于 0"),
    (0, "须大于 0"),
    ("-3.2", "须大于 0"),
    ("12.34567", "最多保留 4 位小数"),
    (Decimal("0.00001"), "最多保留 4 位小数"),
    ("1000000.01", "超过单价上限"),
    ("abc", "须为数字"),
    ("", "不能为空"),
    (None, "不能为空"),
    ("NaN", "须为数字"),
    ("Infinity", "须为数字"),
    (True, "须为数字"),
])
def test_lst_0_3_bad_prices_are_refused(raw, message):
    with pytest.raises(RuleError) as exc:
        rules.check_price(raw, Decimal("1000000"))
    assert message in str(exc.value)


def test_lst_0_3_ceiling_comes_from_the_caller():
    with pytest.raises(RuleError, match="超过单价上限 500"):
        rules.check_price("500.01", Decimal("500"))
    assert rules.check_price("500", Decimal("500")) == Decimal("500")


@pytest.mark.parametrize("raw,expected", [
    ("2026-01-15", date(2026, 1, 15)),
    ("2026/1/5", date(2026, 1, 5)),
    ("2026年3月1日", date(2026, 3, 1)),
    (date(2025, 12, 31), date(2025, 12, 31)),
])
def test_lst_0_3_effective_dates(raw, expected):
    assert rules.check_effective_date(raw, today=date(2026, 11, 24)) == expected


@pytest.mark.parametrize("raw,message", [
    ("2026-02-30", "格式错误"),
    ("明天", "格式错误"),
    ("1999-12-31", "早于 2000 年"),
    ("2028-01-01", "晚于一年以后"),
    ("", "不能为空"),
])
def test_lst_0_3_bad_dates(raw, message):
    with pytest.raises(RuleError, match=message):
        rules.check_effective_date(raw, today=date(2026, 11, 24))


@pytest.mark.parametrize("raw,city,expected", [
    ("浙江省", "", "浙江省"), ("浙江", "", "浙江省"), ("广西", "", "广西壮族自治区"), ("北京", "", "北京市"),
    ("新疆生产建设兵团", "", "新疆生产建设兵团"), ("江苏", "南京市", "江苏省"),
])
def test_lst_0_3_province_names(raw, city, expected):
    assert rules.normalise_province(raw, city=city) == expected


@pytest.mark.parametrize("raw,message", [("火星省", "未知的省份"), ("", "不能为空"), ("江苏省", "本省挂网价")])
def test_lst_0_3_bad_province_names(raw, message):
    with pytest.raises(RuleError, match=message):
        rules.normalise_province(raw)


def test_rules_0_drugs_take_provincial_prices_only():
    with pytest.raises(RuleError, match="药品只录入省级平台挂网价"):
        rules.check_city_for_kind("drug", "杭州市")
    assert rules.check_city_for_kind("consumable", "杭州市") == "杭州市"
    assert rules.check_city_for_kind("drug", "") == ""

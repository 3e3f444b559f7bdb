"""The shared input parsers (issue 14 item 4; issue 15 item 2), table-tested at their
boundaries: prices (LST-0.3 value rules, used by every channel), texts (a line break is ONE
character), dates and months — and the DRF fields built on them give the same messages."""

from datetime import date
from decimal import Decimal

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from core import api_fields, parsing
from core.api.errors import exception_handler
from core.parsing import ParseError


@pytest.mark.parametrize("raw,expected", [
    ("12.5", Decimal("12.5000")),
    ("0.0001", Decimal("0.0001")),          # the smallest price with 4 decimals
    (" 1,280.50 ", Decimal("1280.5000")),   # as Excel writes it
    (7, Decimal("7.0000")),
    (Decimal("1000000"), Decimal("1000000.0000")),  # exactly at the absurd-price ceiling
    ("12.30000", Decimal("12.3000")),       # trailing zeros are not decimals
])
def test_lst_0_3_valid_prices_parse_to_four_places(raw, expected):
    assert parsing.parse_price(raw) == expected


@pytest.mark.parametrize("raw,kind,message", [
    ("-1", "not_positive", "价格须大于 0"),
    ("0", "not_positive", "价格须大于 0"),
    ("0.00", "not_positive", "价格须大于 0"),
    ("1.23456", "places", "价格最多保留 4 位小数"),
    ("1000000.01", "too_large", "超过单价上限 1000000 元，疑为录入错误"),
    ("1e12", "too_large", "疑为录入错误"),
    ("abc", "not_number", "价格须为数字，实际为“abc”"),
    ("NaN", "not_number", "价格须为数字"),
    ("Infinity", "not_number", "价格须为数字"),
    (True, "not_number", "价格须为数字"),
    ("", "required", "价格不能为空"),
    (None, "required", "价格不能为空"),
])
def test_lst_0_3_bad_prices_are_refused_with_a_reason(raw, kind, message):
    with pytest.raises(ParseError) as exc:
        parsing.parse_price(raw)
    assert exc.value.kind == kind
    assert message in exc.value.message


def test_price_ceiling_comes_from_the_caller():
    """sys.price_ceiling_yuan is a policy parameter: the caller passes the value in force."""
    assert parsing.parse_price("500", ceiling=Decimal("500")) == Decimal("500.0000")
    with pytest.raises(ParseError, match="上限 500 元"):
        parsing.parse_price("500.01", ceiling=Decimal("500"))


@pytest.mark.parametrize("raw,kwargs,expected", [
    ("1.5", {"places": 4, "positive": True}, Decimal("1.5")),
    ("0", {"places": 4, "positive": True}, None),
    ("-3", {"places": 4, "positive": True}, None),
    ("1.23456", {"places": 4, "positive": True}, None),
    ("0", {"places": 2, "non_negative": True}, Decimal("0")),
    ("-0.01", {"places": 2, "non_negative": True}, None),
    ("x", {}, None),
    (False, {}, None),
    ("5", {"maximum": Decimal("4")}, None),
])
def test_decimal_or_none_bounds(raw, kwargs, expected):
    assert parsing.decimal_or_none(raw, **kwargs) == expected


@pytest.mark.parametrize("raw,kwargs,message", [
    ("abc", {}, "议价单价须为数字"),
    ("", {}, "议价单价须为数字"),
    ("0", {"positive": True}, "议价单价须大于 0"),
    ("-1", {"non_negative": True}, "议价单价不得为负数"),
    ("1.123", {"places": 2}, "议价单价最多保留 2 位小数"),
])
def test_parse_decimal_names_the_field_in_its_message(raw, kwargs, message):
    with pytest.raises(ParseError, match=message):
        parsing.parse_decimal(raw, label="议价单价", **kwargs)


@pytest.mark.parametrize("raw,length", [
    ("a\r\nb", 3),     # CRLF as a browser posts it: one character
    ("a\nb", 3),
    ("a\rb", 3),
    ("\r\n\r\n", 2),
    ("", 0),
    (None, 0),
])
def test_issue_15_a_line_break_counts_as_one_character(raw, length):
    assert parsing.text_length(raw) == length


def test_issue_15_a_text_at_the_limit_with_crlf_breaks_is_accepted_and_stored_with_lf():
    """1,988 characters as the user sees them, posted with 12 CRLF line breaks: accepted at a
    2,000 limit (it was refused when CRLF counted twice) and stored with LF."""
    text = "\r\n".join(["字" * 151] * 13) + "字" * 1  # 13*151 + 1 = 1964 chars + 12 breaks = 1976
    text = text + "字" * (2000 - parsing.text_length(text))
    assert parsing.text_length(text) == 2000
    stored = parsing.parse_text(text, max_length=2000)
    assert "\r" not in stored and len(stored) == 2000
    with pytest.raises(ParseError) as exc:
        parsing.parse_text(text + "字", max_length=2000)
    assert exc.value.kind == "too_long" and "不能超过 2000 个字" in exc.value.message


def test_parse_text_required_and_own_wording():
    with pytest.raises(ParseError, match="请填写理由"):
        parsing.parse_text(" \r\n ", max_length=10, required="请填写理由")
    assert parsing.parse_text("  ok \r\n", max_length=10) == "ok"
    with pytest.raises(ParseError, match="理由不能超过 3 字"):
        parsing.parse_text("abcd", max_length=3, too_long="理由不能超过 %(max)s 字")


@pytest.mark.parametrize("raw", ["2026-02-30", "2026-13-01", "yesterday", "", None, "2026/01/01", "26-1-1"])
def test_bad_dates_are_refused(raw):
    with pytest.raises(ParseError) as exc:
        parsing.parse_date(raw)
    assert exc.value.kind == "not_date"
    assert "不是有效的日期，请按 YYYY-MM-DD 填写" in exc.value.message
    assert parsing.date_or_none(raw) is None


def test_dates_parse_and_a_caller_may_word_the_refusal():
    assert parsing.parse_date(" 2026-02-28 ") == date(2026, 2, 28)
    assert parsing.parse_date(date(2026, 1, 1)) == date(2026, 1, 1)
    with pytest.raises(ParseError, match="入库日期格式应为 YYYY-MM-DD"):
        parsing.parse_date("2026-02-30", message="入库日期格式应为 YYYY-MM-DD")


@pytest.mark.parametrize("raw,expected", [
    ("2026-10", date(2026, 10, 1)), ("2026-10-15", date(2026, 10, 1)), ("202610", date(2026, 10, 1)),
    ("2026/10", date(2026, 10, 1)), (date(2026, 10, 9), date(2026, 10, 1)),
])
def test_months_parse_to_their_first_day(raw, expected):
    assert parsing.parse_month(raw) == expected


@pytest.mark.parametrize("raw", ["2026-13", "oct", "", None])
def test_bad_months_are_refused(raw):
    with pytest.raises(ParseError, match="月份格式应为 YYYY-MM"):
        parsing.parse_month(raw)


class _Sample(serializers.Serializer):
    price = api_fields.PriceField()
    note = api_fields.TextField(max_length=5, required_message="请填写说明")
    on = api_fields.DateField(required=False)


@pytest.mark.parametrize("data,field,message", [
    ({"price": "-1", "note": "x"}, "price", "价格须大于 0"),
    ({"price": "1.23456", "note": "x"}, "price", "价格最多保留 4 位小数"),
    ({"price": "abc", "note": "x"}, "price", "价格须为数字"),
    ({"price": "1", "note": " "}, "note", "请填写说明"),
    ({"price": "1", "note": "abcdef"}, "note", "不能超过 5 个字"),
    ({"price": "1", "note": "x", "on": "2026-02-30"}, "on", "不是有效的日期"),
])
def test_api_fields_refuse_with_the_parsers_message(data, field, message):
    s = _Sample(data=data)
    assert not s.is_valid()
    assert message in str(s.errors[field][0])


def test_api_fields_give_typed_values():
    s = _Sample(data={"price": 12.5, "note": "ab\r\ncd", "on": "2026-03-01"})
    assert s.is_valid(), s.errors
    assert s.validated_data == {"price": Decimal("12.5000"), "note": "ab\ncd", "on": date(2026, 3, 1)}


@pytest.mark.parametrize("raw,ok", [(1, True), ("42", True), (" 7 ", True), (0, False), (-1, False), ("1.5", False),
                                    (True, False), (None, False), (2**63, False), ("abc", False)])
def test_ids_are_positive_whole_numbers_that_fit_the_column(raw, ok):
    if ok:
        assert parsing.parse_id(raw) == int(str(raw).strip())
    else:
        with pytest.raises(ParseError, match="须为正整数编号"):
            parsing.parse_id(raw)


class _Numbers(serializers.Serializer):
    unit_price = api_fields.DecimalTextField(what="议价单价")
    evidence = api_fields.DecimalTextField(what="已成交价", required=False, allow_blank=True, allow_null=True)
    on = api_fields.DateField(required=False)
    pk = api_fields.IdField()


@pytest.mark.parametrize("data,field,message", [
    ({"pk": 1}, "unit_price", "议价单价须为数字"),            # missing: the parser's own words, not "required"
    ({"unit_price": None, "pk": 1}, "unit_price", "议价单价须为数字"),
    ({"unit_price": "x", "pk": 1}, "unit_price", "议价单价须为数字"),
    ({"unit_price": "1", "evidence": "y", "pk": 1}, "evidence", "已成交价须为数字"),
    ({"unit_price": "1"}, "pk", "须为正整数编号"),
])
def test_missing_or_bad_numbers_are_refused_with_the_parsers_words(data, field, message):
    s = _Numbers(data=data)
    assert not s.is_valid()
    assert str(s.errors[field][0]) == message


def test_optional_blank_values_mean_not_given():
    s = _Numbers(data={"unit_price": "9.5", "evidence": "", "on": "", "pk": "3"})
    assert s.is_valid(), s.errors
    assert s.validated_data == {"unit_price": Decimal("9.5"), "evidence": None, "on": None, "pk": 3}


class _RuleIn(serializers.Serializer):
    price = api_fields.PriceField(rule="PRC-1")
    code = api_fields.RuleField(rule="CAT-1.1", check=parsing.parse_id)
    note = api_fields.TextField(max_length=5, required=False)


@pytest.mark.parametrize("data, code, status, field, message", [
    ({"price": "0", "code": "1"}, "PRC-1", 422, "price", "价格须大于 0"),
    ({"price": "1", "code": "x"}, "CAT-1.1", 422, "code", "须为正整数编号"),
    ({"price": "1", "code": "1", "note": "123456"}, "invalid", 400, "note", "不能超过 5 个字"),
])
def test_a_field_checked_by_a_rule_is_refused_as_that_rule_violation(data, code, status, field, message):
    """A serializer field given a rule answers as the service's RuleViolation: 422 with the rule
    ID as code (PRC-1, CAT-1.1 here); other fields stay 400 "invalid"."""
    serializer = _RuleIn(data=data)
    assert not serializer.is_valid()
    exc = serializers.ValidationError(serializer.errors)
    response = exception_handler(exc, {"request": APIRequestFactory().post("/api/v1/x")})
    assert response.status_code == status
    assert response.data == {"code": code, "detail": message, "field": field}

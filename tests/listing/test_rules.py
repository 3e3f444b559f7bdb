"""Table tests of the pure listing rules (listing/rules.py), one block per rule ID, with the
boundary cases: equal to the cap passes, one fen above fails."""

from datetime import date
from decimal import Decimal as D

import pytest

from listing import rules as r

JX = r.PriceRecord(D("11.80"), province="江西省", effective_date=date(2026, 8, 1))


# ------------------------------------------------------------------ LST-0.2

def fact(kind, d, level="province", same=True):
    return r.QualityFact(kind=kind, event_date=d, authority_level=level, same_product=same)


@pytest.mark.parametrize(
    "events, passed",
    [
        ([], True),
        ([fact("failure", date(2025, 3, 1))], False),  # within 2 years
        ([fact("failure", date(2024, 11, 24))], False),  # exactly 2 years back: within
        ([fact("failure", date(2024, 11, 23))], True),  # one day older: outside
        ([fact("failure", date(2025, 3, 1), level="city")], True),  # city-level test does not count
        ([fact("failure", date(2025, 3, 1), same=False)], True),  # another product's test failure
        ([fact("penalty", date(2025, 3, 1), same=False)], False),  # the enterprise's penalty counts
        ([fact("penalty", date(2025, 3, 1), level="national")], False),
    ],
)
def test_lst_0_2_quality_record_in_lookback_refuses(events, passed):
    res = r.lst_0_2_quality(events, on=date(2026, 11, 24), lookback_years=2)
    assert res.rule == "LST-0.2"
    assert res.passed is passed
    if not passed:
        assert "近2年" in res.message


def test_lst_0_2_message_names_the_date_and_authority():
    res = r.lst_0_2_quality([fact("failure", date(2025, 3, 1))], on=date(2026, 11, 24))
    assert "2025-03-01" in res.message and "省级" in res.message and "不合格" in res.message


# ------------------------------------------------------------------ LST-1

@pytest.mark.parametrize("declared, passed", [(D("11.80"), True), (D("11.81"), False), (D("11.79"), True)])
def test_lst_1_national_lowest_cap(declared, passed):
    res = r.lst_1(declared, JX)
    assert res.rule == "LST-1" and res.passed is passed
    if passed:
        assert res.listing_price == declared
    else:
        assert res.message == "申报价 11.81 元 高于全国最低价 11.80 元（江西省，2026-08-01 起执行）"
        assert res.listing_price is None


def test_lst_1_four_decimal_boundary():
    cap = r.PriceRecord(D("11.8050"), province="湖南省")
    assert r.lst_1(D("11.8050"), cap).passed
    assert not r.lst_1(D("11.8051"), cap).passed


# ------------------------------------------------------------------ LST-2.1

SAME = r.PriceRecord(D("10.00"), label="苏州瑞恩 阿莫西林胶囊 0.25g*24粒")


@pytest.mark.parametrize(
    "declared, provinces, same, passed",
    [
        (D("11.80"), 8, None, True),  # 8 provinces, at the national lowest
        (D("11.80"), 7, None, False),  # 7 provinces, no listed reference
        (D("10.00"), 7, SAME, True),  # 7 provinces but equal to the same drug's lowest listed price
        (D("10.01"), 7, SAME, False),  # one fen above the same drug's listed price
        (D("11.81"), 8, None, False),  # 8 provinces but above the national lowest
        (D("10.00"), 8, SAME, True),
    ],
)
def test_lst_2_1(declared, provinces, same, passed):
    res = r.lst_2_1(declared, JX, province_count=provinces, min_provinces=8, same_drug_lowest=same)
    assert res.rule == "LST-2.1" and res.passed is passed


def test_lst_2_1_refusal_explains_both_conditions():
    res = r.lst_2_1(D("10.01"), JX, province_count=7, same_drug_lowest=SAME)
    assert "仅在 7 个省份" in res.message and "少于 8 个" in res.message
    assert "申报价 10.01 元 高于省平台已挂网相同药品最低价 10.00 元" in res.message


# ------------------------------------------------------------------ LST-2.2.1 derivation

COEF = r.RatioCoefficients()


def test_lst_2_2_1_strength_ratio_2_multiplies_by_1_7():
    base = r.Presentation("0.25g*24粒", "硬胶囊", strength=D("250"), pack_count=24, price=D("10.00"))
    target = r.Presentation("0.5g*24粒", "硬胶囊", strength=D("500"), pack_count=24)
    d = r.derive_price(base, target, COEF)
    assert d.price == D("17.00")
    assert [f.name for f in d.factors] == ["含量"]
    text = d.text()
    assert "代表品：0.25g*24粒，挂网价 10.00 元" in text and "×1.7000" in text and "17.00 元" in text


def test_lst_2_2_1_pack_ratio_2_oral_solid_multiplies_by_1_95():
    base = r.Presentation("0.25g*12粒", "硬胶囊", strength=D("250"), pack_count=12, price=D("10.00"))
    target = r.Presentation("0.25g*24粒", "硬胶囊", strength=D("250"), pack_count=24)
    d = r.derive_price(base, target, COEF)
    assert d.price == D("19.50")
    assert d.factors[0].name == "包装数量（口服固体）"


def test_lst_2_2_1_pack_ratio_2_injection_multiplies_by_2():
    base = r.Presentation("1ml*5支", "注射液", fill_volume=D("1"), pack_count=5, price=D("10.00"))
    target = r.Presentation("1ml*10支", "注射液", fill_volume=D("1"), pack_count=10)
    assert r.derive_price(base, target, COEF).price == D("20.00")


def test_lst_2_2_1_fill_volume_and_form_and_coefficients_from_parameters():
    coef = r.RatioCoefficients(strength=D("1.8"))  # a regulator changed the strength coefficient
    base = r.Presentation("10mg*24片", "普通片", strength=D("10"), pack_count=24, price=D("10.00"))
    target = r.Presentation("20mg*24片 分散片", "分散片", strength=D("20"), pack_count=24)
    d = r.derive_price(base, target, coef)
    assert d.price == D("21.60")  # 10 × 1.8 × 1.2
    assert [f.name for f in d.factors] == ["含量", "剂型"]


def test_lst_2_2_1_fill_volume_ratio():
    base = r.Presentation("2ml", "注射液", fill_volume=D("2"), pack_count=1, price=D("5.00"))
    target = r.Presentation("4ml", "注射液", fill_volume=D("4"), pack_count=1)
    assert r.derive_price(base, target, COEF).price == D("9.50")


def test_lst_2_2_1_unknown_form_is_explained():
    base = r.Presentation("a", "普通片", pack_count=1, price=D("5"))
    with pytest.raises(r.UnknownDosageForm, match="缓释片"):
        r.derive_price(base, r.Presentation("b", "缓释片", pack_count=1), COEF)


def test_lst_2_2_1_representative_is_lowest_unit_price_of_reference_form():
    a = r.Presentation("A 12片", "普通片", pack_count=12, price=D("6.00"))  # 0.50/片
    b = r.Presentation("B 24片", "普通片", pack_count=24, price=D("10.80"))  # 0.45/片
    c = r.Presentation("C 10片 分散片", "分散片", pack_count=10, price=D("5.00"))  # 0.50/1.2 = 0.4167
    assert r.choose_representative([a, b, c], COEF) is c


# ------------------------------------------------------------------ LST-2.2

def test_lst_2_2_derived_cap_boundary():
    base = r.Presentation("0.25g*24粒", "硬胶囊", strength=D("250"), pack_count=24, price=D("10.00"))
    d = r.derive_price(base, r.Presentation("0.5g*24粒", "硬胶囊", strength=D("500"), pack_count=24), COEF)
    high = r.PriceRecord(D("30"), province="河北省")
    assert r.lst_2_2(D("17.00"), high, province_count=3, derivation=d).passed
    res = r.lst_2_2(D("17.01"), high, province_count=3, derivation=d)
    assert not res.passed and "差比价计算价格 17.00 元" in res.message
    assert res.rule == "LST-2.2" and res.derivation is d
    assert r.lst_2_2(D("17.01"), high, province_count=8, derivation=d).passed  # ≥ 8 provinces suffices
    assert not r.lst_2_2(D("30.01"), high, province_count=8, derivation=d).passed  # national lowest binds


def test_lst_2_2_own_product_wording():
    base = r.Presentation("本企业 0.25g", "硬胶囊", strength=D("250"), pack_count=24, price=D("10.00"))
    d = r.derive_price(base, r.Presentation("0.5g", "硬胶囊", strength=D("500"), pack_count=24), COEF)
    res = r.lst_2_2(D("18"), None, province_count=0, derivation=d, own_product=True)
    assert not res.passed and "以本企业已挂网产品为基础" in res.message


# ------------------------------------------------------------------ LST-2.3

@pytest.mark.parametrize(
    "declared, provinces, lowest, passed",
    [(D("11.80"), 8, JX, True), (D("11.80"), 7, JX, False), (D("11.81"), 8, JX, False), (D("5"), 9, None, False)],
)
def test_lst_2_3(declared, provinces, lowest, passed):
    assert r.lst_2_3(declared, lowest, province_count=provinces).passed is passed


# ------------------------------------------------------------------ LST-3.1 / LST-3.2

def test_lst_3_1_listed_at_payment_standard():
    res = r.lst_3_1(D("99"), D("88.00"))
    assert res.passed and res.listing_price == D("88.00") and "88.00" in res.message
    assert not r.lst_3_1(D("99"), None).passed


@pytest.mark.parametrize(
    "declared, generics, passed",
    [
        (D("49.99"), [], True),  # strictly below the payment standard
        (D("50.00"), [], False),  # equal to the payment standard: refused (须低于)
        (D("40.00"), [r.PriceRecord(D("40.00"), label="第一家仿制药")], True),  # equal to the first generic
        (D("40.01"), [r.PriceRecord(D("40.00"), label="第一家仿制药")], False),  # second generic above the first
        (D("39.00"), [r.PriceRecord(D("45.00")), r.PriceRecord(D("39.50"))], True),
        (D("39.60"), [r.PriceRecord(D("45.00")), r.PriceRecord(D("39.50"))], False),  # above any listed generic
    ],
)
def test_lst_3_2(declared, generics, passed):
    res = r.lst_3_2(declared, payment_standard=D("50.00"), lowest=r.PriceRecord(D("60"), province="浙江省"),
                    listed_generics=generics)
    assert res.rule == "LST-3.2" and res.passed is passed


def test_lst_3_2_messages_and_agreement_period():
    res = r.lst_3_2(D("50.00"), payment_standard=D("50.00"), lowest=None)
    assert "未低于国家谈判医保支付标准 50.00 元" in res.message
    first = r.lst_3_2(D("45"), payment_standard=D("50"), lowest=None)
    assert first.passed and "首先申请挂网" in first.checks[1].text
    over = r.lst_3_2(D("45"), payment_standard=D("50"), lowest=None, agreement_end=date(2026, 1, 1),
                     on=date(2026, 11, 24))
    assert not over.passed and "协议期已于 2026-01-01 届满" in over.message
    second = r.lst_3_2(D("40.01"), payment_standard=D("50"), lowest=None,
                       listed_generics=[r.PriceRecord(D("40.00"), label="甲企业 仿制药")])
    assert "高于已挂网仿制药价格 40.00 元" in second.message


# ------------------------------------------------------------------ LST-4

def test_lst_4_innovative_declared_price():
    ok = r.lst_4(D("1234.56"), is_innovative=True, registration_class="化学药品1类")
    assert ok.passed and ok.listing_price == D("1234.56") and "无需最低价承诺" in ok.message
    assert not r.lst_4(D("1"), is_innovative=False).passed
    assert "lowest_price_commitment" not in [c for c, _ in r.required_documents("LST-4")]


# ------------------------------------------------------------------ LST-5

ORIG = r.PriceRecord(D("30.00"), label="原研 辉瑞")


@pytest.mark.parametrize(
    "declared, passed", [(D("25.00"), True), (D("25.01"), False)],
)
def test_lst_5_national_lowest(declared, passed):
    assert r.lst_5(declared, originator=ORIG, lowest=r.PriceRecord(D("25.00"), province="广东省")).passed is passed


@pytest.mark.parametrize("declared, passed", [(D("30.00"), True), (D("30.01"), False)])
def test_lst_5_originator_cap(declared, passed):
    res = r.lst_5(declared, originator=ORIG, lowest=r.PriceRecord(D("35"), province="广东省"))
    assert res.passed is passed
    if not passed:
        assert "高于对应原研药价格 30.00 元" in res.message


@pytest.mark.parametrize("n, due", [(2, False), (3, True), (4, True)])
def test_lst_5_three_evaluated_manufacturers_trigger_suspension(n, due):
    assert r.lst_5_suspension_due(n) is due


# ------------------------------------------------------------------ LST-6, LST-7, LST-8.x

def test_lst_6_within_one_year_goes_to_expert_negotiation():
    ok = r.lst_6(approval_date=date(2025, 12, 1), applied_on=date(2026, 12, 1))
    assert ok.passed and ok.needs_expert and "EXP-2" in ok.message
    late = r.lst_6(approval_date=date(2025, 12, 1), applied_on=date(2026, 12, 2))
    assert not late.passed and "已超过批准后1年" in late.message
    assert r.lst_6(approval_date=date(2025, 12, 1), applied_on=date(2026, 1, 1), negotiated_price=D("8")).listing_price == D("8")


def test_lst_7_set_price():
    res = r.lst_7(is_designated=True, is_reserve=False, set_price=D("3.20"))
    assert res.passed and res.listing_price == D("3.20") and "国家确定的采购价" in res.message
    assert not r.lst_7(is_designated=False, is_reserve=False, set_price=D("3")).passed
    assert not r.lst_7(is_designated=False, is_reserve=True, set_price=None).passed


def test_lst_8_1_needs_supply_commitment():
    assert r.lst_8_1(D("9.99"), is_shortage=True, supply_commitment=True).listing_price == D("9.99")
    res = r.lst_8_1(D("9.99"), is_shortage=True, supply_commitment=False)
    assert not res.passed and "供货稳价承诺书" in res.message
    assert "supply_commitment" in [c for c, _ in r.required_documents("LST-8.1")]


@pytest.mark.parametrize("declared, passed", [(D("11.80"), True), (D("11.81"), False)])
def test_lst_8_2_emergency_national_lowest(declared, passed):
    assert r.lst_8_2(declared, in_scope=True, lowest=JX).passed is passed


def test_lst_8_2_negotiation_scope_and_documents():
    res = r.lst_8_2(D("50"), in_scope=True, lowest=JX, in_negotiation_scope=True, negotiated_price=D("20"))
    assert res.passed and res.listing_price == D("20")
    assert not r.lst_8_2(D("1"), in_scope=False, lowest=None).passed
    docs = [c for c, _ in r.required_documents("LST-8.2")]
    assert "institution_request" in docs and "supply_commitment" in docs


def test_lst_8_3_no_provincial_price_test_by_parameter():
    assert r.lst_8_3(D("99"), is_narcotic_psychotropic=True, no_price_test=True, lowest=JX).passed
    assert not r.lst_8_3(D("99"), is_narcotic_psychotropic=True, no_price_test=False, lowest=JX).passed
    assert not r.lst_8_3(D("1"), is_narcotic_psychotropic=False, no_price_test=True, lowest=None).passed


# ------------------------------------------------------------------ consumables

LOW_C = r.PriceRecord(D("1500.00"), province="江苏省", city="苏州市", effective_date=date(2026, 5, 1))


@pytest.mark.parametrize("declared, passed", [(D("1500.00"), True), (D("1500.01"), False)])
def test_lst_c1_lowest_including_jiangsu_city(declared, passed):
    res = r.lst_c1(declared, LOW_C)
    assert res.passed is passed
    if not passed:
        assert "江苏省苏州市" in res.message
    assert not r.lst_c1(D("1"), None).passed


@pytest.mark.parametrize(
    "provinces, filings, declared, passed",
    [(15, 0, D("1500"), True), (14, 10, D("1500"), True), (14, 9, D("1500"), False), (15, 0, D("1500.01"), False)],
)
def test_lst_c2_expert_review_evidence(provinces, filings, declared, passed):
    res = r.lst_c2(declared, LOW_C, province_count=provinces, tertiary_filings=filings)
    assert res.passed is passed and res.needs_expert


def test_lst_c3_and_c4():
    assert r.lst_c3(D("1500.00"), LOW_C).passed and not r.lst_c3(D("1500.01"), LOW_C).passed
    assert r.lst_c4(D("10"), LOW_C, filings=10).passed
    res = r.lst_c4(D("10"), LOW_C, filings=9)
    assert not res.passed and "9 家" in res.message


@pytest.mark.parametrize("declared, passed", [(D("800.00"), True), (D("800.01"), False)])
def test_lst_c5_supplement_not_above_original(declared, passed):
    res = r.lst_c5(declared, original=r.PriceRecord(D("800.00"), label="原挂网 型号A"), same_registration=True)
    assert res.passed is passed
    assert not r.lst_c5(D("1"), original=r.PriceRecord(D("800")), same_registration=False).passed


# ------------------------------------------------------------------ documents, suggestions, input

def test_required_documents_exemptions():
    with_records = [c for c, _ in r.required_documents("LST-2.1")]
    assert "province_records" in with_records and "lowest_price_commitment" in with_records
    assert "province_records" not in [c for c, _ in r.required_documents("LST-2.1", via_reference=True)]
    assert "province_records" not in [c for c, _ in r.required_documents("LST-5", has_other_records=False)]
    assert r.missing_documents("LST-1", {"province_records"}) == [
        "申报价格及该价格为全国最低价的承诺书", "药品质量承诺书"]
    assert r.missing_documents("LST-C2", {"qualification", "filing_records"}) == []


def test_suggest_categories_from_flags():
    assert r.suggest_categories(r.ProductFacts(kind="drug", generic_of_negotiated=True))[0] == "LST-3.2"
    assert r.suggest_categories(r.ProductFacts(kind="drug", same_drug_listed=True)) == ["LST-2.1"]
    assert r.suggest_categories(r.ProductFacts(kind="drug", same_generic_listed=True)) == ["LST-2.2"]
    assert r.suggest_categories(r.ProductFacts(kind="drug")) == ["LST-2.3"]
    assert r.suggest_categories(r.ProductFacts(kind="drug", is_shortage=True))[0] == "LST-8.1"
    assert r.suggest_categories(r.ProductFacts(kind="consumable", consumable_class="hv6")) == ["LST-C1", "LST-C2"]
    assert r.suggest_categories(r.ProductFacts(kind="consumable", consumable_class="ivd")) == ["LST-C3", "LST-C4"]


@pytest.mark.parametrize(
    "raw, problem",
    [("0", "须大于 0"), ("-1", "须大于 0"), ("1.23456", "4 位小数"), ("abc", "有效的金额"),
     ("1000000.01", "超过单价上限"), ("1.2345", None), ("1000000", None)],
)
def test_declared_price_input(raw, problem):
    got = r.declared_price_problem(raw, D("1000000"))
    assert (got is None) if problem is None else (problem in got)

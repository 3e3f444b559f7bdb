"""Every [policy parameter] of RULES.md is declared, seeded and readable (policy/parameters.py)."""

import json
from decimal import Decimal

import pytest

from policy import services
from policy.models import PolicyValue
from policy.registry import DEFAULT_EFFECTIVE_FROM, PARAMETERS, ParameterTypeError

# key -> (rule, default) that other apps rely on; the names are a contract.
EXPECTED = {
    "calendar.reminder_month": ("§0", 11),
    "sys.price_ceiling_yuan": ("§0", Decimal("1000000")),
    "sys.upload_max_mb": ("§0", 20),
    "lst.batch_day": ("LST-0.1", 15),
    "lst.quality_lookback_years": ("LST-0.2", 2),
    "lst.min_provinces": ("LST-2.1", 8),
    "lst.ratio.strength": ("LST-2.2.1", Decimal("1.7")),
    "lst.ratio.fill_volume": ("LST-2.2.1", Decimal("1.9")),
    "lst.ratio.pack_oral_solid": ("LST-2.2.1", Decimal("1.95")),
    "lst.ratio.pack_other": ("LST-2.2.1", Decimal("2.0")),
    "lst.narcotic_no_price_test": ("LST-8.3", True),
    "lst.c2_min_provinces": ("LST-C2", 15),
    "lst.c2_min_tertiary_filings": ("LST-C2", 10),
    "lst.c4_min_filings": ("LST-C4", 10),
    "prc.linkage_working_days": ("PRC-1", 20),
    "prc.reminder_working_days_before": ("PRC-1", 5),
    "prc.overdue_suspends_listing": ("PRC-1", False),
    "prc.objection_days": ("PRC-2", 10),
    "prc.general_use_actual_purchase": ("PRC-2", False),
    "qua.expiry_reminder_days": ("QUA-1", 30),
    "del.no_sales_days": ("DEL-1", 365),
    "del.delisting_delay_days": ("DEL-1", 180),
    "neg.confirm_working_days": ("NEG-3", 10),
    "neg.consumable_evidence_working_days": ("NEG-4", 5),
    "neg.consumable_confirm_working_days": ("NEG-4", 10),
    "zon.method": ("ZON-2", "quantile"),
    "zon.blue_percentile": ("ZON-2", 50),
    "zon.yellow_percentile": ("ZON-2", 80),
    "zon.trailing_months": ("ZON-2", 12),
    "zon.min_institutions": ("ZON-2", 5),
    "zon.fallback_blue_factor": ("ZON-2", Decimal("1.05")),
    "zon.fallback_yellow_factor": ("ZON-2", Decimal("1.15")),
    "zon.ratio_refresh_months": ("ZON-2", 3),
    "zon.non_negotiation_months": ("ZON-3", 6),
    "zon.red_share_percent": ("ZON-3", Decimal("30")),
    "fil.batch_day": ("FIL-3", 15),
    "vbp.non_selected_cap": ("VBP-4", True),
    "vbp.prepayment_shares": ("VBP-7", {"start": 50, "midterm": 45, "final": 5}),
    "emg.formalities_working_days": ("EMG-1", 20),
    "ins.payment_standard_method": ("INS-1", "weighted_mean_capped"),
    "mon.report_day": ("MON-2", 15),
    "mon.city_forward_day": ("MON-2", 20),
    "mon.reminder_day": ("MON-2", 13),
    "mon.institution_escalation_day": ("MON-2", 16),
    "mon.city_escalation_day": ("MON-2", 21),
    "mon.targets": ("MON-4", {"2022": {"drug": "85", "consumable": "75"}}),
    "mon.discrepancy_tolerance_percent": ("MON-5", Decimal("1")),
    "ord.payment_term_days": ("ORD-2", 30),
    "bad.ban_enabled": ("BAD-2", False),
    "bad.ban_years": ("BAD-2", 2),
}

DOSAGE_FORMS = {
    "普通片": "1.0", "咀嚼片": "1.05", "含片": "1.05", "可溶片": "1.05", "肠溶片": "1.1", "分散片": "1.2",
    "泡腾片": "1.3", "硬胶囊": "1.0", "肠溶胶囊": "1.1", "软胶囊": "1.2", "无糖": "1.1",
}


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_declared_with_rule_label_and_default(key):
    rule, default = EXPECTED[key]
    p = PARAMETERS[key]
    assert p.rule == rule
    assert str(p.label) and str(p.label) != key
    assert p.default == default


def test_every_declared_key_has_rule_chinese_label_and_help():
    for p in PARAMETERS.values():
        assert p.rule, p.key
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(p.label)), p.key
        # short, dotted, lower-case
        assert p.key == p.key.lower() and "." in p.key and " " not in p.key, p.key
        if p.key != "calendar.reminder_month":
            assert str(p.help), p.key


def test_lst_2_2_1_dosage_form_coefficients_default():
    assert PARAMETERS["lst.ratio.dosage_forms"].default == DOSAGE_FORMS


def test_every_default_passes_its_own_validation():
    """A default that its own type/range check would refuse could never be re-entered."""
    for p in PARAMETERS.values():
        raw = json.dumps(p.to_json(p.default)) if p.type == "json" else str(p.default).lower() if p.type == "bool" else str(p.default)
        assert p.to_json(p.parse(raw)) == p.to_json(p.default), p.key


def test_post_migrate_seeded_every_key_and_get_returns_it(db):
    seeded = dict(PolicyValue.objects.filter(effective_from=DEFAULT_EFFECTIVE_FROM, set_by=None).values_list("key", "value"))
    assert set(PARAMETERS) <= set(seeded)
    for key, p in PARAMETERS.items():
        assert p.from_json(seeded[key]) == p.default, key
        assert services.get(key) == p.default, key
        assert services.get(key, at=DEFAULT_EFFECTIVE_FROM) == p.default, key


def test_seeding_is_idempotent_and_fills_only_missing_keys(db):
    from django.apps import apps

    from policy.apps import seed_defaults

    before = PolicyValue.objects.count()
    seed_defaults(sender=apps.get_app_config("policy"))
    assert PolicyValue.objects.count() == before


def test_typed_values_come_back_typed(db):
    assert services.get("lst.ratio.strength") == Decimal("1.7")
    assert isinstance(services.get("lst.ratio.strength"), Decimal)
    assert services.get("lst.narcotic_no_price_test") is True
    assert services.get("neg.confirm_working_days") == 10


@pytest.mark.parametrize("key,raw,message", [
    ("lst.batch_day", "abc", "整数"),
    ("lst.batch_day", "1.5", "整数"),
    ("lst.batch_day", "0", "不得小于 1"),
    ("lst.batch_day", "29", "不得大于 28"),
    ("lst.ratio.strength", "NaN", "数值"),
    ("lst.ratio.strength", "0.5", "不得小于"),
    ("bad.ban_enabled", "maybe", "是/否"),
    ("zon.method", "median", "quantile、listing_ratio"),
    ("lst.ratio.dosage_forms", "[1, 2]", "JSON 对象"),
    ("lst.ratio.dosage_forms", '{"普通片": "-1"}', "大于 0"),
    ("lst.ratio.dosage_forms", "{not json", "JSON"),
    ("lst.ratio.dosage_forms", "42", "JSON"),
    ("vbp.prepayment_shares", '{"start": 50, "midterm": 40, "final": 5}', "之和须为 100"),
    ("vbp.prepayment_shares", '{"start": 100}', "start、midterm、final"),
    ("zon.ratio_grades", '{"blue_max": "1", "grades": [{"below": "5", "zone": "red", "label": "红"}, {"below": "2", "zone": "yellow", "label": "黄"}, {"below": null, "zone": "red", "label": "x"}]}', "须大于上一级"),
    ("zon.ratio_grades", '{"blue_max": "1", "grades": [{"below": "2", "zone": "yellow", "label": "黄"}]}', "最后一级"),
    ("zon.ratio_grades", '{"blue_max": "1", "grades": [{"below": null, "zone": "purple", "label": "紫"}]}', "zone"),
    ("mon.targets", '{"2022": {"drug": "85"}}', "drug 与 consumable"),
    ("mon.targets", '{"22": {"drug": "85", "consumable": "75"}}', "四位年份"),
    ("mon.targets", '{"2022": {"drug": "185", "consumable": "75"}}', "0 到 100"),
])
def test_wrong_values_are_refused_with_a_chinese_reason(key, raw, message):
    with pytest.raises(ParameterTypeError) as exc:
        PARAMETERS[key].parse(raw)
    assert message in str(exc.value)


def test_structured_values_are_normalised():
    grades = PARAMETERS["zon.ratio_grades"].parse(
        '{"blue_max": 1, "grades": [{"below": 3, "zone": "yellow", "label": "黄色"}, {"below": null, "zone": "red", "label": "红色"}]}'
    )
    assert grades == {"blue_max": "1", "grades": [
        {"below": "3", "zone": "yellow", "label": "黄色"}, {"below": None, "zone": "red", "label": "红色"}]}
    assert PARAMETERS["mon.targets"].parse({"2025": {"drug": 100, "consumable": 100}, "2022": {"drug": 85, "consumable": 75}}) \
        == {"2022": {"drug": "85", "consumable": "75"}, "2025": {"drug": "100", "consumable": "100"}}


def test_every_label_help_and_section_has_an_english_translation():
    from django.utils import translation

    with translation.override("en"):
        untranslated = [
            (p.key, str(text)) for p in PARAMETERS.values() for text in (p.label, p.help, p.section)
            if str(text) and any("\u4e00" <= ch <= "\u9fff" for ch in str(text).replace("无糖", "").replace("十四五", ""))
        ]
    assert untranslated == []

"""Pure rule functions, table-tested (MON-1, MON-2, MON-4, MON-5, EMG-2)."""

from datetime import date
from decimal import Decimal as D

import pytest

from monitoring import rules


@pytest.mark.parametrize(("platform", "off", "expected"), [
    ("850000", "150000", D("85.00")),          # MON-1 hand-computed: 850,000 ÷ 1,000,000
    ("849999", "150000", D("85.00")),          # 84.99998… rounds half-up to 85.00
    ("1", "2", D("33.33")),
    ("2", "1", D("66.67")),
    ("1", "7", D("12.50")),
    ("0.125", "99.875", D("0.13")),            # half-up, not banker's
    ("0", "100", D("0.00")),
    ("100", "0", D("100.00")),
    ("0", "0", None),                          # nothing received: no rate, not 0 %
])
def test_mon1_rate_rounds_half_up_to_two_decimals(platform, off, expected):
    assert rules.rate(D(platform), D(off)) == expected


@pytest.mark.parametrize(("platform", "total", "target", "flagged"), [
    ("850000", "1000000", "85", False),        # MON-4: exactly on target is not flagged
    ("849999", "999999", "85", True),          # shown as 85.00 % but below: flagged
    ("749999.99", "1000000", "75", True),
    ("750000", "1000000", "75", False),
    ("0", "0", "85", False),                   # nothing bought: no rate to flag
    ("10", "100", None, False),                # no target for that year
    ("100", "100", "100", False),
])
def test_mon4_below_target_compares_exactly(platform, total, target, flagged):
    assert rules.below_target(D(platform), D(total), D(target) if target else None) is flagged


@pytest.mark.parametrize(("reported", "own", "tolerance", "flagged"), [
    ("101000", "100000", "1", False),          # MON-5: exactly 1 % off is within tolerance
    ("101000.01", "100000", "1", True),
    ("98999.99", "100000", "1", True),
    ("100000", "100000", "0", False),
    ("1", "0", "1", True),                     # reports platform buying the platform never saw
    ("0", "0", "1", False),
])
def test_mon5_discrepancy_with_tolerance(reported, own, tolerance, flagged):
    assert rules.discrepancy(D(reported), D(own), D(tolerance)) is flagged


@pytest.mark.parametrize(("reason", "listed", "out"), [
    ("emergency", True, True),                 # EMG-2: could have been bought on the platform
    ("emergency", False, False),               # unlisted product: permitted emergency purchase
    ("shortage", True, False),
    ("other", True, False),
])
def test_emg2_emergency_scope(reason, listed, out):
    assert rules.emergency_out_of_scope(reason, listed) is out


@pytest.mark.parametrize(("submitted", "month", "late"), [
    (date(2026, 11, 15), date(2026, 10, 1), False),   # MON-2: the 15th itself is on time
    (date(2026, 11, 16), date(2026, 10, 1), True),
    (date(2026, 11, 1), date(2026, 10, 1), False),
    (date(2027, 1, 16), date(2026, 12, 1), True),     # December's report is due in January
])
def test_mon2_lateness(submitted, month, late):
    assert rules.is_late(submitted, month, 15) is late


@pytest.mark.parametrize(("day", "actions"), [
    (13, {"remind"}), (16, {"escalate_institutions"}), (21, {"escalate_cities"}),
    (1, set()), (12, set()), (14, set()), (15, set()), (20, set()), (28, set()),
])
def test_mon2_deadline_days(day, actions):
    assert rules.escalation_action(day, 13, 16, 21) == actions


@pytest.mark.parametrize(("level", "ownership", "must"), [
    (3, "public", True), (2, "public", True), (2, "military", True),   # 004: 含军队驻苏医疗机构
    (1, "public", False), (3, "private_insured", False), (None, "retail_pharmacy", False),
])
def test_mon2_who_reports(level, ownership, must):
    assert rules.must_report(level, ownership) is must


@pytest.mark.parametrize(("total", "platform", "emergency", "field"), [
    ("100", "90", "10", None),
    ("-1", "0", "0", "drug_total"),
    ("100", "101", "0", "drug_platform"),
    ("100", "90", "11", "drug_emergency"),
    ("100", "0", "-5", "drug_emergency"),
])
def test_mon2_figure_checks(total, platform, emergency, field):
    errors = rules.figure_errors("药品", "drug", rules.Figures(D(total), D(platform), D(emergency)))
    assert (errors[0][0] if errors else None) == field


def test_months_and_quarters():
    assert rules.reporting_month(date(2026, 1, 13)) == date(2025, 12, 1)
    assert rules.report_due(date(2026, 12, 1), 15) == date(2027, 1, 15)
    assert rules.quarter_months(2026, 4) == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    assert rules.is_future_or_current(date(2026, 11, 1), date(2026, 11, 24))
    assert not rules.is_future_or_current(date(2026, 10, 1), date(2026, 11, 24))

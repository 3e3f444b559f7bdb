"""Pure rule functions of the monitoring channel (no database access; table-tested).

MON-1 rate, MON-2 deadlines and lateness, MON-4 target check, MON-5 discrepancy check,
EMG-2 emergency scope. Amounts are Decimals in yuan; rates are percents."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# MON-2: who must report — secondary-and-above public institutions; 004 §一(一) counts the
# military hospitals stationed in Jiangsu (军队驻苏) among the public ones ("含军队驻苏医疗机构").
REPORTING_OWNERSHIPS = ("public", "military")
REPORTING_MIN_LEVEL = 2
TERTIARY = 3


def must_report(level: int | None, ownership: str, kind: str = "institution") -> bool:
    """MON-2: secondary-and-above public (incl. military) institutions report monthly."""
    return kind == "institution" and (level or 0) >= REPORTING_MIN_LEVEL and ownership in REPORTING_OWNERSHIPS


def rate(platform: Decimal, offplatform: Decimal) -> Decimal | None:
    """MON-1: platform ÷ (platform + off-platform) as a percent rounded half-up to 2 decimals.
    None when nothing was received (no rate, not 0 %)."""
    platform, offplatform = Decimal(platform), Decimal(offplatform)
    total = platform + offplatform
    if total <= 0:
        return None
    return (platform * HUNDRED / total).quantize(CENT, rounding=ROUND_HALF_UP)


def rate_of_total(platform: Decimal, total: Decimal) -> Decimal | None:
    """MON-1 on reported figures (platform and actual total)."""
    return rate(platform, Decimal(total) - Decimal(platform))


def below_target(platform: Decimal, total: Decimal, target: Decimal | None) -> bool:
    """MON-4: flagged when platform/total < target %. Compared exactly (platform × 100 <
    target × total), not on the rounded rate: 849,999 of 999,999 shows as 85.00 % but is below 85 %."""
    if target is None or Decimal(total) <= 0:
        return False
    return Decimal(platform) * HUNDRED < Decimal(target) * Decimal(total)


def discrepancy(reported_platform: Decimal, own_platform: Decimal, tolerance_percent: Decimal) -> bool:
    """MON-5: the reported platform amount differs from the platform's own receipts by more
    than `tolerance_percent` of the platform's figure. With no platform receipts, any
    reported platform purchase is a discrepancy."""
    reported, own = Decimal(reported_platform), Decimal(own_platform)
    diff = abs(reported - own)
    if own == 0:
        return diff > 0
    return diff * HUNDRED > Decimal(tolerance_percent) * own


def emergency_out_of_scope(reason: str, product_listed_and_orderable: bool) -> bool:
    """EMG-2 scope (our reading of 000 annex §五(十), 002 §19, 004 §四(一)): an emergency
    purchase may be made offline only for a product the platform could not supply. An
    off-platform purchase recorded as an emergency whose product was listed and orderable
    on the platform ON ITS PURCHASE (receipt) DATE — its status that day, not today's — should
    have been bought on the platform: it is outside the permitted scope. Non-emergency
    off-platform purchases are not emergencies."""
    return reason == "emergency" and product_listed_and_orderable


def emg_2_deduction(insurance_paid, ratio_percent) -> Decimal:
    """EMG-2 ("按规定比例"): the deduction of an out-of-scope emergency purchase = the ratio (a
    policy parameter, in force on the purchase date) × its insurance-paid part, to the fen."""
    value = Decimal(insurance_paid) * Decimal(ratio_percent) / HUNDRED
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    m = d.year * 12 + (d.month - 1) + n
    return date(m // 12, m % 12 + 1, 1)


def reporting_month(today: date) -> date:
    """The month reported in the current month (last month)."""
    return add_months(month_start(today), -1)


def report_due(month: date, report_day: int) -> date:
    """MON-2: a month's report is due on `report_day` of the following month (inclusive)."""
    return add_months(month, 1).replace(day=report_day)


def is_late(submitted_on: date, month: date, report_day: int) -> bool:
    """MON-2: submitted after the due day (the due day itself is on time)."""
    return submitted_on > report_due(month, report_day)


def is_future_or_current(month: date, today: date) -> bool:
    """A month can be reported only once it is over."""
    return month_start(month) >= month_start(today)


@dataclass(frozen=True)
class Figures:
    total: Decimal
    platform: Decimal
    emergency: Decimal


def figure_errors(kind_label: str, prefix: str, f: Figures) -> list[tuple[str, str]]:
    """MON-2 input checks on one kind's reported figures: (field, message) pairs, translated
    into the active language."""
    errors = []
    for name, label, value in (("total", _("实际采购金额"), f.total), ("platform", _("省平台采购金额"), f.platform),
                               ("emergency", _("应急采购金额"), f.emergency)):
        if value < 0:
            errors.append((f"{prefix}_{name}", _("%(kind)s%(label)s不得为负数") % {"kind": kind_label, "label": label}))
    if not errors and f.platform > f.total:
        errors.append((f"{prefix}_platform", _("%(kind)s省平台采购金额不得大于实际采购金额") % {"kind": kind_label}))
    if not errors and f.emergency > f.total - f.platform:
        errors.append((f"{prefix}_emergency",
                       _("%(kind)s应急采购金额不得大于线下采购金额（实际采购 − 省平台采购）") % {"kind": kind_label}))
    return errors


def quarter_months(year: int, quarter: int) -> list[date]:
    first = date(year, 3 * (quarter - 1) + 1, 1)
    return [add_months(first, i) for i in range(3)]


def escalation_action(day: int, reminder_day: int, institution_escalation_day: int, city_escalation_day: int) -> set:
    """MON-2 deadline job: which steps run on day-of-month `day`."""
    actions = set()
    if day == reminder_day:
        actions.add("remind")
    if day == institution_escalation_day:
        actions.add("escalate_institutions")
    if day == city_escalation_day:
        actions.add("escalate_cities")
    return actions

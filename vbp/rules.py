"""The pure rule checks of RULES §9 (VBP-1…VBP-9): no database access, table-tested.

Each check returns None when the rule is satisfied, or (rule_id, Chinese message);
calculators return plain values. Services read policy parameters and the calendar and
pass the values in."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal("100")
CAP_MODES = ("off", "warn", "refuse")


def _pct(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- VBP-1 / NEG-2


def vbp_1_in_period(period_start: date, period_end: date, on: date) -> bool:
    """A selected product is bought at the selected price, without negotiation, from the
    first to the last day of its procurement period (both included)."""
    return period_start <= on <= period_end


def vbp_1_import_price(price) -> tuple[str, str] | None:
    """A selected price must be a positive number."""
    try:
        value = Decimal(str(price).strip())
    except Exception:  # noqa: BLE001 — any unparsable cell is the same user error
        return ("VBP-1", f"中选价须为数字，实际为“{price}”")
    if not value.is_finite() or value <= 0:
        return ("VBP-1", f"中选价须大于 0，实际为 {price}")
    return None


# ---------------------------------------------------------------- VBP-2 agreed volume


def vbp_2_agreed_volume(base_qty: int, ratio_percent) -> int:
    """Agreed volume = base-year volume × the tender's ratio, rounded half up to whole units."""
    if base_qty < 0:
        raise ValueError("base_qty must not be negative")
    return int((Decimal(base_qty) * Decimal(ratio_percent) / HUNDRED).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def vbp_2_allocate(total: int, shares: list) -> list[int]:
    """Split `total` across selected products by their allocation shares (percent, summing
    to 100) with the largest-remainder method, so the parts always add up to `total`."""
    if not shares:
        return []
    weights = [Decimal(s) for s in shares]
    whole = sum(weights)
    raw = [Decimal(total) * w / whole for w in weights]
    parts = [int(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def vbp_2_shares_valid(shares: list) -> tuple[str, str] | None:
    if not shares:
        return ("VBP-2", "该品种没有中选产品")
    total = sum(Decimal(s) for s in shares)
    if total != HUNDRED:
        return ("VBP-2", f"同一品种中选产品的分配比例之和须为 100%，实际为 {total}%")
    return None


def vbp_2_base_volume(quantity, prefilled: int, reason: str) -> tuple[str, str] | None:
    """A base volume is a whole number ≥ 0; one that differs from the platform's receipts
    (pre-filled) carries the reason for the correction."""
    try:
        value = Decimal(str(quantity).strip())
    except Exception:  # noqa: BLE001
        return ("VBP-2", f"基期采购量须为整数，实际为“{quantity}”")
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        return ("VBP-2", f"基期采购量须为不小于 0 的整数，实际为 {quantity}")
    if value > 10**9:
        return ("VBP-2", f"基期采购量 {quantity} 明显超出合理范围")
    if int(value) != prefilled and not (reason or "").strip():
        return ("VBP-2", f"填报量 {int(value)} 与平台入库数据 {prefilled} 不一致，请填写更正理由")
    return None


# ---------------------------------------------------------------- VBP-3 contracts


def vbp_3_may_sign_as_enterprise(contract_enterprise_id: int, user_org_id: int | None) -> tuple[str, str] | None:
    if contract_enterprise_id != user_org_id:
        return ("VBP-3", "只有合同所列中选企业可以签订本合同")
    return None


def vbp_3_may_add(completed_qty: int, agreed_qty: int, on: date, period_end: date) -> tuple[str, str] | None:
    """Volume may be added after the agreed volume is completed, within the period (Jilin 003 §三(四))."""
    if completed_qty < agreed_qty:
        return ("VBP-3", f"约定采购量尚未完成（{completed_qty}/{agreed_qty}），完成后方可追加")
    if on > period_end:
        return ("VBP-3", "采购周期已届满，不能追加")
    return None


# ---------------------------------------------------------------- VBP-4 non-selected cap


@dataclass(frozen=True)
class CapResult:
    action: str  # "ok" | "warn" | "refuse"
    message: str = ""


def vbp_4_cap(mode: str, selected_qty: int, non_selected_qty: int) -> CapResult:
    """Non-selected quantity of a variety in the period may not exceed the selected quantity
    (003 §三(三), Jilin). Mode off (Jiangsu default: no cap), warn (flag), refuse."""
    if mode not in CAP_MODES:
        raise ValueError(f"unknown cap mode {mode!r}")
    if mode == "off" or non_selected_qty <= selected_qty:
        return CapResult("ok")
    message = (f"同品种非中选产品采购量 {non_selected_qty} 超过中选产品采购量 {selected_qty}"
               f"（超出 {non_selected_qty - selected_qty}）")
    return CapResult(mode, message)


# ---------------------------------------------------------------- VBP-6 progress


def elapsed_percent(period_start: date, period_end: date, on: date) -> Decimal:
    """Share of the period elapsed at the end of day `on` (0 before the start, 100 after the end)."""
    if on < period_start:
        return Decimal("0")
    if on >= period_end:
        return HUNDRED
    total = (period_end - period_start).days + 1
    return _pct(Decimal((on - period_start).days + 1) * HUNDRED / total)


def completed_percent(completed, agreed) -> Decimal:
    if not agreed:
        return HUNDRED if completed else Decimal("0")
    return _pct(Decimal(completed) * HUNDRED / Decimal(agreed))


def vbp_6_lagging(completed_pct, elapsed_pct, threshold_points) -> bool:
    """Lagging when completion trails the elapsed share by MORE than the threshold (points)."""
    return Decimal(elapsed_pct) - Decimal(completed_pct) > Decimal(threshold_points)


def vbp_6_persistent(lagging_history: list[bool], months: int) -> bool:
    """Persistent laggard: lagging in each of the last `months` monthly snapshots."""
    return len(lagging_history) >= months and all(lagging_history[-months:])


# ---------------------------------------------------------------- VBP-7 prepayment


def vbp_7_schedule(shares: dict, min_first_percent) -> dict[str, Decimal]:
    """The percentages actually used: the Jiangsu minimum share (000 §(十二): "不低于…一定比例")
    raises the first prepayment when the schedule's start share is below it; the later
    stages shrink so that the total stays 100 %."""
    start = max(Decimal(str(shares["start"])), Decimal(str(min_first_percent)))
    start = min(start, HUNDRED)
    midterm = min(Decimal(str(shares["midterm"])), HUNDRED - start)
    final = HUNDRED - start - midterm
    return {"start": start, "midterm": midterm, "final": final}


def half_time_date(period_start: date, period_end: date) -> date:
    """The day on which half the period has passed."""
    return period_start + (period_end - period_start) / 2


@dataclass(frozen=True)
class Due:
    stage: str
    percent: Decimal
    trigger: str  # period_start | half_time | half_volume | completion


def vbp_7_due(schedule: dict, *, period_start: date, period_end: date, on: date,
              completed_amount, agreed_amount, signed: bool) -> list[Due]:
    """Stages due on `on` for a signed contract. 45 % (midterm) when half the period has
    passed OR half the agreed volume is done, whichever first: the job runs daily, so the
    trigger recorded is the condition that holds first; on the day both first hold, time wins.
    The final share only on completion (settlement)."""
    if not signed or on < period_start:
        return []
    due = [Due("start", schedule["start"], "period_start")]
    half_time = on >= half_time_date(period_start, period_end)
    half_volume = agreed_amount and Decimal(completed_amount) * 2 >= Decimal(agreed_amount)
    if half_time:
        due.append(Due("midterm", schedule["midterm"], "half_time"))
    elif half_volume:
        due.append(Due("midterm", schedule["midterm"], "half_volume"))
    if agreed_amount and Decimal(completed_amount) >= Decimal(agreed_amount):
        due.append(Due("final", schedule["final"], "completion"))
    return due


def vbp_7_amount(base_amount, percent) -> Decimal:
    return (Decimal(base_amount) * Decimal(percent) / HUNDRED).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- VBP-8 period-end judgement


def vbp_8_not_completed(period_end: date, on: date, completed, agreed) -> bool:
    """Non-completion is judged at the END of the contract period (the day after its last day)."""
    return on > period_end and Decimal(completed) < Decimal(agreed)


def vbp_8_budget_year(judged_on: date) -> int:
    """Each consequence reduces the NEXT year's budget."""
    return judged_on.year + 1


# ---------------------------------------------------------------- VBP-9 consumable alliances


def vbp_9_alliance(alliance_kind: str, city_count: int, filing_working_days: int | None, *,
                   min_cities: int = 5, min_working_days: int = 5) -> tuple[str, str] | None:
    """Regional alliances (ordinary consumables, IVD reagents) cover ≥ min_cities cities and
    the lead city files the plan with the province ≥ min_working_days working days before
    publishing (002 §22). `filing_working_days` = working days in (filed, published]."""
    if alliance_kind not in ("regional_ordinary", "regional_ivd"):
        return None
    if city_count < min_cities:
        return ("VBP-9", f"区域联盟须覆盖不少于 {min_cities} 个设区市，当前 {city_count} 个")
    if filing_working_days is None:
        return ("VBP-9", "牵头市须先将采购方案报省医保局备案")
    if filing_working_days < min_working_days:
        return ("VBP-9", f"牵头市须在发布采购文件前至少 {min_working_days} 个工作日报省医保局备案，"
                         f"实际仅提前 {filing_working_days} 个工作日")
    return None


def vbp_9_high_value_organiser(alliance_kind: str, organiser_is_province: bool) -> tuple[str, str] | None:
    if alliance_kind == "high_value" and not organiser_is_province:
        return ("VBP-9", "高值医用耗材联盟采购由省医保局组织")
    return None

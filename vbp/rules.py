"""The pure rule checks of RULES §9 (VBP-1…VBP-9): no database access, table-tested.

Each check returns None when the rule is satisfied, or (rule_id, message in the user's
language, Chinese by default);
calculators return plain values. Services read policy parameters and the calendar and
pass the values in."""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

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
        return ("VBP-1", _("中选价须为数字，实际为“%(price)s”") % {"price": price})
    if not value.is_finite() or value <= 0:
        return ("VBP-1", _("中选价须大于 0，实际为 %(price)s") % {"price": price})
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
        return ("VBP-2", _("该品种没有中选产品"))
    total = sum(Decimal(s) for s in shares)
    if total != HUNDRED:
        return ("VBP-2", _("同一品种中选产品的分配比例之和须为 100%%，实际为 %(total)s%%") % {"total": total})
    return None


def vbp_2_base_volume(quantity, prefilled: int, reason: str) -> tuple[str, str] | None:
    """A base volume is a whole number ≥ 0; one that differs from the platform's receipts
    (pre-filled) carries the reason for the correction."""
    try:
        value = Decimal(str(quantity).strip())
    except Exception:  # noqa: BLE001
        return ("VBP-2", _("基期采购量须为整数，实际为“%(quantity)s”") % {"quantity": quantity})
    if not value.is_finite() or value != value.to_integral_value() or value < 0:
        return ("VBP-2", _("基期采购量须为不小于 0 的整数，实际为 %(quantity)s") % {"quantity": quantity})
    if value > 10**9:
        return ("VBP-2", _("基期采购量 %(quantity)s 明显超出合理范围") % {"quantity": quantity})
    if int(value) != prefilled and not (reason or "").strip():
        return ("VBP-2", _("填报量 %(reported)s 与平台入库数据 %(prefilled)s 不一致，请填写更正理由")
                % {"reported": int(value), "prefilled": prefilled})
    return None


# ---------------------------------------------------------------- VBP-3 contracts


def vbp_3_may_sign_as_enterprise(contract_enterprise_id: int, user_org_id: int | None) -> tuple[str, str] | None:
    if contract_enterprise_id != user_org_id:
        return ("VBP-3", _("只有合同所列中选企业可以签订本合同"))
    return None


def vbp_3_may_add(completed_qty: int, agreed_qty: int, on: date, period_end: date) -> tuple[str, str] | None:
    """Volume may be added after the agreed volume is completed, within the period (Jilin 003 §三(四))."""
    if completed_qty < agreed_qty:
        return ("VBP-3", _("约定采购量尚未完成（%(completed)s/%(agreed)s），完成后方可追加")
                % {"completed": completed_qty, "agreed": agreed_qty})
    if on > period_end:
        return ("VBP-3", _("采购周期已届满，不能追加"))
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
    message = _("同品种非中选产品采购量 %(non_selected)s 超过中选产品采购量 %(selected)s（超出 %(over)s）") % {
        "non_selected": non_selected_qty, "selected": selected_qty, "over": non_selected_qty - selected_qty}
    return CapResult(mode, message)


# ---------------------------------------------------------------- VBP-5 negotiation

NEGOTIATED_MODES = ("negotiation", "insurance_access")


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def vbp_5_negotiation_round(mode: str, bid_price, offer, counter_offer, outcome: str, agreed_price,
                            previous_offer=None) -> tuple[str, str] | None:
    """One round of price negotiation / insurance-access negotiation with a bidder
    (000 annex §四(九): "通过价格竞争或谈判形式确定…中选价格"; 002 §21–§22). Volume is
    exchanged for price, so a negotiation only ever lowers the price:
    - the enterprise's offer is > 0, not above its bid, and not above its previous offer;
    - the organiser's counter-offer (optional) is > 0 and below the offer (equal is agreement);
    - an agreed price lies between the counter-offer and the offer, both included;
    - only an agreed round carries an agreed price."""
    if mode not in NEGOTIATED_MODES:
        return ("VBP-5", _("本批次的遴选方式为价格竞争，不进行谈判"))
    offer, bid_price = Decimal(offer), Decimal(bid_price)
    if offer <= 0:
        return ("VBP-5", _("企业谈判报价须大于 0"))
    if offer > bid_price:
        return ("VBP-5", _("企业谈判报价 %(offer)s 元不得高于其投标报价 %(bid)s 元")
                % {"offer": _money(offer), "bid": _money(bid_price)})
    if previous_offer is not None and offer > Decimal(previous_offer):
        return ("VBP-5", _("企业谈判报价 %(offer)s 元不得高于上一轮报价 %(previous)s 元")
                % {"offer": _money(offer), "previous": _money(previous_offer)})
    if counter_offer is not None:
        counter_offer = Decimal(counter_offer)
        if counter_offer <= 0:
            return ("VBP-5", _("还价须大于 0"))
        if counter_offer >= offer:
            return ("VBP-5", _("还价 %(counter)s 元须低于企业报价 %(offer)s 元")
                    % {"counter": _money(counter_offer), "offer": _money(offer)})
    if outcome == "agreed":
        if agreed_price is None:
            return ("VBP-5", _("达成一致时须填写谈判价"))
        agreed = Decimal(agreed_price)
        low = counter_offer if counter_offer is not None else Decimal("0")
        if agreed <= 0 or agreed < low or agreed > offer:
            return ("VBP-5", _("谈判价 %(agreed)s 元须在还价与企业报价 %(offer)s 元之间")
                    % {"agreed": _money(agreed), "offer": _money(offer)})
    elif agreed_price is not None:
        return ("VBP-5", _("仅达成一致时填写谈判价"))
    return None


def vbp_5_negotiated_winners(agreed: list[tuple], winners: int) -> list:
    """Selection by negotiation: among the bidders of a variety that agreed a price, the
    lowest agreed prices win (earlier bid first on a tie); `agreed` is [(key, price, order)].
    A variety without agreement has no selected product (流标)."""
    ranked = sorted(agreed, key=lambda a: (Decimal(a[1]), a[2]))
    return [a[0] for a in ranked[:winners]]


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
        return ("VBP-9", _("区域联盟须覆盖不少于 %(min)s 个设区市，当前 %(count)s 个")
                % {"min": min_cities, "count": city_count})
    if filing_working_days is None:
        return ("VBP-9", _("牵头市须先将采购方案报省医保局备案"))
    if filing_working_days < min_working_days:
        return ("VBP-9", _("牵头市须在发布采购文件前至少 %(min)s 个工作日报省医保局备案，实际仅提前 %(days)s 个工作日")
                % {"min": min_working_days, "days": filing_working_days})
    return None


def vbp_9_high_value_organiser(alliance_kind: str, organiser_is_province: bool) -> tuple[str, str] | None:
    if alliance_kind == "high_value" and not organiser_is_province:
        return ("VBP-9", _("高值医用耗材联盟采购由省医保局组织"))
    return None


def vbp_9_similar_extension(tender_kind: str, product_kind: str, same_variety: bool, price, selected_prices: list,
                            on: date, period_end: date) -> tuple[str, str] | None:
    """The province extends a variety's result to a similar product (002 §24, 同类产品的全省
    价格协同): a product of the tender's kind, NOT of the variety itself (those are its
    selected / non-selected products), at a price > 0 and not above the variety's selected
    price (the highest when several were selected), before the period ends."""
    if not selected_prices:
        return ("VBP-9", _("该品种没有中选产品，不能扩围"))
    if product_kind != tender_kind:
        return ("VBP-9", _("同类产品须与批次产品类别相同"))
    if same_variety:
        return ("VBP-9", _("该产品属于本品种（中选或非中选产品），不是同类产品"))
    value = Decimal(price)
    ceiling = max(Decimal(p) for p in selected_prices)
    if value <= 0 or value > ceiling:
        return ("VBP-9", _("扩围价格 %(price)s 元须大于 0 且不高于本品种中选价 %(ceiling)s 元")
                % {"price": _money(value), "ceiling": _money(ceiling)})
    if on > period_end:
        return ("VBP-9", _("采购周期已届满，不能扩围"))
    return None

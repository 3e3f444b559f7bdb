"""Pure rules of the payment standards (INS-1…INS-4, INS-6, FIL-C5) and the budget ledger
(INS-5, INS-7, VBP-8, EMG-2). No database: each function takes numbers and says the standard
and how it was reached (`Standard.steps`), so the explanation shown to the province is the
computation itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")


def q4(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FOUR, rounding=ROUND_HALF_UP)


METHOD_LABELS = {
    "weighted_mean": gettext_lazy("上年议价结果量价加权平均"),
    "weighted_mean_capped": gettext_lazy("加权平均高于挂网价，按挂网价"),
    "cap_without_results": gettext_lazy("上年无议价结果，按挂网价"),
    "listing_price": gettext_lazy("按挂网价"),
    "lowest_negotiated": gettext_lazy("上年最低议价价格"),
    "no_basis": gettext_lazy("无测算依据"),
    "designated_price": gettext_lazy("国家定点生产：全国统一采购价"),
    "reserve_price": gettext_lazy("省级定点储备：约定供应价"),
    "national_rule": gettext_lazy("按国家规定"),
    "national_rule_missing": gettext_lazy("国家规定待录入"),
    "national_standard": gettext_lazy("国家谈判药品：国家支付标准"),
    "generic_first_year": gettext_lazy("国谈仿制药挂网第一年：挂网价"),
    "generic_results": gettext_lazy("国谈仿制药：按当年议价结果"),
    "selected_price": gettext_lazy("带量采购：中选价"),
    "step_down_to_selected": gettext_lazy("非中选药品：逐年降至中选价"),
    "actual_price": gettext_lazy("非中选药品：实际价格"),
    "not_payable": gettext_lazy("不予支付"),
    "alliance_standard": gettext_lazy("联盟采购类别统一标准"),
    "filed_consumable": gettext_lazy("备案耗材：不高于同类挂网产品"),
    "filed_consumable_set": gettext_lazy("备案耗材：医保部门核定"),
    "shortage_listing_price": gettext_lazy("短缺药品：挂网价"),
}


@dataclass(frozen=True)
class Standard:
    rule: str
    method: str
    amount: Decimal | None  # None: not payable
    steps: tuple[str, ...] = field(default_factory=tuple)
    path: tuple[tuple[int, str], ...] = ()  # INS-4: (year, amount) towards the selected price

    @property
    def payable(self) -> bool:
        return self.amount is not None


def ins_1(results: Iterable[tuple[Decimal, Decimal]], *, cap: Decimal | None, cap_label: str | None = None) -> Standard:
    """INS-1 default: volume-weighted mean of last year's confirmed negotiated prices
    (unit price, quantity), capped at the listing price (a filed drug: its filing price).
    Without results the standard is the cap itself."""
    cap_label = cap_label or _("挂网价")
    results = [(Decimal(p), Decimal(qty)) for p, qty in results if Decimal(qty) > 0]
    volume = sum((qty for _p, qty in results), Decimal(0))
    if not results or volume == 0:
        if cap is None:
            return Standard("INS-1", "no_basis", None, (_("上年无议价结果，也无挂网价：无法测算"),))
        return Standard("INS-1", "cap_without_results", q4(cap),
                        (_("上年无议价结果：取%(cap_label)s %(cap)s 元") % {"cap_label": cap_label, "cap": q4(cap)},))
    mean = q4(sum((p * qty for p, qty in results), Decimal(0)) / volume)
    steps = [results_step(count=len(results), volume=volume, mean=mean)]
    if cap is not None and mean > cap:
        steps.append(capped_step(cap_label=cap_label, cap=q4(cap)))
        return Standard("INS-1", "weighted_mean_capped", q4(cap), tuple(steps))
    return Standard("INS-1", "weighted_mean", mean, tuple(steps))


# The INS-1 step texts, one source for the Python computation and the set-based SQL path of
# the yearly run (which formats the same templates in PostgreSQL): same text, same digest.
RESULTS_STEP = gettext_lazy("上年已确认议价结果 %(count)s 条，数量合计 %(volume)s，加权平均价 %(mean)s 元")
CAPPED_STEP = gettext_lazy("高于%(cap_label)s %(cap)s 元，取%(cap_label)s")
NO_RESULTS_STEP = gettext_lazy("上年无议价结果：取%(cap_label)s %(cap)s 元")


def results_step(*, count, volume, mean) -> str:
    return str(RESULTS_STEP) % {"count": count, "volume": volume, "mean": mean}


def capped_step(*, cap_label: str, cap) -> str:
    return str(CAPPED_STEP) % {"cap_label": cap_label, "cap": cap}


def ins_1_listing_price(*, cap: Decimal, cap_label: str) -> Standard:
    """INS-1 with the method parameter set to the listing price."""
    return Standard("INS-1", "listing_price", q4(cap),
                    (_("按%(cap_label)s %(cap)s 元（测算方法参数）") % {"cap_label": cap_label, "cap": q4(cap)},))


def ins_1_lowest(*, lowest: Decimal, cap: Decimal | None, cap_label: str) -> Standard:
    """INS-1 with the method parameter set to last year's lowest negotiated price (≤ the cap)."""
    low = min(lowest, cap) if cap is not None else lowest
    step = _("上年最低议价价格 %(low)s 元") % {"low": q4(lowest)}
    if cap is not None:
        step += _("，不高于%(cap_label)s") % {"cap_label": cap_label}
    return Standard("INS-1", "lowest_negotiated", q4(low), (step,))


def shortage_listing_price(listing_price: Decimal) -> Standard:
    """INS-2 draft rule (parameter, off by default): a shortage drug at its listing price."""
    return Standard("INS-2", "shortage_listing_price", q4(listing_price),
                    (_("短缺药品按挂网价 %(price)s 元（征求意见稿规定，参数已开启）") % {"price": q4(listing_price)},))


def filed_consumable_set(amount: Decimal) -> Standard:
    """FIL-C5: the standard the insurance regulator set for a filed consumable."""
    return Standard("FIL-C5", "filed_consumable_set", q4(amount),
                    (_("备案耗材：按医保部门核定的支付标准 %(amount)s 元") % {"amount": q4(amount)},))


def ins_2(*, designated_price: Decimal | None = None, reserve_price: Decimal | None = None,
          national_rule: Decimal | None = None, kind: str) -> Standard:
    """INS-2: national designated production → the national uniform price; provincial reserve →
    the agreed supply price; narcotic/psychotropic → the national rule (entered)."""
    if kind == "designated":
        return Standard("INS-2", "designated_price", q4(designated_price),
                        (_("国家定点生产药品：按全国统一采购价 %(price)s 元") % {"price": q4(designated_price)},))
    if kind == "reserve":
        return Standard("INS-2", "reserve_price", q4(reserve_price),
                        (_("省级定点储备药品：按约定供应价 %(price)s 元") % {"price": q4(reserve_price)},))
    if kind == "narcotic":
        if national_rule is None:
            return Standard("INS-2", "national_rule_missing", None, (_("麻醉、精神药品：国家规定尚未录入，暂不测算"),))
        return Standard("INS-2", "national_rule", q4(national_rule),
                        (_("麻醉、精神药品：按国家规定 %(amount)s 元") % {"amount": q4(national_rule)},))
    raise ValueError(kind)


def ins_3_negotiated(payment_standard: Decimal) -> Standard:
    """INS-3: a national negotiated drug is paid at the national payment standard."""
    return Standard("INS-3", "national_standard", q4(payment_standard),
                    (_("国家谈判药品：按国家支付标准 %(amount)s 元") % {"amount": q4(payment_standard)},))


def ins_3_generic(*, listed_on: date, agreement_start: date | None, agreement_end: date | None, year: int,
                  listing_price: Decimal, results_standard: Standard | None, national_rule: Decimal | None) -> Standard | None:
    """INS-3 for a generic of a national negotiated drug launched WITHIN the agreement period:
    the listing price in the first year after listing, afterwards the year's results (INS-1
    computed by the caller); an entered national rule prevails. None: not such a generic."""
    within = (agreement_start is None or listed_on >= agreement_start) and (agreement_end is None or listed_on <= agreement_end)
    if not within:
        return None
    if national_rule is not None:
        return Standard("INS-3", "national_rule", q4(national_rule),
                        (_("国谈药品仿制药：按国家规定 %(amount)s 元") % {"amount": q4(national_rule)},))
    first_year_end = date(listed_on.year + 1, listed_on.month, min(listed_on.day, 28))
    if date(year, 1, 1) < first_year_end:
        return Standard("INS-3", "generic_first_year", q4(listing_price),
                        (_("协议期内上市的仿制药，挂网（%(listed_on)s）后第一年：按挂网价 %(price)s 元")
                         % {"listed_on": f"{listed_on:%Y-%m-%d}", "price": q4(listing_price)},))
    base = results_standard or Standard("INS-1", "no_basis", None)
    return Standard("INS-3", "generic_results", base.amount,
                    (_("协议期内上市的仿制药，挂网满一年：按当年议价结果调整"), *base.steps))


def ins_4(*, selected: Decimal, last_price: Decimal, year: int, is_selected: bool, min_cut_percent: Decimal = Decimal(30),
          years_to_converge: int = 2) -> Standard:
    """INS-4 (000 annex §五(十一)2): a VBP selected product is paid at the selected price S. A
    non-selected product of the variety, by its last year-end price P:
      P > 2S  → at least `min_cut_percent` below P this year, reaching S within 2 years (a path);
      S ≤ P ≤ 2S → S;
      P < S  → P (its actual price)."""
    s, p = q4(selected), q4(last_price)
    if is_selected:
        return Standard("INS-4", "selected_price", s, (_("带量采购中选产品：按中选价 %(selected)s 元") % {"selected": s},))
    if p > 2 * s:
        first = q4(p * (100 - min_cut_percent) / 100)
        first = max(first, s)
        steps = [_("上年末价格 %(last)s 元 > 中选价 %(selected)s 元的 2 倍：本年在 %(last)s 元基础上至少降低 %(cut)s%% → "
                   "%(first)s 元，%(years)s 年内降至中选价")
                 % {"last": p, "selected": s, "cut": min_cut_percent, "first": first, "years": years_to_converge}]
        path = [(year, str(first))]
        gap = first - s
        for i in range(1, years_to_converge + 1):
            path.append((year + i, str(q4(first - gap * i / years_to_converge))))
        return Standard("INS-4", "step_down_to_selected", first, tuple(steps), tuple(path))
    if p >= s:
        return Standard("INS-4", "selected_price", s,
                        (_("上年末价格 %(last)s 元在中选价 %(selected)s 元的 1–2 倍之间：按中选价") % {"last": p, "selected": s},))
    return Standard("INS-4", "actual_price", p,
                    (_("上年末价格 %(last)s 元低于中选价 %(selected)s 元：按实际价格") % {"last": p, "selected": s},))


def ins_6(*, listing_price: Decimal | None, in_sunshine_catalogue: bool,
          alliance_prices: Iterable[Decimal] = ()) -> Standard:
    """INS-6 / INS-5 consumables: outside the provincial sunshine catalogue → not payable; a
    category procured by an alliance → one provincial standard for every product of the
    category, selected or not (002 §28); otherwise the listing price (the standard follows
    listing-price adjustments, 002 §27).

    The one standard is the HIGHEST selected price of the category: every selected product is
    then paid in full, and a similar product priced above it leaves the excess to the patient
    (the same direction as INS-4); the texts do not fix the amount, so this is our reading."""
    if not in_sunshine_catalogue:
        return Standard("INS-6", "not_payable", None, (_("不在省阳光采购目录内的医用耗材：医保不予支付（002 §26）"),))
    prices = [Decimal(p) for p in alliance_prices]
    if prices:
        amount = alliance_amount(prices)
        return Standard("INS-6", "alliance_standard", amount,
                        (_("联盟带量采购类别：按全省统一支付标准 %(amount)s 元") % {"amount": amount},
                         _("统一标准取该类别 %(count)s 个中选产品的最高中选价，类别内同类产品执行同一标准")
                         % {"count": len(prices)}))
    if listing_price is None:
        return Standard("INS-6", "no_basis", None, (_("尚无挂网价：暂不测算"),))
    return Standard("INS-6", "listing_price", q4(listing_price),
                    (_("按挂网价 %(price)s 元（随挂网价调整）") % {"price": q4(listing_price)},))


def alliance_amount(selected_prices: Iterable[Decimal]) -> Decimal:
    """INS-6: the one provincial standard of an alliance category — its highest selected price."""
    return q4(max(Decimal(p) for p in selected_prices))


def fil_c5(*, filing_price: Decimal, similar_standards: Iterable[Decimal], first_sale_here: bool,
           filed_on: date, year: int, transition_years: int) -> Standard:
    """FIL-C5: a filed consumable's standard ≤ that of comparable listed products; a product
    whose first sale in China is here keeps a transition of at least one year, after which an
    expert access and price-negotiation case opens (the explanation says when)."""
    similar = [Decimal(v) for v in similar_standards]
    amount = q4(filing_price)
    steps = [_("备案价 %(amount)s 元") % {"amount": amount}]
    if similar:
        lowest = q4(min(similar))
        if amount > lowest:
            amount = lowest
            steps.append(_("不高于同类挂网产品支付标准 %(lowest)s 元") % {"lowest": lowest})
    if first_sale_here:
        ends = date(filed_on.year + max(transition_years, 1), filed_on.month, min(filed_on.day, 28))
        steps.append(_("全国首发产品：过渡期至 %(ends)s，期满后启动专家准入和价格谈判") % {"ends": f"{ends:%Y-%m-%d}"})
    return Standard("FIL-C5", "filed_consumable", amount, tuple(steps))


# ---------------------------------------------------------------------- budget ledger


def deduction_amount(*, base: Decimal, ratio: Decimal) -> Decimal:
    """EMG-2 / INS-5: the deduction is the insurance-paid part × the ratio (1 for the
    discretionary offline-purchase deduction), in fen."""
    if base < 0 or ratio < 0 or ratio > 1:
        raise ValueError("base must be ≥ 0 and ratio within 0–1")
    return (Decimal(base) * Decimal(ratio)).quantize(TWO, rounding=ROUND_HALF_UP)


def deduction_budget_year(kind: str, *, event_year: int) -> int:
    """INS-5 / VBP-8: offline purchases and out-of-scope emergencies are deducted from that
    year's budget; VBP non-completion (judged at the end of the contract period) and arrears
    from the NEXT year's."""
    return event_year + 1 if kind in ("vbp_noncompletion", "vbp_arrears") else event_year


def quality_deposit(*, budget: Decimal, percent: Decimal) -> Decimal:
    """INS-7: the service-quality deposit withheld from the annual budget (5 % by default)."""
    return (Decimal(budget) * Decimal(percent) / 100).quantize(TWO, rounding=ROUND_HALF_UP)

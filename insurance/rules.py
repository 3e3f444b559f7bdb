"""Pure rules of the payment standards (INS-1…INS-4, INS-6, FIL-C5) and the budget ledger
(INS-5, INS-7, VBP-8, EMG-2). No database: each function takes numbers and says the standard
and how it was reached (`Standard.steps`), so the explanation shown to the province is the
computation itself."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")


def q4(value: Decimal) -> Decimal:
    return Decimal(value).quantize(FOUR, rounding=ROUND_HALF_UP)


METHOD_LABELS = {
    "weighted_mean": "上年议价结果量价加权平均",
    "weighted_mean_capped": "加权平均高于挂网价，按挂网价",
    "cap_without_results": "上年无议价结果，按挂网价",
    "listing_price": "按挂网价",
    "lowest_negotiated": "上年最低议价价格",
    "no_basis": "无测算依据",
    "designated_price": "国家定点生产：全国统一采购价",
    "reserve_price": "省级定点储备：约定供应价",
    "national_rule": "按国家规定",
    "national_rule_missing": "国家规定待录入",
    "national_standard": "国家谈判药品：国家支付标准",
    "generic_first_year": "国谈仿制药挂网第一年：挂网价",
    "generic_results": "国谈仿制药：按当年议价结果",
    "selected_price": "带量采购：中选价",
    "step_down_to_selected": "非中选药品：逐年降至中选价",
    "actual_price": "非中选药品：实际价格",
    "not_payable": "不予支付",
    "alliance_standard": "联盟采购类别统一标准",
    "filed_consumable": "备案耗材：不高于同类挂网产品",
    "filed_consumable_set": "备案耗材：医保部门核定",
    "shortage_listing_price": "短缺药品：挂网价",
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


def ins_1(results: Iterable[tuple[Decimal, Decimal]], *, cap: Decimal | None, cap_label: str = "挂网价") -> Standard:
    """INS-1 default: volume-weighted mean of last year's confirmed negotiated prices
    (unit price, quantity), capped at the listing price (a filed drug: its filing price).
    Without results the standard is the cap itself."""
    results = [(Decimal(p), Decimal(qty)) for p, qty in results if Decimal(qty) > 0]
    volume = sum((qty for _, qty in results), Decimal(0))
    if not results or volume == 0:
        if cap is None:
            return Standard("INS-1", "no_basis", None, ("上年无议价结果，也无挂网价：无法测算",))
        return Standard("INS-1", "cap_without_results", q4(cap), (f"上年无议价结果：取{cap_label} {q4(cap)} 元",))
    mean = q4(sum((p * qty for p, qty in results), Decimal(0)) / volume)
    steps = [f"上年已确认议价结果 {len(results)} 条，数量合计 {volume}，加权平均价 {mean} 元"]
    if cap is not None and mean > cap:
        steps.append(f"高于{cap_label} {q4(cap)} 元，取{cap_label}")
        return Standard("INS-1", "weighted_mean_capped", q4(cap), tuple(steps))
    return Standard("INS-1", "weighted_mean", mean, tuple(steps))


def ins_2(*, designated_price: Decimal | None = None, reserve_price: Decimal | None = None,
          national_rule: Decimal | None = None, kind: str) -> Standard:
    """INS-2: national designated production → the national uniform price; provincial reserve →
    the agreed supply price; narcotic/psychotropic → the national rule (entered)."""
    if kind == "designated":
        return Standard("INS-2", "designated_price", q4(designated_price),
                        (f"国家定点生产药品：按全国统一采购价 {q4(designated_price)} 元",))
    if kind == "reserve":
        return Standard("INS-2", "reserve_price", q4(reserve_price),
                        (f"省级定点储备药品：按约定供应价 {q4(reserve_price)} 元",))
    if kind == "narcotic":
        if national_rule is None:
            return Standard("INS-2", "national_rule_missing", None, ("麻醉、精神药品：国家规定尚未录入，暂不测算",))
        return Standard("INS-2", "national_rule", q4(national_rule), (f"麻醉、精神药品：按国家规定 {q4(national_rule)} 元",))
    raise ValueError(kind)


def ins_3_negotiated(payment_standard: Decimal) -> Standard:
    """INS-3: a national negotiated drug is paid at the national payment standard."""
    return Standard("INS-3", "national_standard", q4(payment_standard),
                    (f"国家谈判药品：按国家支付标准 {q4(payment_standard)} 元",))


def ins_3_generic(*, listed_on: date, agreement_start: date | None, agreement_end: date | None, year: int,
                  listing_price: Decimal, results_standard: Standard | None, national_rule: Decimal | None) -> Standard | None:
    """INS-3 for a generic of a national negotiated drug launched WITHIN the agreement period:
    the listing price in the first year after listing, afterwards the year's results (INS-1
    computed by the caller); an entered national rule prevails. None: not such a generic."""
    within = (agreement_start is None or listed_on >= agreement_start) and (agreement_end is None or listed_on <= agreement_end)
    if not within:
        return None
    if national_rule is not None:
        return Standard("INS-3", "national_rule", q4(national_rule), (f"国谈药品仿制药：按国家规定 {q4(national_rule)} 元",))
    first_year_end = date(listed_on.year + 1, listed_on.month, min(listed_on.day, 28))
    if date(year, 1, 1) < first_year_end:
        return Standard("INS-3", "generic_first_year", q4(listing_price),
                        (f"协议期内上市的仿制药，挂网（{listed_on:%Y-%m-%d}）后第一年：按挂网价 {q4(listing_price)} 元",))
    base = results_standard or Standard("INS-1", "no_basis", None)
    return Standard("INS-3", "generic_results", base.amount,
                    ("协议期内上市的仿制药，挂网满一年：按当年议价结果调整", *base.steps))


def ins_4(*, selected: Decimal, last_price: Decimal, year: int, is_selected: bool, min_cut_percent: Decimal = Decimal(30),
          years_to_converge: int = 2) -> Standard:
    """INS-4 (000 annex §五(十一)2): a VBP selected product is paid at the selected price S. A
    non-selected product of the variety, by its last year-end price P:
      P > 2S  → at least `min_cut_percent` below P this year, reaching S within 2 years (a path);
      S ≤ P ≤ 2S → S;
      P < S  → P (its actual price)."""
    s, p = q4(selected), q4(last_price)
    if is_selected:
        return Standard("INS-4", "selected_price", s, (f"带量采购中选产品：按中选价 {s} 元",))
    if p > 2 * s:
        first = q4(p * (100 - min_cut_percent) / 100)
        first = max(first, s)
        steps = [f"上年末价格 {p} 元 > 中选价 {s} 元的 2 倍：本年在 {p} 元基础上至少降低 {min_cut_percent}% → {first} 元，"
                 f"{years_to_converge} 年内降至中选价"]
        path = [(year, str(first))]
        gap = first - s
        for i in range(1, years_to_converge + 1):
            path.append((year + i, str(q4(first - gap * i / years_to_converge))))
        return Standard("INS-4", "step_down_to_selected", first, tuple(steps), tuple(path))
    if p >= s:
        return Standard("INS-4", "selected_price", s, (f"上年末价格 {p} 元在中选价 {s} 元的 1–2 倍之间：按中选价",))
    return Standard("INS-4", "actual_price", p, (f"上年末价格 {p} 元低于中选价 {s} 元：按实际价格",))


def ins_6(*, listing_price: Decimal | None, in_sunshine_catalogue: bool, alliance_standard: Decimal | None = None) -> Standard:
    """INS-6 / INS-5 consumables: outside the provincial sunshine catalogue → not payable; an
    alliance-procured category → the one provincial standard; otherwise the listing price (the
    standard follows listing-price adjustments)."""
    if not in_sunshine_catalogue:
        return Standard("INS-6", "not_payable", None, ("不在省阳光采购目录内的医用耗材：医保不予支付（002 §26）",))
    if alliance_standard is not None:
        return Standard("INS-6", "alliance_standard", q4(alliance_standard),
                        (f"联盟带量采购类别：按全省统一支付标准 {q4(alliance_standard)} 元",))
    if listing_price is None:
        return Standard("INS-6", "no_basis", None, ("尚无挂网价：暂不测算",))
    return Standard("INS-6", "listing_price", q4(listing_price), (f"按挂网价 {q4(listing_price)} 元（随挂网价调整）",))


def fil_c5(*, filing_price: Decimal, similar_standards: Iterable[Decimal], first_sale_here: bool,
           filed_on: date, year: int, transition_years: int) -> Standard:
    """FIL-C5: a filed consumable's standard ≤ that of comparable listed products; a product
    whose first sale in China is here keeps a transition of at least one year, after which an
    expert access and price-negotiation case opens (the explanation says when)."""
    similar = [Decimal(v) for v in similar_standards]
    amount = q4(filing_price)
    steps = [f"备案价 {amount} 元"]
    if similar:
        lowest = q4(min(similar))
        if amount > lowest:
            amount = lowest
            steps.append(f"不高于同类挂网产品支付标准 {lowest} 元")
    if first_sale_here:
        ends = date(filed_on.year + max(transition_years, 1), filed_on.month, min(filed_on.day, 28))
        steps.append(f"全国首发产品：过渡期至 {ends:%Y-%m-%d}，期满后启动专家准入和价格谈判")
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

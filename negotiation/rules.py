"""Negotiation (议价) and price-zone rules (RULES §6, §7) as pure functions: no database,
plain values in, a decision out. Services gather the facts and call these."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

BLUE, YELLOW, RED = "blue", "yellow", "red"

# ZON-1/ZON-3: "public institutions" are the province's public hospitals including the military
# hospitals stationed in Jiangsu (军队驻苏); insured private institutions and pharmacies may
# negotiate (NEG-7) but neither set the zone thresholds nor are listed for interviews.
PUBLIC_OWNERSHIPS = ("public", "military")


def zon_public_institution(ownership: str) -> bool:
    """ZON-1/ZON-3: does an institution of this ownership count as public?"""
    return ownership in PUBLIC_OWNERSHIPS
ZONE_LABELS = {BLUE: gettext_lazy("蓝区（推荐参考）"), YELLOW: gettext_lazy("黄区（提醒）"), RED: gettext_lazy("红区（重点监控）")}


@dataclass(frozen=True)
class Verdict:
    ok: bool
    rule: str
    message: str
    field: str | None = None  # the input the refusal is about, when a rule names one


def _yuan(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP)}"


# ----------------------------------------------------------------------------- NEG-1 / NEG-2


def neg_1_price_within_listing(price: Decimal, listing_price: Decimal, quantity) -> Verdict:
    """NEG-1: a proposal is a positive unit price not above the listing price, and a positive quantity."""
    if price is None or price <= 0:
        return Verdict(False, "NEG-1", _("议价单价须大于 0"), "unit_price")
    if price.as_tuple().exponent < -4:
        return Verdict(False, "NEG-1", _("议价单价最多保留 4 位小数"), "unit_price")
    if quantity is None or quantity <= 0:
        return Verdict(False, "NEG-1", _("议价数量须大于 0"), "quantity")
    if price > listing_price:
        return Verdict(
            False, "NEG-1",
            _("议价单价 %(price)s 元 高于挂网价 %(listing)s 元，议价不得高于挂网价")
            % {"price": _yuan(price), "listing": _yuan(listing_price)},
            "unit_price",
        )
    return Verdict(True, "NEG-1", _("议价单价 %(price)s 元 不高于挂网价 %(listing)s 元")
                   % {"price": _yuan(price), "listing": _yuan(listing_price)})


@dataclass(frozen=True)
class ExclusionFacts:
    national_negotiated: bool = False
    designated_production: bool = False
    provincial_reserve: bool = False
    vbp_selected_in_period: bool = False


def neg_2_negotiable(facts: ExclusionFacts) -> Verdict:
    """NEG-2: national negotiated, designated-production, provincial-reserve and VBP-selected
    (in period) products are bought at the listing price and cannot be negotiated."""
    reasons = []
    if facts.national_negotiated:
        reasons.append(_("国家谈判药品"))
    if facts.designated_production:
        reasons.append(_("国家定点生产药品"))
    if facts.provincial_reserve:
        reasons.append(_("省级定点储备药品"))
    if facts.vbp_selected_in_period:
        reasons.append(_("带量采购中选产品（采购周期内）"))
    if reasons:
        return Verdict(False, "NEG-2", _("该产品为%(reasons)s，按挂网价采购，不得议价")
                       % {"reasons": _("、").join(reasons)})
    return Verdict(True, "NEG-2", _("该产品可议价"))


def neg_5_member_quantity(quantity: Decimal | None) -> Verdict:
    """NEG-5: every member of a group negotiation records its own positive quantity."""
    if quantity is None or quantity <= 0:
        return Verdict(False, "NEG-5", _("组团成员须填写本机构的采购数量（大于 0）"), "quantity")
    if quantity.as_tuple().exponent < -2:
        return Verdict(False, "NEG-5", _("采购数量最多保留 2 位小数"), "quantity")
    return Verdict(True, "NEG-5", _("数量有效"))


# ----------------------------------------------------------------------------- NEG-3 / NEG-4

AUTO = "auto"  # confirmed at once at the listing price
ENTERPRISE = "enterprise"  # the manufacturer confirms within the deadline, else withdrawn
ENTERPRISE_THEN_LINKAGE = "enterprise_then_linkage"  # consumables at an evidenced transaction price


@dataclass(frozen=True)
class ConfirmationPath:
    path: str
    rule: str
    working_days: int  # 0 for AUTO


def confirmation_path(
    *, kind: str, price: Decimal, listing_price: Decimal, evidence_price: Decimal | None,
    drug_days: int = 10, consumable_evidence_days: int = 5, consumable_days: int = 10,
) -> ConfirmationPath:
    """NEG-3 (drugs) and NEG-4 (consumables): how a proposal is confirmed.

    - at the listing price → confirmed automatically;
    - drug below it → the manufacturer confirms within `drug_days` working days, else withdrawn;
    - consumable at a price the enterprise already transacts at elsewhere (evidence given,
      proposal == evidenced price) → `consumable_evidence_days`, then a price linkage;
    - any other consumable price → `consumable_days`, then withdrawn."""
    if price == listing_price:
        return ConfirmationPath(AUTO, "NEG-3" if kind == "drug" else "NEG-4", 0)
    if kind == "drug":
        return ConfirmationPath(ENTERPRISE, "NEG-3", drug_days)
    if evidence_price is not None and price == evidence_price:
        return ConfirmationPath(ENTERPRISE_THEN_LINKAGE, "NEG-4", consumable_evidence_days)
    return ConfirmationPath(ENTERPRISE, "NEG-4", consumable_days)


def neg_8_can_confirm(*, status: str, due, today) -> Verdict:
    """NEG-8: a confirmation counts only while the proposal is pending and its deadline has
    not passed (the deadline day itself is still in time)."""
    if status != "pending":
        return Verdict(False, "NEG-8", _("该议价已不在待确认状态（可能已被撤回、拒绝或确认），不能再确认"))
    if due is not None and today > due:
        return Verdict(False, "NEG-8", _("确认期限已于 %(due)s 届满，该议价已自动撤回") % {"due": f"{due:%Y-%m-%d}"})
    return Verdict(True, "NEG-8", _("在确认期限内"))


def neg_4_may_decline(path: str) -> Verdict:
    """NEG-4 (002 §11 B "企业应予确认"): at a price the enterprise already transacts at, with the
    institution's evidence, the enterprise must confirm; it may contest the evidence to the
    regulator but never simply decline. Every other proposal may be declined."""
    if path == ENTERPRISE_THEN_LINKAGE:
        return Verdict(False, "NEG-4", _("该议价按贵企业已有的实际成交价发起，企业应予确认，不能拒绝；"
                                         "如认为成交价证明不实，请提出异议，由医保部门裁定"))
    return Verdict(True, "NEG-4", _("可以拒绝"))


def neg_4_may_contest(path: str, evidence_review: str) -> Verdict:
    """NEG-4: only an evidenced proposal can be contested, once, before the regulator decided."""
    if path != ENTERPRISE_THEN_LINKAGE:
        return Verdict(False, "NEG-4", _("只有按已有成交价发起（附成交证明）的议价可以对证明提出异议"))
    if evidence_review:
        return Verdict(False, "NEG-4", _("已对该成交价证明提出异议或医保部门已作出认定，不能重复提出"))
    return Verdict(True, "NEG-4", _("可以提出异议"))


LINK_NOW = "link_now"  # evidence accepted: the platform lowers the listing price itself
AWAIT_REGULATOR = "await_regulator"  # the province checks the evidence first


def neg_4_overdue_outcome(evidence_review: str) -> str:
    """NEG-4: an evidenced proposal left unconfirmed past its deadline turns into a platform
    price linkage — at once when the regulator has already accepted the evidence, otherwise as
    soon as it does (a disproved evidence never reaches here: the proposal is closed)."""
    return LINK_NOW if evidence_review == "accepted" else AWAIT_REGULATOR


def neg_4_linked_price(listing_price: Decimal, evidenced_price: Decimal) -> Decimal | None:
    """NEG-4: the listing price the platform's linkage sets — the evidenced transaction price
    when it is lower than the listing price; None when the listing is already at or below it."""
    return evidenced_price if evidenced_price < listing_price else None


# ----------------------------------------------------------------------------- ZON-2


@dataclass(frozen=True)
class ZoneThresholds:
    """For one product: the volume-weighted quantiles of recent results and the lowest
    result, and how many institutions the results come from."""

    p_blue: Decimal | None
    p_yellow: Decimal | None
    lowest: Decimal | None
    institutions: int


def weighted_quantile(points: list[tuple[Decimal, Decimal]], q: Decimal) -> Decimal | None:
    """The lower volume-weighted quantile: the smallest price whose cumulative quantity
    reaches q × total quantity (points are (price, quantity)). The SQL in
    negotiation.zones computes the same; tests hold them together."""
    if not points:
        return None
    ordered = sorted(points)
    total = sum(w for _, w in ordered)
    cum = Decimal(0)
    for price, w in ordered:
        cum += w
        if cum >= q * total:
            return price
    return ordered[-1][0]


def zon_2_classify(
    price: Decimal, t: ZoneThresholds, *, min_institutions: int = 5,
    fallback_blue: Decimal = Decimal("1.05"), fallback_yellow: Decimal = Decimal("1.15"),
) -> tuple[str | None, str]:
    """ZON-2 default method. With results from ≥ min_institutions institutions: blue ≤ P50,
    yellow ≤ P80, red above. Fewer: against the lowest result (blue ≤ 1.05×, yellow ≤ 1.15×).
    No results at all: no zone. Returns (zone, explanation)."""
    if t.lowest is None:
        return None, _("该产品近 12 个月暂无议价结果，无法分区")
    if t.institutions >= min_institutions and t.p_blue is not None and t.p_yellow is not None:
        if price <= t.p_blue:
            return BLUE, _("%(price)s 元 ≤ 加权中位价 %(p50)s 元") % {"price": _yuan(price), "p50": _yuan(t.p_blue)}
        if price <= t.p_yellow:
            return YELLOW, _("%(price)s 元 ≤ 加权 P80 价 %(p80)s 元") % {"price": _yuan(price), "p80": _yuan(t.p_yellow)}
        return RED, _("%(price)s 元 > 加权 P80 价 %(p80)s 元") % {"price": _yuan(price), "p80": _yuan(t.p_yellow)}
    blue_cap, yellow_cap = t.lowest * fallback_blue, t.lowest * fallback_yellow
    facts = {"min": min_institutions, "n": t.institutions, "price": _yuan(price), "lowest": _yuan(t.lowest)}
    if price <= blue_cap:
        return BLUE, _("不足 %(min)s 家机构（%(n)s 家），%(price)s 元 ≤ 最低价 %(lowest)s 元 × %(factor)s") % {
            **facts, "factor": fallback_blue}
    if price <= yellow_cap:
        return YELLOW, _("不足 %(min)s 家机构（%(n)s 家），%(price)s 元 ≤ 最低价 %(lowest)s 元 × %(factor)s") % {
            **facts, "factor": fallback_yellow}
    return RED, _("不足 %(min)s 家机构（%(n)s 家），%(price)s 元 > 最低价 %(lowest)s 元 × %(factor)s") % {
        **facts, "factor": fallback_yellow}


def zon_2_listing_ratio(price: Decimal, lowest: Decimal | None, grades: dict) -> tuple[str | None, str]:
    """ZON-2 alternative method: grade by the ratio to the lowest price of the same product.
    `grades` is the policy value {"blue_max": "1", "grades": [{"below": "2", "zone": "yellow",
    "label": "黄色"}, …, {"below": null, "zone": "red", "label": "红色三级"}]}."""
    if not lowest:
        return None, _("无同产品最低价，无法分级")
    ratio = price / lowest
    if ratio <= Decimal(str(grades.get("blue_max", "1"))):
        return BLUE, _("与最低价之比 %(ratio)s，不高于 %(limit)s") % {
            "ratio": f"{ratio:.2f}", "limit": grades.get("blue_max", "1")}
    for grade in grades.get("grades", []):
        below = grade.get("below")
        if below is None or ratio < Decimal(str(below)):
            return grade["zone"], _("与最低价之比 %(ratio)s（%(label)s）") % {
                "ratio": f"{ratio:.2f}", "label": grade.get("label", grade["zone"])}
    return RED, _("与最低价之比 %(ratio)s") % {"ratio": f"{ratio:.2f}"}


# ----------------------------------------------------------------------------- ZON-3


def zon_3_interview_reasons(
    *, months_without_negotiation: int | None, non_negotiation_months: int,
    red_results: int, all_results: int, red_share_percent: Decimal, inversions: int,
) -> list[str]:
    """ZON-3: why an institution should be listed for a regulator interview (empty: it should not)."""
    reasons = []
    if months_without_negotiation is None or months_without_negotiation >= non_negotiation_months:
        span = (_("从未议价") if months_without_negotiation is None
                else _("已 %(months)s 个月未议价") % {"months": months_without_negotiation})
        reasons.append(_("长期未议价（%(span)s，阈值 %(limit)s 个月）") % {"span": span, "limit": non_negotiation_months})
    if all_results and Decimal(red_results) * 100 / all_results >= red_share_percent:
        # "reaches" the parameter (达到): the boundary itself lists the institution.
        share = Decimal(red_results) * 100 / all_results
        reasons.append(_("红区结果占比 %(share)s%% 达到 %(limit)s%%") % {"share": f"{share:.1f}", "limit": red_share_percent})
    if inversions:
        reasons.append(_("价格倒挂：%(n)s 笔采购高于议价结果或挂网价") % {"n": inversions})
    return reasons

"""Listing rules (RULES §3, 000 annex §二(三), 002 §7–§10, §37) as pure functions.

One function per rule ID. No database access: callers (listing.services) gather the facts
(declared price, national lowest record, province count, reference prices, coefficients
read from policy parameters …) and pass plain values. Each function returns a
`RuleResult` carrying pass/fail, the rule ID, an explanation with the numbers (Chinese, or
English when that is the active language: the texts go through gettext), and the price the
product would be listed at.

Where the source document and RULES.md differ, the document wins:
- LST-0.2 (000 annex §二(三)1.C): a quality-test *failure* counts against the declared
  *product*; a quality *penalty* counts against the declaring *enterprise* (any of its
  products); only provincial-or-higher drug authorities count.
- LST-8.2: the document requires 申报价格及供货稳价承诺书 as for LST-8.1.
- LST-C1: the national lowest provincial price *including Jiangsu cities' current prices*.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from core import parsing

CENT = Decimal("0.01")
# LST-0.1 application note (申报说明): at most this many characters, a line break counting as one
# (issue 15 item 2; core.parsing.text_length).
NOTE_MAX_LENGTH = 2000

# ------------------------------------------------------------------ categories

DRUG_CATEGORIES = [
    ("LST-1", gettext_lazy("省平台已挂网药品")),
    ("LST-2.1", gettext_lazy("未挂网：通用名、剂型、规格与已挂网药品均相同")),
    ("LST-2.2", gettext_lazy("未挂网：通用名相同，剂型或规格不同")),
    ("LST-2.3", gettext_lazy("未挂网：通用名与省平台挂网药品不同")),
    ("LST-3.1", gettext_lazy("国家谈判药品")),
    ("LST-3.2", gettext_lazy("国家谈判药品的仿制药（协议期内）")),
    ("LST-4", gettext_lazy("创新药品")),
    ("LST-5", gettext_lazy("参比制剂/通过一致性评价的仿制药")),
    ("LST-6", gettext_lazy("新批准注册的药品（批准后1年内）")),
    ("LST-7", gettext_lazy("国家定点生产/省级定点储备药品")),
    ("LST-8.1", gettext_lazy("短缺药品")),
    ("LST-8.2", gettext_lazy("急抢救药品")),
    ("LST-8.3", gettext_lazy("麻醉药品、精神类药品")),
]
CONSUMABLE_CATEGORIES = [
    ("LST-C1", gettext_lazy("高值耗材：原六大类/五大类已入围")),
    ("LST-C2", gettext_lazy("高值耗材：原六大类/五大类未入围（专家评审）")),
    ("LST-C3", gettext_lazy("普通耗材/检验试剂：原市级已入围")),
    ("LST-C4", gettext_lazy("普通耗材/检验试剂：原市级未入围（专家评审）")),
    ("LST-C5", gettext_lazy("已挂网产品增补规格型号")),
]
CATEGORY_LABELS = dict(DRUG_CATEGORIES + CONSUMABLE_CATEGORIES)
CATEGORY_CHOICES = [(k, format_lazy("{} {}", k, v)) for k, v in DRUG_CATEGORIES + CONSUMABLE_CATEGORIES]
DRUG_CATEGORY_IDS = frozenset(k for k, _label in DRUG_CATEGORIES)
CONSUMABLE_CATEGORY_IDS = frozenset(k for k, _label in CONSUMABLE_CATEGORIES)
# Categories reviewed by experts (EXP-1 / EXP-2) before the regulator confirms.
EXPERT_CATEGORIES = frozenset({"LST-6", "LST-C2", "LST-C4"})


# ------------------------------------------------------------------ values


def fmt(amount: Decimal | None) -> str:
    """Yuan with 2 decimals, or up to 4 when the amount has fractions of a fen."""
    if amount is None:
        return "—"
    amount = Decimal(amount)
    if amount == amount.quantize(CENT):
        return f"{amount.quantize(CENT)}"
    return f"{amount.quantize(Decimal('0.0001')).normalize():f}"


@dataclass(frozen=True)
class PriceRecord:
    """One price with where it comes from: another province's listing (LST-0.3), a listed
    product on this platform, an originator's price …"""

    price: Decimal
    province: str = ""
    effective_date: date | None = None
    city: str = ""
    label: str = ""  # e.g. the product / enterprise, for platform prices

    def where(self) -> str:
        place = f"{self.province}{self.city}" if (self.province or self.city) else self.label
        since = _("%(date)s 起执行") % {"date": f"{self.effective_date:%Y-%m-%d}"} if self.effective_date else ""
        parts = [p for p in (place, since) if p]
        return _("（%(parts)s）") % {"parts": _("，").join(parts)} if parts else ""


@dataclass(frozen=True)
class Check:
    """One condition checked by a rule, for display."""

    passed: bool
    text: str


@dataclass(frozen=True)
class RuleResult:
    rule: str
    passed: bool
    message: str
    checks: tuple[Check, ...] = ()
    listing_price: Decimal | None = None  # the price it would be listed at
    cap: Decimal | None = None  # the binding ceiling, when there is one
    needs_expert: bool = False  # EXP-1 review / EXP-2 negotiation before confirmation
    derivation: Derivation | None = None

    @property
    def lines(self) -> list[str]:
        return [c.text for c in self.checks]


def _result(rule: str, checks: list[Check], *, ok_message: str, listing_price=None, cap=None, **kw) -> RuleResult:
    passed = all(c.passed for c in checks)
    if passed:
        message = ok_message
    else:
        message = _("；").join(c.text for c in checks if not c.passed)
    return RuleResult(rule, passed, message, tuple(checks), listing_price if passed else None, cap, **kw)


def _joined(checks: Sequence[Check]) -> str:
    return _("；").join(c.text for c in checks)


def _both_failed(first: Check, second: Check) -> str:
    """Two alternative conditions, neither met."""
    return _("%(first)s，且%(second)s") % {"first": first.text, "second": second.text}


def not_above(declared: Decimal, cap: PriceRecord, what: str) -> Check:
    """declared ≤ cap (equal passes, one fen above fails). `what` names the cap (translated)."""
    values = {"declared": fmt(declared), "what": what, "cap": fmt(cap.price), "where": cap.where()}
    if declared <= cap.price:
        return Check(True, _("申报价 %(declared)s 元 不高于%(what)s %(cap)s 元%(where)s") % values)
    return Check(False, _("申报价 %(declared)s 元 高于%(what)s %(cap)s 元%(where)s") % values)


def below(declared: Decimal, cap: PriceRecord, what: str) -> Check:
    """declared < cap (strictly)."""
    values = {"declared": fmt(declared), "what": what, "cap": fmt(cap.price), "where": cap.where()}
    if declared < cap.price:
        return Check(True, _("申报价 %(declared)s 元 低于%(what)s %(cap)s 元%(where)s") % values)
    return Check(False, _("申报价 %(declared)s 元 未低于%(what)s %(cap)s 元%(where)s（须严格低于）") % values)


def national_lowest_check(declared: Decimal, lowest: PriceRecord | None, *, missing_ok=True, missing_text=None) -> Check:
    """The national-lowest condition (全国各省级现执行挂网（中标）价格中最低价)."""
    if lowest is None:
        return Check(missing_ok, missing_text or (
            _("无外省挂网记录，全国最低价条件以最低价承诺书为准") if missing_ok else _("缺少外省挂网记录，无法确定全国最低价")
        ))
    return not_above(declared, lowest, pgettext("inside a sentence", "全国最低价"))


def provinces_check(count: int, minimum: int) -> Check:
    values = {"count": count, "minimum": minimum}
    if count >= minimum:
        return Check(True, _("已在 %(count)s 个省份有采购（挂网）记录，不少于 %(minimum)s 个") % values)
    return Check(False, _("仅在 %(count)s 个省份有采购（挂网）记录，少于 %(minimum)s 个") % values)


# ------------------------------------------------------------------ LST-0.2


@dataclass(frozen=True)
class QualityFact:
    """A recorded quality event (DEL-2 / LST-0.2)."""

    kind: str  # "failure" (质量检验不合格) | "penalty" (质量处罚)
    event_date: date
    authority_level: str  # "national" | "province" | "city" | "county"
    same_product: bool  # about the declared product (else: another product of the enterprise)
    description: str = ""


AUTHORITY_COUNTS = frozenset({"national", "province"})  # 省级（含）以上
# Lower-case in English: the labels stand inside LST-0.2 sentences.
AUTHORITY_LABELS = {"national": pgettext_lazy("inside a sentence", "国家级"),
                    "province": pgettext_lazy("inside a sentence", "省级"),
                    "city": pgettext_lazy("inside a sentence", "市级"),
                    "county": pgettext_lazy("inside a sentence", "县级")}


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def lst_0_2_quality(events: Sequence[QualityFact], *, on: date, lookback_years: int = 2) -> RuleResult:
    """LST-0.2: no provincial-or-higher quality-test failure of the declared drug and no
    quality penalty of the declaring enterprise within the lookback (近2年)."""
    since = _years_before(on, lookback_years)
    checks = []
    for e in sorted(events, key=lambda e: e.event_date):
        if e.authority_level not in AUTHORITY_COUNTS or not (since <= e.event_date <= on):
            continue
        values = {"date": f"{e.event_date:%Y-%m-%d}", "authority": AUTHORITY_LABELS[e.authority_level],
                  "years": lookback_years}
        detail = _("：%(description)s") % {"description": e.description} if e.description else ""
        if e.kind == "failure" and e.same_product:
            checks.append(Check(False, _("申报药品于 %(date)s 有%(authority)s药品监督管理部门质量检验不合格记录"
                                         "（近%(years)s年内）") % values + detail))
        elif e.kind == "penalty":
            checks.append(Check(False, _("申报企业于 %(date)s 因质量问题被%(authority)s药品监督管理部门处罚"
                                         "（近%(years)s年内）") % values + detail))
    if not checks:
        checks.append(Check(True, _("%(since)s 以来无省级（含）以上质量检验不合格或质量处罚记录")
                            % {"since": f"{since:%Y-%m-%d}"}))
    return _result("LST-0.2", checks, ok_message=checks[0].text)


# ------------------------------------------------------------------ LST-0.4


RISE_CATEGORY = "LST-8.1"  # the only way up for a listed product (LST-0.4)


def lst_0_4_no_rise(category: str, *, declared: Decimal, current: PriceRecord | None,
                    listing_price: Decimal | None = None, what: str | None = None) -> RuleResult:
    """LST-0.4 (000 §(三)1): a product already listed here cannot raise its listing price by
    re-applying under any category — its current price here is part of the national lowest.
    The one way up is LST-8.1 (shortage drug, supply-and-price-stability commitment), and
    that rise is flagged for the regulator as a possible abnormal price rise (BAD-1).
    `listing_price` is the price the category would list at when it is not the declared one
    (LST-3.1 payment standard, LST-7 set price, EXP-2 negotiated price). `what` names the
    declared price (default 申报价)."""
    if current is None:
        checks = [Check(True, _("产品尚未在省平台挂网，不涉及本省现行挂网价"))]
        return _result("LST-0.4", checks, ok_message=checks[0].text)
    prices = [(what or _("申报价"), declared)]
    if listing_price is not None and listing_price != declared:
        prices.append((_("拟挂网价"), listing_price))
    highest_what, highest = max(prices, key=lambda p: p[1])
    values = {"what": highest_what, "price": fmt(highest), "current": fmt(current.price), "where": current.where(),
              "rise": fmt(highest - current.price), "category": category}
    if highest <= current.price:
        checks = [Check(True, _("%(what)s %(price)s 元 不高于本省现行挂网价 %(current)s 元%(where)s") % values)]
        return _result("LST-0.4", checks, ok_message=checks[0].text, cap=current.price)
    if category == RISE_CATEGORY:
        checks = [Check(True, _("%(what)s %(price)s 元 高于本省现行挂网价 %(current)s 元%(where)s，上涨 %(rise)s 元："
                                "按短缺药品（供货稳价承诺）申报，须经省医保局确认，确认后标记为可能的异常涨价（BAD-1）供监管")
                        % values)]
        return _result("LST-0.4", checks, ok_message=checks[0].text, cap=None)
    checks = [Check(False, _("%(what)s %(price)s 元 高于本省现行挂网价 %(current)s 元%(where)s（高 %(rise)s 元）："
                             "已挂网产品不得通过重新申报（%(category)s）涨价，"
                             "仅可按短缺药品（LST-8.1）附供货稳价承诺书申报并经省医保局确认") % values)]
    return _result("LST-0.4", checks, ok_message="", cap=current.price)


def is_rise(old: Decimal | None, new: Decimal) -> bool:
    """LST-0.4 / BAD-1: a listing price change that goes up (a first listing is no rise)."""
    return old is not None and new > old


# ------------------------------------------------------------------ LST-1, LST-2.x


def lst_1(declared: Decimal, lowest: PriceRecord | None) -> RuleResult:
    """LST-1 already listed on this platform: declared ≤ national lowest → declared price."""
    checks = [national_lowest_check(declared, lowest)]
    return _result("LST-1", checks, ok_message=checks[0].text, listing_price=declared,
                   cap=lowest.price if lowest else None)


def lst_2_1(
    declared: Decimal, lowest: PriceRecord | None, *, province_count: int, min_provinces: int = 8,
    same_drug_lowest: PriceRecord | None = None,
) -> RuleResult:
    """LST-2.1 same generic name, form and specification as a listed drug: ≤ national lowest
    AND (≥ 8 provinces OR ≤ the lowest listed price of the same drug on this platform)."""
    national = national_lowest_check(declared, lowest)
    provinces = provinces_check(province_count, min_provinces)
    if same_drug_lowest is not None:
        same = not_above(declared, same_drug_lowest, _("省平台已挂网相同药品最低价"))
    else:
        same = Check(False, _("省平台无可参照的已挂网相同药品价格"))
    either = Check(provinces.passed or same.passed, (provinces.text if provinces.passed else same.text)
                   if (provinces.passed or same.passed) else _both_failed(provinces, same))
    checks = [national, either]
    caps = [r.price for r in (lowest, same_drug_lowest) if r is not None]
    return _result("LST-2.1", checks, ok_message=_joined(checks), listing_price=declared,
                   cap=min(caps) if caps else None)


# Keys are dosage-form names as written on products (data matched against the catalogue).
DEFAULT_DOSAGE_FORM_COEFFICIENTS = {
    "普通片": "1.0", "咀嚼片": "1.05", "含片": "1.05", "可溶片": "1.05", "肠溶片": "1.1", "分散片": "1.2",
    "泡腾片": "1.3", "硬胶囊": "1.0", "肠溶胶囊": "1.1", "软胶囊": "1.2", "无糖": "1.1",
}
SUGAR_FREE = "无糖"  # the coefficient key of the sugar-free form
DOSAGE_FORM_ALIASES = {"片剂": "普通片", "片": "普通片", "胶囊": "硬胶囊", "胶囊剂": "硬胶囊"}


@dataclass(frozen=True)
class RatioCoefficients:
    """LST-2.2.1 coefficients (policy parameters lst.ratio.*)."""

    strength: Decimal = Decimal("1.7")
    fill_volume: Decimal = Decimal("1.9")
    pack_oral_solid: Decimal = Decimal("1.95")
    pack_other: Decimal = Decimal("2.0")
    dosage_forms: dict = field(default_factory=lambda: dict(DEFAULT_DOSAGE_FORM_COEFFICIENTS))

    def form(self, name: str) -> Decimal | None:
        raw = self.dosage_forms.get(name) or self.dosage_forms.get(DOSAGE_FORM_ALIASES.get(name, ""))
        return Decimal(str(raw)) if raw is not None else None


ORAL_SOLID_HINTS = ("片", "胶囊", "丸", "颗粒", "散")


def is_oral_solid(dosage_form: str) -> bool:
    return dosage_form_family(dosage_form) == "oral_solid"


# LST-2.2.1: dosage-form families (剂型族). The representative product is chosen within the
# applicant's family, never across: oral solids with oral solids, injections with injections …
# Checked in this order: the first family whose hint occurs in the form wins (so 注射用无菌粉末
# is an injection, 滴眼液 an eye preparation, 阴道片 an external/cavity form, not an oral tablet).
DOSAGE_FORM_FAMILIES = (
    ("injection", ("注射", "输液", "针剂")),
    ("ophthalmic", ("滴眼", "眼膏", "眼用", "眼凝胶")),
    ("inhalation", ("吸入", "气雾", "喷雾")),
    ("external", ("阴道", "直肠", "栓", "软膏", "乳膏", "凝胶", "贴", "搽剂", "洗剂", "涂剂", "外用", "滴耳", "滴鼻")),
    ("oral_liquid", ("口服溶液", "口服液", "糖浆", "合剂", "混悬", "乳剂", "酊", "口服乳", "滴剂")),
    ("oral_solid", ORAL_SOLID_HINTS),
)
FAMILY_LABELS = {"injection": gettext_lazy("注射剂"), "ophthalmic": gettext_lazy("眼用制剂"),
                 "inhalation": gettext_lazy("吸入制剂"), "external": gettext_lazy("外用及腔道制剂"),
                 "oral_liquid": gettext_lazy("口服液体制剂"), "oral_solid": gettext_lazy("口服固体制剂")}


def dosage_form_family(dosage_form: str) -> str | None:
    """LST-2.2.1: the dosage-form family of a form (None when it fits no known family: such
    an applicant has no representative product and falls back to the 8-province condition)."""
    form = (dosage_form or "").strip()
    if not form:
        return None
    for family, hints in DOSAGE_FORM_FAMILIES:
        if any(h in form for h in hints):
            return family
    return None


def comparable(base_form: str, target_form: str, coef: RatioCoefficients) -> bool:
    """LST-2.2.1: a base product can serve for the applicant when both are in the same family
    and the forms are the same or both have a coefficient (else the ratio is undefined)."""
    family = dosage_form_family(target_form)
    if family is None or dosage_form_family(base_form) != family:
        return False
    return base_form == target_form or (coef.form(base_form) is not None and coef.form(target_form) is not None)


@dataclass(frozen=True)
class Presentation:
    """What LST-2.2.1 compares: strength per unit, fill volume per unit, units per pack, form."""

    label: str
    dosage_form: str
    strength: Decimal | None = None  # e.g. mg per unit
    fill_volume: Decimal | None = None  # e.g. ml per unit
    pack_count: int = 1
    sugar_free: bool = False
    price: Decimal | None = None  # for the base product: its listed price


@dataclass(frozen=True)
class Factor:
    name: str
    text: str
    multiplier: Decimal


@dataclass(frozen=True)
class Derivation:
    base: Presentation
    factors: tuple[Factor, ...]
    price: Decimal  # rounded to the fen

    def lines(self) -> list[str]:
        out = [_("代表品：%(label)s，挂网价 %(price)s 元") % {"label": self.base.label, "price": fmt(self.base.price)}]
        out += [_("%(name)s：%(text)s") % {"name": f.name, "text": f.text} for f in self.factors]
        if self.factors:
            formula = f"{fmt(self.base.price)} × " + " × ".join(f"{f.multiplier:.4f}" for f in self.factors)
            out.append(_("差比价计算价格：%(formula)s = %(price)s 元") % {"formula": formula, "price": fmt(self.price)})
        else:
            out.append(_("差比价计算价格：%(price)s 元") % {"price": fmt(self.price)})
        return out

    def text(self) -> str:
        return _("；").join(self.lines())


def _power(coef: Decimal, ratio: Decimal) -> Decimal:
    """coef ** log2(ratio), computed in floats and brought back to Decimal (8 places)."""
    value = math.pow(float(coef), math.log2(float(ratio)))
    return Decimal(repr(value)).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)


def derive_price(base: Presentation, target: Presentation, coef: RatioCoefficients) -> Derivation:
    """LST-2.2.1 price-difference/ratio method (药品差比价规则): from the base product's
    listed price, multiply by coef^log2(ratio) for strength, fill volume and pack count, and
    by the ratio of dosage-form coefficients (and the sugar-free coefficient)."""
    if base.price is None:
        raise ValueError("base product needs a price")
    factors: list[Factor] = []

    def ratio_factor(name, a, b, c):
        # A missing or non-positive quantity (e.g. a specification the parser could not read)
        # is no ratio: the factor is left out rather than dividing by zero.
        if a is None or b is None or a == b or Decimal(a) <= 0 or Decimal(b) <= 0:
            return
        r = Decimal(b) / Decimal(a)
        m = _power(c, r)
        factors.append(Factor(name, _("%(a)s → %(b)s，比值 %(r)s，系数 %(c)s^log2(%(r)s) = ×%(m)s")
                              % {"a": fmt_qty(a), "b": fmt_qty(b), "r": fmt_qty(r), "c": c, "m": f"{m:.4f}"}, m))

    ratio_factor(_("含量"), base.strength, target.strength, coef.strength)
    ratio_factor(_("装量"), base.fill_volume, target.fill_volume, coef.fill_volume)
    pack_coef = coef.pack_oral_solid if is_oral_solid(target.dosage_form) else coef.pack_other
    ratio_factor(_("包装数量（口服固体）") if pack_coef == coef.pack_oral_solid else _("包装数量"),
                 base.pack_count, target.pack_count, pack_coef)
    if base.dosage_form != target.dosage_form:
        fb, ft = coef.form(base.dosage_form), coef.form(target.dosage_form)
        if fb is None or ft is None:
            missing = target.dosage_form if ft is None else base.dosage_form
            raise UnknownDosageForm(missing)
        m = (ft / fb).quantize(Decimal("0.00000001"), rounding=ROUND_HALF_UP)
        factors.append(Factor(_("剂型"), _("%(base)s（%(fb)s）→ %(target)s（%(ft)s），×%(m)s") % {
            "base": base.dosage_form, "fb": fb, "target": target.dosage_form, "ft": ft, "m": f"{m:.4f}"}, m))
    if base.sugar_free != target.sugar_free:
        sf = coef.form(SUGAR_FREE) or Decimal("1")
        m = sf if target.sugar_free else (1 / sf).quantize(Decimal("0.00000001"))
        factors.append(Factor(_("无糖型"), _("系数 %(sf)s，×%(m)s") % {"sf": sf, "m": f"{m:.4f}"}, m))
    price = Decimal(base.price)
    for f in factors:
        price *= f.multiplier
    return Derivation(base, tuple(factors), price.quantize(CENT, rounding=ROUND_HALF_UP))


class UnknownDosageForm(ValueError):
    def __init__(self, form):
        super().__init__(_("剂型“%(form)s”没有差比价系数（政策参数 lst.ratio.dosage_forms）") % {"form": form})
        self.form = form


def fmt_qty(x) -> str:
    d = Decimal(x)
    return f"{d.normalize():f}" if d == d.to_integral() else f"{d.quantize(Decimal('0.0001')).normalize():f}"


def choose_representative(candidates: Sequence[Presentation], coef: RatioCoefficients,
                          target: Presentation | None = None) -> Presentation | None:
    """LST-2.2.1: the representative product (代表品) of a group is the listed one with the
    lowest price per unit of the reference form (price ÷ pack count ÷ dosage-form coefficient).
    With a `target` (the applicant), only candidates comparable with it count: the same
    dosage-form family and a defined form ratio (`comparable`); none → None (fallback)."""
    def unit_price(p: Presentation):
        form = coef.form(p.dosage_form) or Decimal("1")
        return Decimal(p.price) / Decimal(max(p.pack_count, 1)) / form

    priced = [c for c in candidates if c.price is not None and Decimal(c.price) > 0]
    if target is not None:
        priced = [c for c in priced if comparable(c.dosage_form, target.dosage_form, coef)]
    return min(priced, key=lambda p: (unit_price(p), p.label)) if priced else None


def representative_problem(target_form: str, candidate_forms: Sequence[str], coef: RatioCoefficients) -> str:
    """LST-2.2.1: why no representative product was found, for the applicant and reviewer."""
    family = dosage_form_family(target_form)
    if family is None:
        return _("剂型“%(form)s”无法归入差比价剂型族，按8省采购条件审核") % {"form": target_form}
    same_family = [f for f in candidate_forms if dosage_form_family(f) == family]
    if not same_family:
        return _("省平台无同一剂型族（%(family)s）的已挂网产品，按8省采购条件审核") % {"family": FAMILY_LABELS[family]}
    return _("剂型“%(form)s”与同剂型族已挂网产品（%(forms)s）之间没有差比价系数"
             "（政策参数 lst.ratio.dosage_forms），按8省采购条件审核") % {
        "form": target_form, "forms": _("、").join(sorted(set(same_family)))}


def lst_2_2(
    declared: Decimal, lowest: PriceRecord | None, *, province_count: int, min_provinces: int = 8,
    derivation: Derivation | None = None, own_product: bool = False, no_representative: str | None = None,
) -> RuleResult:
    """LST-2.2 same generic name, different form or specification: ≤ national lowest AND
    (≥ 8 provinces OR ≤ the price derived by LST-2.2.1 from the representative product —
    from the enterprise's own listed product for its other specification of the same form).
    Without a representative product (`no_representative` says why) only the 8-province
    condition remains (LST-2.2.1 fallback)."""
    national = national_lowest_check(declared, lowest)
    provinces = provinces_check(province_count, min_provinces)
    what = _("以本企业已挂网产品为基础的差比价计算价格") if own_product else _("差比价计算价格")
    if derivation is not None:
        derived = not_above(declared, PriceRecord(derivation.price, label=derivation.base.label), what)
    else:
        derived = Check(False, no_representative or _("无可用于差比价计算的已挂网代表品"))
    ok = provinces.passed or derived.passed
    either = Check(ok, (provinces.text if provinces.passed else derived.text) if ok else _both_failed(provinces, derived))
    checks = [national, either]
    caps = [x for x in (lowest.price if lowest else None, derivation.price if derivation else None) if x is not None]
    return _result("LST-2.2", checks, ok_message=_joined(checks), listing_price=declared,
                   cap=min(caps) if caps else None, derivation=derivation)


def lst_2_3(declared: Decimal, lowest: PriceRecord | None, *, province_count: int, min_provinces: int = 8) -> RuleResult:
    """LST-2.3 generic name not on the platform: ≥ 8 provinces AND ≤ national lowest."""
    checks = [provinces_check(province_count, min_provinces),
              national_lowest_check(declared, lowest, missing_ok=False)]
    return _result("LST-2.3", checks, ok_message=_joined(checks), listing_price=declared,
                   cap=lowest.price if lowest else None)


# ------------------------------------------------------------------ LST-3.x


def lst_3_1(declared: Decimal | None, payment_standard: Decimal | None) -> RuleResult:
    """LST-3.1 national negotiated drug: listed directly at the national payment standard."""
    if payment_standard is None:
        checks = [Check(False, _("未登记国家谈判医保支付标准，无法挂网"))]
    else:
        note = (_("（申报价 %(declared)s 元不作为挂网价）") % {"declared": fmt(declared)}
                if declared and declared != payment_standard else "")
        checks = [Check(True, _("按国家谈判医保支付标准 %(price)s 元直接挂网") % {"price": fmt(payment_standard)} + note)]
    return _result("LST-3.1", checks, ok_message=checks[0].text, listing_price=payment_standard, cap=payment_standard)


def lst_3_2(
    declared: Decimal, *, payment_standard: Decimal | None, lowest: PriceRecord | None,
    listed_generics: Sequence[PriceRecord] = (), agreement_end: date | None = None, on: date | None = None,
) -> RuleResult:
    """LST-3.2 generic of a national negotiated drug within the agreement period:
    declared < national payment standard (strictly) AND ≤ national lowest (first in the
    province with no other price: the enterprise commits it is the national lowest); the
    second and later generics not above any already listed generic."""
    checks = []
    if agreement_end is not None and on is not None and on > agreement_end:
        checks.append(Check(False, _("对应国家谈判药品协议期已于 %(end)s 届满，不适用本类别")
                            % {"end": f"{agreement_end:%Y-%m-%d}"}))
    if payment_standard is None:
        checks.append(Check(False, _("对应国家谈判药品未登记医保支付标准")))
    else:
        checks.append(below(declared, PriceRecord(payment_standard, label=_("国家谈判")), _("国家谈判医保支付标准")))
    checks.append(national_lowest_check(
        declared, lowest, missing_text=_("在我省首先申请挂网且尚无其他省级挂网价格，须承诺申报价为全国最低价")))
    if listed_generics:
        cheapest = min(listed_generics, key=lambda r: r.price)
        checks.append(not_above(declared, cheapest, _("已挂网仿制药价格")))
    caps = [x for x in (lowest.price if lowest else None,
                        min((g.price for g in listed_generics), default=None)) if x is not None]
    return _result("LST-3.2", checks, ok_message=_joined(checks), listing_price=declared,
                   cap=min(caps) if caps else payment_standard)


# ------------------------------------------------------------------ LST-4 … LST-8.3

# Registration classes as written on products (data, not messages).
INNOVATIVE_CLASSES = ("化学药品1类", "化学药品1.1类", "中药1类", "中药2类", "中药3类", "中药4类", "中药5类", "生物制品1类")


def lst_4(declared: Decimal, *, is_innovative: bool, registration_class: str = "") -> RuleResult:
    """LST-4 innovative drug: listed at the declared price after the qualification check;
    no lowest-price commitment."""
    if is_innovative:
        cls = _("（注册分类：%(cls)s）") % {"cls": registration_class} if registration_class else ""
        checks = [Check(True, _("创新药品%(cls)s，按申报价 %(declared)s 元挂网，无需最低价承诺")
                        % {"cls": cls, "declared": fmt(declared)})]
    else:
        checks = [Check(False, _("产品未认定为创新药品（化学药品1.1类/1类、中药1-5类、生物制品1类），不适用本类别"))]
    return _result("LST-4", checks, ok_message=checks[0].text, listing_price=declared)


def lst_5(declared: Decimal, *, originator: PriceRecord | None, lowest: PriceRecord | None,
          is_reference_or_evaluated: bool = True) -> RuleResult:
    """LST-5 reference preparation / consistency-evaluated generic: ≤ the originator's price
    AND ≤ national lowest."""
    checks = []
    if not is_reference_or_evaluated:
        checks.append(Check(False, _("产品既非参比制剂也未通过（视同通过）一致性评价，不适用本类别")))
    if originator is not None:
        checks.append(not_above(declared, originator, _("对应原研药价格")))
    else:
        checks.append(Check(True, _("省平台无对应原研药挂网价格，原研药价格条件不适用")))
    checks.append(national_lowest_check(declared, lowest))
    caps = [r.price for r in (originator, lowest) if r is not None]
    return _result("LST-5", checks, ok_message=_joined(checks), listing_price=declared,
                   cap=min(caps) if caps else None)


def lst_5_application_barred(evaluated_manufacturers: int, *, is_evaluated: bool, is_originator: bool,
                             is_reference: bool, variety: str = "", threshold: int = 3) -> Check | None:
    """LST-5 at application: a not-yet-evaluated generic of a variety that already has ≥ 3
    consistency-evaluated manufacturers would be suspended the day after listing, so it is
    refused when it applies (None: no bar). Originators and reference preparations are exempt."""
    if is_evaluated or is_originator or is_reference or not lst_5_suspension_due(evaluated_manufacturers, threshold):
        return None
    return Check(False, _("同品种（%(variety)s）通过一致性评价的生产企业已达 %(count)s 家（%(threshold)s 家以上），"
                          "未通过一致性评价的产品不予挂网")
                 % {"variety": variety, "count": evaluated_manufacturers, "threshold": threshold})


def lst_5_suspension_due(evaluated_manufacturers: int, threshold: int = 3) -> bool:
    """LST-5: once ≥ 3 manufacturers (3家以上) of a variety have passed consistency
    evaluation, not-yet-evaluated products of that variety are suspended."""
    return evaluated_manufacturers >= threshold


def lst_6(*, approval_date: date | None, applied_on: date, negotiated_price: Decimal | None = None) -> RuleResult:
    """LST-6 newly approved drug (applied within 1 year of approval): the price is set by
    expert negotiation (EXP-2) and the drug is listed at the negotiated price."""
    if approval_date is None:
        checks = [Check(False, _("未登记批准注册日期"))]
    else:
        limit = _years_before(approval_date, -1)
        values = {"approved": f"{approval_date:%Y-%m-%d}", "applied": f"{applied_on:%Y-%m-%d}",
                  "limit": f"{limit:%Y-%m-%d}", "price": fmt(negotiated_price)}
        if applied_on <= limit:
            checks = [Check(True, _("%(approved)s 批准注册，申报日 %(applied)s 在批准后1年内") % values
                            + (_("；按专家谈判价格 %(price)s 元挂网") % values if negotiated_price
                               else _("；由评审专家与企业进行价格谈判（EXP-2），按谈判价格挂网")))]
        else:
            checks = [Check(False, _("%(approved)s 批准注册，申报日 %(applied)s 已超过批准后1年"
                                     "（%(limit)s），不适用本类别") % values)]
    return _result("LST-6", checks, ok_message=checks[0].text, listing_price=negotiated_price, needs_expert=True)


def lst_7(*, is_designated: bool, is_reserve: bool, set_price: Decimal | None) -> RuleResult:
    """LST-7 national designated production: at the national price; provincial reserve: at
    the supply price agreed by the provincial health commission."""
    if not (is_designated or is_reserve):
        checks = [Check(False, _("产品既非国家定点生产也非省级定点储备药品，不适用本类别"))]
    elif set_price is None:
        checks = [Check(False, _("未提供国家确定的采购价或省卫生健康部门议定的供应价格"))]
    else:
        what = _("国家确定的采购价") if is_designated else _("省卫生健康部门议定的供应价格")
        checks = [Check(True, _("按%(what)s %(price)s 元挂网") % {"what": what, "price": fmt(set_price)})]
    return _result("LST-7", checks, ok_message=checks[0].text, listing_price=set_price)


def lst_8_1(declared: Decimal, *, is_shortage: bool, supply_commitment: bool) -> RuleResult:
    """LST-8.1 shortage-list drug: at the declared price, with a supply-and-price-stability
    commitment (供货稳价承诺书)."""
    checks = [Check(is_shortage, _("已列入短缺药品清单") if is_shortage else _("产品未列入短缺药品清单，不适用本类别")),
              Check(supply_commitment, _("已提交供货稳价承诺书") if supply_commitment else _("缺少供货稳价承诺书"))]
    return _result("LST-8.1", checks,
                   ok_message=_("短缺药品，按申报价 %(declared)s 元挂网（已承诺供货稳价）") % {"declared": fmt(declared)},
                   listing_price=declared)


def lst_8_2(declared: Decimal, *, in_scope: bool, lowest: PriceRecord | None,
            negotiated_price: Decimal | None = None, in_negotiation_scope: bool = False) -> RuleResult:
    """LST-8.2 emergency/rescue drug: ≤ national lowest → declared price; drugs in the yearly
    rescue-drug negotiation → the negotiated price."""
    if not in_scope:
        checks = [Check(False, _("产品未纳入急抢救药品范围，不适用本类别"))]
        return _result("LST-8.2", checks, ok_message="")
    if in_negotiation_scope:
        if negotiated_price is None:
            checks = [Check(True, _("纳入急抢救药品谈判范围，由评审专家与企业谈判后按谈判价格挂网"))]
        else:
            checks = [Check(True, _("纳入急抢救药品谈判范围，按谈判价格 %(price)s 元挂网") % {"price": fmt(negotiated_price)})]
        return _result("LST-8.2", checks, ok_message=checks[0].text, listing_price=negotiated_price, needs_expert=True)
    checks = [national_lowest_check(declared, lowest)]
    return _result("LST-8.2", checks, ok_message=checks[0].text, listing_price=declared,
                   cap=lowest.price if lowest else None)


def lst_8_3(declared: Decimal, *, is_narcotic_psychotropic: bool, no_price_test: bool,
            lowest: PriceRecord | None) -> RuleResult:
    """LST-8.3 narcotic / psychotropic: per national rules — listed with a flag, no provincial
    price test (policy parameter lst.narcotic_no_price_test)."""
    if not is_narcotic_psychotropic:
        checks = [Check(False, _("产品不是麻醉药品或精神类药品，不适用本类别"))]
    elif no_price_test:
        checks = [Check(True, _("麻醉/精神药品按国家有关规定执行，标识挂网，不做省级价格审核（申报价 %(declared)s 元）")
                        % {"declared": fmt(declared)})]
    else:
        checks = [national_lowest_check(declared, lowest)]
    return _result("LST-8.3", checks, ok_message=checks[0].text, listing_price=declared)


# ------------------------------------------------------------------ consumables


def _at_lowest(check: Check, declared: Decimal) -> str:
    return _("%(check)s，按最低价 %(declared)s 元挂网") % {"check": check.text, "declared": fmt(declared)}


def lst_c1(declared: Decimal, lowest: PriceRecord | None, *, previously_selected: bool = True) -> RuleResult:
    """LST-C1 high-value, previously selected (六大类/五大类): listed at the national lowest
    provincial listing price, including Jiangsu cities' current prices."""
    checks = []
    if not previously_selected:
        checks.append(Check(False, _("产品未在原“六大类”“五大类”省、市集中采购中入围，应按 LST-C2 申报")))
    checks.append(national_lowest_check(declared, lowest, missing_ok=False,
                                        missing_text=_("缺少全国省级（含本省设区市）挂网记录，无法确定最低价")))
    return _result("LST-C1", checks, ok_message=_at_lowest(checks[-1], declared),
                   listing_price=declared, cap=lowest.price if lowest else None)


def lst_c2(
    declared: Decimal, lowest: PriceRecord | None, *, province_count: int, tertiary_filings: int,
    min_provinces: int = 15, min_filings: int = 10,
) -> RuleResult:
    """LST-C2 high-value, not previously selected: expert review (EXP-1); records in ≥ 15
    provinces (city records where a province has none) OR filing records in ≥ 10 tertiary
    public hospitals of the province; listed at the national lowest provincial price."""
    provinces = province_count >= min_provinces
    filings = tertiary_filings >= min_filings
    values = {"provinces": province_count, "min_provinces": min_provinces, "filings": tertiary_filings,
              "min_filings": min_filings}
    evidence = Check(
        provinces or filings,
        (_("已有 %(provinces)s 个省份挂网记录（要求不少于 %(min_provinces)s 个），省内三级公立医疗机构备案采购记录 "
           "%(filings)s 家（要求不少于 %(min_filings)s 家）") if provinces or filings else
         _("已有 %(provinces)s 个省份挂网记录（要求不少于 %(min_provinces)s 个）；省内三级公立医疗机构备案采购记录 "
           "%(filings)s 家（要求不少于 %(min_filings)s 家），两项均不满足")) % values,
    )
    checks = [evidence, national_lowest_check(declared, lowest)]
    return _result("LST-C2", checks, ok_message=_joined(checks) + _("；经专家评审通过后按最低价挂网"),
                   listing_price=declared, cap=lowest.price if lowest else None, needs_expert=True)


def lst_c3(declared: Decimal, lowest: PriceRecord | None, *, previously_selected: bool = True) -> RuleResult:
    """LST-C3 ordinary / IVD previously selected at city level: listed at the national lowest
    provincial-or-city price."""
    checks = []
    if not previously_selected:
        checks.append(Check(False, _("产品未在原市级集中采购中入围，应按 LST-C4 申报")))
    checks.append(national_lowest_check(declared, lowest, missing_ok=False,
                                        missing_text=_("缺少全国省、市级挂网记录，无法确定最低价")))
    return _result("LST-C3", checks, ok_message=_at_lowest(checks[-1], declared),
                   listing_price=declared, cap=lowest.price if lowest else None)


def lst_c4(declared: Decimal, lowest: PriceRecord | None, *, filings: int, min_filings: int = 10) -> RuleResult:
    """LST-C4 ordinary / IVD not previously selected: expert review; filing records in ≥ 10
    secondary-or-higher public institutions; listed at the national lowest province/city price."""
    checks = [
        Check(filings >= min_filings, _("省内二级及以上公立医疗机构备案采购记录 %(filings)s 家（要求不少于 %(min)s 家）")
              % {"filings": filings, "min": min_filings}),
        national_lowest_check(declared, lowest),
    ]
    return _result("LST-C4", checks, ok_message=_joined(checks) + _("；经专家评审通过后按最低价挂网"),
                   listing_price=declared, cap=lowest.price if lowest else None, needs_expert=True)


def lst_c5(declared: Decimal, *, original: PriceRecord | None, same_registration: bool) -> RuleResult:
    """LST-C5 added specification/model under the registration certificate of a listed
    product: not above the original listing price (002 §37)."""
    checks = []
    if original is None:
        checks.append(Check(False, _("请在申请表中选择所增补的原挂网产品（同一注册证下已挂网的规格型号）")))
    else:
        if not same_registration:
            checks.append(Check(False, _("增补的规格型号与原挂网产品不属于同一注册证")))
        checks.append(not_above(declared, original, _("原挂网价")))
    return _result("LST-C5", checks, ok_message=_joined(checks), listing_price=declared,
                   cap=original.price if original else None)


# ------------------------------------------------------------------ documents per category


DOCUMENTS = {
    "qualification": gettext_lazy("合规企业资质和产品资质材料"),
    "province_records": gettext_lazy("所有已挂网省份挂网记录"),
    "lowest_price_commitment": gettext_lazy("申报价格及该价格为全国最低价的承诺书"),
    "quality_commitment": gettext_lazy("药品质量承诺书"),
    "supply_commitment": gettext_lazy("申报价格及供货稳价承诺书"),
    "institution_request": gettext_lazy("医疗机构采购申请（临床科室用药申请、药事委员会会议意见、医院相关负责人意见）"),
    "price_basis": gettext_lazy("国家确定的采购价或省卫生健康部门议定供应价格的文件"),
    "filing_records": gettext_lazy("省内公立医疗机构备案采购记录"),
    "registration_certificate": gettext_lazy("医疗器械注册证"),
}
COMMITMENTS = frozenset({"lowest_price_commitment", "quality_commitment", "supply_commitment"})

# (code, condition): "always"; "unless_reference" — exempt when applying under the
# reference-price condition ② of LST-2.1/2.2; "if_records" — exempt when the product has no
# other-province listing record; "unless_filings"/"unless_records" — LST-C2 one-of.
_CATEGORY_DOCUMENTS = {
    "LST-1": [("province_records", "always"), ("lowest_price_commitment", "always"), ("quality_commitment", "always")],
    "LST-2.1": [("qualification", "always"), ("province_records", "unless_reference"),
                ("lowest_price_commitment", "always"), ("quality_commitment", "always")],
    "LST-2.2": [("qualification", "always"), ("province_records", "unless_reference"),
                ("lowest_price_commitment", "always"), ("quality_commitment", "always")],
    "LST-2.3": [("qualification", "always"), ("province_records", "always"),
                ("lowest_price_commitment", "always"), ("quality_commitment", "always")],
    "LST-3.1": [("qualification", "always"), ("quality_commitment", "always")],
    "LST-3.2": [("qualification", "always"), ("province_records", "if_records"),
                ("lowest_price_commitment", "always"), ("quality_commitment", "always")],
    "LST-4": [("qualification", "always"), ("province_records", "if_records"), ("quality_commitment", "always")],
    "LST-5": [("qualification", "always"), ("province_records", "if_records"),
              ("lowest_price_commitment", "always"), ("quality_commitment", "always")],
    "LST-6": [("qualification", "always"), ("province_records", "if_records"), ("quality_commitment", "always")],
    "LST-7": [("qualification", "always"), ("price_basis", "always"), ("quality_commitment", "always")],
    "LST-8.1": [("qualification", "always"), ("supply_commitment", "always"), ("quality_commitment", "always")],
    "LST-8.2": [("institution_request", "always"), ("qualification", "always"), ("province_records", "if_records"),
                ("supply_commitment", "always"), ("quality_commitment", "always")],
    "LST-8.3": [("qualification", "always"), ("quality_commitment", "always")],
    "LST-C1": [("province_records", "always")],
    "LST-C2": [("qualification", "always"), ("province_records", "unless_filings"),
               ("filing_records", "unless_records")],
    "LST-C3": [("province_records", "always")],
    "LST-C4": [("qualification", "always"), ("filing_records", "always"), ("province_records", "if_records")],
    "LST-C5": [("registration_certificate", "always")],
}


def required_documents(category: str, *, via_reference: bool = False, has_other_records: bool = True,
                       provided: frozenset | set = frozenset()) -> list[tuple[str, str]]:
    """The documents (code, Chinese name) the category requires (000 annex §二(三) lists
    A–F per category; 002 §8, §10, §37 for consumables), after exemptions."""
    out = []
    for code, when in _CATEGORY_DOCUMENTS.get(category, []):
        if when == "unless_reference" and via_reference:
            continue
        if when == "if_records" and not has_other_records:
            continue
        if when == "unless_filings" and "filing_records" in provided:
            continue
        if when == "unless_records" and "province_records" in provided:
            continue
        out.append((code, DOCUMENTS[code]))
    return out


def all_documents(category: str) -> list[tuple[str, str, str]]:
    """Every document a category may ask for, with its condition (for the form)."""
    return [(code, DOCUMENTS[code], when) for code, when in _CATEGORY_DOCUMENTS.get(category, [])]


def missing_documents(category: str, provided: set, **kw) -> list[str]:
    return [name for code, name in required_documents(category, provided=provided, **kw) if code not in provided]


# ------------------------------------------------------------------ category suggestion


@dataclass(frozen=True)
class ProductFacts:
    kind: str  # "drug" | "consumable"
    listed_here: bool = False  # this very product is (or was) listed on the platform
    same_drug_listed: bool = False  # same generic name + form + specification listed
    same_generic_listed: bool = False  # same generic name listed (any form/spec)
    is_national_negotiated: bool = False
    generic_of_negotiated: bool = False
    is_innovative: bool = False
    is_reference_or_evaluated: bool = False
    approved_within_year: bool = False
    is_designated_or_reserve: bool = False
    is_shortage: bool = False
    is_emergency: bool = False
    is_narcotic_psychotropic: bool = False
    consumable_class: str = ""
    same_registration_listed: bool = False


def suggest_categories(f: ProductFacts) -> list[str]:
    """Categories that fit the product's flags, most specific first (the form preselects the
    first; the enterprise may choose another of the kind)."""
    if f.kind == "consumable":
        out = []
        if f.same_registration_listed and not f.listed_here:
            out.append("LST-C5")
        if f.consumable_class in ("hv6", "hv5"):
            out += ["LST-C1", "LST-C2"]
        else:
            out += ["LST-C3", "LST-C4"]
        return out
    out = []
    flags = [
        (f.is_narcotic_psychotropic, "LST-8.3"), (f.is_national_negotiated, "LST-3.1"),
        (f.generic_of_negotiated, "LST-3.2"), (f.is_designated_or_reserve, "LST-7"),
        (f.is_innovative, "LST-4"), (f.approved_within_year, "LST-6"),
        (f.is_reference_or_evaluated, "LST-5"), (f.is_shortage, "LST-8.1"), (f.is_emergency, "LST-8.2"),
    ]
    out += [cat for flag, cat in flags if flag]
    if f.listed_here:
        out.append("LST-1")
    elif f.same_drug_listed:
        out.append("LST-2.1")
    elif f.same_generic_listed:
        out.append("LST-2.2")
    else:
        out.append("LST-2.3")
    return out


def category_fits_kind(category: str, kind: str) -> bool:
    return category in (CONSUMABLE_CATEGORY_IDS if kind == "consumable" else DRUG_CATEGORY_IDS)


# ------------------------------------------------------------------ declared price input


def declared_price_problem(raw, ceiling: Decimal, *, what: str | None = None) -> str | None:
    """The error for a bad declared price (≤ 0, more than 4 decimals, absurdly high), or None.
    `what` names the price (default 申报价, the declared price)."""
    what = what or _("申报价")
    value = parsing.to_decimal(raw)
    if value is None:
        return _("请输入有效的金额（元）")
    if value <= 0:
        return _("%(what)s须大于 0 元") % {"what": what}
    if parsing.decimal_places(value) > parsing.PRICE_PLACES:
        return _("%(what)s最多保留 4 位小数") % {"what": what}
    if value > ceiling:
        return _("%(what)s %(value)s 元超过单价上限 %(ceiling)s 元，请检查是否录入错误") % {
            "what": what, "value": fmt(value), "ceiling": fmt(ceiling)}
    return None

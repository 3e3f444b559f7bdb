"""Pure rule checks of filing procurement (RULES §8). No database access; table-tested in
tests/filing/test_rules.py at the boundaries.

Each check returns None when satisfied, else (rule_id, message with the numbers) — translated
through gettext in the active language (Chinese is the source language)."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from core import parsing

DRUG, HIGH_VALUE, ORDINARY = "drug", "high_value", "ordinary"
# A context of their own: other catalogues translate these words as headings.
_CTX = "filing institution"
LEVEL_LABELS = {1: pgettext_lazy(_CTX, "一级"), 2: pgettext_lazy(_CTX, "二级"), 3: pgettext_lazy(_CTX, "三级"),
                None: pgettext_lazy(_CTX, "未定级")}
OWNERSHIP_LABELS = {"public": pgettext_lazy(_CTX, "公立"), "military": pgettext_lazy(_CTX, "军队驻苏"),
                    "private_insured": pgettext_lazy(_CTX, "医保定点社会办"),
                    "retail_pharmacy": pgettext_lazy(_CTX, "医保定点零售药店"), "": pgettext_lazy(_CTX, "未登记")}

# FIL-2 (000 annex §三(七)): the drugs' document set. B (other provinces' records) is waived
# when there are none; E is the national code on the product.
DRUG_DOCUMENTS = {
    "A": gettext_lazy("医疗机构申请材料（科室申请、药事委员会意见、院长意见）"),
    "B": gettext_lazy("各省挂网记录"),
    "C": gettext_lazy("最低价承诺书"),
    "D": gettext_lazy("质量承诺书"),
    "E": gettext_lazy("国家医保药品编码"),
}
INSTITUTION_DOCUMENTS = ("A",)
ENTERPRISE_DOCUMENTS = ("C", "D")


def parse_quantity(raw) -> int:
    """A filed or agreed quantity: a positive whole number, at most ten million (the API
    serializer and the service read it with this one parser)."""
    try:
        value = Decimal(str(raw).strip())
    except Exception:  # noqa: BLE001 — any unparsable input is the same user error
        raise parsing.ParseError(_("数量须为正整数")) from None
    if not value.is_finite() or value != value.to_integral_value() or value <= 0 or value > 10_000_000:
        raise parsing.ParseError(_("数量须为正整数"))
    return int(value)


def fmt(amount) -> str:
    if amount is None:
        return "—"
    return f"{Decimal(amount).quantize(Decimal('0.01'))}"


def _level(level):
    return str(LEVEL_LABELS.get(level, level))


def _ownership(ownership):
    return str(OWNERSHIP_LABELS.get(ownership, ownership))


def fil_1_institution(level: int | None):
    """FIL-1: drugs may be filed by in-province institutions of level ≥ secondary."""
    if level is None or level < 2:
        return "FIL-1", _("药品备案采购仅限二级及以上医疗机构申请（本机构级别：%(level)s）") % {"level": _level(level)}
    return None


def fil_c2_institution(level: int | None, ownership: str):
    """FIL-C2: high-value consumables are filed by tertiary **public** institutions."""
    if ownership != "public":
        return "FIL-C2", _("高值医用耗材备案采购仅限三级公立医疗机构申请（本机构举办性质：%(ownership)s）") % {
            "ownership": _ownership(ownership)}
    if level is None or level < 3:
        return "FIL-C2", _("高值医用耗材备案采购仅限三级公立医疗机构申请（本机构级别：%(level)s）") % {"level": _level(level)}
    return None


def fil_c3_institution(level: int | None, ownership: str):
    """FIL-C3: ordinary consumables / IVD reagents: **public** institutions of level ≥ secondary."""
    if ownership != "public":
        return "FIL-C3", _("普通医用耗材、检验检测试剂备案采购仅限二级及以上公立医疗机构申请"
                           "（本机构举办性质：%(ownership)s）") % {"ownership": _ownership(ownership)}
    if level is None or level < 2:
        return "FIL-C3", _("普通医用耗材、检验检测试剂备案采购仅限二级及以上公立医疗机构申请（本机构级别：%(level)s）") % {
            "level": _level(level)}
    return None


def institution_check(kind: str, level: int | None, ownership: str):
    if kind == DRUG:
        return fil_1_institution(level)
    if kind == HIGH_VALUE:
        return fil_c2_institution(level, ownership)
    return fil_c3_institution(level, ownership)


def kind_fits_product(kind: str, product_kind: str, consumable_class: str):
    """The filing kind follows the catalogue class (CAT-2): hv6/hv5 → high-value; ordinary/IVD."""
    expected = DRUG if product_kind == "drug" else HIGH_VALUE if consumable_class in ("hv6", "hv5") else ORDINARY
    if kind != expected:
        labels = {DRUG: _("药品"), HIGH_VALUE: _("高值医用耗材"), ORDINARY: _("普通医用耗材/检验检测试剂")}
        return "CAT-2", _("该产品在目录中属于“%(expected)s”，不能按“%(kind)s”备案") % {
            "expected": labels[expected], "kind": labels.get(kind, kind)}
    return None


def fil_1_scope(is_large_infusion: bool):
    """FIL-1: large-volume infusions and electrolytes are excluded from drug filing."""
    if is_large_infusion:
        return "FIL-1", _("基础输液、电解质等大容量注射剂不属于药品备案采购范围")
    return None


def fil_1_not_listed(kind: str, listed: str | None):
    """FIL-1 (drugs: the generic name + dosage form has no listing) / FIL-C1 (consumables: the
    product is not listed). `listed` describes the live listing found, or None."""
    if not listed:
        return None
    if kind == DRUG:
        return "FIL-1", _("该通用名、剂型已有挂网产品（%(listed)s），不属于备案采购范围，请直接网上采购") % {"listed": listed}
    return "FIL-C1", _("该产品已挂网（%(listed)s），不属于备案采购范围，请直接网上采购") % {"listed": listed}


def fil_2_price(price: Decimal, lowest: Decimal | None):
    """FIL-2: a drug's filed price ≤ the lowest provincial listing (tender) price; with no
    provincial record the condition is waived."""
    if lowest is not None and price > lowest:
        return "FIL-2", _("备案价格 %(price)s 元高于各省级现行挂网（中标）价格中最低价 %(lowest)s 元") % {
            "price": fmt(price), "lowest": fmt(lowest)}
    return None


def fil_2_documents(provided: set, *, has_records: bool, has_national_code: bool):
    """FIL-2: documents A–E; B waived without provincial records; E is the product's national code."""
    missing = [c for c in ("A", "C", "D") if c not in provided]
    if has_records and "B" not in provided:
        missing.insert(1, "B")
    if not has_national_code:
        missing.append("E")
    if missing:
        documents = _("；").join(f"{c}. {DRUG_DOCUMENTS[c]}" for c in sorted(missing))
        return "FIL-2", _("缺少备案材料：%(documents)s") % {"documents": documents}
    return None


@dataclass(frozen=True)
class PriceCheck:
    problem: tuple[str, str] | None
    needs_expert: bool
    text: str


def consumable_price(rule: str, price: Decimal, lowest: Decimal | None, *, what: str) -> PriceCheck:
    """FIL-C2 / FIL-C3: with records (provincial only for high-value; provincial or city for
    ordinary/IVD) the price is ≤ their lowest and the regulator confirms; without records an
    expert review decides (EXP-1)."""
    if lowest is None:
        return PriceCheck(None, True, _("无%(what)s挂网记录，须经专家评审（EXP-1）") % {"what": what})
    numbers = {"price": fmt(price), "what": what, "lowest": fmt(lowest)}
    if price > lowest:
        return PriceCheck((rule, _("备案价格 %(price)s 元高于%(what)s最低挂网价 %(lowest)s 元") % numbers), False, "")
    return PriceCheck(None, False, _("备案价格 %(price)s 元不高于%(what)s最低挂网价 %(lowest)s 元") % numbers)


def fil_c2_price(price: Decimal, lowest_provincial: Decimal | None) -> PriceCheck:
    return consumable_price("FIL-C2", price, lowest_provincial, what=pgettext("filing records", "省级"))


def fil_c3_price(price: Decimal, lowest_province_or_city: Decimal | None) -> PriceCheck:
    return consumable_price("FIL-C3", price, lowest_province_or_city, what=pgettext("filing records", "省级或市级"))


def fil_c2_agreement(kind: str, agreed_price: Decimal | None, agreed_quantity: int | None, filed_price: Decimal):
    """FIL-C2/C3: the enterprise confirms the volume and price agreed with the institution; the
    agreed price cannot exceed the price the institution filed."""
    rule = "FIL-C2" if kind == HIGH_VALUE else "FIL-C3"
    if agreed_price is None or agreed_quantity is None:
        return rule, _("医用耗材备案须由企业确认与备案机构约定的采购数量和价格")
    if agreed_price <= 0 or agreed_quantity <= 0:
        return rule, _("约定价格和数量须大于 0")
    if agreed_price > filed_price:
        return rule, _("约定价格 %(agreed)s 元高于备案机构申报的价格 %(filed)s 元") % {
            "agreed": fmt(agreed_price), "filed": fmt(filed_price)}
    return None


def fil_3_batch_date(approved_on: date, day: int) -> date:
    """FIL-3: drug filings take effect in the monthly batch on `day` (the next one on or after
    approval). The service moves it to the next working day."""
    candidate = approved_on.replace(day=day)
    return candidate if candidate >= approved_on else candidate + relativedelta(months=1)


def fil_c1_announce_date(approved_on: date, day: int, every_months: int) -> date:
    """FIL-C1: consumable filings are announced (公示) then published every `every_months`
    months, in the months 1, 1+n, 1+2n … on `day`: the first such date on or after approval."""
    d = approved_on.replace(day=day)
    for _cycle in range(every_months * 2 + 1):
        if (d.month - 1) % every_months == 0 and d >= approved_on:
            return d
        d = (d + relativedelta(months=1)).replace(day=day)
    raise AssertionError("unreachable: a publication month comes within two cycles")


def fil_3_must_buy(confirmed_on: date, last_receipt: date | None, today: date, months: int) -> bool:
    """FIL-3 凡备案必采购: a confirmed filing with no receipt since confirmation for `months`."""
    if last_receipt is not None and last_receipt >= confirmed_on:
        return False
    return today >= confirmed_on + relativedelta(months=months)


def fil_3_escalate(reminded_on: date | None, today: date, days: int) -> bool:
    """FIL-3: a case still unpurchased `days` after the reminder goes to the confirming body."""
    return reminded_on is not None and today >= reminded_on + timedelta(days=days)


def fil_3_outside_filing(filed_by_others: bool):
    """FIL-3 / ORD-4: a filed product is purchasable only by the filing institution(s)."""
    if filed_by_others:
        return "FIL-3", _("该产品为其他医疗机构的备案采购产品，仅备案机构可采购（先备案后采购、谁备案谁采购）；如需采购请先申请备案")
    return None


def fil_4_legacy_row(kind: str, *, filed_on: date | None, cutoff: date, purchased: bool):
    """FIL-4 (correction): drug rows need a provincial filing **before** the cut-off (the
    document's date) **and** an actual purchase; consumable rows (provincial and city) need
    neither."""
    if kind != DRUG:
        return None
    if filed_on is None or filed_on >= cutoff:
        return "FIL-4", _("存量药品备案须在 %(cutoff)s 前已在省平台申请备案（备案日期：%(filed_on)s）") % {
            "cutoff": f"{cutoff:%Y-%m-%d}", "filed_on": filed_on or _("空")}
    if not purchased:
        return "FIL-4", _("存量药品备案须已实际发生采购，本行无采购记录")
    return None


def fil_c4_consumable_only(kind: str):
    """FIL-C4: only a filed consumable moves directly into listing; drugs apply under LST-2.x."""
    if kind == DRUG:
        return "FIL-C4", _("药品备案不能直接转为挂网申请，生产企业须按 LST-2.x 申请挂网")
    return None


def fil_c5_standard(amount: Decimal, comparable: Decimal | None):
    """FIL-C5: the payment standard of a filed consumable ≤ that of comparable listed products."""
    if amount <= 0:
        return "FIL-C5", _("医保支付标准须大于 0")
    if comparable is not None and amount > comparable:
        return "FIL-C5", _("医保支付标准 %(amount)s 元高于同类挂网产品支付标准 %(comparable)s 元") % {
            "amount": fmt(amount), "comparable": fmt(comparable)}
    return None


def fil_c5_transition_until(effective_from: date, first_sale_in_province: bool, years: int) -> date | None:
    """FIL-C5: a product first sold in China in this province gets ≥ 1 year of transition."""
    if not first_sale_in_province:
        return None
    return effective_from + relativedelta(years=max(1, years))

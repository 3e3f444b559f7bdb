"""Pure rule checks of shortage and emergency purchasing (RULES §10), no database access.

Each function answers one rule question from plain values; services gather the values
(a product's status on a date, the lists in force, the calendar) and raise RuleViolation."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from core import parsing

DRUG, CONSUMABLE = "drug", "consumable"

# Amounts are yuan with at most 2 decimals (an invoice amount), prices at most 4 (as listings).
AMOUNT_PLACES, PRICE_PLACES = 2, 4


def parse_money(value, places: int = AMOUNT_PLACES, *, allow_zero: bool = False) -> Decimal | None:
    """A finite number > 0 (or ≥ 0 with allow_zero) with at most `places` decimals; None if not."""
    return parsing.decimal_or_none(value, places=places, positive=not allow_zero, non_negative=allow_zero)


# An emergency purchase of more than a billion yuan is a typing error, not a purchase.
EMG1_MAX_AMOUNT = Decimal("1000000000")


def emg1_amount(raw) -> Decimal:
    """EMG-1: the purchase amount — > 0, at most 2 decimals, not absurd. Raises ValueError with
    the message (the API serializer and the service refuse it as EMG-1)."""
    value = parse_money(raw)
    if value is None:
        raise ValueError(_("金额“%(value)s”无效：须为大于 0 的数值，最多 2 位小数") % {"value": raw})
    if value > EMG1_MAX_AMOUNT:
        raise ValueError(_("金额明显超出合理范围，请核对"))
    return value


def emg1_quantity(raw) -> Decimal:
    value = parse_money(raw)
    if value is None:
        raise ValueError(_("数量“%(value)s”无效：须为大于 0 的数值，最多 2 位小数") % {"value": raw})
    return value


def emg1_insurance_paid(raw, amount: Decimal | None = None) -> Decimal:
    """The part paid by the insurance fund: ≥ 0, at most 2 decimals, not above the amount
    (when known); blank is 0."""
    value = parse_money(raw if raw not in (None, "") else "0", allow_zero=True)
    if value is None or (amount is not None and value > amount):
        raise ValueError(_("医保基金支付金额须为不大于采购金额的非负数，最多 2 位小数"))
    return value


# --- SHO-1 -----------------------------------------------------------------------------------


def sho1_eligible(*, kind: str, on_shortage_list: bool, on_watch_list: bool, listed: bool) -> tuple[bool, str]:
    """SHO-1 (000 annex §二(三)8(1)): an institution may source a drug itself only when it is
    on the shortage list or the shortage-watch list AND no enterprise has listed it.
    Returns (eligible, reason in the active language)."""
    if kind != DRUG:
        return False, _("短缺药品自主采购仅适用于药品")
    if not (on_shortage_list or on_watch_list):
        return False, _("该药品不在短缺药品清单或易短缺药品重点监测清单中")
    if listed:
        return False, _("该药品已有企业在省平台挂网，应通过挂网采购")
    return True, ""


SHO1_REQUIRED_DOCUMENTS = ("supply_commitment", "quality_commitment")


def sho1_report_problems(*, documents: set[str], national_code: str | None, qualifications_ok: bool,
                         on_list: bool, listed: bool, price: Decimal | None) -> list[tuple[str, str]]:
    """SHO-1 automatic checks of a reported result: (field, message) for each problem.
    Documents named by the text: A qualifications, B declared price + supply-and-price-
    stability commitment (供货稳价承诺书), C quality commitment, D national drug code."""
    problems = []
    if not on_list:
        problems.append(("product", _("该药品不在短缺药品清单或易短缺药品重点监测清单中")))
    if listed:
        problems.append(("product", _("该药品已有企业挂网，不适用自主采购")))
    if not qualifications_ok:
        problems.append(("enterprise", _("生产企业资质不全或已过期")))
    if price is None:
        problems.append(("price", _("议价价格须为大于 0 的数值，最多 4 位小数")))
    if "supply_commitment" not in documents:
        problems.append(("supply_commitment", _("缺少供货稳价承诺书")))
    if "quality_commitment" not in documents:
        problems.append(("quality_commitment", _("缺少药品质量承诺书")))
    if not national_code:
        problems.append(("national_code", _("缺少国家医保药品编码")))
    return problems


def sho1_purchasable_at_once(pre_approval_required: bool) -> bool:
    """SHO-1 correction: the drug is purchasable once the automatic checks pass; a blocking
    province pre-approval is a policy parameter, off by default."""
    return not pre_approval_required


# --- EMG-1 -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    """What an institution declares for an emergency purchase (EMG-1)."""

    kind: str
    purchase_date: date
    today: date
    approved_by: str  # the head (drugs) / legal representative (consumables) who approved
    approval_date: date | None
    clinical_necessity: str  # drugs: why it is clinically necessary for treatment
    emergency: str  # epidemic / rescue / other (open-ended) with its description


def emg1_problems(d: Declaration) -> list[tuple[str, str]]:
    """EMG-1 (000 annex §五(十); 002 §19): the checks a declaration must pass to be
    accepted at all — an approval by the right person, a purchase not dated in the future,
    an approval not after the purchase, and for drugs the clinical necessity.
    Returns (field, message) pairs; empty when the declaration is acceptable.
    Whether the product was listed is NOT a refusal (see emg1_scope)."""
    problems = []
    approver = _("医疗机构负责人") if d.kind == DRUG else _("医疗机构法定代表人")
    if d.kind not in (DRUG, CONSUMABLE):
        problems.append(("kind", _("类别须为药品或医用耗材")))
    if d.purchase_date > d.today:
        problems.append(("purchase_date", _("采购日期 %(date)s 晚于今天，应急采购须先采购后补办手续") % {
            "date": f"{d.purchase_date:%Y-%m-%d}"}))
    if not d.approved_by.strip():
        problems.append(("approved_by", _("应急采购须经%(approver)s同意：请填写审批人") % {"approver": approver}))
    if d.approval_date is None:
        problems.append(("approval_date", _("请填写%(approver)s同意的日期") % {"approver": approver}))
    elif d.approval_date > d.purchase_date:
        problems.append(("approval_date", _("%(approver)s须在采购前（或当日）同意，审批日期不得晚于采购日期") % {"approver": approver}))
    if d.kind == DRUG and not d.clinical_necessity.strip():
        problems.append(("clinical_necessity", _("药品应急采购须说明临床救治必需的理由")))
    if not d.emergency.strip():
        problems.append(("emergency", _("请说明紧急情况（疫情防控、急抢救等）")))
    return problems


def emg1_due_start(purchase_date: date) -> date:
    """EMG-1: the 20 working days count from the purchase (再在 20 个工作日内补办)."""
    return purchase_date


def emg1_formalities_kind(kind: str, drug_formalities: str) -> str:
    """EMG-1 correction: consumables complete an after-the-fact filing (补办备案采购手续,
    002 §19); for drugs the text says only "有关手续" — the kind is a policy parameter."""
    return "filing" if kind == CONSUMABLE else drug_formalities


def emg1_filing_level_waived(kind: str) -> bool:
    """EMG-1 correction: the consumable after-the-fact filing is allowed whatever the
    institution's level (the filing rules' level bar does not apply)."""
    return kind == CONSUMABLE


def emg1_formalities_late(completed_on: date, due: date) -> bool:
    return completed_on > due


def emg1_overdue(due: date | None, today: date) -> bool:
    """Overdue once the due date has passed (the due date itself still counts)."""
    return due is not None and today > due


def emg1_remind(today: date, due: date, reminder_date: date) -> bool:
    """The advance reminder goes out from `reminder_date` (N working days before the due
    date) up to the due date."""
    return reminder_date <= today <= due


# --- EMG-2 -----------------------------------------------------------------------------------


def emg2_in_scope(kind: str, *, listed_on_date: bool, in_catalogue_on_date: bool) -> bool:
    """EMG-2 scope, judged on the product's status ON THE PURCHASE DATE:
    - a drug is in scope when it was not listed on the platform (未挂网);
    - a consumable is in scope when it was not in the provincial sunshine catalogue (目录无相关
      信息) — a listed consumable is in the catalogue (CAT-4).
    Out of scope is accepted and marked, never refused."""
    if kind == DRUG:
        return not listed_on_date
    return not (listed_on_date or in_catalogue_on_date)


def emg2_deduction(insurance_paid: Decimal, ratio: Decimal, in_scope: bool) -> Decimal:
    """EMG-2 / INS-5: an out-of-scope emergency purchase has its insurance-paid part × the
    deduction ratio deducted at settlement; in scope → nothing. Rounded to the fen."""
    if in_scope:
        return Decimal("0.00")
    return (Decimal(insurance_paid) * Decimal(ratio)).quantize(Decimal("0.01"))


# Consequences of an out-of-scope emergency purchase (004 §三): reminder, interview,
# rectification; failed rectification → referral to the supervisory body at the same level;
# inspection results are published (通报).
MEASURE_ORDER = ("reminder", "interview", "rectification", "referral")


def emg2_measure_allowed(kind: str, *, out_of_scope: bool, previous: list[str], rectification_failed: bool) -> tuple[bool, str]:
    """EMG-2 / MON-5: which consequence may be recorded now."""
    if not out_of_scope:
        return False, _("仅超范围应急采购可采取提醒、约谈、整改、移送等措施")
    if kind == "referral":
        if "rectification" not in previous:
            return False, _("移送同级监督部门须在责令整改之后")
        if not rectification_failed:
            return False, _("整改到位的，不移送同级监督部门")
    if kind not in (*MEASURE_ORDER, "bulletin"):
        return False, _("未知的处理措施")
    return True, ""

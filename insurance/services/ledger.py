"""The special drug/consumable budget ledger (INS-5, INS-7, VBP-8, EMG-2).

Every row is a regulator's verified decision about an institution in its scope (a city its
own institutions, the province all): a budget, a deduction with its source row, kind, target
budget and year, a shield, a quality deposit with the year's evaluation. Deductions are never
edited; a correction is a reversing row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import parsing
from core.audit import audit_context
from core.errors import Conflict, Forbidden, InvalidInput
from core.parsing import clean_text
from core.permissions import require
from parties.models import Organisation
from policy import services as policy
from vbp.models import BudgetShield, ShieldReason

from .. import rules
from ..models import (
    Budget,
    BudgetKind,
    Deduction,
    DeductionKind,
    QualityDeposit,
)

MAX_REASON = 2000
MAX_AMOUNT = Decimal("100000000000")  # 1e11 yuan: above any institution's budget


def _require(user, institution):
    """The regulator may act on this institution: permission first, then scope."""
    require(user, "insurance.keep_ledger", message=_("仅医保部门可以维护医保预算台账"))
    if institution is None or institution.kind != "institution":
        raise InvalidInput(_("请选择医疗机构"), "institution")
    if not Organisation.objects.visible_to(user).filter(pk=institution.pk).exists():
        raise Forbidden(_("只能处理本辖区医疗机构的预算"))


def _reason(reason):
    return clean_text(reason, "reason", MAX_REASON, required=_("请填写认定理由"), too_long=_("理由不能超过 %(max)s 字"))


def _money(value, field):
    amount = parsing.to_decimal(value)
    if amount is None and not isinstance(value, bool):
        raise InvalidInput(_("请填写正确的金额"), field)
    if amount is None or amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(_("金额须为不小于 0 的数（最多 2 位小数）"), field)
    return amount


def _year(value):
    if not isinstance(value, int) or not 2020 <= value <= 2100:
        raise InvalidInput(_("请填写正确的年度"), "year")
    return value


def budget_set(user, *, institution, year: int, kind: str, amount) -> Budget:
    """INS-7: the special budget of an institution for a year (tertiary: compiled by the city)."""
    _require(user, institution)
    year = _year(year)
    if kind not in BudgetKind.values:
        raise InvalidInput(_("请选择预算类别"), "kind")
    amount = _money(amount, "amount")
    with transaction.atomic(), audit_context(user, reason=f"{year} 年{BudgetKind(kind).label}"):
        budget, _created = Budget.objects.select_for_update().get_or_create(
            institution=institution, year=year, kind=kind, defaults={"amount": amount, "compiled_by": user})
        if budget.reported_to_province_at is not None and not user.has_perm("insurance.change_reported_budget"):
            raise Conflict(_("预算已上报省医保局，市级不能再修改"))
        budget.amount, budget.compiled_by = amount, user
        budget.save(update_fields=["amount", "compiled_by"])
    return budget


def budget_report(user, *, budget: Budget) -> Budget:
    """INS-7: the city reports a tertiary institution's budget to the province."""
    _require(user, budget.institution)
    with transaction.atomic(), audit_context(user, reason="预算上报省医保局"):
        locked = Budget.objects.select_for_update().get(pk=budget.pk)
        if locked.reported_to_province_at is None:
            locked.reported_to_province_at = timezone.now()
            locked.save(update_fields=["reported_to_province_at"])
    return locked


def deduction_record(user, *, institution, kind: str, event_year: int, budget_kind: str, base, source: str,
                     reason: str, ratio=None) -> Deduction:
    """INS-5 / EMG-2 / VBP-8: a verified deduction. The target year follows the kind (VBP
    non-completion and arrears: the next year's budget); an out-of-scope emergency is deducted
    by the policy ratio; each source row is deducted once."""
    _require(user, institution)
    if kind not in DeductionKind.values or kind == DeductionKind.REVERSAL:
        raise InvalidInput(_("请选择扣减类别"), "kind")
    if budget_kind not in BudgetKind.values:
        raise InvalidInput(_("请选择预算类别"), "budget_kind")
    event_year = _year(event_year)
    base = _money(base, "base")
    source = (source or "").strip()
    if not source or len(source) > 120:
        raise InvalidInput(_("请注明来源记录（如应急采购编号、带量采购合同编号）"), "source")
    reason = _reason(reason)
    if kind == DeductionKind.EMERGENCY:
        # EMG-2: the platform's one ratio (percent), in force at settlement of the purchase year.
        ratio = Decimal(str(policy.get("emg.deduction_ratio_percent", at=date(event_year, 12, 31)))) / 100
    elif ratio is None:
        ratio = Decimal(1)
    ratio = Decimal(str(ratio))
    if not Decimal(0) <= ratio <= 1:
        raise InvalidInput(_("比例须在 0 到 1 之间"), "ratio")
    amount = rules.deduction_amount(base=base, ratio=ratio)
    year = rules.deduction_budget_year(kind, event_year=event_year)
    try:
        with transaction.atomic(), audit_context(user, reason=f"预算扣减（{DeductionKind(kind).label}）：{reason}"):
            return Deduction.objects.create(institution=institution, kind=kind, budget_year=year, budget_kind=budget_kind,
                                            base_amount=base, ratio=ratio, amount=amount, source=source, reason=reason,
                                            decided_by=user)
    except IntegrityError:
        raise Conflict(_("来源记录“%(source)s”已作过此类扣减") % {"source": source}) from None


def deduction_reverse(user, *, deduction: Deduction, reason: str) -> Deduction:
    """A correction: a reversing row with the negative amount; the original stays."""
    _require(user, deduction.institution)
    reason = _reason(reason)
    try:
        with transaction.atomic(), audit_context(user, reason=f"冲正预算扣减：{reason}"):
            original = Deduction.objects.select_for_update().get(pk=deduction.pk)
            if original.kind == DeductionKind.REVERSAL:
                raise Conflict(_("冲正记录不能再冲正"))
            return Deduction.objects.create(
                institution=original.institution, kind=DeductionKind.REVERSAL, budget_year=original.budget_year,
                budget_kind=original.budget_kind, base_amount=original.base_amount, ratio=original.ratio,
                amount=-original.amount, source=original.source, reason=reason, reverses=original, decided_by=user)
    except IntegrityError:
        raise Conflict(_("该扣减已冲正")) from None


def shield_record(user, *, institution, year: int, reason_kind: str, note: str) -> BudgetShield:
    """VBP-8: the institution keeps its budget control index this year."""
    _require(user, institution)
    year = _year(year)
    if reason_kind not in ShieldReason.values:
        raise InvalidInput(_("请选择保留依据"), "reason")
    note = _reason(note)
    try:
        with transaction.atomic(), audit_context(user, reason=f"保留预算控制指标：{note}"):
            return BudgetShield.objects.create(institution=institution, year=year, reason=reason_kind, note=note,
                                               recorded_by=user)
    except IntegrityError:
        raise Conflict(_("该机构本年度已记录此项保留")) from None


def deposit_record(user, *, institution, year: int, evaluation_passed: bool | None, note: str = "") -> QualityDeposit:
    """INS-7: the 5 % deposit withheld from the annual budget, with the evaluation result;
    failing cancels 结余留用、合理超支分担 for the year."""
    _require(user, institution)
    year = _year(year)
    budgets = Budget.objects.filter(institution=institution, year=year)
    if not budgets.exists():
        raise InvalidInput(_("%(year)s 年尚未编制该机构的专项预算") % {"year": year}, "year")
    total = sum((b.amount for b in budgets), Decimal(0))
    percent = Decimal(str(policy.get("ins.quality_deposit_percent", at=date(year, 12, 31))))
    with transaction.atomic(), audit_context(user, reason=f"{year} 年质量保证金与考核结果"):
        deposit, _created = QualityDeposit.objects.select_for_update().get_or_create(
            institution=institution, year=year,
            defaults={"budget_amount": total, "percent": percent, "withheld": rules.quality_deposit(budget=total,
                                                                                                    percent=percent),
                      "recorded_by": user})
        deposit.evaluation_passed = evaluation_passed
        deposit.surplus_sharing = evaluation_passed is not False
        deposit.note = (note or "").strip()[:MAX_REASON]
        deposit.save(update_fields=["evaluation_passed", "surplus_sharing", "note"])
    return deposit


def balance(institution, year: int) -> dict:
    """Budget, deductions (net of reversals) and what remains, per budget kind."""
    out = {}
    for kind in BudgetKind.values:
        budget = Budget.objects.filter(institution=institution, year=year, kind=kind).first()
        deducted = sum((d.amount for d in Deduction.objects.filter(institution=institution, budget_year=year,
                                                                  budget_kind=kind)), Decimal(0))
        out[kind] = {"budget": budget.amount if budget else None, "deducted": deducted,
                     "remaining": (budget.amount - deducted) if budget else None}
    return out

"""Pages of the payment standards (province: run, review, publish; everyone: the published
list) and of the budget ledger (regulators, in their scope). Thin: services decide."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError, Forbidden
from core.exports import xlsx_response
from core.permissions import require_page
from parties.models import Organisation
from vbp.models import BudgetShield, ShieldReason

from . import selectors
from .models import (
    Budget,
    BudgetKind,
    DeductionKind,
    PaymentStandard,
    QualityDeposit,
    StandardRun,
)
from .services import ledger, standards

PAGE_SIZE = 50


def _q(request):
    return (request.GET.get("q") or "").replace("\x00", "").strip()[:100]


def _int(value, default=None):
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 6 else default


@login_required
def run_list(request):
    require_page(request.user, "insurance.run_standards")
    if request.method == "POST":
        try:
            run = standards.run_start(request.user, year=_int(request.POST.get("year"), 0))
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
            return redirect("insurance:run_list")
        messages.success(request, _("已开始测算，完成后即可审核。"))
        return redirect("insurance:run_detail", run.pk)
    today = timezone.localdate()
    return render(request, "insurance/run_list.html", {
        "runs": StandardRun.objects.select_related("started_by", "published_by")[:50],
        "next_year": today.year + 1, "unpublished": standards.unpublished_target_year(today),
    })


@login_required
def run_detail(request, pk):
    require_page(request.user, "insurance.run_standards")
    run = get_object_or_404(StandardRun, pk=pk)
    q, rule, adjusted = _q(request), request.GET.get("rule", "")[:12], request.GET.get("adjusted") == "1"
    ctx = {"run": run, "q": q, "rule": rule, "adjusted": adjusted,
           "page": Paginator(selectors.run_standards(run, q=q, rule=rule, adjusted=adjusted), PAGE_SIZE).get_page(
               request.GET.get("page")),
           "rules": ["INS-1", "INS-2", "INS-3", "INS-4", "INS-6", "FIL-C5"]}
    if request.headers.get("HX-Request"):
        return render(request, "insurance/_run_progress.html", ctx)
    return render(request, "insurance/run_detail.html", ctx)


@login_required
def run_export(request, pk):
    require_page(request.user, "insurance.run_standards")
    run = get_object_or_404(StandardRun, pk=pk)
    rows = ((s.product.national_code or "", str(s.product), s.product.manufacturer.name, s.rule, s.method,
             s.computed_amount, s.amount, _("是") if s.payable else _("否"), s.adjust_reason,
             "；".join(s.explanation.get("steps", [])))
            for s in selectors.run_standards(run).iterator(chunk_size=2000))
    return xlsx_response(f"{run.year}年医保支付标准（第{run.version}版）.xlsx",
                         [_("国家医保编码"), _("产品"), _("生产企业"), _("依据"), _("方法"), _("测算标准"), _("支付标准"),
                          _("医保支付"), _("调整理由"), _("计算说明")], rows, title=_("医保支付标准"))


@login_required
@require_POST
def run_publish(request, pk):
    run = get_object_or_404(StandardRun, pk=pk)
    try:
        standards.run_publish(request.user, run=run)
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("insurance:run_detail", pk)
    messages.success(request, _("已发布。"))
    return redirect("insurance:run_detail", pk)


@login_required
def standard_detail(request, pk):
    require_page(request.user, "insurance.run_standards")
    standard = get_object_or_404(PaymentStandard.objects.select_related("product", "run", "adjusted_by"), pk=pk)
    if request.method == "POST":
        try:
            standards.standard_adjust(request.user, standard=standard, amount=request.POST.get("amount", ""),
                                      reason=request.POST.get("reason", ""))
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            messages.error(request, exc.detail)
            return render(request, "insurance/standard_detail.html", {
                **_explained(standard), "error_field": exc.field, "form": request.POST}, status=400)
        messages.success(request, _("已调整并记录理由。"))
        return redirect("insurance:standard_detail", pk)
    return render(request, "insurance/standard_detail.html", {**_explained(standard), "form": {}, "error_field": None})


def _explained(standard):
    """The explanation with the parameters in force, which the run stores once and each row
    references by their SHA-256 (shown with whether the reference matches)."""
    params, matches = standards.parameters_of(standard)
    return {"s": standard, "parameters": sorted(params.items()), "parameters_match": matches,
            "explanation": json.dumps(standard.explanation, ensure_ascii=False, indent=2)}


@require_GET
def public(request):
    """The published payment standards, readable by everyone (PUB-1)."""
    q, year = _q(request), _int(request.GET.get("year"))
    qs = selectors.published(year=year, q=q)
    if request.GET.get("export") == "xlsx":
        rows = ((s.year, s.product.national_code or "", str(s.product), s.product.manufacturer.name,
                 s.amount if s.payable else _("不予支付"), s.rule) for s in qs.iterator(chunk_size=2000))
        return xlsx_response("医保支付标准.xlsx", [_("年度"), _("国家医保编码"), _("产品"), _("生产企业"), _("支付标准（元）"),
                                                  _("依据")], rows, title=_("医保支付标准"))
    return render(request, "insurance/public.html", {
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")), "q": q, "year": year or ""})


# ---------------------------------------------------------------------- ledger


@login_required
def ledger_view(request):
    require_page(request.user, "insurance.keep_ledger")
    user = request.user
    institutions = Organisation.objects.visible_to(user).filter(kind="institution").order_by("name")
    if request.method == "POST":
        return _ledger_post(request, institutions)
    year = _int(request.GET.get("year"), timezone.localdate().year)
    return render(request, "insurance/ledger.html", {
        "year": year, "institutions": institutions[:500],
        "budgets": Budget.objects.filter(institution__in=institutions, year=year).select_related("institution")[:500],
        "deductions": Paginator(selectors.deductions(user), PAGE_SIZE).get_page(request.GET.get("page")),
        # VBP-8: the shields the VBP job judged and those recorded here, one table (vbp's).
        "shields": BudgetShield.objects.filter(institution__in=institutions, year=year)
                   .select_related("institution", "tender").order_by("institution__name", "pk"),
        "deposits": QualityDeposit.objects.filter(institution__in=institutions, year=year).select_related("institution"),
        "budget_kinds": BudgetKind.choices,
        "deduction_kinds": [c for c in DeductionKind.choices if c[0] != DeductionKind.REVERSAL],
        "shield_reasons": ShieldReason.choices,
    })


def _ledger_post(request, institutions):
    user, post = request.user, request.POST
    action = post.get("action", "")
    institution = Organisation.objects.filter(pk=_int(post.get("institution"), 0), kind="institution").first()
    try:
        if action == "budget":
            ledger.budget_set(user, institution=institution, year=_int(post.get("year"), 0), kind=post.get("kind", ""),
                              amount=post.get("amount", ""))
        elif action == "deduction":
            ledger.deduction_record(user, institution=institution, kind=post.get("kind", ""),
                                    event_year=_int(post.get("year"), 0), budget_kind=post.get("budget_kind", ""),
                                    base=post.get("base", ""), source=post.get("source", ""),
                                    reason=post.get("reason", ""))
        elif action == "reverse":
            deduction = get_object_or_404(selectors.deductions(user), pk=_int(post.get("deduction"), 0))
            ledger.deduction_reverse(user, deduction=deduction, reason=post.get("reason", ""))
        elif action == "shield":
            ledger.shield_record(user, institution=institution, year=_int(post.get("year"), 0),
                                 reason_kind=post.get("reason_kind", ""), note=post.get("note", ""))
        elif action == "deposit":
            passed = {"1": True, "0": False}.get(post.get("passed", ""))
            ledger.deposit_record(user, institution=institution, year=_int(post.get("year"), 0),
                                  evaluation_passed=passed, note=post.get("note", ""))
        else:
            raise PermissionDenied
    except Forbidden as exc:
        raise PermissionDenied(exc.detail) from exc
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("insurance:ledger")
    messages.success(request, _("已记录。"))
    return redirect(f"{request.path}?year={_int(post.get('year'), timezone.localdate().year)}")

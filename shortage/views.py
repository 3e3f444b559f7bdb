"""Pages of shortage and emergency purchasing. Thin: the services decide, the selectors read."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from core.exports import xlsx_response
from core.forms import call_service as _call
from core.permissions import require_page
from orders.pricing import quote_in_force

from . import forms, selectors, services
from .filters import EmergencyFilter
from .models import (
    EmergencyDocument,
    EmergencyMeasure,
    EmergencyPurchase,
    EmergencyStatus,
    MeasureKind,
    NeedStatus,
    Scope,
    ShortageList,
    ShortageNeed,
)

PAGE_SIZE = 30


# --- emergency purchases (EMG-1 / EMG-2) --------------------------------------------------------

EMERGENCY_HEADERS = ["编号", "医疗机构", "设区市", "类别", "品名规格", "供应企业", "紧急情况", "采购日期", "金额（元）",
                     "医保基金支付（元）", "补办截止日", "截止日暂定", "状态", "系统判定范围", "认定范围", "扣减金额（元）",
                     "补办时间", "逾期补办"]


def _emergency_row(c):
    return [c.number, str(c.institution), c.institution.city.name if c.institution.city else "", c.get_kind_display(),
            c.item_name, c.supplier, c.get_emergency_kind_display(), c.purchase_date, c.amount, c.insurance_paid,
            c.due, "是" if c.due_provisional else "", c.get_status_display(), c.get_scope_auto_display(),
            c.get_scope_display() if c.scope else "", c.deduction_amount,
            timezone.localtime(c.formalities_at).strftime("%Y-%m-%d %H:%M") if c.formalities_at else "",
            "是" if c.formalities_late else ""]


@login_required
def emergency_list(request):
    user = request.user
    require_page(user, "shortage.view_emergencies")
    filters = {k: request.GET.get(k, "").strip() for k in ("status", "scope", "q")}
    rows = EmergencyFilter(request.GET, queryset=selectors.emergency_cases(user)).qs
    if request.GET.get("export") == "xlsx":
        return xlsx_response("emergency-purchases.xlsx", EMERGENCY_HEADERS, (_emergency_row(c) for c in rows),
                             title=_("应急采购"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shortage/emergency_list.html", {
        "page": page, "filters": filters, "statuses": EmergencyStatus.choices, "scopes": Scope.choices,
    })


@login_required
def emergency_create(request):
    user = request.user
    require_page(user, "shortage.declare_on_page")
    form = forms.EmergencyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = _call(form, services.emergency_declare, user, **data)
        if case is not None:
            messages.success(request, _("已申报应急采购 %(n)s，请于 %(due)s 前补办手续") % {
                "n": case.number, "due": case.due.strftime("%Y-%m-%d")})
            return redirect("shortage:emergency_detail", pk=case.pk)
    return render(request, "shortage/emergency_form.html", {"form": form})


@login_required
def emergency_detail(request, pk):
    user = request.user
    case = selectors.emergency_cases(user).filter(pk=pk).select_related(
        "scope_decided_by", "closed_by").first()
    if case is None:
        raise Http404
    own = user.has_perm("shortage.act_for_institution", case)
    can_decide = user.has_perm("shortage.decide_emergency")
    formalities_form = forms.FormalitiesForm(request.POST if "formalities" in request.POST else None,
                                             request.FILES if "formalities" in request.POST else None)
    review_form = forms.ReviewForm(request.POST if "review" in request.POST else None,
                                   initial={"scope": case.scope or case.scope_auto})
    measure_form = forms.MeasureForm(request.POST if "measure" in request.POST else None)
    if request.method == "POST":
        done = None
        if "formalities" in request.POST and formalities_form.is_valid():
            d = formalities_form.cleaned_data
            done = _call(formalities_form, services.emergency_complete_formalities, user, case, ref=d["ref"],
                         documents=[d.get("document"), d.get("document2")])
        elif "review" in request.POST and review_form.is_valid():
            done = _call(review_form, services.emergency_review, user, case, scope=review_form.cleaned_data["scope"],
                         note=review_form.cleaned_data["note"], close=request.POST.get("review") == "close")
        elif "measure" in request.POST and measure_form.is_valid():
            done = _call(measure_form, services.emergency_add_measure, user, case, **measure_form.cleaned_data)
        if done is not None:
            messages.success(request, _("已办理"))
            return redirect("shortage:emergency_detail", pk=pk)
    return render(request, "shortage/emergency_detail.html", {
        "case": case, "documents": case.documents.all(), "measures": case.measures.select_related("decided_by"),
        "formalities_form": formalities_form, "review_form": review_form, "measure_form": measure_form,
        "can_complete": own and case.status in (EmergencyStatus.OPEN, EmergencyStatus.OVERDUE),
        "can_decide": can_decide and case.status != EmergencyStatus.CLOSED,
        "can_measure": can_decide and case.out_of_scope,
        "today": timezone.localdate(),
    })


@login_required
def emergency_document(request, pk):
    doc = EmergencyDocument.objects.filter(
        pk=pk, case__in=EmergencyPurchase.objects.visible_to(request.user)).first()
    if doc is None:
        raise Http404
    return FileResponse(doc.file.open("rb"), as_attachment=True, filename=doc.original_name)


def public_bulletins(request):
    """004 §三 / PUB-1: published inspection results (通报) on out-of-scope emergency purchases."""
    rows = (EmergencyMeasure.objects.published().select_related("case__institution")
            .order_by("-decided_at"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shortage/public_bulletins.html", {"page": page})


# --- shortage needs (SHO-1) --------------------------------------------------------------------


@login_required
def need_list(request):
    user = request.user
    require_page(user, "shortage.view_needs")
    filters = {k: request.GET.get(k, "").strip() for k in ("status", "q")}
    rows = selectors.shortage_needs(user, **filters)
    if request.GET.get("export") == "xlsx":
        return xlsx_response("shortage-needs.xlsx", ["编号", "医疗机构", "设区市", "药品", "需求数量", "状态",
                                                     "供应产品", "议价价格", "上报时间"],
                             ([n.pk, str(n.institution), n.institution.city.name if n.institution.city else "", str(n),
                               n.quantity, n.get_status_display(), str(n.product or ""), n.price,
                               timezone.localtime(n.reported_at).strftime("%Y-%m-%d %H:%M") if n.reported_at else ""]
                              for n in rows), title=_("短缺药品采购需求"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shortage/need_list.html", {"page": page, "filters": filters,
                                                       "statuses": NeedStatus.choices})


@login_required
def need_create(request):
    user = request.user
    require_page(user, "shortage.declare_on_page")
    form = forms.NeedForm(request.POST or None, initial={k: request.GET.get(k, "") for k in
                                                         ("generic_name", "dosage_form", "specification")})
    if request.method == "POST" and form.is_valid():
        need = _call(form, services.need_create, user, **form.cleaned_data)
        if need is not None:
            messages.success(request, _("已提出采购需求"))
            return redirect("shortage:need_detail", pk=need.pk)
    return render(request, "shortage/need_form.html", {"form": form,
                                                       "entries": selectors.list_entries_on(timezone.localdate())[:200]})


@login_required
def need_detail(request, pk):
    user = request.user
    need = ShortageNeed.objects.visible_to(user).select_related("institution", "product__manufacturer").filter(
        pk=pk).first()
    if need is None:
        raise Http404
    own = user.has_perm("shortage.act_for_institution", need)
    post = request.POST
    neg_form = forms.NegotiationForm(post if "negotiation" in post else None,
                                     request.FILES if "negotiation" in post else None)
    report_form = forms.ReportForm(post if "report" in post else None, request.FILES if "report" in post else None,
                                   need=need)
    review_form = forms.NeedReviewForm(post if "review" in post else None)
    if request.method == "POST":
        done = None
        if "negotiation" in post and neg_form.is_valid():
            done = _call(neg_form, services.need_record_negotiation, user, need, **neg_form.cleaned_data)
        elif "report" in post and report_form.is_valid():
            done = _call(report_form, services.need_report, user, need, **report_form.cleaned_data)
        elif "review" in post and review_form.is_valid():
            done = _call(review_form, services.need_review, user, need, **review_form.cleaned_data)
        if done is not None:
            messages.success(request, _("已办理"))
            return redirect("shortage:need_detail", pk=pk)
    quote = None
    if need.product_id and need.status == NeedStatus.PURCHASABLE:
        quote = quote_in_force(need.institution, need.product, include_unlisted=True)
    return render(request, "shortage/need_detail.html", {
        "need": need, "negotiations": need.negotiations.select_related("enterprise"),
        "documents": need.documents.all(), "neg_form": neg_form, "report_form": report_form,
        "review_form": review_form, "quote": quote,
        "can_work": own and need.status == NeedStatus.OPEN,
        "can_review": user.has_perm("shortage.review_need") and need.reviewed_at is None
        and need.status in (NeedStatus.PURCHASABLE, NeedStatus.PENDING_APPROVAL),
    })


# --- lists ---------------------------------------------------------------------------------------


@login_required
def list_index(request):
    user = request.user
    require_page(user, "shortage.view_needs")
    today = timezone.localdate()
    q = request.GET.get("q", "").strip()
    entries = selectors.list_entries_on(today)
    if q:
        entries = entries.filter(generic_name__icontains=q)
    page = Paginator(entries.order_by("generic_name", "dosage_form", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "shortage/list_index.html", {
        "page": page, "q": q, "issues": ShortageList.objects.select_related("imported_by")[:50], "today": today,
        "can_import": user.has_perm("shortage.import_lists"),
    })


@login_required
def list_import(request):
    user = request.user
    if not user.has_perm("shortage.import_lists"):
        raise PermissionDenied
    form = forms.ListImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            issue = services.list_import(user, kind=d["kind"], source=d["source"], effective_from=d["effective_from"],
                                         upload=d["file"])
        except InvalidInput as exc:
            errors = exc.errors or []
            form.add_error("file" if exc.field in (None, "file") else exc.field,
                           _("%(detail)s（%(rule)s）") % {"detail": exc.detail, "rule": exc.code}
                           if "-" in exc.code else exc.detail)
        except Conflict as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, _("已导入 %(n)s 个品种") % {"n": issue.entry_count})
            return redirect("shortage:list_detail", pk=issue.pk)
    return render(request, "shortage/list_import.html", {"form": form, "row_errors": errors})


@login_required
def list_detail(request, pk):
    require_page(request.user, "shortage.view_needs")
    issue = ShortageList.objects.filter(pk=pk).first()
    if issue is None:
        raise Http404
    page = Paginator(issue.entries.all(), 100).get_page(request.GET.get("page"))
    return render(request, "shortage/list_detail.html", {"issue": issue, "page": page})


# --- dashboard ----------------------------------------------------------------------------------


def _period(request, today):
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2020), 2100)
    return year, date(year, 1, 1), date(year + 1, 1, 1)


@login_required
def dashboard(request):
    user = request.user
    if not user.has_perm("shortage.view_dashboard"):
        raise PermissionDenied
    today = timezone.localdate()
    year, start, end = _period(request, today)
    data = selectors.dashboard(user, start=start, end=end, today=today)
    if request.GET.get("export") == "xlsx":
        city_rows = ([r["city"], r["cases"], r["amount"], r["open"], r["overdue"], r["out_of_scope"], r["needs"],
                      r["needs_purchasable"], r["needs_superseded"]] for r in data["by_city"])
        month_rows = [[r["month"].strftime("%Y-%m"), r["cases"], r["amount"], r["out_of_scope"], r["needs"]]
                      for r in data["by_month"]]
        return xlsx_response(
            f"shortage-emergency-{year}.xlsx",
            ["设区市", "应急采购笔数", "应急采购金额（元）", "待补办", "逾期未补办", "超范围", "短缺药品需求",
             "已可采购", "已转挂网"], city_rows, title=_("按设区市"),
            extra_sheets=[(_("按月"), ["月份", "应急采购笔数", "应急采购金额（元）", "超范围", "短缺药品需求"], month_rows)],
        )
    return render(request, "shortage/dashboard.html", {"data": data, "year": year, "today": today,
                                                       "measure_kinds": MeasureKind.choices})

"""Pages of listing-price dynamics: PRC-1 linkage cases, PRC-2 yearly rounds (with the public
page), PRC-3 complaints (with the public page of answered ones). Thin: services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, Forbidden
from core.exports import xlsx_response as core_xlsx_response
from core.forms import call_service as _call
from core.permissions import require_page

from . import forms, selectors, services
from .exports import xlsx_response
from .filters import LinkageCaseFilter
from .models import (
    Complaint,
    ComplaintStatus,
    ComplaintSubject,
    GeneralLinkageItem,
    GeneralLinkageRound,
    LinkageCase,
    LinkageStatus,
    RoundStatus,
)

PAGE_SIZE = 30




# --- PRC-1 ------------------------------------------------------------------------------------


def _form_of(request, button, form_class, **kwargs):
    """A page with several forms: the one whose submit button was pressed is bound to the POST."""
    return form_class(request.POST if button in request.POST else None, **kwargs)


def _linkage_filters(request):
    return {"status": request.GET.get("status", "").strip(), "q": request.GET.get("q", "").strip()}


LINKAGE_HEADERS = ["案件号", "产品", "生产企业", "省份", "新的全国最低价", "新低价执行日期", "立案时挂网价",
                   "申报截止日", "截止日暂定", "状态", "企业申报价", "逾期申报", "逾期移交时间", "已暂停挂网"]


def _linkage_row(c):
    return [c.pk, str(c.listing.product), str(c.listing.product.manufacturer), c.province, c.national_lowest,
            c.price_effective_date, c.listing_price_at_open, c.due, "是" if c.due_provisional else "",
            c.get_status_display(), c.declared_price, "是" if c.declared_late else "",
            timezone.localtime(c.escalated_at).strftime("%Y-%m-%d %H:%M") if c.escalated_at else "",
            "是" if c.listing_suspended else ""]


def _linkage_list(request, *, overdue_only):
    user = request.user
    require_page(user, "pricing.view_linkage")
    if overdue_only and not user.is_regulator:
        raise PermissionDenied
    filters = _linkage_filters(request)
    # the overdue list is the overdue status: its status filter is not offered
    data = {"q": filters["q"]} if overdue_only else request.GET
    rows = LinkageCaseFilter(data, queryset=selectors.linkage_cases(user, overdue_only=overdue_only)).qs
    if request.GET.get("export") == "xlsx":
        name = "overdue-linkage-cases" if overdue_only else "linkage-cases"
        return xlsx_response(_("逾期联动案件") if overdue_only else _("低价联动案件"), LINKAGE_HEADERS,
                             (_linkage_row(c) for c in rows), name)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pricing/linkage_list.html", {
        "page": page, "filters": filters, "statuses": LinkageStatus.choices, "overdue_only": overdue_only,
        "today": timezone.localdate(),
    })


@login_required
def linkage_list(request):
    return _linkage_list(request, overdue_only=False)


@login_required
def overdue_list(request):
    return _linkage_list(request, overdue_only=True)


@login_required
def linkage_detail(request, pk):
    user = request.user
    case = get_object_or_404(LinkageCase.objects.visible_to(user).select_related(
        "listing__product__manufacturer", "trigger_price", "declared_by", "decided_by"), pk=pk)
    declare_form = _form_of(request, "declare", forms.DeclareForm)
    decision_form = _form_of(request, "decision", forms.DecisionForm)
    if request.method == "POST":
        if "declare" in request.POST and declare_form.is_valid():
            if _call(declare_form, services.linkage_declare, user, case, **declare_form.cleaned_data):
                messages.success(request, _("已提交申报，等待医保部门确认"))
                return redirect("pricing:linkage_detail", pk=pk)
        elif "decision" in request.POST and decision_form.is_valid():
            action = request.POST.get("decision")
            fn = {"confirm": services.linkage_confirm, "reject": services.linkage_reject,
                  "close": services.linkage_close}.get(action)
            if fn is None:
                raise Http404
            if _call(decision_form, fn, user, case, note=decision_form.cleaned_data["note"]):
                messages.success(request, _("已办理"))
                return redirect("pricing:linkage_detail", pk=pk)
    is_maker = user.has_perm("pricing.declare_linkage", case)
    return render(request, "pricing/linkage_detail.html", {
        "case": case, "declare_form": declare_form, "decision_form": decision_form,
        "can_declare": is_maker and case.status in (LinkageStatus.OPEN, LinkageStatus.OVERDUE),
        "can_decide": user.has_perm("pricing.manage"),
        "price_changes": case.listing.price_changes.all()[:10] if hasattr(case.listing, "price_changes") else [],
        "complaints": case.complaints.visible_to(user),
    })


# --- PRC-2 ------------------------------------------------------------------------------------


@login_required
def round_list(request):
    user = request.user
    require_page(user, "pricing.view_linkage")
    form = forms.RoundStartForm(request.POST or None) if user.has_perm("pricing.manage") else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            rnd = _call(form, services.general_round_start, user, **form.cleaned_data)
            if rnd:
                messages.success(request, _("已生成拟调整清单"))
                return redirect("pricing:round_detail", pk=rnd.pk)
    rounds = GeneralLinkageRound.objects.all() if user.is_regulator else selectors.published_rounds()
    return render(request, "pricing/round_list.html", {"rounds": rounds, "form": form})


ITEM_HEADERS = ["产品", "生产企业", "现挂网价", "全国最低价", "省内实际采购价", "拟调整价", "依据", "状态"]


@login_required
def round_detail(request, pk):
    user = request.user
    require_page(user, "pricing.view_linkage")
    rnd = get_object_or_404(GeneralLinkageRound, pk=pk)
    if rnd.status == RoundStatus.DRAFT and not user.is_regulator:
        raise Http404
    apply_form = _form_of(request, "apply", forms.ApplyForm)
    if request.method == "POST":
        if "publish" in request.POST:
            try:
                services.general_round_publish(user, rnd)
                messages.success(request, _("已公布，申投诉期开始"))
            except Forbidden as exc:
                raise PermissionDenied(exc.detail) from exc
            except DomainError as exc:
                messages.error(request, exc.detail)
            return redirect("pricing:round_detail", pk=pk)
        if "apply" in request.POST and apply_form.is_valid():
            if _call(apply_form, services.general_round_apply, user, rnd, **apply_form.cleaned_data):
                messages.success(request, _("已执行年度价格调整"))
                return redirect("pricing:round_detail", pk=pk)
    items = selectors.round_items(rnd, user)
    if request.GET.get("export") == "xlsx" and user.is_regulator:
        return xlsx_response(_("年度联动调整"), ITEM_HEADERS, (
            [str(i.listing.product), str(i.listing.product.manufacturer), i.current_price, i.national_lowest,
             i.actual_purchase_price, i.proposed_price, i.basis, i.get_status_display()] for i in items
        ), f"general-linkage-{rnd.year}")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pricing/round_detail.html", {
        "round": rnd, "page": page, "apply_form": apply_form, "can_manage": user.has_perm("pricing.manage"),
        "window_open": rnd.status == RoundStatus.PUBLISHED and timezone.localdate() <= rnd.objection_deadline,
    })


def public_rounds(request):
    """PUB-1: published yearly adjustments, no sign-in."""
    return render(request, "pricing/public_rounds.html", {"rounds": selectors.published_rounds()})


def public_round(request, year):
    """PUB-1: one published yearly adjustment, no sign-in."""
    rnd = selectors.published_rounds().filter(year=year).first()
    if rnd is None:
        raise Http404
    items = rnd.items.select_related("listing__product__manufacturer").order_by("listing__product__generic_name", "id")
    if request.GET.get("export") == "xlsx":  # PUB-1: every public list exports
        rows = ((str(i.listing.product), i.listing.product.national_code or "", str(i.listing.product.manufacturer),
                 i.current_price, i.proposed_price, i.basis, i.get_status_display()) for i in items[:50000])
        return core_xlsx_response(f"{rnd.year}年度挂网价格调整.xlsx", [
            _("产品"), _("国家医保编码"), _("生产企业"), _("原挂网价（元）"), _("调整后价格（元）"), _("调整依据"), _("状态")],
            rows, title=_("价格调整"))
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    return render(request, "pricing/public_round.html", {"round": rnd, "page": page})


# --- PRC-3 ------------------------------------------------------------------------------------


COMPLAINT_HEADERS = ["编号", "提交时间", "申投诉单位", "事项", "标题", "状态", "承办人", "办理结果", "答复时间"]


@login_required
def complaint_list(request):
    user = request.user
    require_page(user, "pricing.view_complaints")
    filters = {k: request.GET.get(k, "").strip() for k in ("status", "subject", "q")}
    rows = selectors.complaints(user, **filters)
    if request.GET.get("export") == "xlsx" and user.is_regulator:
        return xlsx_response(_("申投诉"), COMPLAINT_HEADERS, (
            [c.pk, timezone.localtime(c.filed_at).strftime("%Y-%m-%d %H:%M"), str(c.complainant),
             c.get_subject_display(), c.title, c.get_status_display(), str(c.assigned_to or ""),
             c.get_outcome_display() if c.outcome else "",
             timezone.localtime(c.answered_at).strftime("%Y-%m-%d %H:%M") if c.answered_at else ""] for c in rows
        ), "complaints")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "pricing/complaint_list.html", {
        "page": page, "filters": filters, "statuses": ComplaintStatus.choices, "subjects": ComplaintSubject.choices,
        "can_file": user.has_perm("pricing.file_complaint"),
    })


@login_required
def complaint_create(request):
    user = request.user
    require_page(user, "pricing.file_complaint")
    initial = {k: request.GET.get(k) for k in ("listing", "linkage_case", "general_item") if request.GET.get(k)}
    if "general_item" in initial:
        initial["subject"] = ComplaintSubject.GENERAL_ADJUSTMENT
    elif "linkage_case" in initial:
        initial["subject"] = ComplaintSubject.LINKAGE
    form = forms.ComplaintForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        # The complaint's listing FK names its model ("listing.Listing"): a data reference, no import.
        listings = Complaint._meta.get_field("listing").related_model.objects
        refs = {
            "listing": listings.filter(pk=data.pop("listing")).first() if data.get("listing") else None,
            "linkage_case": LinkageCase.objects.visible_to(user).filter(pk=data.pop("linkage_case")).first()
            if data.get("linkage_case") else None,
            "general_item": GeneralLinkageItem.objects.visible_to(user).filter(pk=data.pop("general_item")).first()
            if data.get("general_item") else None,
        }
        for k in ("listing", "linkage_case", "general_item"):
            data.pop(k, None)
        complaint = _call(form, services.complaint_file, user, **data, **refs)
        if complaint:
            messages.success(request, _("申投诉已提交"))
            return redirect("pricing:complaint_detail", pk=complaint.pk)
    return render(request, "pricing/complaint_form.html", {"form": form})


@login_required
def complaint_detail(request, pk):
    user = request.user
    require_page(user, "pricing.view_complaints")
    complaint = get_object_or_404(Complaint.objects.visible_to(user).select_related(
        "complainant", "assigned_to", "answered_by", "listing__product", "general_item__round"), pk=pk)
    assign_form = _form_of(request, "assign", forms.AssignForm)
    answer_form = _form_of(request, "answer_submit", forms.AnswerForm, initial={"publish": True})
    if request.method == "POST":
        if "assign" in request.POST and assign_form.is_valid():
            if _call(assign_form, services.complaint_assign, user, complaint, **assign_form.cleaned_data):
                messages.success(request, _("已分派"))
                return redirect("pricing:complaint_detail", pk=pk)
        elif "answer_submit" in request.POST and answer_form.is_valid():
            if _call(answer_form, services.complaint_answer, user, complaint, **answer_form.cleaned_data):
                messages.success(request, _("已答复"))
                return redirect("pricing:complaint_detail", pk=pk)
    can_manage = user.has_perm("pricing.manage")
    return render(request, "pricing/complaint_detail.html", {
        "c": complaint, "assign_form": assign_form, "answer_form": answer_form, "can_manage": can_manage,
        "can_answer": complaint.status != ComplaintStatus.ANSWERED
        and user.has_perm("pricing.answer_complaint", complaint),
    })


@login_required
def complaint_attachment(request, pk):
    """The private attachment: only to those who may see the complaint (never public)."""

    complaint = Complaint.objects.visible_to(request.user).filter(pk=pk).first()
    if complaint is None or not complaint.attachment:
        raise Http404
    return FileResponse(complaint.attachment.open("rb"), as_attachment=True,
                        filename=complaint.attachment.name.rsplit("/", 1)[-1])


def public_complaints(request):
    """PRC-3 / PUB-1: answered, published complaints without attachments, no sign-in."""
    page = Paginator(selectors.published_complaints(), 30).get_page(request.GET.get("page"))
    return render(request, "pricing/public_complaints.html", {"page": page})

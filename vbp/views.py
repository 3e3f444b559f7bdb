"""Pages of the VBP channel: tenders and results, base volumes, contracts, the progress
dashboard (VBP-6) and circulars. Thin: services decide, selectors read."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.models import Product
from core.errors import DomainError, Forbidden
from core.exports import xlsx_response
from core.forms import call_service
from core.parsing import date_or_none
from experts.models import ExpertSession
from parties.models import Region

from . import selectors, services
from .filters import ContractFilter, TenderFilter
from .forms import (
    AddVolumeForm,
    BaseVolumeForm,
    BiddingForm,
    BidForm,
    NationalImportForm,
    NegotiationForm,
    SimilarExtensionForm,
    TenderForm,
    UploadForm,
    VarietyForm,
)
from .models import (
    BaseVolume,
    Bid,
    BudgetConsequence,
    BudgetShield,
    Circular,
    Contract,
    ContractLine,
    ContractStatus,
    NegotiationOutcome,
    Prepayment,
    SimilarExtension,
    Tender,
)
from .rules import NEGOTIATED_MODES


def _today(request):
    return date_or_none(request.GET.get("on")) or timezone.localdate()


@login_required
def tender_list(request):
    qs = TenderFilter(request.GET, queryset=selectors.tenders_for(request.user)).qs
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"带量采购批次-{timezone.localdate():%Y%m%d}.xlsx",
                             ["批次编号", "名称", "层级", "产品类别", "遴选方式", "约定量比例（%）", "采购周期起", "采购周期止",
                              "品种数", "状态"],
                             ([t.code, t.name, t.get_level_display(), t.get_product_kind_display(),
                               t.get_selection_mode_display(), t.volume_ratio, t.period_start, t.period_end,
                               t.n_varieties, t.get_status_display()] for t in qs), title="带量采购批次")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "vbp/tender_list.html", {"page": page, "query": request.GET})


@login_required
def tender_detail(request, pk):
    tender = get_object_or_404(Tender.objects.visible_to(request.user), pk=pk)
    varieties = tender.varieties.prefetch_related("selected__product", "selected__enterprise")
    ctx = {"tender": tender, "varieties": varieties}
    if request.user.is_institution:
        reported = {b.variety_id: b for b in BaseVolume.objects.visible_to(request.user).filter(variety__tender=tender)}
        prefilled = services.base_year_receipts(tender, [request.user.organisation_id])
        ctx["base_rows"] = [
            {"variety": v, "row": reported.get(v.pk),
             "prefilled": prefilled.get((v.pk, request.user.organisation_id), 0)} for v in varieties]
        ctx["upload_form"] = UploadForm()
    if request.user.is_province:
        ctx["n_base"] = BaseVolume.objects.filter(variety__tender=tender).values("institution").distinct().count()
        ctx["extension_form"] = SimilarExtensionForm()
    # Accepted extensions are part of the published result; proposals only for those concerned.
    ctx["extensions"] = (SimilarExtension.objects.filter(variety__tender=tender)
                         .filter(Q(status="accepted") | Q(pk__in=SimilarExtension.objects.visible_to(request.user)))
                         .select_related("variety", "product", "enterprise"))
    return render(request, "vbp/tender_detail.html", ctx)


@login_required
@require_POST
def similar_extend(request, pk):
    """VBP-9 (002 §24): the province extends a variety's result to a similar product."""
    tender = get_object_or_404(Tender.objects.visible_to(request.user), pk=pk)
    form = SimilarExtensionForm(request.POST)
    if form.is_valid():
        variety = get_object_or_404(tender.varieties, pk=form.cleaned_data["variety"])
        product = Product.objects.filter(national_code=form.cleaned_data["national_code"].strip()).first()
        if call_service(form, services.similar_extend, request.user, variety, product=product,
                        price=form.cleaned_data["price"], reason=form.cleaned_data["reason"]):
            messages.success(request, _("已扩围，待企业确认"))
            return redirect("vbp:tender_detail", pk=pk)
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("vbp:tender_detail", pk=pk)


@login_required
@require_POST
def similar_respond(request, pk):
    extension = get_object_or_404(SimilarExtension.objects.visible_to(request.user), pk=pk)
    form = UploadForm()
    if call_service(form, services.similar_respond, request.user, extension,
                    accept=request.POST.get("accept") == "1"):
        messages.success(request, _("已保存"))
    else:
        messages.error(request, "；".join(str(e) for e in form.non_field_errors()))
    return redirect("vbp:tender_detail", pk=extension.variety.tender_id)


@login_required
@require_POST
def base_volume_report(request, pk):
    tender = get_object_or_404(Tender.objects.visible_to(request.user), pk=pk)
    form = BaseVolumeForm(request.POST)
    if form.is_valid() and call_service(form, services.base_volume_report, request.user, tender,
                                        variety=form.cleaned_data["variety"], quantity=form.cleaned_data["quantity"],
                                        reason=form.cleaned_data["reason"]):
        messages.success(request, _("基期采购量已保存"))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("vbp:tender_detail", pk=pk)


@login_required
@require_POST
def base_volume_upload(request, pk):
    tender = get_object_or_404(Tender.objects.visible_to(request.user), pk=pk)
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid() and call_service(form, services.base_volume_upload, request.user, tender,
                                        form.cleaned_data["file"]) is not None:
        messages.success(request, _("基期采购量已导入"))
    else:
        messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("vbp:tender_detail", pk=pk)


@login_required
def base_volume_template(request):
    body = services.xlsx_template(services.BASE_HEADERS, ["阿莫西林胶囊", 1200, "（与平台入库数据不一致时填写）"])
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="base-volumes.xlsx"'
    return response


@login_required
def result_template(request):
    body = services.xlsx_template(services.RESULT_HEADERS, ["阿莫西林胶囊", "XA01CAA001A001010100001", "6.50", "100"])
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="vbp-result.xlsx"'
    return response


@login_required
def national_import(request):
    if not request.user.has_perm("vbp.organise"):
        raise PermissionDenied(_("仅省医保局可导入国家集采结果"))
    form = NationalImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = data.pop("file")
        try:
            tender = services.national_result_import(request.user, upload, **data)
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            errors = exc.errors or []
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, _("已导入并公布 %(code)s") % {"code": tender.code})
            return redirect("vbp:tender_detail", pk=tender.pk)
    return render(request, "vbp/national_import.html", {"form": form, "errors": errors})


@login_required
@require_POST
def allocation_lock(request, pk):
    tender = get_object_or_404(Tender, pk=pk)
    form = UploadForm()
    contracts = call_service(form, services.allocation_lock, request.user, tender)
    if contracts is None:
        messages.error(request, "；".join(str(e) for e in form.non_field_errors()))
    else:
        messages.success(request, _("约定采购量已锁定，生成合同 %(count)s 份") % {"count": len(contracts)})
    return redirect("vbp:tender_detail", pk=pk)


@login_required
def contract_list(request):
    qs = ContractFilter(request.GET, queryset=Contract.objects.visible_to(request.user)
                        .select_related("tender", "institution", "enterprise")).qs
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"带量采购合同-{timezone.localdate():%Y%m%d}.xlsx",
                             ["合同编号", "批次", "医疗机构", "中选企业", "状态"],
                             ([c.number, c.tender.name, c.institution.name, c.enterprise.name, c.get_status_display()]
                              for c in qs), title="带量采购合同")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "vbp/contract_list.html", {"page": page, "query": request.GET,
                                                      "statuses": ContractStatus.choices})


@login_required
def contract_detail(request, pk):
    contract = get_object_or_404(Contract.objects.visible_to(request.user).select_related("tender"), pk=pk)
    progress = [r for r in selectors.progress_rows(request.user, timezone.localdate()) if r["contract"].pk == pk]
    lines = contract.lines.select_related("selected__product", "selected__variety")
    user = request.user
    may_sign = ((user.has_perm("vbp.sign_as_institution") and not contract.institution_signed_at)
                or (user.has_perm("vbp.sign_as_enterprise") and not contract.enterprise_signed_at))
    return render(request, "vbp/contract_detail.html", {
        "contract": contract, "lines": lines, "progress": progress[0] if progress else None, "may_sign": may_sign,
        "prepayments": contract.prepayments.all(), "payments": selectors.contract_payments(contract, timezone.localdate()), "snapshots": contract.snapshots.all()[:24],
        "add_form": AddVolumeForm() if user.is_institution and contract.status == ContractStatus.SIGNED else None,
    })


@login_required
@require_POST
def contract_sign(request, pk):
    contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
    form = UploadForm()
    if call_service(form, services.contract_sign, request.user, contract):
        messages.success(request, _("合同已签订"))
    else:
        messages.error(request, "；".join(str(e) for e in form.non_field_errors()))
    return redirect("vbp:contract_detail", pk=pk)


@login_required
@require_POST
def contract_add(request, pk):
    contract = get_object_or_404(Contract.objects.visible_to(request.user), pk=pk)
    form = AddVolumeForm(request.POST)
    if form.is_valid():
        line = get_object_or_404(ContractLine, pk=form.cleaned_data["line"], contract=contract)
        if call_service(form, services.contract_add_volume, request.user, line,
                        quantity=form.cleaned_data["quantity"], reason=form.cleaned_data["reason"]):
            messages.success(request, _("已追加采购量"))
            return redirect("vbp:contract_detail", pk=pk)
    messages.error(request, "；".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("vbp:contract_detail", pk=pk)


GROUP_LABELS = {"tender": gettext_lazy("批次"), "institution": gettext_lazy("医疗机构"), "city": gettext_lazy("设区市"),
                "enterprise": gettext_lazy("中选企业")}


@login_required
def dashboard(request):
    """VBP-6: progress by tender, institution, city and enterprise; ECharts and .xlsx."""
    if not request.user.has_perm("vbp.view_progress"):
        raise PermissionDenied(_("仅医保部门可查看进度监测"))
    on = _today(request)
    city_id = request.GET.get("city") or None
    if not request.user.has_perm("vbp.view_any_city"):
        city_id = request.user.organisation.city_id
    rows = selectors.progress_rows(request.user, on, tender_id=request.GET.get("tender") or None, city_id=city_id)
    by = request.GET.get("by", "institution")
    if by not in GROUP_LABELS:
        by = "institution"
    table = selectors.group_progress(rows, selectors.GROUPINGS[by])
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"带量采购进度-按{GROUP_LABELS[by]}-{on:%Y%m%d}.xlsx",
            [str(GROUP_LABELS[by]), "合同数", "约定金额", "完成金额", "完成进度（%）", "时间进度（%）", "滞后合同数"],
            ([g["label"], g["contracts"], g["agreed_amount"], g["completed_amount"], g["completed_percent"],
              g["elapsed_percent"], g["lagging"]] for g in table), title=f"按{GROUP_LABELS[by]}")
    chart = {"labels": [g["label"] for g in table[:30]],
             "completed": [float(g["completed_percent"]) for g in table[:30]],
             "elapsed": [float(g["elapsed_percent"]) for g in table[:30]]}
    page = Paginator(table, 20).get_page(request.GET.get("page"))
    since = on.replace(month=1, day=1)
    return render(request, "vbp/dashboard.html", {
        "page": page, "by": by, "labels": GROUP_LABELS, "by_label": GROUP_LABELS[by], "chart_json": json.dumps(chart, ensure_ascii=False),
        "query": request.GET, "on": on, "tenders": Tender.objects.filter(status="published"),
        "cities": Region.objects.filter(level="city") if request.user.has_perm("vbp.view_any_city") else [],
        "totals": {"contracts": len(rows), "lagging": sum(r["lagging"] for r in rows)},
        "supply": selectors.supply_monitoring(request.user, since, on),
    })


@login_required
def circular_list(request):
    qs = Circular.objects.select_related("tender").prefetch_related("entries__institution")
    if request.user.is_institution:
        qs = qs.filter(entries__institution_id=request.user.organisation_id).distinct()
    elif not request.user.has_perm("vbp.view_progress"):
        raise PermissionDenied(_("无权查看通报"))
    page = Paginator(qs, 10).get_page(request.GET.get("page"))
    return render(request, "vbp/circular_list.html", {"page": page})


@login_required
def ledger(request):
    """VBP-7/VBP-8: the prepayment ledger, the budget consequences (next year's budget) and
    the budget shields, for the insurance budget ledger; .xlsx export."""
    user = request.user
    if not user.has_perm("vbp.view_ledger"):
        raise PermissionDenied(_("无权查看医保预付台账"))
    prepayments = Prepayment.objects.visible_to(user).select_related("contract__institution", "contract__tender")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            f"带量采购医保预付台账-{timezone.localdate():%Y%m%d}.xlsx",
            ["合同编号", "批次", "医疗机构", "阶段", "比例（%）", "计算基数", "金额", "触发条件", "触发日期"],
            ([p.contract.number, p.contract.tender.name, p.contract.institution.name, p.get_kind_display(), p.percent,
              p.base_amount, p.amount, p.trigger_label, p.triggered_on]
             for p in prepayments), title="医保预付")
    page = Paginator(prepayments, 30).get_page(request.GET.get("page"))
    return render(request, "vbp/ledger.html", {
        "page": page,
        "consequences": BudgetConsequence.objects.visible_to(user).select_related("institution", "contract")[:200],
        "shields": BudgetShield.objects.visible_to(user).select_related("institution", "tender")[:200],
    })



# ----------------------------------------------------------------------------- provincial / alliance tenders (VBP-5, VBP-9)


@login_required
def tender_create(request):
    if not request.user.has_perm("vbp.create_tender"):
        raise PermissionDenied(_("仅医保部门可组织带量采购"))
    form = TenderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["member_cities"] = list(data.get("member_cities") or [])
        tender = call_service(form, services.tender_create, request.user, **data)
        if tender is not None:
            messages.success(request, _("已创建批次 %(code)s") % {"code": tender.code})
            return redirect("vbp:tender_manage", pk=tender.pk)
    return render(request, "vbp/tender_form.html", {"form": form})


@login_required
def tender_manage(request, pk):
    """The province runs a provincial/alliance tender: experts (EXP-1), varieties with their
    priority criterion, the bid window, price competition, publication. Enterprises bid here."""
    tender = get_object_or_404(Tender, pk=pk)
    user = request.user
    if not user.has_perm("vbp.manage_tender_page"):
        raise PermissionDenied(_("无权操作"))
    variety_form, bid_form, bidding_form, negotiation_form = VarietyForm(), BidForm(), BiddingForm(), NegotiationForm()
    if request.method == "POST":
        action = request.POST.get("action")
        ok = None
        if action == "experts":
            session = ExpertSession.objects.filter(pk=request.POST.get("session") or 0).first()
            ok = session and call_service(variety_form, services.tender_attach_experts, user, tender, session)
        elif action == "variety":
            variety_form = VarietyForm(request.POST)
            ok = variety_form.is_valid() and call_service(variety_form, services.variety_add, user, tender,
                                                          **variety_form.cleaned_data)
        elif action == "bidding":
            bidding_form = BiddingForm(request.POST)
            ok = bidding_form.is_valid() and call_service(bidding_form, services.tender_open_bidding, user, tender,
                                                          **bidding_form.cleaned_data)
        elif action == "bid":
            bid_form = BidForm(request.POST)
            if bid_form.is_valid():
                variety = get_object_or_404(tender.varieties, pk=bid_form.cleaned_data["variety"])
                product = Product.objects.filter(national_code=bid_form.cleaned_data["national_code"].strip()).first()
                if product is None:
                    bid_form.add_error("national_code", _("国家医保编码不在平台目录中（INT-2）"))
                else:
                    ok = call_service(bid_form, services.bid_submit, user, variety, product=product,
                                      price=bid_form.cleaned_data["price"])
        elif action == "negotiate":
            negotiation_form = NegotiationForm(request.POST)
            if negotiation_form.is_valid():
                data = dict(negotiation_form.cleaned_data)
                bid = get_object_or_404(Bid, variety__tender=tender, pk=data.pop("bid"))
                ok = call_service(negotiation_form, services.negotiation_record, user, bid, **data)
        elif action == "select":
            ok = call_service(variety_form, services.tender_select_by_price, user, tender)
        elif action == "select_negotiated":
            ok = call_service(variety_form, services.tender_select_by_negotiation, user, tender)
        elif action == "publish":
            ok = call_service(variety_form, services.tender_publish, user, tender)
        if ok:
            messages.success(request, _("已保存"))
            return redirect("vbp:tender_manage", pk=pk)
        errs = [str(e) for f in (variety_form, bid_form, bidding_form, negotiation_form)
                for errs in f.errors.values() for e in errs]
        messages.error(request, "；".join(errs) or _("操作未完成"))
    return render(request, "vbp/tender_manage.html", {
        "tender": tender, "varieties": tender.varieties.prefetch_related("selected__product", "bids__enterprise",
                                                                         "bids__rounds"),
        "variety_form": variety_form, "bid_form": bid_form, "bidding_form": bidding_form,
        "negotiated": tender.selection_mode in NEGOTIATED_MODES, "outcomes": NegotiationOutcome.choices,
        "sessions": ExpertSession.objects.filter(draws__isnull=False).distinct().order_by("-date")[:30],
    })

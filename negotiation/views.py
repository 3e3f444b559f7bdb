"""Negotiation pages: thin views over services and selectors."""

import json
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.exports import xlsx_response
from core.forms import refuse_if_forbidden
from core.parsing import date_or_none, decimal_or_none
from core.permissions import require_page
from listing.models import Listing
from parties.models import Organisation, Region

from . import rules, selectors, services, zones
from .filters import ProposalFilter
from .models import (
    GroupMember,
    Interview,
    InterviewOutcome,
    NegotiationGroup,
    NegotiationResult,
    Proposal,
    ProposalStatus,
    PurchaseAgreement,
)
from .rules import ZONE_LABELS


def _regulator_only(user):
    if not user.is_regulator:
        raise PermissionDenied


@login_required
def proposal_list(request):
    filters = ProposalFilter(request.GET, queryset=selectors.proposals_for(request.user))
    qs = filters.qs
    status, q = filters.form.cleaned_data.get("status") or None, filters.form.cleaned_data.get("q") or ""
    if request.GET.get("export") == "xlsx":
        rows = (
            (p.pk, p.institution.name, p.product.generic_name, p.product.specification, p.manufacturer.name,
             p.listing_price, p.unit_price, p.quantity, p.get_status_display(), p.rule, p.due, p.created_at)
            for p in qs.iterator(chunk_size=2000)
        )
        return xlsx_response(
            f"议价记录-{timezone.localdate():%Y%m%d}.xlsx",
            ["编号", "医疗机构", "产品", "规格", "生产企业", "挂网价", "议价单价", "数量", "状态", "规则", "确认截止日", "提出时间"],
            rows, title="议价记录",
        )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "negotiation/proposal_list.html", {
        "page": page, "status": status or "", "q": q, "statuses": ProposalStatus.choices,
    })


@login_required
def listing_search(request):
    """Institutions pick a listed product to negotiate (DEL-4: only active listings)."""
    require_page(request.user, "negotiation.act_as_institution")
    q = (request.GET.get("q") or "").strip()
    qs = Listing.objects.orderable().select_related("product", "product__manufacturer")
    if q:
        qs = qs.filter(
            Q(product__generic_name__icontains=q) | Q(product__national_code__iexact=q)
            | Q(product__name_initials__istartswith=q.lower())
        )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "negotiation/listing_search.html", {"page": page, "q": q})


def _preview(listing, institution_id, raw_price):
    summary = selectors.shared_results_summary(listing.product_id, institution_id)
    zone, why, refusal = None, "", ""
    price = decimal_or_none(raw_price)
    if price is not None and (not price.is_finite() or price <= 0):
        # Nothing to say about a price that is not a price (issue 15 item 7): the form itself
        # refuses it on submit; the hint stays quiet instead of showing "-1.00 元".
        price = None
    if price is not None:
        # NEG-1 said at once, while typing: the same rule the service applies on submit.
        verdict = rules.neg_1_price_within_listing(price, listing.price, Decimal(1))
        if not verdict.ok and verdict.field == "unit_price":
            refusal = verdict.message
        else:
            zone, why = zones.classify(listing.product_id, price)
    return {"summary": summary, "zone": zone, "zone_label": ZONE_LABELS.get(zone, ""), "zone_why": why,
            "price": price, "refusal": refusal}


@login_required
def proposal_new(request, listing_id):
    require_page(request.user, "negotiation.act_as_institution")
    listing = Listing.objects.select_related("product", "product__manufacturer").filter(pk=listing_id).first()
    if listing is None:
        raise Http404
    groups = NegotiationGroup.objects.filter(initiator=request.user.organisation, status="open")
    errors, values = {}, {"unit_price": request.POST.get("unit_price", ""), "quantity": request.POST.get("quantity", "")}
    if request.method == "POST":
        try:
            proposal = services.proposal_submit(
                user=request.user, listing_id=listing.pk, unit_price=request.POST.get("unit_price"),
                quantity=request.POST.get("quantity"), group_id=request.POST.get("group") or None,
                evidence_price=request.POST.get("evidence_price") or None,
                evidence_note=request.POST.get("evidence_note", ""), evidence_file=request.FILES.get("evidence_file"),
                note=request.POST.get("note", ""),
            )
        except DomainError as exc:
            refuse_if_forbidden(exc)
            errors[exc.field or "form"] = f"{exc.detail}（{exc.code}）" if "-" in exc.code else exc.detail
        else:
            if proposal.status == "confirmed":
                messages.success(request, _("议价单价等于挂网价，已自动确认（NEG-3/NEG-4）。"))
            else:
                messages.success(request, _("议价已提交，生产企业须于 %(due)s 前确认。") % {"due": f"{proposal.due:%Y-%m-%d}"})
            return redirect(proposal)
    ctx = {"listing": listing, "groups": groups, "errors": errors, "values": values,
           **_preview(listing, request.user.organisation_id, values["unit_price"] or listing.price)}
    return render(request, "negotiation/proposal_form.html", ctx)


@login_required
def zone_preview(request, listing_id):
    """htmx partial: the zone a typed price would fall in, and the shared results (NEG-1/ZON-2)."""
    listing = Listing.objects.filter(pk=listing_id).first()
    if listing is None:
        raise Http404
    ctx = {"listing": listing, **_preview(listing, request.user.organisation_id, request.GET.get("unit_price"))}
    return render(request, "negotiation/_zone_preview.html", ctx)


@login_required
def proposal_detail(request, pk):
    proposal = (
        Proposal.objects.visible_to(request.user)
        .select_related("institution", "product", "manufacturer", "listing", "group", "decided_by", "created_by")
        .filter(pk=pk).first()
    )
    if proposal is None:
        raise Http404
    results = NegotiationResult.objects.filter(proposal=proposal).select_related("institution", "agreement")
    can_answer = (
        request.user.has_perm("negotiation.answer_proposal", proposal)
        and proposal.status == ProposalStatus.PENDING
    )
    evidenced = proposal.path == rules.ENTERPRISE_THEN_LINKAGE
    can_check_evidence = (
        evidenced and request.user.is_province
        and proposal.status in (ProposalStatus.PENDING, ProposalStatus.LINKAGE)
        and proposal.evidence_review in ("", "contested")
    )
    return render(request, "negotiation/proposal_detail.html", {
        "p": proposal, "results": results, "can_answer": can_answer, "evidenced": evidenced,
        "can_contest": can_answer and evidenced and not proposal.evidence_review,
        "can_check_evidence": can_check_evidence,
        "zone_label": ZONE_LABELS.get(proposal.zone_at_proposal, ""),
    })


@login_required
@require_POST
def proposal_answer(request, pk):
    try:
        decision = request.POST.get("decision")
        if decision == "confirm":
            services.proposal_confirm(user=request.user, proposal_id=pk)
            messages.success(request, _("已确认议价，议价结果生效并生成购销协议。"))
        elif decision == "contest":
            services.proposal_contest(user=request.user, proposal_id=pk, reason=request.POST.get("reason", ""))
            messages.success(request, _("已对成交价证明提出异议，待省医保局裁定。"))
        elif decision in ("evidence_accept", "evidence_reject"):
            services.evidence_decide(user=request.user, proposal_id=pk, accept=decision == "evidence_accept",
                                     note=request.POST.get("note", ""))
            messages.success(request, _("已记录成交价证明核实意见。"))
        else:
            services.proposal_decline(user=request.user, proposal_id=pk, reason=request.POST.get("reason", ""))
            messages.success(request, _("已拒绝该议价。"))
    except DomainError as exc:
        refuse_if_forbidden(exc)
        messages.error(request, f"{exc.detail}（{exc.code}）")
    return redirect("negotiation:proposal_detail", pk=pk)


@login_required
def result_list(request):
    """NEG-6: confirmed results shared with the institutions in scope."""
    q = (request.GET.get("q") or "").strip()
    qs = NegotiationResult.objects.visible_to(request.user).filter(superseded_at__isnull=True).select_related(
        "institution", "product", "manufacturer"
    )
    if q:
        qs = qs.filter(Q(product__generic_name__icontains=q) | Q(product__national_code__iexact=q))
    zone = request.GET.get("zone")
    if zone:
        qs = qs.filter(zone=zone)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "negotiation/result_list.html", {"page": page, "q": q, "zone": zone or ""})


@login_required
def agreement_list(request):
    qs = PurchaseAgreement.objects.visible_to(request.user).select_related("institution", "manufacturer", "result__product")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "negotiation/agreement_list.html", {"page": page})


@login_required
@require_POST
def agreement_sign(request, pk):
    try:
        services.agreement_sign(user=request.user, agreement_id=pk)
        messages.success(request, "已签署购销协议。")
    except DomainError as exc:
        refuse_if_forbidden(exc)
        messages.error(request, exc.detail)
    return redirect("negotiation:agreement_list")


@login_required
def group_list(request):
    require_page(request.user, "negotiation.act_as_institution")
    org = request.user.organisation
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("institutions") if i.isdigit()]
        try:
            services.group_create(user=request.user, name=request.POST.get("name"), institution_ids=ids,
                                  is_consortium=bool(request.POST.get("is_consortium")))
            messages.success(request, "已发起组团，受邀机构加入后即可发出议价。")
            return redirect("negotiation:group_list")
        except DomainError as exc:
            refuse_if_forbidden(exc)
            messages.error(request, exc.detail)
    groups = NegotiationGroup.objects.visible_to(request.user).prefetch_related("members__institution")
    memberships = {m.group_id: m for m in GroupMember.objects.filter(institution=org)}
    candidates = Organisation.objects.filter(kind="institution", city_id=org.city_id, is_active=True).exclude(pk=org.pk)
    return render(request, "negotiation/group_list.html", {
        "groups": groups, "memberships": memberships, "candidates": candidates,
    })


@login_required
@require_POST
def group_join(request, pk):
    try:
        services.group_join(user=request.user, group_id=pk, quantity=request.POST.get("quantity", ""))
        messages.success(request, "已加入组团。")
    except DomainError as exc:
        refuse_if_forbidden(exc)
        messages.error(request, f"{exc.detail}（{exc.code}）")
    return redirect("negotiation:group_list")


# ----------------------------------------------------------------------------- ZON-4 dashboard


def _dashboard_filters(request):
    def parse(name):
        return date_or_none(request.GET.get(name))

    city_id = request.GET.get("city") or None
    if not request.user.has_perm("negotiation.view_any_city"):
        city_id = request.user.organisation.city_id  # a city regulator sees its city only
    return {"since": parse("since"), "until": parse("until"), "city_id": city_id,
            "product_id": request.GET.get("product") or None, "institution_id": request.GET.get("institution") or None}


@login_required
def dashboard(request):
    _regulator_only(request.user)
    f = _dashboard_filters(request)
    qs = selectors.dashboard_results(request.user, **f)
    by = request.GET.get("by", "product")
    table = {
        "product": selectors.zone_by_product, "institution": selectors.zone_by_institution,
        "city": selectors.zone_by_city, "month": selectors.zone_by_month,
    }.get(by, selectors.zone_by_product)(qs)
    if request.GET.get("export") == "xlsx":
        label = {"product": "产品", "institution": "医疗机构", "city": "设区市", "month": "月份"}[by]
        rows = ([_row_label(r, by), r["blue"], r["yellow"], r["red"], r["total"], r["blue_amount"] or 0,
                 r["yellow_amount"] or 0, r["red_amount"] or 0, r["amount"] or 0] for r in table)
        return xlsx_response(
            f"红黄蓝监测-按{label}-{timezone.localdate():%Y%m%d}.xlsx",
            [label, "蓝区笔数", "黄区笔数", "红区笔数", "合计笔数", "蓝区金额", "黄区金额", "红区金额", "合计金额"],
            rows, title=f"按{label}",
        )
    months = list(selectors.zone_by_month(qs))
    chart = {
        "months": [m["month"].strftime("%Y-%m") for m in months],
        "blue": [m["blue"] for m in months], "yellow": [m["yellow"] for m in months], "red": [m["red"] for m in months],
    }
    totals = selectors.zone_totals(qs)
    page = Paginator(table, 20).get_page(request.GET.get("page"))
    for r in page:
        r["label"] = _row_label(r, by)
    cities = Region.objects.filter(level="city") if request.user.is_province else []
    return render(request, "negotiation/dashboard.html", {
        "page": page, "by": by, "totals": totals, "chart_json": json.dumps(chart), "filters": f,
        "cities": cities, "query": request.GET,
    })


def _row_label(r, by):
    if by == "product":
        return f"{r['product__generic_name']} {r['product__specification']}"
    if by == "institution":
        return f"{r['institution__name']}（{r['institution__city__name']}）"
    if by == "city":
        return r["institution__city__name"]
    return r["month"].strftime("%Y-%m")


@login_required
def dashboard_results(request):
    """Drill-down from a dashboard row to the single negotiations."""
    _regulator_only(request.user)
    qs = selectors.dashboard_results(request.user, **_dashboard_filters(request)).select_related(
        "institution", "product", "proposal"
    )
    if request.GET.get("zone"):
        qs = qs.filter(zone=request.GET["zone"])
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "negotiation/dashboard_results.html", {"page": page})


@login_required
def interview_list(request):
    """ZON-3: institutions listed for interviews, with the evidence; outcomes recorded."""
    _regulator_only(request.user)
    if request.method == "POST":
        interview = Interview.objects.visible_to(request.user).filter(pk=request.POST.get("interview")).first()
        if interview is None:
            raise Http404
        try:
            services.interview_record(user=request.user, interview=interview,
                                      outcome=request.POST.get("outcome"), note=request.POST.get("note", ""))
            messages.success(request, "约谈结果已记录。")
        except DomainError as exc:
            refuse_if_forbidden(exc)
            messages.error(request, exc.detail)
        return redirect("negotiation:interview_list")
    qs = Interview.objects.visible_to(request.user).select_related("institution", "recorded_by")
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(request, "negotiation/interview_list.html", {"page": page, "outcomes": InterviewOutcome.choices})

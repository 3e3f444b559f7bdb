"""Pages of the expert pool (EXP-1) and expert negotiations (EXP-2). Thin: services decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.exports import xlsx_response
from core.forms import call_service as _call
from core.forms import refuse_if_forbidden
from core.permissions import require_page
from policy import services as policy

from . import dossier, forms, selectors, services
from .filters import PoolFilter, SessionFilter
from .models import ExpertCategory, ExpertConflict, ExpertProfile, SessionCase, SessionPurpose, SessionStatus

PAGE_SIZE = 30




@login_required
def pool(request):
    require_page(request.user, "experts.manage")
    filters = {k: request.GET.get(k, "").strip() for k in ("category", "active", "q")}
    form = forms.ProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _call(form, services.expert_profile_save, request.user, **form.cleaned_data):
            messages.success(request, _("已保存专家信息"))
            return redirect("experts:pool")
    rows = PoolFilter(request.GET, queryset=selectors.pool()).qs
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"expert-pool-{timezone.localdate():%Y%m%d}.xlsx", [_("姓名"), _("账号"), _("专业类别"), _("工作单位"), _("职称/职务"),
                                                 _("状态"), _("有效利益冲突申报")], (
            [str(p.user), p.user.username, p.get_category_display(), p.employer, p.title,
             _("在库可抽取") if p.active else _("暂停抽取"),
             "；".join(str(c) for c in p.conflicts.all() if c.withdrawn_at is None)] for p in rows.prefetch_related(
                "conflicts__enterprise")
        ), title=_("评审专家库"))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "experts/pool.html", {
        "page": page, "filters": filters, "form": form, "categories": ExpertCategory.choices,
    })


@login_required
def profile_detail(request, pk):
    profile = get_object_or_404(ExpertProfile.objects.select_related("user"), pk=pk)
    if not request.user.has_perm("experts.view_profile", profile):
        raise Http404
    form = forms.ConflictForm(request.POST or None)
    if request.method == "POST":
        if "withdraw" in request.POST:
            conflict = get_object_or_404(ExpertConflict, pk=request.POST.get("withdraw"), expert=profile)
            if _call(form, services.conflict_withdraw, request.user, conflict, request.POST.get("reason", "")):
                messages.success(request, _("已撤销该利益冲突申报"))
                return redirect("experts:profile_detail", pk=pk)
        elif form.is_valid() and _call(form, services.conflict_declare, request.user, profile, **form.cleaned_data):
            messages.success(request, _("已登记利益冲突申报"))
            return redirect("experts:profile_detail", pk=pk)
    return render(request, "experts/profile_detail.html", {
        "profile": profile, "conflicts": profile.conflicts.select_related("enterprise"), "form": form,
        "can_manage": request.user.has_perm("experts.manage"),
    })


@login_required
def my_profile(request):
    profile = ExpertProfile.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404
    return redirect("experts:profile_detail", pk=profile.pk)


@login_required
def session_list(request):
    user = request.user
    require_page(user, "experts.view_sessions")
    filters = {k: request.GET.get(k, "").strip() for k in ("purpose", "status", "q")}
    can_create = user.has_perm("experts.create_session")
    form = forms.SessionForm(request.POST or None) if can_create else None
    if form is not None and not user.has_perm("experts.manage"):
        # LST-C3/C4: a city organises only the consumable reviews of its city.
        form.fields["purpose"].choices = [c for c in SessionPurpose.choices if c[0] == SessionPurpose.CONSUMABLE_REVIEW]
    if request.method == "POST":
        if not can_create:
            raise PermissionDenied
        if form.is_valid():
            session = _call(form, services.session_create, user, **form.cleaned_data)
            if session:
                return redirect("experts:session_detail", pk=session.pk)
    page = Paginator(SessionFilter(request.GET, queryset=selectors.session_list(user)).qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "experts/session_list.html", {
        "page": page, "filters": filters, "form": form, "purposes": SessionPurpose.choices,
        "statuses": SessionStatus.choices,
    })


def _visible_session(user, pk):
    """ACT-6: a session the user may see, else 404 (an expert not drawn, or any other party).
    Enterprises and institutions never see expert sessions: 403."""
    if user.is_enterprise or user.is_institution:
        raise PermissionDenied
    session = selectors.sessions_for(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


@login_required
def session_detail(request, pk):
    user = request.user
    session = _visible_session(user, pk)
    can_manage = user.has_perm("experts.manage_session", session)
    case_form = forms.CaseForm(request.POST if "add_case" in request.POST else None) if can_manage else None
    draw_form = forms.DrawForm(request.POST if "draw" in request.POST else None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "add_case" in request.POST and case_form.is_valid():
            if _call(case_form, services.session_add_case, user, session, **case_form.cleaned_data):
                messages.success(request, _("已添加案件"))
                return redirect("experts:session_detail", pk=pk)
        elif "draw" in request.POST and "seed" in request.POST:
            # EXP-1: the seed is the platform's, never typed; a posted seed refuses the draw.
            draw_form.is_valid()
            draw_form.add_error(None, _("随机种子由平台生成，不能填写（EXP-1）；未抽取。"))
        elif "draw" in request.POST and draw_form.is_valid():
            data = draw_form.cleaned_data
            per_category = {c: data[c] for c in ExpertCategory.values if data.get(c)}
            draw = _call(draw_form, services.session_draw, user, session, per_category,
                         reason=data.get("reason", ""))
            if draw:
                messages.success(request, _("已完成随机抽取，抽取记录可复核"))
                return redirect("experts:session_detail", pk=pk)
        elif "close" in request.POST:
            try:
                services.session_close(user, session)
            except DomainError as exc:
                refuse_if_forbidden(exc)
                messages.error(request, exc.detail)
            return redirect("experts:session_detail", pk=pk)
    draw = session.current_draw()
    drawn, excluded = selectors.draw_rows(draw) if draw else ([], [])
    return render(request, "experts/session_detail.html", {
        "max_redraws": policy.get("exp.max_redraws"),
        "redraws_done": session.draws.filter(superseded_at__isnull=False).count(),
        "session": session, "cases": session.cases.select_related("product__manufacturer", "enterprise"),
        "draw": draw, "drawn": drawn, "excluded": excluded if can_manage else [],
        "verified": services.verify_draw(draw) if draw else None,
        "previous_draws": session.draws.filter(superseded_at__isnull=False) if can_manage else [],
        "can_manage": can_manage, "case_form": case_form, "draw_form": draw_form,
        "category_labels": dict(ExpertCategory.choices),
    })


@login_required
def case_detail(request, pk):
    user = request.user
    require_page(user, "experts.view_case")
    try:
        case = services.get_case(user, pk)
    except DomainError:
        raise Http404 from None
    session = case.session
    can_manage = user.has_perm("experts.manage")
    can_manage_session = user.has_perm("experts.manage_session", session)
    can_record = user.has_perm("experts.record_round", session)
    round_form = forms.RoundForm(request.POST if "round" in request.POST else None)
    conclude_form = forms.ConcludeForm(request.POST if "conclude" in request.POST else None)
    verdict_form = forms.VerdictForm(request.POST if "verdict_submit" in request.POST else None)
    conclusion_form = forms.ConclusionForm(request.POST if "review_conclude" in request.POST else None)
    if request.method == "POST":
        if "round" in request.POST and round_form.is_valid():
            if _call(round_form, services.round_record, user, case, **round_form.cleaned_data):
                messages.success(request, _("已记录本轮报价"))
                return redirect("experts:case_detail", pk=pk)
        elif "conclude" in request.POST:
            require_page(user, "experts.manage")
            if conclude_form.is_valid() and _call(conclude_form, services.case_conclude, user, case,
                                                  **conclude_form.cleaned_data):
                messages.success(request, _("已记录谈判结果"))
                return redirect("experts:case_detail", pk=pk)
        elif "verdict_submit" in request.POST:
            expert = None
            if request.POST.get("expert"):  # the organiser enters a verdict given at the meeting
                expert = ExpertProfile.objects.filter(pk=request.POST["expert"]).first()
                if expert is None:
                    raise Http404
            if verdict_form.is_valid() and _call(verdict_form, services.verdict_record, user, case,
                                                 expert=expert, **verdict_form.cleaned_data):
                messages.success(request, _("已提交评审意见"))
                return redirect("experts:case_detail", pk=pk)
        elif "review_conclude" in request.POST:
            if not can_manage_session:
                raise PermissionDenied
            if conclusion_form.is_valid() and _call(conclusion_form, services.review_conclude, user, case,
                                                    **conclusion_form.cleaned_data):
                messages.success(request, _("已记录评审结论"))
                return redirect("experts:case_detail", pk=pk)
    outcome, review_text, verdict_rows = services.review_status(case)
    others, lowest = selectors.other_province_prices(case.product)
    current_draw = session.current_draw()
    sees_all_verdicts = can_manage_session or user.is_regulator
    own_profile = ExpertProfile.objects.filter(user=user).first() if user.has_perm("experts.give_verdict") else None
    own_verdict = next((v for m, v in verdict_rows if own_profile and m.expert_id == own_profile.pk), None)
    is_member = bool(own_profile and any(m.expert_id == own_profile.pk for m, _v in verdict_rows))
    return render(request, "experts/case_detail.html", {
        "case": case, "session": session, "rounds": case.rounds.select_related("recorded_by"),
        "can_manage": can_manage, "can_manage_session": can_manage_session,
        "can_record": can_record and session.is_negotiation,
        "round_form": round_form, "conclude_form": conclude_form,
        "verdict_form": verdict_form, "conclusion_form": conclusion_form,
        # EXP-1: drawn experts give their verdicts independently — each sees only their own until
        # the conclusion; the organiser and regulators see every verdict at once.
        "verdict_rows": verdict_rows if (sees_all_verdicts or case.review_outcome) else [],
        # Rounds already over (a superseded draw) are on record for everyone who sees the case.
        "previous_rounds": [(d, rows) for d, rows in selectors.review_rounds(case)
                            if current_draw is None or d.pk != current_draw.pk],
        "dossiers": dossier.dossiers_for(case), "other_prices": others, "national_lowest": lowest,
        "can_give_verdict": is_member and own_verdict is None and not case.review_outcome,
        "own_verdict": own_verdict, "review_pending_outcome": outcome, "review_text": review_text,
        "can_conclude_review": can_manage_session and not case.review_outcome and current_draw is not None,
    })


INLINE_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp")


@login_required
def case_document(request, pk, key):
    """Issue 15 item 8: one document of a case, shown in the browser (PDF and images inline, other
    types downloaded), for the experts drawn for the session, its regulators and the enterprise
    that filed it; anyone else gets 404 (the document's existence is not disclosed)."""
    case = SessionCase.objects.select_related("session", "product").filter(pk=pk).first()
    if case is None or not request.user.has_perm("experts.view_case_document", case):
        raise Http404
    doc = dossier.document_for(case, key)
    if doc is None:
        raise Http404
    return FileResponse(doc.open(), as_attachment=doc.mime not in INLINE_TYPES, filename=doc.name,
                        content_type=doc.mime)

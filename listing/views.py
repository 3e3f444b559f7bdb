"""Listing pages (thin): applications, review queue, listings, delisting, quality events,
and the public listing results (PUB-1, no sign-in)."""

import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import Product
from core import pending
from core.errors import DomainError, InvalidInput, NotFound, RuleViolation
from core.exports import XLSX_MIME, write_xlsx, xlsx_response
from core.forms import add_domain_errors, refuse_if_forbidden, size_limit_text
from experts.models import ExpertSession
from experts.selectors import draw_rows
from experts.services import review_status
from parties.permissions import can_see, is_enterprise

from . import rules, selectors
from .filters import ListingFilter
from .forms import (
    APPLICATION_DRAFT_KIND,
    ApplicationForm,
    DecisionForm,
    DelistRequestForm,
    QualityEventForm,
    StatusForm,
)
from .models import (
    ApplicationDocument,
    ApplicationStatus,
    DelistRequest,
    DelistStatus,
    Listing,
    ListingApplication,
    ListingStatus,
    PriceRiseFlag,
    PriceRiseStatus,
    QualityEvent,
)
from .services import applications, batch
from .services import status as status_services

PAGE_SIZE = 20


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _catalogue_register_url():
    for name in ("catalog:product_create", "catalog:product_new", "catalog:product_list"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return ""


def _xlsx(filename, headers, rows):
    tmp = tempfile.TemporaryFile()
    write_xlsx(tmp, [(filename, headers, rows)])
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_MIME)


# ====================================================================== applications


@login_required
def application_list(request):
    user = request.user
    status = request.GET.get("status") or None
    category = request.GET.get("category") or None
    q = (request.GET.get("q") or "").strip() or None
    qs = selectors.applications_for(user, status=status, category=category, q=q)
    if request.GET.get("export") == "xlsx":
        rows = ([a.pk, a.enterprise.name, str(a.product), a.product.national_code or "", a.category,
                 a.declared_price, a.listing_price, a.get_status_display(),
                 a.submitted_at and timezone.localtime(a.submitted_at).strftime("%Y-%m-%d %H:%M"),
                 a.effective_date] for a in qs)
        return _xlsx("挂网申请", ["编号", "企业", "产品", "国家医保编码", "类别", "申报价", "拟挂网价", "状态", "提交时间",
                                   "集中挂网日期"], rows)
    return render(request, "listing/application_list.html", {
        "page": _page(request, qs), "statuses": ApplicationStatus.choices, "categories": rules.CATEGORY_CHOICES,
        "status": status, "category": category, "q": q or "",
    })


def _apply_context(request, product, form, evaluation=None):
    category = form["category"].value() or (form.initial.get("category") if form.initial else None)
    facts = selectors.product_facts(product, timezone.localdate())
    suggested = [c for c in rules.suggest_categories(facts) if rules.category_fits_kind(c, product.kind)]
    return {
        "product": product, "form": form, "evaluation": evaluation, "suggested": suggested,
        "suggested_labels": [(c, rules.CATEGORY_LABELS[c]) for c in suggested],
        "documents": form.document_rows(category) if category in rules.CATEGORY_LABELS else [],
        "category": category, "batch_date": batch.next_batch_date(timezone.localdate()),
        "lowest": selectors.national_lowest(product, timezone.localdate()),
        "province_count": selectors.province_count(product, timezone.localdate()),
        "size_limit": size_limit_text(form.upload_max_bytes),
    }


@login_required
def apply(request):
    """Step 1: pick one of the enterprise's products; step 2: the application form."""
    user = request.user
    if not user.has_perm("listing.apply"):
        raise Http404
    pid = request.GET.get("product") or request.POST.get("product")
    if not pid:
        products = Product.objects.editable_by(user).order_by("generic_name", "specification")
        q = (request.GET.get("q") or "").strip()
        if q:
            products = products.filter(Q(generic_name__icontains=q) | Q(national_code__icontains=q))
        return render(request, "listing/apply_pick.html", {
            "page": _page(request, products), "q": q, "register_url": _catalogue_register_url(),
            "drafts": pending.drafts_for(user, APPLICATION_DRAFT_KIND).select_related("created_by")[:20],
        })
    try:
        product = selectors.product_for_enterprise(user, pid)
    except NotFound:
        raise Http404 from None
    draft = None
    draft_id = request.GET.get("draft") or request.POST.get("draft")
    if draft_id:
        try:
            draft = pending.draft_for(user, APPLICATION_DRAFT_KIND, draft_id)
        except NotFound:
            raise Http404 from None
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, product=product)
        ready = _bind_application_form(request, form, product)
        if request.POST.get("save_draft"):
            draft = pending.save_draft(user, kind=APPLICATION_DRAFT_KIND, subject=product.pk, title=str(product),
                                       draft=draft, data=_draft_data(request.POST, form), uploads=form.kept.values())
            messages.success(request, _("草稿已保存：可随时从“挂网申请”继续填写并提交。"))
            return redirect(f"{reverse('listing:apply')}?product={product.pk}&draft={draft.pk}")
        if ready:
            app = _submit(request, form, applications.application_submit, product=product,
                          **form.service_kwargs())
            if app is not None:
                if draft is not None:
                    pending.delete_draft(draft)
                messages.success(request, _("挂网申请已提交，等待省医保局审核。"))
                return redirect("listing:application_detail", app.pk)
        messages.error(request, _("申请未提交：请按各项提示修改（已上传的文件已保留，无需重新选择）。"))
    elif draft is not None:
        form = ApplicationForm(initial=draft.data, product=product)
        form.load_kept(user, draft.data.get("files"))
    else:
        facts = selectors.product_facts(product, timezone.localdate())
        suggested = rules.suggest_categories(facts)
        form = ApplicationForm(initial={"category": request.GET.get("category") or suggested[0]}, product=product)
    ctx = _apply_context(request, product, form)
    ctx["draft"] = draft
    return render(request, "listing/apply_form.html", ctx)


def _bind_application_form(request, form, product, existing=frozenset(), application=None) -> bool:
    """Validate the bound form, keep its files, and when a field is wrong still run the rules and
    name every missing document — all errors at once (issue 15 item 2). True when the service
    may be called."""
    valid = form.is_valid()
    form.keep_files(request.user)
    if valid and not form.errors:
        return True
    if not form.has_error("declared_price") and not form.has_error("category"):
        # The rules' own refusals (the price above its cap …) even though another field is wrong.
        try:
            evaluation = applications.application_check(user=request.user, product=product,
                                                        exclude_application=application, **form.service_kwargs())
        except (KeyError, DomainError):
            evaluation = None
        for item in evaluation.violations() if evaluation else ():
            if not (item["field"] in form.fields and form.has_error(item["field"])):
                add_domain_errors(form, RuleViolation(item["code"], item["detail"], item["field"]))
    category = form.cleaned_data.get("category") or form.data.get("category")
    if category in rules.CATEGORY_LABELS:
        provided = set(existing) | {name.removeprefix("doc_") for name in form.kept}
        for item in applications.missing_document_errors(
                category, provided=provided, via_reference=bool(form.cleaned_data.get("via_reference")),
                has_records=selectors.has_other_records(product, timezone.localdate())):
            if not form.has_error(item["field"]):
                add_domain_errors(form, InvalidInput(item["detail"], item["field"], code=item["code"]))
    return False


def _submit(request, form, service, **kwargs):
    """Call the submitting service with the kept files; on refusal every error goes next to its
    field and the files stay kept. Returns the application, or None when refused."""
    files = form.documents()
    try:
        app = service(user=request.user, documents=files, note=form.cleaned_data.get("note", ""), **kwargs)
    except DomainError as exc:
        refuse_if_forbidden(exc)
        add_domain_errors(form, exc)
        return None
    finally:
        for f in files.values():
            f.close()
    pending.discard_uploads(form.kept.values())
    return app


def _draft_data(post, form) -> dict:
    """What a draft keeps: every typed value of the form (files apart, kept by id)."""
    data = {name: post.get(name) for name in form.fields if name in post and name not in form.file_field_names()}
    data["files"] = form.kept_ids()
    return data


@login_required
@require_POST
def apply_check(request):
    """The "check" step (htmx): evaluate the rules for what is typed, show the numbers."""
    user = request.user
    if not user.has_perm("listing.apply"):
        raise Http404
    try:
        product = selectors.product_for_enterprise(user, request.POST.get("product"))
    except NotFound:
        raise Http404 from None
    form = ApplicationForm(request.POST, product=product)
    evaluation, error = None, None
    if form.is_valid():
        app = None
        if request.POST.get("application"):
            app = ListingApplication.objects.visible_to(user).filter(pk=request.POST["application"]).first()
        try:
            evaluation = applications.application_check(user=user, product=product, exclude_application=app,
                                                    **form.service_kwargs())
        except DomainError as exc:
            refuse_if_forbidden(exc)
            error = exc.detail
    category = form.cleaned_data.get("category") if hasattr(form, "cleaned_data") else None
    docs = rules.required_documents(category, via_reference=bool(form.cleaned_data.get("via_reference")),
                                    has_other_records=selectors.has_other_records(product, timezone.localdate())) \
        if category else []
    return render(request, "listing/_check.html", {"evaluation": evaluation, "form": form, "error": error,
                                                   "required_docs": docs})


def _application_or_404(user, pk):
    app = (ListingApplication.objects.visible_to(user)
           .select_related("product", "enterprise", "product__manufacturer", "expert_case__session", "review_city")
           .filter(pk=pk).first())
    if app is None:
        raise Http404
    return app


def _expert_context(user, app) -> dict:
    """EXP-1 / EXP-2 on the review page: the attached session, its drawn experts (regulators
    only) and the negotiated price; for the province, the sessions it may attach to."""
    if not (selectors.needs_expert(app) or selectors.may_enter_expert(app)):
        return {}
    case = app.expert_case
    ctx = {"expert": {"case": case, "price": selectors.expert_price(app), "drawn": [], "show_drawn": user.has_perm("listing.view_regulator"),
                      "negotiation": app.category in selectors.EXPERT_NEGOTIATION_CATEGORIES}}
    if case is not None and user.has_perm("listing.view_regulator"):
        draw = case.session.current_draw()
        if draw is not None:
            ctx["expert"]["drawn"] = draw_rows(draw)[0]
            ctx["expert"]["verdicts"] = review_status(case)[2]  # EXP-1: each drawn expert's verdict
    if case is None and applications.can_decide(user, app=app) and app.status == ApplicationStatus.SUBMITTED:
        sessions = ExpertSession.objects.filter(purpose=selectors.EXPERT_SESSION_PURPOSE.get(app.category),
                                                status="planned")
        # LST-C4: under the city review, only the review city's own sessions.
        sessions = sessions.filter(city_id=app.review_city_id) if app.city_review else sessions.filter(city__isnull=True)
        ctx["expert"]["sessions"] = sessions.order_by("date", "id")
    return ctx


@login_required
@require_POST
def application_attach_expert(request, pk):
    user = request.user
    app = _application_or_404(user, pk)
    session = ExpertSession.objects.filter(pk=request.POST.get("session") or 0).first()
    if session is None:
        messages.error(request, _("请选择专家场次"))
    else:
        try:
            applications.application_attach_expert_session(user=user, application=app, session=session)
            messages.success(request, _("已提交专家场次。"))
        except DomainError as exc:
            refuse_if_forbidden(exc)
            messages.error(request, exc.detail)
    return redirect("listing:application_detail", app.pk)


@login_required
def application_detail(request, pk):
    user = request.user
    app = _application_or_404(user, pk)
    return render(request, "listing/application_detail.html", {
        **_expert_context(user, app),
        "app": app, "documents": app.documents.filter(superseded_at__isnull=True),
        "old_documents": app.documents.filter(superseded_at__isnull=False), "trail": app.trail.select_related("user"),
        "can_review": applications.can_decide(user, app=app) and app.status == ApplicationStatus.SUBMITTED,
        "can_edit": user.has_perm("listing.apply") and app.status == ApplicationStatus.RETURNED,
        "can_withdraw": user.has_perm("listing.apply") and app.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.RETURNED),
        "decision_form": DecisionForm(), "evaluation": app.evaluation or {},
        "rise_flags": app.rise_flags.all() if user.has_perm("listing.view_regulator") else [],
        "pending_rise": _pending_rise(user, app),
    })


def _pending_rise(user, app):
    """LST-0.4 / BAD-1 on the review page: the product's current listing price when the price to
    be confirmed is above it (an LST-8.1 rise), so the province sees the rise before deciding."""
    if not user.has_perm("listing.view_regulator") or app.status != ApplicationStatus.SUBMITTED or app.listing_price is None:
        return None
    current = selectors.current_listing(app.product)
    if current is None or not rules.is_rise(current.price, app.listing_price):
        return None
    return {"current": current.price, "new": app.listing_price, "rise": app.listing_price - current.price}


@login_required
def application_edit(request, pk):
    """After a return for supplement: edit and resubmit."""
    user = request.user
    app = _application_or_404(user, pk)
    if not user.has_perm("listing.apply") or app.status != ApplicationStatus.RETURNED:
        raise Http404
    product = app.product
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, product=product)
        existing = set(app.documents.filter(superseded_at__isnull=True).values_list("code", flat=True))
        if _bind_application_form(request, form, product, existing=existing, application=app):
            kw = form.service_kwargs()
            kw.pop("category")
            if _submit(request, form, applications.application_resubmit, application=app, **kw) is not None:
                messages.success(request, _("已重新提交，等待省医保局审核。"))
                return redirect("listing:application_detail", app.pk)
    else:
        form = ApplicationForm(product=product, initial={
            "category": app.category, "declared_price": app.declared_price.normalize(), "via_reference": app.via_reference,
            "reference_listing": app.reference_listing_id, "set_price": app.set_price or "",
            "previously_selected": app.previously_selected, "filing_count": app.filing_count,
            "original_listing": app.original_listing_id, "note": app.note,
        })
    form.fields["category"].disabled = True
    ctx = _apply_context(request, product, form)
    ctx.update({"app": app, "existing_docs": set(app.documents.filter(superseded_at__isnull=True).values_list("code", flat=True))})
    return render(request, "listing/apply_form.html", ctx)


@login_required
@require_POST
def application_decide(request, pk, action):
    user = request.user
    app = _application_or_404(user, pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("reason", "")
    try:
        if action == "confirm":
            applications.application_confirm(user=user, application=app, reason=reason,
                                         listing_price=form.cleaned_data.get("listing_price") or None)
            messages.success(request, _("已确认，将于集中挂网日生效。"))
        elif action == "refuse":
            applications.application_refuse(user=user, application=app, reason=reason)
            messages.success(request, _("已作出不予挂网决定。"))
        elif action == "return":
            applications.application_return(user=user, application=app, reason=reason)
            messages.success(request, _("已退回企业补充材料。"))
        elif action == "withdraw":
            applications.application_withdraw(user=user, application=app, reason=reason)
            messages.success(request, _("申请已撤回。"))
        else:
            raise Http404
    except DomainError as exc:
        refuse_if_forbidden(exc)
        messages.error(request, exc.detail)
    return redirect("listing:application_detail", app.pk)


@login_required
def document_download(request, pk):
    doc = get_object_or_404(ApplicationDocument.objects.select_related("application"), pk=pk)
    if not can_see(request.user, doc.application):
        raise Http404
    return FileResponse(doc.file.open("rb"), as_attachment=False, filename=doc.original_name, content_type=doc.mime)


@login_required
def review_queue(request):
    user = request.user
    if not user.has_perm("listing.view_regulator"):
        raise Http404
    qs = selectors.review_queue(user)
    category = request.GET.get("category") or None
    if category:
        qs = qs.filter(category=category)
    return render(request, "listing/review_queue.html", {
        "page": _page(request, qs), "categories": rules.CATEGORY_CHOICES, "category": category,
        "can_review": user.has_perm("listing.review"),
    })


# ====================================================================== listings


@login_required
def listing_list(request):
    user = request.user
    qs = Listing.objects.visible_to(user).select_related("product", "product__manufacturer").with_linkage_overdue()
    if is_enterprise(user):
        qs = qs.filter(product__manufacturer_id=user.organisation_id)
    filters = ListingFilter(request.GET, queryset=qs)
    qs = filters.qs
    status = request.GET.get("status") or None
    q = (request.GET.get("q") or "").strip()
    if request.GET.get("export") == "xlsx":
        rows = ([lst.pk, str(lst.product), lst.product.national_code or "", lst.product.manufacturer.name, lst.category,
                 lst.price, lst.get_status_display(), lst.effective_date] for lst in qs)
        return _xlsx("挂网产品", ["编号", "产品", "国家医保编码", "生产企业", "类别", "挂网价", "状态", "挂网日期"], rows)
    return render(request, "listing/listing_list.html", {
        "page": _page(request, qs), "statuses": ListingStatus.choices, "status": status, "q": q,
    })


@login_required
def listing_detail(request, pk):
    user = request.user
    listing = get_object_or_404(Listing.objects.visible_to(user).select_related("product", "product__manufacturer")
                                .with_linkage_overdue(), pk=pk)
    own = user.has_perm("listing.manage_own_listing", listing)
    return render(request, "listing/listing_detail.html", {
        "listing": listing, "changes": listing.price_changes.select_related("changed_by").order_by("-changed_at"),
        "applications": listing.applications.order_by("-submitted_at"),
        "status_history": _status_history(listing),
        "can_change_status": user.has_perm("listing.change_status"), "status_form": StatusForm(),
        "can_request_delist": own and listing.status != ListingStatus.DELISTED,
        "delist_form": DelistRequestForm(),
        "delist_requests": listing.delist_requests.order_by("-requested_at") if (own or user.has_perm("listing.view_regulator")) else [],
        "quality_events": listing.product.quality_events.all() if user.has_perm("listing.view_regulator") or own else [],
        "rise_flags": listing.rise_flags.all() if user.has_perm("listing.view_regulator") else [],
    })


def _status_history(listing):
    """The listing's status changes (from its pghistory events), newest first."""
    rows, last = [], None
    for e in listing.events.order_by("pgh_created_at", "pgh_id"):
        if e.status != last:
            rows.append(e)
            last = e.status
    return list(reversed(rows))


@login_required
@require_POST
def listing_status(request, pk):
    user = request.user
    listing = get_object_or_404(Listing.objects.visible_to(user), pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写理由并选择依据。"))
        return redirect("listing:listing_detail", pk)
    try:
        status_services.listing_set_status(user, listing=listing, action=form.cleaned_data["action"], rule=form.cleaned_data["rule"],
                            reason=form.cleaned_data["reason"])
        messages.success(request, _("挂网状态已变更。"))
    except DomainError as exc:
        refuse_if_forbidden(exc)
        messages.error(request, exc.detail)
    return redirect("listing:listing_detail", pk)


@login_required
@require_POST
def delist_request(request, pk):
    user = request.user
    listing = get_object_or_404(Listing.objects.visible_to(user), pk=pk)
    form = DelistRequestForm(request.POST)
    if form.is_valid():
        try:
            status_services.delist_request_create(user=user, listing=listing, reason_kind=form.cleaned_data["reason_kind"],
                                    note=form.cleaned_data.get("note", ""))
            messages.success(request, _("撤网申请已提交，等待省医保局审核。"))
        except DomainError as exc:
            refuse_if_forbidden(exc)
            messages.error(request, exc.detail)
    return redirect("listing:listing_detail", pk)


@login_required
def delist_queue(request):
    user = request.user
    if not user.has_perm("listing.change_status"):
        raise Http404
    if request.method == "POST":
        req = get_object_or_404(DelistRequest, pk=request.POST.get("request"))
        try:
            status_services.delist_request_decide(user=user, request=req, approve=request.POST.get("decision") == "approve",
                                   reason=request.POST.get("reason", ""))
            messages.success(request, _("已处理撤网申请。"))
        except DomainError as exc:
            refuse_if_forbidden(exc)
            messages.error(request, exc.detail)
        return redirect("listing:delist_queue")
    qs = DelistRequest.objects.visible_to(user).select_related("listing__product", "enterprise")
    pending = qs.filter(status=DelistStatus.PENDING)
    return render(request, "listing/delist_queue.html", {"pending": pending, "page": _page(request, qs)})


@login_required
def quality_events(request):
    user = request.user
    if not user.has_perm("listing.record_quality_event"):
        raise Http404
    form = QualityEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["product_code"].strip()
        product = Product.objects.filter(Q(national_code=code) | Q(pk=int(code) if code.isdigit() else -1)).first()
        if product is None:
            form.add_error("product_code", _("未找到该产品"))
        else:
            try:
                status_services.quality_event_record(user=user, product=product, **{
                    k: form.cleaned_data[k] for k in ("kind", "event_date", "authority_level", "severity", "description")})
                messages.success(request, _("质量事件已记录。"))
                return redirect("listing:quality_events")
            except DomainError as exc:
                refuse_if_forbidden(exc)
                add_domain_errors(form, exc)
    qs = QualityEvent.objects.visible_to(user).select_related("product", "enterprise", "recorded_by")
    return render(request, "listing/quality_events.html", {"form": form, "page": _page(request, qs)})


@login_required
def price_rise_list(request):
    """LST-0.4 / BAD-1: every listing-price rise, flagged for the regulators; the province
    records what it found."""
    user = request.user
    if not user.has_perm("listing.view_regulator"):
        raise Http404
    if request.method == "POST":
        if not user.has_perm("listing.record_quality_event"):
            raise Http404
        flag = get_object_or_404(PriceRiseFlag.objects.visible_to(user), pk=request.POST.get("flag") or 0)
        try:
            status_services.price_rise_review(user=user, flag=flag, note=request.POST.get("review_note", ""))
            messages.success(request, _("已记录核查意见。"))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("listing:price_rise_list")
    status = request.GET.get("status") or ""
    q = (request.GET.get("q") or "").strip()
    qs = PriceRiseFlag.objects.visible_to(user).select_related("listing__product__manufacturer", "application")
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(listing__product__generic_name__icontains=q)
                       | Q(listing__product__manufacturer__name__icontains=q))
    if request.GET.get("export") == "xlsx":
        rows = ([timezone.localtime(f.created_at).strftime("%Y-%m-%d %H:%M"), str(f.listing.product),
                 f.listing.product.manufacturer.name, f.old_price, f.new_price, f.rise, f.rule, f.reason,
                 f.get_status_display(), f.review_note] for f in qs)
        return _xlsx("涨价监测", ["标记时间", "产品", "生产企业", "原挂网价", "新挂网价", "上涨", "依据", "说明", "状态",
                                 "核查意见"], rows)
    return render(request, "listing/price_rise_list.html", {
        "page": _page(request, qs), "statuses": PriceRiseStatus.choices, "status": status, "q": q,
        "can_review": user.has_perm("listing.review"),
    })


# ====================================================================== public (PUB-1)


def public(request):
    """Published listing results: no sign-in (PUB-1)."""
    q = (request.GET.get("q") or "").strip()
    category = request.GET.get("category") or None
    kind = request.GET.get("kind") or None
    month = (request.GET.get("month") or "").strip() or None
    status = request.GET.get("status") or None
    qs = selectors.public_listings(q=q or None, category=category, kind=kind, month=month, status=status)
    if request.GET.get("export") == "xlsx":  # PUB-1: every public list exports
        rows = ((str(li.product), li.product.national_code or "", str(li.product.manufacturer), li.price, li.category,
                 li.effective_date, li.get_status_display()) for li in qs[:50000])
        return xlsx_response("挂网结果公示.xlsx", [_("产品"), _("国家医保编码"), _("生产企业"), _("挂网价（元）"), _("挂网类别"),
                                                  _("生效日期"), _("状态")], rows, title=_("挂网结果"))
    return render(request, "listing/public.html", {
        "page": _page(request, qs), "q": q, "category": category, "kind": kind, "month": month or "",
        "status": status, "categories": rules.CATEGORY_CHOICES, "statuses": ListingStatus.choices,
    })

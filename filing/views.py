"""Filing pages: thin views over services and selectors (every table exports to .xlsx)."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog.models import OtherProvincePrice, Product
from core.errors import DomainError
from core.exports import xlsx_response
from core.permissions import require_page
from experts.models import ExpertSession
from listing import rules as listing_rules
from orders.pricing import prices_in_force
from orders.services import ordering
from parties.models import Organisation, Region

from . import rules, selectors, services
from .filters import FilingFilter
from .models import FilingKind, FilingRequest, FilingStatus

HEADERS = ["备案编号", "类别", "备案医疗机构", "设区市", "产品", "国家医保编码", "生产企业", "备案价格", "约定价格",
           "预计数量", "确认部门", "状态", "集中确认日/公示日", "生效日", "应急采购案件", "存量备案"]


def _row(f):
    return (f.number, f.get_kind_display(), f.institution.name, f.institution.city.name if f.institution.city else "",
            str(f.product), f.product.national_code or "", f.enterprise.name, f.price, f.agreed_price, f.quantity,
            f.confirming_city.name if f.confirming_city else f.get_confirming_body_display(), f.get_status_display(),
            f.batch_date or f.announce_on, f.confirmed_on, f.emergency_case_ref, "是" if f.legacy else "")


# The ordering page's address at the end of a FIL-1/FIL-C1 refusal (after "：" or ": ").
ORDER_LINK = re.compile(r"[：:]\s*(/\S*)$")


def _error_text(exc: DomainError) -> str:
    return _("%(detail)s（依据：%(rule)s）") % {"detail": exc.detail, "rule": exc.code} if "-" in exc.code else exc.detail


# Fields the request form shows an error next to; any other refusal is shown above the form.
FORM_FIELDS = {"kind", "institution", "national_code", "product", "generic_name", "enterprise", "price", "quantity",
               "doc_A"}


def _page(request, qs):
    return Paginator(qs, 20).get_page(request.GET.get("page"))


@login_required
def filing_list(request):
    g = request.GET
    filters = {k: (g.get(k) or "").strip() for k in ("q", "kind", "status", "city", "body")}
    if g.get("queue"):
        qs = selectors.queue_for(request.user).select_related("institution", "institution__city", "product",
                                                               "enterprise", "confirming_city")
    else:
        qs = FilingFilter(g, queryset=selectors.filings_for(request.user)).qs
    if g.get("export") == "xlsx":
        return xlsx_response(f"备案采购-{timezone.localdate():%Y%m%d}.xlsx", HEADERS,
                             (_row(f) for f in qs.iterator(chunk_size=2000)), title="备案采购")
    return render(request, "filing/list.html", {
        "page": _page(request, qs), **filters, "queue": bool(g.get("queue")), "kinds": FilingKind.choices,
        "statuses": FilingStatus.choices, "cities": Region.objects.filter(level="city").order_by("code"),
    })


@login_required
def filing_new(request):
    require_page(request.user, "filing.request")
    values = {k: request.POST.get(k, request.GET.get(k, "")) for k in (
        "kind", "national_code", "generic_name", "dosage_form", "specification", "consumable_class", "enterprise",
        "price", "quantity", "reason", "emergency_case_ref")}
    errors = {}
    if request.method == "POST":
        try:
            enterprise = None
            if values["enterprise"]:
                enterprise = Organisation.objects.filter(pk=values["enterprise"], kind="manufacturer").first()
            filing = services.filing_submit(
                request.user, kind=values["kind"], national_code=values["national_code"],
                new_product={k: values[k] for k in ("generic_name", "dosage_form", "specification", "consumable_class")},
                enterprise=enterprise, price=values["price"], quantity=values["quantity"], reason=values["reason"],
                documents={"A": request.FILES.get("doc_A")} if request.FILES.get("doc_A") else None,
                emergency_case_ref=values["emergency_case_ref"],
            )
        except DomainError as exc:
            field = "doc_A" if exc.field == "documents.A" else exc.field
            text = _error_text(exc)
            link = ORDER_LINK.search(exc.detail) if exc.code in ("FIL-1", "FIL-C1") else None
            if link:
                # "already listed": the message ends with the ordering page's address — shown as a link.
                errors["order_link"] = link.group(1)
                text = _("%(detail)s（依据：%(rule)s）") % {"detail": exc.detail[:link.start()], "rule": exc.code}
            errors[field if field in FORM_FIELDS else "form"] = text
        else:
            messages.success(request, _("备案申请 %(number)s 已提交，待生产企业提供挂网记录和最低价。") % {"number": filing.number})
            return redirect(filing)
    return render(request, "filing/form.html", {
        "values": values, "errors": errors, "kinds": FilingKind.choices,
        "enterprises": Organisation.objects.filter(kind="manufacturer", is_active=True).order_by("name"),
        "doc_a": rules.DRUG_DOCUMENTS["A"],
    })


def _get(request, pk) -> FilingRequest:
    f = FilingRequest.objects.visible_to(request.user).select_related(
        "institution", "product", "enterprise", "confirming_city", "decided_by", "expert_case__session").filter(pk=pk).first()
    if f is None:
        raise Http404
    return f


@login_required
def filing_detail(request, pk):
    f = _get(request, pk)
    user = request.user
    records = OtherProvincePrice.objects.in_force(timezone.localdate()).filter(product=f.product).order_by("price")
    ctx = {
        "f": f, "records": records, "documents": f.documents.all(), "trail": f.trail.select_related("user"),
        "doc_labels": rules.DRUG_DOCUMENTS, "price_in_force": services.price_in_force(f),
        "can_enterprise": user.has_perm("filing.answer_as_enterprise", f)
        and f.status == FilingStatus.AWAITING_ENTERPRISE,
        "can_decide": f.status == FilingStatus.SUBMITTED and user.has_perm("filing.decide", f),
        "can_withdraw": user.has_perm("filing.withdraw", f)
        and f.status in (FilingStatus.AWAITING_ENTERPRISE, FilingStatus.SUBMITTED, FilingStatus.RETURNED),
        "sessions": ExpertSession.objects.filter(purpose="consumable_review").exclude(status="closed")[:20]
        if f.needs_expert and not f.expert_case_id else [],
        "shop_url": services.shop_url(f.product),
        "can_list": user.has_perm("filing.answer_as_enterprise", f) and f.is_consumable
        and f.status == FilingStatus.CONFIRMED,
        "listing_category": services.listing_category(f),
        "listing_documents": listing_rules.all_documents(services.listing_category(f)),
    }
    return render(request, "filing/detail.html", ctx)


@login_required
@require_POST
def filing_enterprise(request, pk):
    p = request.POST
    try:
        docs = {c: request.FILES.get(f"doc_{c}") for c in rules.ENTERPRISE_DOCUMENTS if request.FILES.get(f"doc_{c}")}
        services.enterprise_respond(request.user, pk, lowest_price=p.get("lowest_price"),
                                    agreed_price=p.get("agreed_price"), agreed_quantity=p.get("agreed_quantity"),
                                    documents=docs, decline=p.get("decision") == "decline", reason=p.get("reason", ""))
        messages.success(request, _("已提交，备案转医保部门审核。") if p.get("decision") != "decline" else _("已退回备案机构。"))
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        messages.error(request, _error_text(exc))
    return redirect("filing:detail", pk=pk)


@login_required
@require_POST
def filing_decide(request, pk):
    p = request.POST
    try:
        if p.get("action") == "expert":
            session = ExpertSession.objects.filter(pk=p.get("session") or 0).first()
            if session is None:
                raise Http404
            services.attach_expert_session(request.user, pk, session=session)
            messages.success(request, _("已提交专家评审场次。"))
        else:
            f = services.filing_decide(request.user, pk, action=p.get("action", ""), reason=p.get("reason", ""))
            messages.success(request, _("已处理：%(status)s。") % {"status": f.get_status_display()})
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        messages.error(request, _error_text(exc))
    return redirect("filing:detail", pk=pk)


@login_required
@require_POST
def filing_withdraw(request, pk):
    try:
        services.filing_withdraw(request.user, pk, reason=request.POST.get("reason", ""))
        messages.success(request, _("已撤回备案申请。"))
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        messages.error(request, _error_text(exc))
    return redirect("filing:detail", pk=pk)


def _regulator_only(user):
    if not user.is_regulator:
        raise PermissionDenied


@login_required
def publication(request):
    """FIL-3 / FIL-C1: drug filings waiting for the monthly batch, consumables waiting for or
    in 公示, and the recent confirmations."""
    _regulator_only(request.user)
    kind = request.GET.get("kind") or ""
    city = request.GET.get("city") or ""
    qs = selectors.filings_for(request.user, kind=kind, city=city).filter(
        status__in=[FilingStatus.APPROVED, FilingStatus.ANNOUNCED, FilingStatus.CONFIRMED]).order_by(
        "status", "batch_date", "announce_on", "-confirmed_on")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"备案集中确认与公示-{timezone.localdate():%Y%m%d}.xlsx", HEADERS,
                             (_row(f) for f in qs.iterator(chunk_size=2000)), title="集中确认与公示")
    return render(request, "filing/publication.html", {
        "page": _page(request, qs), "kind": kind, "city": city, "kinds": FilingKind.choices,
        "cities": Region.objects.filter(level="city").order_by("code"),
    })


@login_required
def unpurchased(request):
    _regulator_only(request.user)
    qs = selectors.unpurchased(request.user).order_by("-escalated_on", "unpurchased_since")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"备案未采购名单-{timezone.localdate():%Y%m%d}.xlsx",
                             [*HEADERS, "提醒日", "列入名单日"],
                             ((*_row(f), f.unpurchased_since, f.escalated_on) for f in qs.iterator(chunk_size=2000)),
                             title="备案未采购")
    return render(request, "filing/unpurchased.html", {"page": _page(request, qs)})


@login_required
def legacy_import(request):
    """FIL-4: the province imports legacy filings from .xlsx — all or nothing."""
    require_page(request.user, "filing.import_legacy")
    result, errors = None, []
    if request.method == "POST":
        try:
            result = services.legacy_import(request.user, request.FILES.get("file"))
            messages.success(request, _("已导入 %(count)s 条存量备案。") % {"count": len(result)})
        except services.ImportRefused as exc:
            errors = exc.errors
            messages.error(request, exc.detail)
        except DomainError as exc:
            messages.error(request, _error_text(exc))
    return render(request, "filing/legacy.html", {"result": result, "errors": errors,
                                                  "headers": services.LEGACY_HEADERS})


def published(request):
    """PUB-1: published filing results, no sign-in."""
    q = (request.GET.get("q") or "").strip()
    kind = request.GET.get("kind") or ""
    qs = selectors.published(q=q, kind=kind)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"备案采购公示公布-{timezone.localdate():%Y%m%d}.xlsx",
                             ["备案编号", "类别", "备案医疗机构", "产品", "生产企业", "备案价格", "状态", "公示日", "公布/生效日"],
                             ((f.number, f.get_kind_display(), f.institution.name, str(f.product), f.enterprise.name,
                               services.price_in_force(f), f.get_status_display(), f.announce_on, f.confirmed_on)
                              for f in qs.iterator(chunk_size=2000)), title="备案采购公示公布")
    return render(request, "filing/published.html", {"page": _page(request, qs), "q": q, "kind": kind,
                                                     "kinds": FilingKind.choices})




@login_required
def order(request):
    """FIL-3: an institution orders its filed products at the filed price (orders.order_create,
    which asks the price-in-force registry: another institution's filing is refused)."""
    require_page(request.user, "filing.request")
    institution = request.user.organisation
    filings = (FilingRequest.objects.filter(institution=institution, status=FilingStatus.CONFIRMED)
               .select_related("product", "enterprise").order_by("product__generic_name"))
    quotes = prices_in_force(institution, [f.product_id for f in filings])
    error = ""
    if request.method == "POST":
        lines = [{"product_id": k[4:], "quantity": v.strip()} for k, v in request.POST.items()
                 if k.startswith("qty_") and v.strip()]
        code = (request.POST.get("national_code") or "").strip()
        if code and (request.POST.get("code_quantity") or "").strip():
            lines.append({"national_code": code, "quantity": request.POST["code_quantity"].strip()})
        if not lines:
            error = _("请至少填写一种产品的采购数量")
        else:
            try:
                created = ordering.order_create(request.user, lines=lines, note="备案采购")
            except DomainError as exc:
                error = _error_text(exc)
            else:
                messages.success(request, _("订单 %(number)s 已提交（备案采购价）。") % {"number": created.number})
                return redirect("orders:order_detail", pk=created.pk)
    rows = [{"f": f, "quote": quotes.get(f.product_id)} for f in filings]
    return render(request, "filing/order.html", {"rows": rows, "error": error,
                                                 "code": request.POST.get("national_code", "")})


@login_required
@require_POST
def filing_to_listing(request, pk):
    """FIL-C4: one step from a confirmed consumable filing to a listing application."""
    docs = {k[4:]: v for k, v in request.FILES.items() if k.startswith("doc_")}
    try:
        app = services.filing_to_listing(request.user, pk, documents=docs)
    except DomainError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        messages.error(request, _error_text(exc))
        return redirect("filing:detail", pk=pk)
    messages.success(request, _("已提交挂网申请（%(category)s），挂网生效前本备案继续有效。") % {"category": app.category})
    return redirect("listing:application_detail", app.pk)


@login_required
def payment_standards(request):
    """FIL-C5: the province (insurance regulator) sets the payment standard of filed consumables."""
    if not request.user.is_regulator:
        raise PermissionDenied
    errors, values = {}, {k: request.POST.get(k, "") for k in (
        "national_code", "amount", "comparable_standard", "effective_from", "reason")}
    if request.method == "POST":
        product = Product.objects.filter(national_code=values["national_code"].strip()).first()
        try:
            if product is None:
                raise DomainError("invalid", _("国家医保编码不在平台目录中"), "national_code")
            services.payment_standard_set(
                request.user, product=product, amount=values["amount"],
                comparable_standard=values["comparable_standard"], first_sale_in_province=bool(
                    request.POST.get("first_sale_in_province")),
                effective_from=parse_date(values["effective_from"]) if values["effective_from"] else None,
                reason=values["reason"])
        except DomainError as exc:
            errors[exc.field or "form"] = _error_text(exc)
        else:
            messages.success(request, _("已设定医保支付标准。"))
            return redirect("filing:payment_standards")
    qs = selectors.payment_standards().order_by("product__generic_name")
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"备案耗材医保支付标准-{timezone.localdate():%Y%m%d}.xlsx",
                             ["产品", "国家医保编码", "支付标准", "同类挂网产品支付标准", "国内首发在本省", "执行日期",
                              "过渡期至", "专家准入谈判启动日", "设定人", "理由"],
                             ((str(s.product), s.product.national_code, s.amount, s.comparable_standard,
                               "是" if s.first_sale_in_province else "否", s.effective_from, s.transition_until,
                               s.negotiation_opened_on, str(s.set_by), s.reason) for s in qs), title="支付标准")
    return render(request, "filing/payment_standards.html", {"page": _page(request, qs), "errors": errors,
                                                             "values": values})

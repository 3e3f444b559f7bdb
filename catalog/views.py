"""Catalogue pages (thin: selectors read, services write)."""

from io import BytesIO

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from core.errors import DomainError, Forbidden
from core.exports import safe_row
from core.forms import call_service
from core.uploads import XLSX_TYPES, check_upload
from jobs import imports
from parties.models import Organisation, OrgKind

from . import selectors, services
from .filters import FLAG_CHOICES, ProductFilter
from .forms import (
    CatalogueChangeForm,
    ChangeDecisionForm,
    PriceForm,
    PriceUploadForm,
    ProductChangeForm,
    ProductForm,
)
from .models import ChangeReviewer, ChangeStatus, ConsumableClass, Product, ProductKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request):
    """The product list's filter values as the page shows them back in its form."""
    return {
        "q": request.GET.get("q", "").strip(),
        "kind": request.GET.get("kind", ""),
        "flags": [f for f in request.GET.getlist("flag") if f],
        "manufacturer": request.GET.get("manufacturer", "") if request.GET.get("manufacturer", "").isdigit() else "",
        "consumable_class": request.GET.get("consumable_class", ""),
    }


def _products(request):
    return ProductFilter(request.GET, request=request, queryset=Product.objects.visible_to(request.user)).qs \
        .select_related("manufacturer")


def _form_error(form, exc: DomainError):
    form.add_error(exc.field if exc.field in form.fields else None, exc.detail)


@login_required
def product_list(request):
    filters = _filters(request)
    qs = _products(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "catalog/product_list.html", {
        "page": page, "filters": filters, "kinds": ProductKind.choices, "classes": ConsumableClass.choices,
        "flag_choices": FLAG_CHOICES,
        "manufacturers": Organisation.objects.filter(kind=OrgKind.MANUFACTURER).order_by("name"),
        "can_create": request.user.has_perm("catalog.register_product"),
    })


@login_required
def product_export(request):
    qs = _products(request)[:20000]
    wb = Workbook()
    ws = wb.active
    ws.title = _("产品目录")
    ws.append([_("国家医保编码"), _("类别"), _("通用名/产品名称"), _("剂型"), _("规格/规格型号"), _("包装单位"),
               _("转换比"), _("生产企业"), _("批准文号/注册证号"), _("耗材类别"), _("标识")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for p in qs:
        ws.append(safe_row(ws, [
            p.national_code or "", p.get_kind_display(), p.generic_name, p.dosage_form, p.specification, p.pack_unit,
            p.conversion, p.manufacturer.name, p.approval_number, p.get_consumable_class_display(),
            "、".join(p.flag_labels())]))
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="catalogue-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _product(request, pk):
    return get_object_or_404(Product.objects.visible_to(request.user).select_related("manufacturer"), pk=pk)


@login_required
def product_detail(request, pk, price_form=None, catalogue_form=None):
    product = _product(request, pk)
    user = request.user
    pending = selectors.pending_change(product) if (
        user.is_regulator or user.has_perm("catalog.propose_product_change", product)) else None
    return render(request, "catalog/product_detail.html", {
        "product": product,
        "lowest": selectors.national_lowest_price(product),
        "records": selectors.price_records(product),
        "history": selectors.price_history(product)[:200],
        "group": selectors.product_group(product).exclude(pk=product.pk)[:50],
        "catalogue_changes": product.catalogue_changes.select_related("by"),
        "can_edit": user.has_perm("catalog.change_product", product),
        "pending_change": pending,
        "pending_change_rows": selectors.change_rows(pending) if pending else (),
        "change_history": [(cr, selectors.change_rows(cr))
                           for cr in selectors.change_requests(user, product=product)[:50]],
        "can_record_price": user.has_perm("catalog.record_price", product),
        "can_maintain": user.has_perm("catalog.maintain_catalogue") and product.kind == ProductKind.CONSUMABLE,
        "price_form": price_form or PriceForm(initial={"effective_date": timezone.localdate().isoformat()}),
        "catalogue_form": catalogue_form or CatalogueChangeForm(),
    })


def _product_form_page(request, product=None):
    user = request.user
    with_manufacturer = user.is_province and product is None
    if product is not None and not user.has_perm("catalog.change_product", product):
        raise PermissionDenied(_("只能维护本企业的产品"))
    if product is None and not user.has_perm("catalog.register_product"):
        raise PermissionDenied(_("仅生产企业或省医保局可登记产品"))
    # QUA-1: a manufacturer's edit of an existing product is a change request, never a write.
    proposing = product is not None and not user.is_province
    form_class = ProductChangeForm if proposing else ProductForm
    pending = selectors.pending_change(product) if proposing else None
    if request.method == "POST":
        form = form_class(request.POST, instance=product, with_manufacturer=with_manufacturer)
        if form.is_valid():
            try:
                if proposing:
                    cr = services.product_change_propose(
                        user, product, changes=form.data_for_service(), reason=form.cleaned_data["reason"],
                        review_city=form.cleaned_data.get("review_city"))
                    messages.success(request, _("已提交信息变更申请（编号 %(n)s），经医保部门确认后生效") % {"n": cr.pk})
                    return redirect("catalog:product_detail", pk=product.pk)
                if product is None:
                    saved = services.product_create(user, form.data_for_service(),
                                                    manufacturer=form.cleaned_data.get("manufacturer"))
                else:
                    saved = services.product_update(user, product, form.data_for_service())
            except Forbidden as exc:
                raise PermissionDenied(exc.detail) from exc
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已保存产品“%(p)s”") % {"p": saved})
                return redirect("catalog:product_detail", pk=saved.pk)
    else:
        form = form_class(instance=product, with_manufacturer=with_manufacturer)
    return render(request, "catalog/product_form.html", {
        "form": form, "product": product, "proposing": proposing, "pending": pending,
    })


@login_required
def product_create(request):
    return _product_form_page(request)


@login_required
def product_edit(request, pk):
    return _product_form_page(request, _product(request, pk))


@login_required
@require_POST
def price_add(request, pk):
    product = _product(request, pk)
    form = PriceForm(request.POST)
    if form.is_valid() and call_service(form, services.price_record, request.user, product, **form.cleaned_data):
        messages.success(request, _("已录入外省价格"))
        return redirect("catalog:product_detail", pk=product.pk)
    return product_detail(request, pk, price_form=form)


@login_required
@require_POST
def catalogue_change(request, pk):
    product = _product(request, pk)
    form = CatalogueChangeForm(request.POST)
    if form.is_valid():
        action = services.catalogue_add if form.cleaned_data["action"] == "add" else services.catalogue_retire
        if call_service(form, action, request.user, product, form.cleaned_data["reason"]):
            messages.success(request, _("已更新阳光采购目录"))
            return redirect("catalog:product_detail", pk=product.pk)
    return product_detail(request, pk, catalogue_form=form)


@login_required
def price_upload(request):
    if not request.user.has_perm("catalog.upload_prices"):
        raise PermissionDenied(_("仅生产企业或医保部门可上传外省价格"))
    row_errors = []
    created = None
    if request.method == "POST":
        form = PriceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            # Only the cheap checks here (type, zip directory, macros); the rows are read by a worker.
            try:
                check_upload(form.cleaned_data["file"], allowed=XLSX_TYPES, field="file")
            except DomainError as exc:
                _form_error(form, exc)
                row_errors = exc.errors or []
            else:
                job = imports.start(request.user, "catalog.prices", form.cleaned_data["file"])
                return redirect("jobs:import_detail", pk=job.pk)
    else:
        form = PriceUploadForm()
    return render(request, "catalog/price_upload.html", {
        "form": form, "row_errors": row_errors, "created": created, "headers": services.UPLOAD_HEADERS,
    })


@login_required
def price_template(request):
    response = HttpResponse(services.price_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="other-province-prices-template.xlsx"'
    return response


# ------------------------------------------------------------------ QUA-1 change requests


def _change_filters(request):
    """The queue's filter values (catalog.filters.ChangeRequestFilter); a regulator's queue
    shows the pending requests unless another status is asked for."""
    default = "pending" if request.user.is_regulator else ""
    return {
        "status": request.GET.get("status", default),
        "kind": request.GET.get("kind", ""),
        "q": request.GET.get("q", "").strip(),
        "enterprise": request.GET.get("enterprise", "") if request.GET.get("enterprise", "").isdigit() else "",
        "reviewer": request.GET.get("reviewer", ""),
    }


@login_required
def change_list(request):
    """QUA-1: the reviewers' queue (province; cities for ordinary consumables / IVD reagents)
    and the manufacturer's own requests, with filters and .xlsx export."""
    user = request.user
    if not user.has_perm("catalog.view_change_requests"):
        raise PermissionDenied(_("无权查看产品信息变更申请"))
    filters = _change_filters(request)
    qs = selectors.change_requests(user, **filters)
    if request.GET.get("export") == "xlsx":
        return _change_export(qs)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(cr, selectors.change_rows(cr)) for cr in page]
    return render(request, "catalog/change_list.html", {
        "page": page, "rows": rows, "filters": filters, "statuses": ChangeStatus.choices,
        "kinds": ProductKind.choices, "reviewers": ChangeReviewer.choices,
        "enterprises": Organisation.objects.filter(kind=OrgKind.MANUFACTURER).order_by("name")
        if user.is_regulator else (),
    })


def _change_export(qs):
    wb = Workbook()
    ws = wb.active
    ws.title = _("产品信息变更")
    ws.append([_("编号"), _("产品"), _("国家医保编码"), _("申请企业"), _("变更内容"), _("变更说明及依据"),
               _("确认部门"), _("状态"), _("申请时间"), _("处理时间"), _("审核意见")])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for cr in qs[:20000]:
        changes = "；".join(f"{r['label']}：{r['old']} → {r['new']}" for r in selectors.change_rows(cr))
        reviewer = cr.review_city.name if cr.review_city_id else cr.get_reviewer_display()
        ws.append([cr.pk, str(cr.product), cr.product.national_code or "", cr.enterprise.name, changes, cr.reason,
                   reviewer, cr.get_status_display(), timezone.localtime(cr.proposed_at).replace(tzinfo=None),
                   timezone.localtime(cr.decided_at).replace(tzinfo=None) if cr.decided_at else None,
                   cr.decision_reason])
    ws.freeze_panes = "A2"
    buffer = BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="product-changes-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
def change_detail(request, pk):
    user = request.user
    cr = get_object_or_404(selectors.change_requests(user), pk=pk)
    form = ChangeDecisionForm()
    if request.method == "POST":
        action = request.POST.get("action", "decide")
        try:
            if action == "withdraw":
                services.product_change_withdraw(user, cr, reason=request.POST.get("reason", ""))
                messages.success(request, _("已撤回变更申请"))
                return redirect("catalog:product_detail", pk=cr.product_id)
            form = ChangeDecisionForm(request.POST)
            if form.is_valid():
                if form.cleaned_data["decision"] == "confirm":
                    services.product_change_confirm(user, cr, reason=form.cleaned_data["reason"])
                    messages.success(request, _("已确认，变更后的产品信息即时生效"))
                else:
                    services.product_change_refuse(user, cr, reason=form.cleaned_data["reason"])
                    messages.success(request, _("已不予确认，产品信息保持不变"))
                return redirect("catalog:change_detail", pk=cr.pk)
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "catalog/change_detail.html", {
        "cr": cr, "rows": selectors.change_rows(cr), "form": form,
        "can_review": cr.status == ChangeStatus.PENDING and user.has_perm("catalog.review_product_change", cr),
        "can_withdraw": cr.status == ChangeStatus.PENDING and user.has_perm("catalog.withdraw_product_change", cr),
    })

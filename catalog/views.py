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

from core.errors import DomainError, Forbidden, NotFound
from core.exports import safe_row
from parties.models import Organisation, OrgKind

from . import selectors, services
from .forms import CatalogueChangeForm, PriceForm, PriceUploadForm, ProductForm
from .models import ConsumableClass, Product, ProductKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request):
    return {
        "q": request.GET.get("q", "").strip(),
        "kind": request.GET.get("kind", ""),
        "flags": [f for f in request.GET.getlist("flag") if f],
        "manufacturer": request.GET.get("manufacturer", "") if request.GET.get("manufacturer", "").isdigit() else "",
        "consumable_class": request.GET.get("consumable_class", ""),
    }


def _form_error(form, exc: DomainError):
    form.add_error(exc.field if exc.field in form.fields else None, exc.detail)


@login_required
def product_list(request):
    filters = _filters(request)
    qs = selectors.search_products(request.user, **filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "catalog/product_list.html", {
        "page": page, "filters": filters, "kinds": ProductKind.choices, "classes": ConsumableClass.choices,
        "flag_choices": selectors.FLAG_CHOICES,
        "manufacturers": Organisation.objects.filter(kind=OrgKind.MANUFACTURER).order_by("name"),
        "can_create": request.user.is_province or request.user.role == "manufacturer",
    })


@login_required
def product_export(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    qs = selectors.search_products(request.user, **_filters(request))[:20000]
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
    return render(request, "catalog/product_detail.html", {
        "product": product,
        "lowest": selectors.national_lowest_price(product),
        "records": selectors.price_records(product),
        "history": selectors.price_history(product)[:200],
        "group": selectors.product_group(product).exclude(pk=product.pk)[:50],
        "catalogue_changes": product.catalogue_changes.select_related("by"),
        "can_edit": services.can_edit_product(user, product),
        "can_record_price": services.can_record_price(user, product),
        "can_maintain": services.can_maintain_catalogue(user) and product.kind == ProductKind.CONSUMABLE,
        "price_form": price_form or PriceForm(initial={"effective_date": timezone.localdate().isoformat()}),
        "catalogue_form": catalogue_form or CatalogueChangeForm(),
    })


def _product_form_page(request, product=None):
    user = request.user
    with_manufacturer = user.is_province and product is None
    if product is not None and not services.can_edit_product(user, product):
        raise PermissionDenied(_("只能维护本企业的产品"))
    if product is None and not (user.is_province or user.role == "manufacturer"):
        raise PermissionDenied(_("仅生产企业或省医保局可登记产品"))
    if request.method == "POST":
        form = ProductForm(request.POST, instance=product, with_manufacturer=with_manufacturer)
        if form.is_valid():
            try:
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
        form = ProductForm(instance=product, with_manufacturer=with_manufacturer)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


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
    if form.is_valid():
        try:
            services.price_record(request.user, product, **form.cleaned_data)
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
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
        try:
            action(request.user, product, form.cleaned_data["reason"])
        except Forbidden as exc:
            raise PermissionDenied(exc.detail) from exc
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已更新阳光采购目录"))
            return redirect("catalog:product_detail", pk=product.pk)
    return product_detail(request, pk, catalogue_form=form)


@login_required
def price_upload(request):
    if not services.can_upload_prices(request.user):
        raise PermissionDenied(_("仅生产企业或医保部门可上传外省价格"))
    row_errors = []
    created = None
    if request.method == "POST":
        form = PriceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created = services.price_upload(request.user, form.cleaned_data["file"])
            except (Forbidden, NotFound) as exc:
                raise PermissionDenied(exc.detail) from exc
            except DomainError as exc:
                _form_error(form, exc)
                row_errors = exc.errors or []
            else:
                messages.success(request, _("已导入 %(n)s 条外省价格") % {"n": len(created)})
                form = PriceUploadForm()
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

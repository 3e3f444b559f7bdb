"""The hospital's shop and cart pages (issue 15 item 1). Thin: `services.cart` decides.

A quantity typed on any page, search or filter is stored at once (one htmx POST per line, the
header's count and total swapped in); without JavaScript the page's form saves every quantity
of the page. The cart page is the confirmation step: every line with its price in force and
its basis, lines to re-confirm or refused with their rule; "下单" places ONE order."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.parsing import clean_id
from core.permissions import require_page
from parties.models import Organisation

from . import selectors
from .pricing import prices_in_force
from .services import cart as carts
from .services.ordering import BatchRefused
from .views import _domain_error, _page

SHOP_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _refusal(exc: DomainError) -> str:
    first = (exc.errors or [{}])[0] if isinstance(exc, BatchRefused) else {}
    code, detail = first.get("code", exc.code), first.get("detail", exc.detail)
    return detail if code in ("invalid", "conflict") else f"{detail}（{code}）"


def _summary(user) -> dict:
    count, total = carts.cart_summary(user)
    return {"cart_count": count, "cart_total": total}


def _back(request, default="orders:shop"):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


@login_required
def shop(request):
    """Search listed products with this institution's price in force and why; each quantity
    goes into the cart."""
    user = request.user
    require_page(user, "orders.use_cart")
    institution = user.organisation
    if request.method == "POST":  # without JavaScript: every quantity field of the page at once
        for key, value in request.POST.items():
            if not key.startswith("qty_") or not key[4:].isdigit():
                continue
            try:
                carts.cart_set(user, product_id=int(key[4:]), quantity=value)
            except DomainError as exc:
                if exc.status_code in (403, 404):
                    _domain_error(request, exc)
                messages.error(request, _refusal(exc))
        if request.POST.get("checkout"):
            return redirect("orders:cart")
        return _back(request)
    q = request.GET.get("q", "").strip()
    listings = selectors.shop_for(institution, q=q)
    page = _page(request, listings.order_by("product__generic_name", "id"), SHOP_PAGE)
    products = [li.product for li in page]
    quotes = prices_in_force(institution, products)
    distributors = selectors.distributors_for({p.manufacturer_id for p in products}, institution)
    names = dict(Organisation.objects.filter(pk__in=set(distributors.values())).values_list("id", "name"))
    held = carts.cart_quantities(user, [p.pk for p in products])
    rows = [{
        "listing": li, "product": li.product, "quote": quotes.get(li.product_id),
        "distributor": names.get(distributors.get(li.product.manufacturer_id)), "qty": held.get(li.product_id, ""),
    } for li in page]
    return render(request, "orders/shop.html", {"page": page, "rows": rows, "q": q, **_summary(user)})


@login_required
@require_POST
def cart_line(request, product_id):
    """Set one product's quantity (htmx from the shop page; a plain POST falls back to a redirect)."""
    user = request.user
    require_page(user, "orders.use_cart")
    raw = request.POST.get(f"qty_{product_id}", request.POST.get("quantity", ""))
    error = None
    try:
        line = carts.cart_set(user, product_id=product_id, quantity=raw)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            _domain_error(request, exc)
        error, line = _refusal(exc), None
    if not request.htmx:
        if error:
            messages.error(request, error)
        return _back(request)
    return render(request, "orders/_cart_line.html", {
        "product_id": product_id, "line": line, "error": error, "oob": True, **_summary(user)})


@login_required
def cart(request):
    """The confirmation step: every line, its price in force and basis, the total; place the order."""
    user = request.user
    require_page(user, "orders.use_cart")
    upload_errors, upload_message = [], ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "place":
                order = carts.cart_place(user, token=request.POST.get("token", ""), note=request.POST.get("note", ""))
                messages.success(request, _("订单 %(n)s 已提交，等待配送企业确认。") % {"n": order.number})
                return redirect("orders:order_detail", pk=order.pk)
            if action == "accept":
                n = carts.cart_accept_prices(user)
                messages.success(request, _("已按现行价格重新确认 %(n)s 行") % {"n": n})
            elif action == "remove":
                carts.cart_set(user, product_id=clean_id(request.POST.get("product"), "product"), quantity=0)
                messages.success(request, _("已从购物车移除"))
            elif action == "clear":
                carts.cart_clear(user)
                messages.success(request, _("购物车已清空"))
            elif action == "upload":
                upload = request.FILES.get("file")
                if upload is None:
                    upload_message = _("请选择要上传的 .xlsx 文件")
                else:
                    n = carts.cart_upload(user, upload)
                    messages.success(request, _("已从文件加入购物车 %(n)s 行") % {"n": n})
            else:
                messages.error(request, _("请求不完整"))
            if not upload_message:
                return redirect("orders:cart")
        except DomainError as exc:
            if action == "upload" and exc.status_code == 400:
                upload_message, upload_errors = exc.detail, exc.errors or []
            else:
                if exc.status_code in (403, 404):
                    _domain_error(request, exc)
                messages.error(request, _refusal(exc) if not isinstance(exc, BatchRefused) else exc.detail)
                if exc.code == "conflict" and not carts.cart_summary(user)[0]:
                    return redirect("orders:order_list")
                return redirect("orders:cart")
    current = carts.cart_get(user)
    return render(request, "orders/cart.html", {
        "cart": current, "upload_errors": upload_errors, "upload_message": upload_message,
        "max_mb": carts.UPLOAD_MAX_BYTES // 1048576, "max_rows": carts.UPLOAD_MAX_ROWS,
        "cart_count": current.count, "cart_total": current.total,
    }, status=400 if upload_message else 200)


@login_required
def cart_template(request):
    require_page(request.user, "orders.use_cart")
    response = HttpResponse(carts.cart_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="order-template.xlsx"'
    return response


@login_required
@require_POST
def reorder(request, pk):
    """Order detail's "再次采购": the order's lines into the cart at today's price."""
    user = request.user
    require_page(user, "orders.use_cart")
    try:
        added, refused = carts.cart_reorder(user, order_id=pk)
    except DomainError as exc:
        _domain_error(request, exc)
        return redirect("orders:order_detail", pk=pk)
    if added:
        messages.success(request, _("已按今日价格将 %(n)s 种产品加入购物车") % {"n": added})
    for r in refused:
        messages.error(request, _("%(product)s 不能再次采购：%(reason)s") % {
            "product": r.label, "reason": r.detail if r.code == "invalid" else f"{r.detail}（{r.code}）"})
    return redirect("orders:cart")

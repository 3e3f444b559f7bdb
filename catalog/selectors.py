"""Reads of the catalogue: search (CAT-3) and the one national-lowest-price selector (LST-0.3)."""

from datetime import date

from django.http import QueryDict
from django.utils import timezone

from .filters import ChangeRequestFilter, ProductFilter
from .models import (
    OtherProvincePrice,
    PriceLevel,
    Product,
    ProductChangeRequest,
    ProductKind,
)


def national_lowest_price(product, at: date | None = None, include_city: bool | None = None):
    """LST-0.3 / RULES §0: the lowest other-province listing (winning) price in force for
    `product` on `at` (today by default) — the OtherProvincePrice record (price, province,
    city, effective_date …), or None when no record is in force.

    Drugs count provincial platforms only; consumables also count city-level platforms
    (`include_city` overrides the default for the product's kind). Ties: the earliest
    effective record wins (it set the level first)."""
    at = at or timezone.localdate()
    if include_city is None:
        include_city = product.kind == ProductKind.CONSUMABLE
    qs = OtherProvincePrice.objects.in_force(at).filter(product=product)
    if not include_city:
        qs = qs.filter(level=PriceLevel.PROVINCE)
    return qs.order_by("price", "effective_date", "id").first()


def price_records(product, at: date | None = None):
    """Every other-province record of a product in force on `at`, cheapest first."""
    at = at or timezone.localdate()
    return OtherProvincePrice.objects.in_force(at).filter(product=product).select_related("entered_by").order_by(
        "price", "province", "city"
    )


def price_history(product):
    return OtherProvincePrice.objects.filter(product=product).select_related("entered_by").order_by(
        "-entered_at", "-id"
    )


def search_products(user, *, q="", kind="", flags=(), manufacturer=None, consumable_class="",
                    national_code="", updated_since=None, queryset=None):
    """CAT-3 catalogue search (catalog.filters.ProductFilter, the page's lenient form) for code
    that holds the values rather than a request. Scoped by `Product.objects.visible_to`."""
    data = QueryDict(mutable=True)
    data.update({"q": q or "", "kind": kind or "", "manufacturer": str(manufacturer or ""),
                 "consumable_class": consumable_class or "", "national_code": national_code or ""})
    data.setlist("flag", list(flags or ()))
    qs = ProductFilter(data, queryset=queryset if queryset is not None else Product.objects.visible_to(user)).qs
    if updated_since is not None:
        qs = qs.filter(updated_at__gt=updated_since)
    return qs.select_related("manufacturer")


def product_group(product):
    """CAT-3: products of the same drug (generic name + dosage form + specification)."""
    return Product.objects.same_drug(product).select_related("manufacturer")


def same_product(product):
    """CAT-3: same drug and same manufacturer."""
    return product_group(product).filter(manufacturer_id=product.manufacturer_id)


def product_by_code(code):
    return Product.objects.filter(national_code=code).first() if code else None


# ------------------------------------------------------------------ QUA-1 change requests

def change_requests(user, *, product=None, **filters):
    """QUA-1 change requests `user` may see (the review queue, an enterprise's own list, a
    product's history), newest first, narrowed by catalog.filters.ChangeRequestFilter's
    `filters` (status, kind, reviewer, enterprise, q)."""
    qs = ProductChangeRequest.objects.visible_to(user).select_related(
        "product", "enterprise", "review_city", "proposed_by", "decided_by")
    if product is not None:
        qs = qs.filter(product=product)
    if filters:
        qs = ChangeRequestFilter({k: v for k, v in filters.items() if v not in (None, "")}, queryset=qs).qs
    return qs.order_by("-proposed_at", "-id")


def pending_change(product):
    return ProductChangeRequest.objects.pending().filter(product=product).first()


def _display(name, value, products):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "generic_of_negotiated":
        return str(products.get(value, value))
    field = Product._meta.get_field(name)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def change_rows(request: ProductChangeRequest) -> list[dict]:
    """QUA-1: one row per changed attribute: label, value in force when proposed, proposed value."""
    ids = [v for n, v in (*request.changes.items(), *request.previous.items())
           if n == "generic_of_negotiated" and v]
    products = {p.pk: p for p in Product.objects.filter(pk__in=ids)} if ids else {}
    return [
        {"field": name, "label": str(Product._meta.get_field(name).verbose_name),
         "old": _display(name, request.previous.get(name), products),
         "new": _display(name, value, products)}
        for name, value in request.changes.items()
    ]

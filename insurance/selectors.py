"""Reads of payment standards and the ledger: the standard in force for a product and date,
a run's rows with filters, and ledger lists scoped to the user."""

from datetime import date

from django.db.models import Q

from .models import Deduction, PaymentStandard, StandardStatus


def _product_search(q: str) -> Q:
    """Name, national-code prefix or pinyin initials (amxl → 阿莫西林), as the catalogue searches."""
    cond = Q(product__generic_name__icontains=q) | Q(product__national_code__istartswith=q)
    letters = q.lower().replace(" ", "")
    if letters.isascii() and letters.isalnum():
        cond |= Q(product__name_initials__contains=letters)
    return cond


def standard_in_force(product, on: date):
    """The published standard of `product` for the year of `on` (None before publication)."""
    return (PaymentStandard.objects.filter(product=product, year=on.year, status=StandardStatus.PUBLISHED)
            .select_related("product", "run").first())


def run_standards(run, *, q="", rule="", adjusted=False):
    qs = run.standards.select_related("product", "product__manufacturer", "adjusted_by")
    if q:
        qs = qs.filter(_product_search(q))
    if rule:
        qs = qs.filter(rule=rule)
    if adjusted:
        qs = qs.filter(adjusted_at__isnull=False)
    return qs.order_by("product_id")


def published(year=None, q=""):
    qs = PaymentStandard.objects.filter(status=StandardStatus.PUBLISHED).select_related("product",
                                                                                         "product__manufacturer")
    if year:
        qs = qs.filter(year=year)
    if q:
        qs = qs.filter(_product_search(q))
    return qs.order_by("-year", "product__generic_name", "product_id")


def deductions(user):
    return Deduction.objects.visible_to(user).select_related("institution", "decided_by", "reverses")

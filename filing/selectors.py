"""Reads for filing: scoped lists, queues, the published list, and the evidence count other
channels read (LST-C2/LST-C4)."""

from datetime import date

from django.db.models import Exists, OuterRef, Q

from orders.models import ReceiptLine
from parties.permissions import is_city_regulator, is_manufacturer, is_province_regulator
from policy import services as policy

from .filters import FilingFilter
from .models import FilingRequest, FilingStatus, PaymentStandard


def filings_for(user, **filters):
    """The filings `user` may see, narrowed by `filters` (the FilingFilter's fields: q, kind,
    status, city, body) — the same FilterSet the list page and the API use."""
    qs = FilingRequest.objects.visible_to(user).select_related(
        "institution", "institution__city", "product", "enterprise", "confirming_city")
    return FilingFilter(filters, queryset=qs).qs if filters else qs


def queue_for(user):
    """What this user must act on: the enterprise its confirmations; a regulator the requests
    its body confirms."""
    qs = FilingRequest.objects.visible_to(user)
    if is_manufacturer(user):
        return qs.filter(status=FilingStatus.AWAITING_ENTERPRISE)
    if is_province_regulator(user):
        return qs.filter(status=FilingStatus.SUBMITTED, confirming_body="province")
    if is_city_regulator(user):
        return qs.filter(status=FilingStatus.SUBMITTED, confirming_body="city",
                         confirming_city_id=user.organisation.city_id)
    return qs.none()


def published(*, q="", kind=""):
    """PUB-1: confirmed filings and those in 公示 — public, no sign-in."""
    qs = FilingRequest.objects.filter(status__in=[FilingStatus.CONFIRMED, FilingStatus.ANNOUNCED]).select_related(
        "institution", "product", "enterprise").order_by("-confirmed_on", "-announce_on", "-id")
    if q:
        qs = qs.filter(Q(product__generic_name__icontains=q) | Q(product__national_code__iexact=q))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def unpurchased(user):
    """FIL-3: confirmed filings flagged by the must-be-bought job, for the body that confirmed them."""
    return FilingRequest.objects.visible_to(user).filter(
        status=FilingStatus.CONFIRMED, unpurchased_since__isnull=False).select_related("institution", "product")


def filing_institution_count(product, *, min_level: int, at: date | None = None,
                             require_purchase: bool | None = None) -> int:
    """LST-C2 / LST-C4 evidence: DISTINCT in-province public institutions of level ≥ `min_level`
    with a confirmed filing of `product` (legacy filings included). Whether the filing must
    also have an actual purchase (a receipt) to count is `fil.evidence_requires_purchase`."""
    if require_purchase is None:
        require_purchase = bool(policy.get("fil.evidence_requires_purchase", at=at))
    qs = FilingRequest.objects.filter(product=product, status=FilingStatus.CONFIRMED,
                                      institution__ownership="public", institution__level__gte=min_level)
    if at is not None:
        qs = qs.filter(confirmed_on__lte=at)
    if require_purchase:
        qs = qs.filter(Exists(ReceiptLine.objects.filter(institution_id=OuterRef("institution_id"),
                                                         order_line__product_id=OuterRef("product_id"))))
    return qs.values("institution_id").distinct().count()


def payment_standard(product, at: date):
    """FIL-C5 (read by the insurance app): the payment standard of a filed consumable in force
    on `at`, or None."""
    return (PaymentStandard.objects.filter(product=product, effective_from__lte=at, superseded_at__isnull=True)
            .order_by("-effective_from").first())


def payment_standards():
    return PaymentStandard.objects.filter(superseded_at__isnull=True).select_related("product", "set_by")

"""Reads for negotiation pages, the API and the dashboard (ZON-4)."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, Q, Sum
from django.db.models.functions import TruncMonth

from core.filters import filter_given

from .models import NegotiationResult, Proposal
from .zones import thresholds_for


def proposals_for(user):
    """The proposals `user` may see; lists narrow them with `negotiation.filters.ProposalFilter`,
    the to-do counts with `.filter`."""
    return Proposal.objects.visible_to(user).select_related("institution", "product", "manufacturer", "group")


def shared_results_summary(product_id, institution_id=None) -> dict:
    """NEG-1 hints: the current shared results for a product — min, weighted median (from the
    zone thresholds), count — and the institution's own last result."""

    current = NegotiationResult.objects.filter(product_id=product_id, superseded_at__isnull=True)
    agg = current.aggregate(lowest=Min("unit_price"), n=Count("id"))
    own = None
    if institution_id:
        own = (
            NegotiationResult.objects.filter(product_id=product_id, institution_id=institution_id)
            .order_by("-confirmed_at").values_list("unit_price", flat=True).first()
        )
    t = thresholds_for(product_id)
    return {"lowest": agg["lowest"], "count": agg["n"], "median": t.p_blue, "p80": t.p_yellow, "own_last": own}


def negotiated_price(institution_id, product_id) -> Decimal | None:
    """The institution's current negotiated price for a product (its price in force, NEG-6)."""
    return (
        NegotiationResult.objects.filter(
            institution_id=institution_id, product_id=product_id, superseded_at__isnull=True
        ).values_list("unit_price", flat=True).first()
    )


AMOUNT = ExpressionWrapper(F("unit_price") * F("quantity"), output_field=DecimalField(max_digits=20, decimal_places=4))


def dashboard_results(user, *, since: date | None = None, until: date | None = None, city_id=None, product_id=None,
                      institution_id=None):
    """Results a regulator may see on the dashboard (city regulators: their city only)."""
    return filter_given(NegotiationResult.objects.visible_to(user), confirmed_at__date__gte=since,
                        confirmed_at__date__lte=until, institution__city_id=city_id, product_id=product_id,
                        institution_id=institution_id)


def _by_zone(qs, *group):
    rows = (
        qs.values(*group)
        .annotate(
            blue=Count("id", filter=Q(zone="blue")), yellow=Count("id", filter=Q(zone="yellow")),
            red=Count("id", filter=Q(zone="red")), total=Count("id"),
            blue_amount=Sum(AMOUNT, filter=Q(zone="blue")), yellow_amount=Sum(AMOUNT, filter=Q(zone="yellow")),
            red_amount=Sum(AMOUNT, filter=Q(zone="red")), amount=Sum(AMOUNT),
        )
        .order_by("-red", "-total")
    )
    return rows


def zone_by_product(qs):
    return _by_zone(qs, "product_id", "product__generic_name", "product__specification", "product__national_code")


def zone_by_institution(qs):
    return _by_zone(qs, "institution_id", "institution__name", "institution__city__name")


def zone_by_city(qs):
    return _by_zone(qs, "institution__city_id", "institution__city__name")


def zone_by_month(qs):
    return _by_zone(qs.annotate(month=TruncMonth("confirmed_at")), "month").order_by("month")


def zone_totals(qs) -> dict:
    return qs.aggregate(
        blue=Count("id", filter=Q(zone="blue")), yellow=Count("id", filter=Q(zone="yellow")),
        red=Count("id", filter=Q(zone="red")), total=Count("id"), amount=Sum(AMOUNT),
    )

"""Reads of the regulator pages: signals and the enterprise record (the file a regulator
opens before an interview)."""

from django.db.models import Count, Q

from core.filters import filter_given
from listing.models import Listing, ListingPriceChange
from parties.models import Organisation
from pricing.models import LinkageCase
from qualifications.models import BadRecord

from .models import RiskSignal


def signals(user, *, kind="", status="", enterprise=None, q=""):
    qs = filter_given(RiskSignal.objects.visible_to(user), kind=kind, status=status, enterprise_id=enterprise)
    qs = qs.select_related("enterprise", "product", "decided_by")
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(summary__icontains=q))
    return qs


def enterprises(q=""):
    qs = (Organisation.objects.enterprises()
          .annotate(open_signals=Count("risk_signals", filter=Q(risk_signals__status="open")),
                    signals=Count("risk_signals"))
          .order_by("-open_signals", "name"))
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def enterprise_record(enterprise):
    listings = list(Listing.objects.filter(product__manufacturer=enterprise).select_related("product")
                    .order_by("product__generic_name", "pk"))
    changes = list(ListingPriceChange.objects.filter(listing__product__manufacturer=enterprise)
                   .select_related("listing__product").order_by("effective_date", "pk"))
    series: dict[str, list] = {}
    for c in changes:
        series.setdefault(str(c.listing.product), []).append([c.effective_date.isoformat(), float(c.new_price)])
    return {
        "listings": listings,
        "changes": changes,
        # The ten products with the longest price history make the chart; the table has all.
        "chart": sorted(series.items(), key=lambda kv: -len(kv[1]))[:10],
        "signals": list(RiskSignal.objects.filter(enterprise=enterprise).select_related("product", "decided_by")),
        "linkage_cases": list(LinkageCase.objects.filter(listing__product__manufacturer=enterprise)
                              .select_related("listing__product").order_by("-opened_at")[:100]),
        "bad_records": list(BadRecord.objects.filter(enterprise=enterprise).select_related("product")
                            .order_by("-recorded_on")),
    }

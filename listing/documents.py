"""The listing-confirmation notice (挂网确认通知) as a printable document (issue 15 item 9):
the product, its listing price and the date it is listed from, with the application it came
from — what an enterprise hands to a hospital that asks whether a product is listed."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from core.printing import document_response

from .models import ApplicationStatus, Listing


@login_required
def listing_notice_print(request, pk):
    listing = get_object_or_404(
        Listing.objects.visible_to(request.user).select_related("product", "product__manufacturer"), pk=pk)
    application = (listing.applications
                   .filter(status__in=[ApplicationStatus.EFFECTIVE, ApplicationStatus.CONFIRMED])
                   .order_by("-decided_at", "-pk").first())
    return document_response(request, "listing/print_notice.html", {"listing": listing, "application": application},
                             filename=f"listing-{listing.pk}")

"""Receivers of news from the apps below listing (connected in ListingConfig.ready())."""

from qualifications.selectors import bad_record_products

from .models import Listing, ListingStatus
from .services import TRANSITIONS, set_status


def bad_record_entered(sender, record, user, **kwargs):
    """BAD-1 / 002 §38: carry out a bad-record decision that suspends or cancels listings —
    every live listing of the products it covers. Runs in the recording transaction: if a
    listing cannot change, the record is not entered either."""
    action = "delist" if record.sanction == "cancel" else "suspend"
    text = f"不良记录（{record.get_kind_display()}，{record.get_sanction_display()}）：{record.description}"
    listings = (Listing.objects.filter(product__in=bad_record_products(record))
                .exclude(status=ListingStatus.DELISTED).order_by("pk"))
    for listing in listings:
        if listing.status in TRANSITIONS[action][0]:
            set_status(user, listing, action, rule="BAD-1", reason=text)

"""Receivers of news from the apps below listing (connected in ListingConfig.ready()): the
listing app alone changes a listing, through its services."""

from django.db import transaction

from qualifications.selectors import bad_record_products

from .models import Listing, ListingStatus
from .services.status import (
    TRANSITIONS,
    listing_change_price,
    listing_restore,
    listing_set_status,
    listing_suspend,
    listings_transition,
    on_product_saved,
)


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
            listing_set_status(user, listing=listing, action=action, rule="BAD-1", reason=text)


def product_saved(sender, instance, **kwargs):
    """LST-5: the platform detects the third consistency-evaluated manufacturer of a variety
    when the catalogue records it, and suspends the variety's unevaluated listings."""
    if instance.kind == "drug" and instance.is_consistency_evaluated:
        pk = instance.pk
        transaction.on_commit(lambda: on_product_saved(pk))


def case_concluded(sender, case, user, effective_date, **kwargs) -> bool:
    """EXP-2 (experts.signals.case_concluded): an agreed expert-negotiation price becomes the
    listing price of the product's live listing. True when a listing was changed."""
    listing = Listing.objects.filter(product_id=case.product_id).exclude(status=ListingStatus.DELISTED).first()
    if listing is None:
        return False
    listing_change_price(user=user, listing=listing, new_price=case.final_price, effective_date=effective_date,
                         rule="EXP-2", reason=f"专家谈判结果：{case.session.title}")
    return True


def listing_price_decided(sender, listing, new_price, effective_date, rule, reason, user, **kwargs):
    """PRC-1 / PRC-2 (pricing.signals): the price pricing decided becomes the listing price."""
    listing_change_price(user=user, listing=listing, new_price=new_price, effective_date=effective_date,
                         rule=rule, reason=reason)


def listing_suspension_decided(sender, listing, rule, reason, user, **kwargs) -> bool:
    """PRC-1 overdue (pricing.signals): suspend the listing. True when suspended."""
    listing_suspend(user, listing=listing, rule=rule, reason=reason)
    return True


def listing_suspension_lifted(sender, listing, rule, reason, user, **kwargs):
    """PRC-1 declared and confirmed after an overdue suspension (pricing.signals): restore."""
    listing_restore(user, listing=listing, rule=rule, reason=reason)


def no_sales_listing_change(sender, listing_ids, from_status, action, reason, user, **kwargs) -> list[int]:
    """DEL-1 (orders.signals): suspend, delist or restore the listings of a no-sales decision."""
    return listings_transition(user, listing_ids=listing_ids, from_status=from_status, action=action,
                               rule="DEL-1", reason=reason)

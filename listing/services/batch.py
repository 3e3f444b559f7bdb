"""The monthly listing batch (LST-0.1): confirmed applications take effect."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.audit import audit_context
from notifications.text import Text
from policy import services as policy
from workcalendar.services import is_working_day

from .. import rules
from ..models import (
    ApplicationEvent,
    ApplicationStatus,
    Listing,
    ListingApplication,
    ListingPriceChange,
    ListingStatus,
)
from ._shared import _notify_enterprise, _today


def next_batch_date(d: date) -> date:
    """LST-0.1: the monthly batch date on or after `d` — day `lst.batch_day` of the month,
    moved to the next working day when it is not one."""
    for months in range(0, 3):
        y, m = d.year + (d.month - 1 + months) // 12, (d.month - 1 + months) % 12 + 1
        day = min(int(policy.get("lst.batch_day", at=date(y, m, 1))), calendar.monthrange(y, m)[1])
        candidate = date(y, m, day)
        while not is_working_day(candidate):
            candidate += timedelta(days=1)
        if candidate >= d:
            return candidate
    raise AssertionError("unreachable")


def batch_run(today: date | None = None) -> int:
    """LST-0.1: on (or after) the batch date, confirmed applications take effect: the Listing
    is created (or its price updated, LST-1) and a ListingPriceChange recorded. Idempotent and
    safe with two workers: rows are claimed with select_for_update(skip_locked=True) and
    move to "effective" in the same transaction."""
    today = today or _today()
    done = 0
    while True:
        with transaction.atomic(), audit_context(None, reason=f"每月集中挂网（{today:%Y-%m-%d}，LST-0.1）"):
            app = (ListingApplication.objects.select_for_update(skip_locked=True, of=("self",))
                   .filter(status=ApplicationStatus.CONFIRMED, effective_date__lte=today)
                   .order_by("effective_date", "id").first())
            if app is None:
                break
            _apply_application(app)
            done += 1
    return done


def _apply_application(app: ListingApplication):
    listing = (Listing.objects.select_for_update().filter(product=app.product)
               .exclude(status=ListingStatus.DELISTED).first())
    # DEL-1: a drug suspended (or delisted) for no sales whose restoration the province
    # approved comes back as the SAME listing once its re-application takes effect.
    resumed = Listing.objects.select_for_update().filter(
        product=app.product, status__in=[ListingStatus.SUSPENDED, ListingStatus.DELISTED],
        no_sales_cases__status="restoration_approved").order_by("-pk").first()
    if resumed is not None and (listing is None or listing.pk == resumed.pk):
        listing = resumed
        listing.status, listing.status_rule = ListingStatus.ACTIVE, "DEL-1"
        listing.status_reason = f"恢复采购申请获批，挂网申请 {app.pk} 重新申报生效，恢复挂网"
        listing.status_changed_at = timezone.now()
        listing.no_sales_cases.filter(status="restoration_approved").update(status="restored")
    reason = f"挂网申请 {app.pk}（{app.category}）集中挂网生效"
    if listing is None:
        listing = Listing.objects.create(product=app.product, price=app.listing_price, status=ListingStatus.ACTIVE,
                                         category=app.category, effective_date=app.effective_date)
        if app.city_review:
            # LST-C3 / LST-C4: a city's confirmation lists for that city's institutions only.
            listing.scope_cities.add(app.review_city_id)
        ListingPriceChange.objects.create(listing=listing, old_price=None, new_price=app.listing_price,
                                          effective_date=app.effective_date, rule=app.category, reason=reason,
                                          changed_by=app.decided_by)
    else:
        if app.city_review and listing.scope_cities.exists():
            listing.scope_cities.add(app.review_city_id)  # another city confirms the same product
        old = listing.price
        listing.category = app.category
        listing.effective_date = app.effective_date
        if rules.is_rise(old, app.listing_price) and app.category != rules.RISE_CATEGORY:
            # LST-0.4: the price was lowered (e.g. a PRC-1 linkage) after the confirmation; a
            # re-application never raises it, so the listing keeps its current, lower price.
            app.listing_price = old
            reason += f"（LST-0.4：确认后本省挂网价已降至 {rules.fmt(old)} 元，按现行价挂网，不涨价）"
        if old != app.listing_price:
            listing.price = app.listing_price
            ListingPriceChange.objects.create(listing=listing, old_price=old, new_price=app.listing_price,
                                              effective_date=app.effective_date, rule=app.category, reason=reason,
                                              changed_by=app.decided_by)
        listing.save()
    app.status = ApplicationStatus.EFFECTIVE
    app.listing = listing
    app.save(update_fields=["status", "listing", "listing_price", "updated_at"])
    ApplicationEvent.objects.create(application=app, action="effective", reason=reason)
    _notify_enterprise(app, Text(gettext_noop("产品已挂网")),
                       Text(gettext_noop("%(product)s 于 %(date)s 起挂网，挂网价 %(price)s 元。"), product=app.product,
                            date=f"{app.effective_date:%Y-%m-%d}", price=rules.fmt(app.listing_price)))

"""Signals of orders (news for the channels above; orders imports none of them).

`no_sales_listing_change(sender=NoSalesCase, listing_ids, from_status, action, reason, user)`
is sent inside the transaction of a DEL-1 decision (the province suspends; a suspension falls
due for delisting; a consumable's restoration is approved). The listing app carries it out
through its one status service (listing/receivers.py) and returns the ids of the listings it
changed — claimed with SKIP LOCKED and re-checked, so a second run or worker changes nothing."""

from django.dispatch import Signal

no_sales_listing_change = Signal()

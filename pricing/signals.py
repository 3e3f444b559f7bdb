"""Signals of pricing: what it decided about a listing (news for the listing app above it;
pricing imports no listing code). Sent inside the deciding transaction; the listing app's
receivers (listing/receivers.py) change the listing through its one status/price service, so
a receiver's refusal rolls the decision back.

- `listing_price_decided(sender, listing, new_price, effective_date, rule, reason, user)`:
  PRC-1 confirmation, PRC-2 round — the listing price changes (kept in its price history).
- `listing_suspension_decided(sender, listing, rule, reason, user)`: PRC-1 overdue with
  `prc.overdue_suspends_listing` — a receiver that suspended the listing returns True.
- `listing_suspension_lifted(sender, listing, rule, reason, user)`: PRC-1 declared and
  confirmed after an overdue suspension — the listing is restored."""

from django.dispatch import Signal

listing_price_decided = Signal()
listing_suspension_decided = Signal()
listing_suspension_lifted = Signal()

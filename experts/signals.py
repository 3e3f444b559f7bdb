"""Signals of experts (news for the apps above; experts imports none of them).

`case_concluded(sender=SessionCase, case=..., user=..., effective_date=...)` is sent inside the
transaction that concludes an EXP-2 negotiation, before the case is saved. A receiver that
applies the agreed price to a live listing (listing/receivers.py) returns True; the case then
records `applied_to_listing`. A receiver's writes commit or roll back with the conclusion."""

from django.dispatch import Signal

case_concluded = Signal()

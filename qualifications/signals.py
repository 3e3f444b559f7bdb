"""Signals of qualifications (news for the channels above; qualifications imports none of them).

`bad_record_entered(sender=BadRecord, record=..., user=...)` is sent inside the transaction that
enters a BAD-1 decision whose sanction is a suspension or cancellation of listings
(`record.sanction` in "suspend"/"cancel"). The listing app receives it (listing/receivers.py)
and suspends or delists the listings of `qualifications.selectors.bad_record_products(record)`;
a receiver's writes commit or roll back with the record."""

from django.dispatch import Signal

bad_record_entered = Signal()

"""News filing sends upward (the shortage app receives them for emergency formalities, 002 §19).

Both send `filing=<FilingRequest>`; `filing.emergency_case_ref` links an after-the-fact filing
to its emergency case."""

from django.dispatch import Signal

filing_submitted = Signal()
filing_confirmed = Signal()

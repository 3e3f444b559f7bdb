"""News from lower apps that shortage acts on (connected in ShortageConfig.ready()).

- listing: a listing becoming active for a drug with live SHO-1 needs takes over (the
  institutions are told) — received from Django's post_save of listing.Listing.
- filing: `filing.signals.filing_confirmed` — an after-the-fact filing whose
  `emergency_case_ref` names an emergency case (its number, or its id) of the same
  institution completes that case's formalities (EMG-1, 002 §19). Both are channels; shortage
  reads filing's news, filing knows nothing of shortage.
"""

from django.db import transaction
from django.db.models.signals import post_save

from filing.signals import filing_confirmed
from listing.models import Listing

from . import services
from .models import EmergencyPurchase


def on_listing_saved(sender, instance, created=False, **kwargs):
    if instance.status != "active":
        return
    pk = instance.pk
    transaction.on_commit(lambda: services.need_takeover(type(instance).objects.get(pk=pk)))


def on_emergency_filing_confirmed(sender, filing=None, **kwargs):
    """EMG-1: the after-the-fact filing of an emergency consumable was confirmed. The case must
    be the filing institution's own: a filing cannot complete another institution's case."""
    ref = (getattr(filing, "emergency_case_ref", "") or "").strip()
    if not ref:
        return
    cases = EmergencyPurchase.objects.filter(institution_id=filing.institution_id)
    case = cases.filter(number=ref).first() or (cases.filter(pk=int(ref)).first() if ref.isdigit() else None)
    if case is not None:
        services.emergency_formalities_completed(case, f"备案 {filing.number}")


def connect():
    post_save.connect(on_listing_saved, sender=Listing, dispatch_uid="shortage.need_takeover_on_listing")
    filing_confirmed.connect(on_emergency_filing_confirmed, dispatch_uid="shortage.emergency_filing_confirmed")

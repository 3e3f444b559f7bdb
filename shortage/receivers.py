"""News from lower apps that shortage acts on (connected in ShortageConfig.ready()).

- listing: a listing becoming active for a drug with live SHO-1 needs takes over (the
  institutions are told) — received from Django's post_save of listing.Listing.
- filing (being built in parallel): when its after-the-fact filing for an emergency
  consumable is confirmed, the filing app should send a signal such as

      emergency_filing_confirmed = Signal()  # kwargs: emergency_case_id, filing, reference
      emergency_filing_confirmed.send(sender=Filing, emergency_case_id=..., filing=obj, reference="BA2027…")

  and the integrator connects `on_emergency_filing_confirmed` below to it in `connect()`
  (shortage may import filing: both are channels, but the integrator decides the order;
  until then an institution records the filing's reference itself on the case page).
"""

from django.db import transaction
from django.db.models.signals import post_save

from listing.models import Listing

from . import services


def on_listing_saved(sender, instance, created=False, **kwargs):
    if instance.status != "active":
        return
    pk = instance.pk
    transaction.on_commit(lambda: services.need_takeover(type(instance).objects.get(pk=pk)))


def on_emergency_filing_confirmed(sender, emergency_case_id=None, reference="", filing=None, **kwargs):
    """EMG-1: the after-the-fact filing of an emergency consumable was confirmed."""
    if emergency_case_id is None:
        return
    ref = reference or (f"备案 #{filing.pk}" if filing is not None else "备案采购")
    services.emergency_formalities_completed(emergency_case_id, ref)


def connect():
    post_save.connect(on_listing_saved, sender=Listing, dispatch_uid="shortage.need_takeover_on_listing")

"""Demo negotiations: confirmed results at a spread of prices (so the zones mean something),
a few proposals awaiting the manufacturer, one group. Idempotent: skipped once any exists."""

import random
from decimal import Decimal

from django.db import transaction

from listing.models import Listing
from parties.models import Organisation, User

from . import services, zones
from .models import Proposal


@transaction.atomic
def load_demo():
    if Proposal.objects.exists():
        return
    listings = list(Listing.objects.orderable().filter(product__kind="drug").select_related("product")
                    .exclude(product__is_national_negotiated=True).exclude(product__is_designated_production=True)
                    .exclude(product__is_provincial_reserve=True).order_by("id")[:8])
    if not listings:
        return
    rng = random.Random(2026)
    hospitals = list(Organisation.objects.filter(kind="institution", level__gte=2, ownership="public").order_by("id")[:14])
    users = {u.organisation_id: u for u in User.objects.filter(organisation__in=hospitals, role="institution")}
    makers = {u.organisation_id: u for u in User.objects.filter(role="manufacturer")}
    for listing in listings:
        maker = makers.get(listing.product.manufacturer_id)
        for hospital in hospitals:
            user = users.get(hospital.pk)
            if user is None or maker is None:
                continue
            factor = Decimal(rng.choice(["1", "0.98", "0.96", "0.95", "0.93", "0.90", "0.88", "0.99"]))
            price = (listing.price * factor).quantize(Decimal("0.01"))
            p = services.proposal_submit(user=user, listing_id=listing.pk, unit_price=price,
                                         quantity=rng.choice([200, 500, 1000, 3000]))
            if p.status == "pending" and rng.random() < 0.8:
                services.proposal_confirm(user=maker, proposal_id=p.pk)
    zones.recompute()

"""Demo negotiations: confirmed results at a spread of prices (so the zones mean something),
a few proposals awaiting the manufacturer, one group with each member's own quantity (NEG-5),
one evidenced consumable proposal whose evidence the maker contests (NEG-4). Idempotent:
skipped once any exists."""

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
    _group_and_evidenced(listings, hospitals, users, makers)
    zones.recompute()


def _group_and_evidenced(listings, hospitals, users, makers):
    """NEG-5: a group whose members each record their own quantity; NEG-4: a consumable
    proposal at a price the enterprise already transacts at, its evidence contested."""
    excluded = {"product__is_national_negotiated": True, "product__is_designated_production": True,
                "product__is_provincial_reserve": True}
    free = (Listing.objects.orderable().filter(product__kind="drug").exclude(pk__in=[x.pk for x in listings])
            .select_related("product").order_by("id"))
    for field, value in excluded.items():
        free = free.exclude(**{field: value})
    extra = free.first()
    members = [h for h in hospitals if h.pk in users][:3]
    if extra is not None and len(members) == 3:
        group = services.group_create(user=users[members[0].pk], name="城区医联体拼单（演示）",
                                      institution_ids=[members[1].pk, members[2].pk], is_consortium=True)
        services.group_join(user=users[members[1].pk], group_id=group.pk, quantity=800)
        services.group_join(user=users[members[2].pk], group_id=group.pk, quantity=300)
        services.proposal_submit(user=users[members[0].pk], listing_id=extra.pk, group_id=group.pk,
                                 unit_price=(extra.price * Decimal("0.92")).quantize(Decimal("0.01")), quantity=1500)
    consumable = Listing.objects.orderable().filter(product__kind="consumable").select_related("product") \
        .order_by("id").first()
    if consumable is not None and members:
        price = (consumable.price * Decimal("0.90")).quantize(Decimal("0.01"))
        p = services.proposal_submit(user=users[members[0].pk], listing_id=consumable.pk, unit_price=price,
                                     quantity=500, evidence_price=price,
                                     evidence_note="该企业 2026 年在浙江省某三级医院的成交发票（演示）")
        maker = makers.get(consumable.product.manufacturer_id)
        if maker is not None:
            services.proposal_contest(user=maker, proposal_id=p.pk, reason="所附发票为不同包装规格的成交价（演示）")

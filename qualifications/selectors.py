from django.db.models import Q

from .models import DistributionRelationship


def distributor_for(manufacturer, institution):
    """QUA-2 / ORD-1: the distributor the manufacturer chose for the institution's area — a
    relationship for the institution's county wins over one for its whole city; among equals
    the most recently accepted. None when the manufacturer has chosen no one there."""
    candidates = (
        DistributionRelationship.objects.active()
        .filter(manufacturer=manufacturer, city_id=institution.city_id)
        .filter(Q(counties__isnull=True) | Q(counties=institution.county_id))
        .select_related("distributor")
        .prefetch_related("counties")
        .order_by("-answered_at", "-id")
        .distinct()
    )
    best = None
    for rel in candidates:
        county_specific = bool(rel.counties.all())
        if county_specific:
            return rel.distributor
        best = best or rel.distributor
    return best

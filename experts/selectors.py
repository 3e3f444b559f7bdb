"""Reads of the expert pool and sessions."""

from decimal import Decimal

from .models import CaseOutcome, ExpertCategory, ExpertProfile, ExpertSession, SessionCase


def sessions_for(user):
    """ACT-6: regulators all sessions; an expert only those they are drawn for."""
    return ExpertSession.objects.visible_to(user)


def session_list(user):
    """The sessions list (filtered by experts.filters.SessionFilter), newest first."""
    return sessions_for(user).order_by("-date", "-id")


def pool():
    """The expert pool (filtered by experts.filters.PoolFilter)."""
    return ExpertProfile.objects.select_related("user", "employer_organisation").order_by("category", "id")


def negotiated_price(product) -> Decimal | None:
    """EXP-2 / LST-6: the latest agreed expert-negotiation price for `product`, for its
    listing application (None when no negotiation on it has been agreed)."""
    case = (
        SessionCase.objects.filter(product=product, outcome=CaseOutcome.AGREED)
        .order_by("-concluded_at", "-id")
        .first()
    )
    return case.final_price if case else None


def draw_rows(draw):
    """The drawn experts (profile objects) of a draw, by category, and the excluded ones."""
    ids = [pk for ids in draw.drawn.values() for pk in ids] + [e["expert"] for e in draw.excluded]
    profiles = ExpertProfile.objects.select_related("user").in_bulk(ids)
    labels = dict(ExpertCategory.choices)
    drawn = [(labels.get(c, c), [profiles[pk] for pk in pks if pk in profiles]) for c, pks in draw.drawn.items()]
    excluded = [(profiles.get(e["expert"]), e["reason"]) for e in draw.excluded]
    return drawn, excluded

"""Reads of the expert pool and sessions."""

from decimal import Decimal

from catalog.selectors import national_lowest_price, price_records

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


def review_rounds(case):
    """EXP-1: each draw of the case's session, oldest first, with every drawn expert's verdict on
    the case under that draw (None when not given). A redraw starts a new round; the verdicts of
    a superseded draw stay on record."""
    verdicts = {(v.draw_id, v.expert_id): v for v in case.verdicts.select_related("recorded_by")}
    draws = case.session.draws.order_by("drawn_at", "id").prefetch_related("members__expert__user")
    return [(draw, [(m, verdicts.get((draw.pk, m.expert_id))) for m in draw.members.all()]) for draw in draws]


def other_province_prices(product):
    """LST-0.3: the product's other-province (and city) listing prices in force, cheapest first,
    each with its source, and the national lowest of them (catalog's one definition)."""
    if product is None:
        return [], None
    return list(price_records(product)), national_lowest_price(product)


def draw_rows(draw):
    """The drawn experts (profile objects) of a draw, by category, and the excluded ones."""
    ids = [pk for ids in draw.drawn.values() for pk in ids] + [e["expert"] for e in draw.excluded]
    profiles = ExpertProfile.objects.select_related("user").in_bulk(ids)
    labels = dict(ExpertCategory.choices)
    drawn = [(labels.get(c, c), [profiles[pk] for pk in pks if pk in profiles]) for c, pks in draw.drawn.items()]
    excluded = [(profiles.get(e["expert"]), e["reason"]) for e in draw.excluded]
    return drawn, excluded

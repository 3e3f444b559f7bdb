"""Permissions of the expert pool (EXP-1/EXP-2). Sessions are scoped by
ExpertSession.objects.visible_to (an expert sees only the sessions they were drawn for)."""

import rules

from parties.permissions import (
    is_city_regulator,
    is_enterprise,
    is_expert,
    is_institution_user,
    is_province_regulator,
    is_regulator,
)

from .models import DrawMember, SessionPurpose


def _user_city_id(user):
    return getattr(getattr(user, "organisation", None), "city_id", None)


@rules.predicate
def has_city(user):
    return bool(_user_city_id(user))


# LST-C3 / LST-C4: a city regulator organises the consumable reviews of its city (until the
# consumable catalogue is unified).
is_city_organiser = is_city_regulator & has_city


@rules.predicate
def organises_session(user, session):
    """The session is a consumable review organised for the user's own city."""
    return bool(session is not None and session.city_id and session.city_id == _user_city_id(user)
                and session.purpose == SessionPurpose.CONSUMABLE_REVIEW)


@rules.predicate
def is_drawn_for(user, session):
    """An expert of the session's current draw."""
    return bool(session is not None and DrawMember.objects.filter(
        draw__session=session, draw__superseded_at__isnull=True, expert__user=user).exists())


@rules.predicate
def is_drawn_for_case(user, case):
    return bool(case is not None and is_drawn_for(user, case.session))


@rules.predicate
def organises_case(user, case):
    return bool(case is not None and organises_session(user, case.session))


@rules.predicate
def owns_case(user, case):
    """The case's enterprise (the product's manufacturer, or the enterprise named on the case)."""
    org_id = getattr(user, "organisation_id", None)
    if case is None or org_id is None:
        return False
    return org_id == (case.product.manufacturer_id if case.product_id else case.enterprise_id)


@rules.predicate
def own_profile(user, profile):
    return bool(profile is not None and profile.user_id == user.pk)


# The province keeps the pool and runs every session and negotiation (EXP-1/EXP-2).
rules.add_perm("experts.manage", is_province_regulator)
rules.add_perm("experts.create_session", is_province_regulator | is_city_organiser)
rules.add_perm("experts.manage_session", is_province_regulator | (is_city_organiser & organises_session))
rules.add_perm("experts.view_sessions", is_regulator | is_expert)
rules.add_perm("experts.declare_conflict", is_province_regulator | own_profile)
rules.add_perm("experts.record_round", is_province_regulator | (is_expert & is_drawn_for))
rules.add_perm("experts.view_profile", is_province_regulator | own_profile)
# Cases are the regulators' and the experts' business, not the parties'.
rules.add_perm("experts.view_case", rules.is_authenticated & ~(is_enterprise | is_institution_user))
rules.add_perm("experts.give_verdict", is_expert)
# Issue 15 item 8: a case's documents (the application's files) are read by the experts drawn for
# its session, its regulators (the province, or the city organising the review) and the
# enterprise that filed them — nobody else.
rules.add_perm("experts.view_case_document", is_province_regulator | (is_city_organiser & organises_case)
               | (is_expert & is_drawn_for_case) | (is_enterprise & owns_case))

"""`rules` permissions of bargaining (NEG): institutions propose, the product's manufacturer
answers, both sides sign the purchase agreement; rows are scoped by each model's visible_to."""

import rules

from parties.permissions import (
    has_organisation,
    is_city_regulator,
    is_county_regulator,
    is_institution_staff,
    is_institution_user,
    is_manufacturer,
    of_own_institution,
)


@rules.predicate
def of_own_manufacturer(user, obj):
    """A proposal or agreement addressed to the user's enterprise (`obj.manufacturer_id`)."""
    return bool(obj is not None and user.organisation_id and obj.manufacturer_id == user.organisation_id)


# Institutions (their people and HIS clients) propose (NEG-1); their pages are for people.
rules.add_perm("negotiation.propose", is_institution_user & has_organisation)
rules.add_perm("negotiation.act_as_institution", is_institution_staff)
rules.add_perm("negotiation.act_as_enterprise", is_manufacturer)
rules.add_perm("negotiation.answer_proposal", is_manufacturer & of_own_manufacturer)
rules.add_perm("negotiation.sign_for_institution", is_institution_staff & of_own_institution)
rules.add_perm("negotiation.sign_for_enterprise", is_manufacturer & of_own_manufacturer)
# City and county regulators see their own city's monitoring; the others choose a city.
rules.add_perm("negotiation.view_any_city", rules.is_authenticated & ~(is_city_regulator | is_county_regulator))

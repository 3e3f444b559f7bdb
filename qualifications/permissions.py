"""`rules` permissions of qualifications and distribution (mirroring qualifications.services)."""

import rules

from parties.permissions import can_see, is_distributor, is_enterprise, is_manufacturer, is_province_regulator

rules.add_perm("qualifications.view_qualification", can_see)
rules.add_perm("qualifications.submit_qualification", is_enterprise)
rules.add_perm("qualifications.review_qualification", is_province_regulator)
rules.add_perm("qualifications.propose_distribution", is_manufacturer)
rules.add_perm("qualifications.answer_distribution", is_distributor)


@rules.predicate
def is_named_distributor(user, rel):
    return bool(rel is not None and rel.distributor_id == user.organisation_id)


@rules.predicate
def is_proposing_manufacturer(user, rel):
    return bool(rel is not None and rel.manufacturer_id == user.organisation_id)


@rules.predicate
def is_party(user, rel):
    return bool(rel is not None and user.organisation_id in (rel.manufacturer_id, rel.distributor_id))


# QUA-2: the named distributor answers; either enterprise ends an active relationship; the
# proposing manufacturer withdraws its proposal.
rules.add_perm("qualifications.answer_relationship", is_distributor & is_named_distributor)
rules.add_perm("qualifications.end_distribution", is_enterprise)
rules.add_perm("qualifications.end_relationship", is_enterprise & is_party)
rules.add_perm("qualifications.withdraw_relationship", is_manufacturer & is_proposing_manufacturer)

"""Permissions of the VBP channel (`rules` predicates from parties.permissions): the province
organises and decides, regulators organise tenders and watch progress, institutions report
and sign, manufacturers bid, sign and answer extensions. Rows are scoped by visible_to."""

import rules

from parties.permissions import (
    is_city_regulator,
    is_institution_user,
    is_manufacturer,
    is_province_regulator,
    is_regulator,
)

# The province runs tenders (varieties, bidding, negotiation, selection, publication),
# imports national results, locks allocations, adds members and extends results (VBP-1/5/9).
rules.add_perm("vbp.organise", is_province_regulator)


@rules.predicate
def leads_city(user, lead_city):
    """A regulator of the city that leads the regional alliance (002 §22)."""
    org = getattr(user, "organisation", None)
    return bool(lead_city is not None and org is not None and lead_city.pk == org.city_id)


# A regional alliance is organised by its lead city (or the province) (VBP-9).
rules.add_perm("vbp.organise_regional", is_province_regulator | (is_city_regulator & leads_city))
# Any healthcare security bureau may start a tender; the service checks which kind (VBP-9).
rules.add_perm("vbp.create_tender", is_regulator)
# Institutions (and their HIS clients) report base volumes and monthly use, add volume (VBP-2/3/9).
rules.add_perm("vbp.report", is_institution_user)
rules.add_perm("vbp.bid", is_manufacturer)
rules.add_perm("vbp.respond_extension", is_manufacturer)


@rules.predicate
def is_extension_enterprise(user, extension):
    return bool(extension is not None and extension.enterprise_id == user.organisation_id)


# The enterprise named in a similar-product extension answers it (VBP-5).
rules.add_perm("vbp.respond_to_extension", is_manufacturer & is_extension_enterprise)
rules.add_perm("vbp.sign_contract", is_institution_user | is_manufacturer)
# Which side of the contract the signer signs for (VBP-3).
rules.add_perm("vbp.sign_as_institution", is_institution_user)
rules.add_perm("vbp.sign_as_enterprise", is_manufacturer)
rules.add_perm("vbp.manage_tender_page", is_province_regulator | is_manufacturer)
rules.add_perm("vbp.view_progress", is_regulator)
# City and county regulators see their own city's progress; the province chooses any city.
rules.add_perm("vbp.view_any_city", is_province_regulator)
rules.add_perm("vbp.view_ledger", is_regulator | is_institution_user)

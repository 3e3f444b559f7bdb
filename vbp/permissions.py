"""Permissions of the VBP channel (`rules` predicates from parties.permissions): the province
organises and decides, regulators organise tenders and watch progress, institutions report
and sign, manufacturers bid, sign and answer extensions. Rows are scoped by visible_to."""

import rules

from parties.permissions import (
    is_institution_user,
    is_manufacturer,
    is_province_regulator,
    is_regulator,
)

# The province runs tenders (varieties, bidding, negotiation, selection, publication),
# imports national results, locks allocations, adds members and extends results (VBP-1/5/9).
rules.add_perm("vbp.organise", is_province_regulator)
# Any healthcare security bureau may start a tender; the service checks which kind (VBP-9).
rules.add_perm("vbp.create_tender", is_regulator)
# Institutions (and their HIS clients) report base volumes and monthly use, add volume (VBP-2/3/9).
rules.add_perm("vbp.report", is_institution_user)
rules.add_perm("vbp.bid", is_manufacturer)
rules.add_perm("vbp.respond_extension", is_manufacturer)
rules.add_perm("vbp.sign_contract", is_institution_user | is_manufacturer)
rules.add_perm("vbp.manage_tender_page", is_province_regulator | is_manufacturer)
rules.add_perm("vbp.view_progress", is_regulator)
rules.add_perm("vbp.view_ledger", is_regulator | is_institution_user)

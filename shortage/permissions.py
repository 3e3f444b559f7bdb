"""Permissions of shortage and emergency purchasing: institutions declare and report, the
province imports the lists and reviews; regulators confirm emergency scope (city for its
institutions, province for all) and record consequences. Rows are scoped by visible_to."""

import rules

from parties.permissions import (
    can_see,
    has_organisation,
    is_city_regulator,
    is_institution_staff,
    is_institution_user,
    is_manufacturer,
    is_province_regulator,
    is_regulator,
    of_own_institution,
)

rules.add_perm("shortage.import_lists", is_province_regulator)
rules.add_perm("shortage.review_need", is_province_regulator)
# Institutions (their people and HIS clients) declare and report for their own institution.
rules.add_perm("shortage.declare", is_institution_user & has_organisation)
rules.add_perm("shortage.act_for_institution", is_institution_user & of_own_institution)
# The institution's pages are for its people.
rules.add_perm("shortage.declare_on_page", is_institution_staff)
rules.add_perm("shortage.view_emergencies", is_institution_staff | is_regulator)
rules.add_perm("shortage.view_needs", is_institution_staff | is_manufacturer | is_regulator)
# A regulator decides only the cases in its area (row scoping).
rules.add_perm("shortage.view_emergency", can_see)
rules.add_perm("shortage.decide_emergency", is_province_regulator | is_city_regulator)
rules.add_perm("shortage.view_dashboard", is_regulator)

"""Permissions of shortage and emergency purchasing: institutions declare and report, the
province imports the lists and reviews; regulators confirm emergency scope (city for its
institutions, province for all) and record consequences. Rows are scoped by visible_to."""

import rules

from parties.permissions import is_city_regulator, is_institution_user, is_province_regulator, is_regulator

rules.add_perm("shortage.import_lists", is_province_regulator)
rules.add_perm("shortage.review_need", is_province_regulator)
rules.add_perm("shortage.declare", is_institution_user)
rules.add_perm("shortage.decide_emergency", is_province_regulator | is_city_regulator)
rules.add_perm("shortage.view_dashboard", is_regulator)

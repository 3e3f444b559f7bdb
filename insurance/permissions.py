"""`rules` permissions of the insurance app: the province runs, adjusts and publishes payment
standards (INS-1); regulators keep the budget ledger of the institutions in their scope
(INS-5, INS-7); the row itself is checked with `Organisation.objects.visible_to`."""

import rules

from parties.permissions import is_city_regulator, is_province_regulator

rules.add_perm("insurance.run_standards", is_province_regulator)
rules.add_perm("insurance.publish_standards", is_province_regulator)
rules.add_perm("insurance.keep_ledger", is_province_regulator | is_city_regulator)
# A budget reported to the province is changed only by the province (INS-7).
rules.add_perm("insurance.change_reported_budget", is_province_regulator)

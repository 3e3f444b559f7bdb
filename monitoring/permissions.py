"""`rules` permissions of the monitoring channel (MON-2, MON-3, MON-5)."""

import rules

from parties.permissions import (
    has_organisation,
    is_city_regulator,
    is_institution_staff,
    is_institution_user,
    is_province_regulator,
    is_regulator,
)

# MON-2: institutions (their people and HIS clients) report; the report pages are for people.
rules.add_perm("monitoring.submit_report", is_institution_user & has_organisation)
rules.add_perm("monitoring.report_on_page", is_institution_staff)
rules.add_perm("monitoring.forward_city", is_city_regulator)
rules.add_perm("monitoring.view_forwards", is_province_regulator | is_city_regulator)
rules.add_perm("monitoring.publish_bulletin", is_province_regulator | is_city_regulator)
rules.add_perm("monitoring.record_inspection", is_regulator)
# EMG-2: regulators record the deduction of out-of-scope emergency purchases at settlement.
rules.add_perm("monitoring.record_deduction", is_regulator)

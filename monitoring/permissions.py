"""`rules` permissions of the monitoring channel (MON-2, MON-3, MON-5)."""

import rules

from parties.permissions import is_city_regulator, is_institution_user, is_province_regulator, is_regulator

rules.add_perm("monitoring.submit_report", is_institution_user)
rules.add_perm("monitoring.forward_city", is_city_regulator)
rules.add_perm("monitoring.publish_bulletin", is_province_regulator | is_city_regulator)
rules.add_perm("monitoring.record_inspection", is_regulator)

"""`rules` permissions of qualifications and distribution (mirroring qualifications.services)."""

import rules

from parties.permissions import can_see, is_distributor, is_enterprise, is_manufacturer, is_province_regulator

rules.add_perm("qualifications.view_qualification", can_see)
rules.add_perm("qualifications.submit_qualification", is_enterprise)
rules.add_perm("qualifications.review_qualification", is_province_regulator)
rules.add_perm("qualifications.propose_distribution", is_manufacturer)
rules.add_perm("qualifications.answer_distribution", is_distributor)

"""Object permissions of the listing app (rules)."""

import rules

from parties.permissions import can_see, is_manufacturer, is_province_regulator, is_regulator

rules.add_perm("listing.apply", is_manufacturer)
rules.add_perm("listing.view_application", can_see)
rules.add_perm("listing.review", is_province_regulator)
rules.add_perm("listing.view_review_queue", is_regulator)
rules.add_perm("listing.change_status", is_province_regulator)
rules.add_perm("listing.record_quality_event", is_province_regulator)

"""`rules` permissions of the price-risk signals: regulators read, the province decides (BAD-1
decisions are the province's)."""

import rules

from parties.permissions import is_city_regulator, is_province_regulator

rules.add_perm("oversight.view_signals", is_province_regulator | is_city_regulator)
rules.add_perm("oversight.decide_signal", is_province_regulator)

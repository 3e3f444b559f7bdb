"""Permissions of listing-price dynamics: the province decides (PRC-1 confirmations, PRC-2
rounds, PRC-3 assignment); rows are scoped by each model's visible_to."""

import rules

from parties.permissions import is_province_regulator, is_regulator

rules.add_perm("pricing.manage", is_province_regulator)
rules.add_perm("pricing.view_regulator", is_regulator)

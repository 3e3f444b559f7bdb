"""Permissions of the expert pool (EXP-1/EXP-2). Sessions are scoped by
ExpertSession.objects.visible_to (an expert sees only the sessions they were drawn for)."""

import rules

from parties.permissions import is_province_regulator

rules.add_perm("experts.manage", is_province_regulator)

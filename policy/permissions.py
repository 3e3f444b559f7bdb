"""Permissions of the policy app. "policy.manage" (provincial regulator) is registered in
parties.permissions; reading the parameters is open to every signed-in user (they are the
published rules the platform applies)."""

import rules

rules.add_perm("policy.view_parameters", rules.is_authenticated)

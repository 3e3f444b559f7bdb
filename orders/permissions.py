"""`rules` permissions of orders and settlement (object visibility reuses row scoping)."""

import rules

from parties.permissions import (
    can_see,
    is_distributor,
    is_enterprise,
    is_institution_staff,
    is_institution_user,
    is_province_regulator,
    is_regulator,
)

rules.add_perm("orders.view_order", can_see)
rules.add_perm("orders.place_order", is_institution_user)
rules.add_perm("orders.receive", is_institution_user)
rules.add_perm("orders.pay", is_institution_user)
rules.add_perm("orders.deliver", is_distributor)
rules.add_perm("orders.invoice", is_distributor)
rules.add_perm("orders.monitor", is_regulator)
rules.add_perm("orders.decide_no_sales", is_province_regulator)

# The institution's HIS API (INT-1): the institution's people and its HIS clients.
rules.add_perm("orders.use_his_api", is_institution_user)
# The institution's pages (shop, receiving, returns, payments): its people, not its HIS clients.
rules.add_perm("orders.buy", is_institution_staff)
# The shop's cart (issue 15 item 1): the same people; a HIS client orders through the API.
rules.add_perm("orders.use_cart", is_institution_staff)
# An enterprise's supply pages: a distributor, or a self-delivering manufacturer (QUA-2).
rules.add_perm("orders.supply", is_enterprise)
rules.add_perm("orders.view_payments", is_institution_staff | is_enterprise)
rules.add_perm("orders.view_offplatform", is_institution_staff | is_regulator)
# For orders.services (the integrator swaps the hand-written checks for these):
# the acting distributor is a distributor or a self-delivering manufacturer (QUA-2) — the same
# holders as "orders.supply"; DEL-1 no-sales cases and restoration requests are the province's
# ("orders.decide_no_sales"); institutions act through "orders.place_order".
rules.add_perm("orders.decide_restoration", is_province_regulator)

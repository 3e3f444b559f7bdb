"""`rules` permissions of orders and settlement (object visibility reuses row scoping)."""

import rules

from parties.permissions import (
    can_see,
    is_distributor,
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

"""Permissions of listing-price dynamics: the province decides (PRC-1 confirmations, PRC-2
rounds, PRC-3 assignment); rows are scoped by each model's visible_to."""

import rules

from parties.permissions import (
    is_enterprise,
    is_institution_staff,
    is_manufacturer,
    is_province_regulator,
    is_regulator,
)

rules.add_perm("pricing.manage", is_province_regulator)
rules.add_perm("pricing.view_regulator", is_regulator)


@rules.predicate
def makes_case_product(user, case):
    """The manufacturer of the product of a linkage case."""
    return bool(case is not None and user.organisation_id == case.listing.product.manufacturer_id)


@rules.predicate
def is_assignee(user, complaint):
    return bool(complaint is not None and complaint.assigned_to_id is not None
                and complaint.assigned_to_id == user.pk)


# PRC-1 / PRC-2: regulators and manufacturers follow linkage cases and adjustment rounds.
rules.add_perm("pricing.view_linkage", is_regulator | is_manufacturer)
rules.add_perm("pricing.declare_linkage", is_manufacturer & makes_case_product)
# PRC-2 objections are the listed product's manufacturer's.
rules.add_perm("pricing.object_to_round", is_manufacturer)
# PRC-3: enterprises and institutions file complaints; the assignee or the province answers.
rules.add_perm("pricing.file_complaint", is_enterprise | is_institution_staff)
rules.add_perm("pricing.view_complaints", is_regulator | is_enterprise | is_institution_staff)
rules.add_perm("pricing.answer_complaint", is_province_regulator | is_assignee)

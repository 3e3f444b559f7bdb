"""`rules` predicates and permissions: "may this user do this action on this object".

Object visibility reuses the row scoping of `parties.scoping`, so a permission check and a
list filter always agree. Channel apps register their own permissions in their
`permissions.py` using these predicates.
"""

import rules

from .models import Role


@rules.predicate
def is_province_regulator(user):
    return bool(user and user.is_authenticated and (user.is_superuser or user.role == Role.PROVINCE_REGULATOR))


@rules.predicate
def is_city_regulator(user):
    return bool(user and user.is_authenticated and user.role == Role.CITY_REGULATOR)


@rules.predicate
def is_county_regulator(user):
    return bool(user and user.is_authenticated and user.role == Role.COUNTY_REGULATOR)


is_regulator = is_province_regulator | is_city_regulator | is_county_regulator


@rules.predicate
def is_institution_user(user):
    return bool(user and user.is_authenticated and user.role in (Role.INSTITUTION, Role.HIS))


@rules.predicate
def is_manufacturer(user):
    return bool(user and user.is_authenticated and user.role == Role.MANUFACTURER)


@rules.predicate
def is_distributor(user):
    return bool(user and user.is_authenticated and user.role == Role.DISTRIBUTOR)


is_enterprise = is_manufacturer | is_distributor


@rules.predicate
def is_expert(user):
    return bool(user and user.is_authenticated and user.role == Role.EXPERT)


@rules.predicate
def can_see(user, obj):
    """The object is within the user's row scope (its model's `visible_to`)."""
    if obj is None:
        return False
    return type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()


rules.add_perm("parties.view_organisation", can_see)
@rules.predicate
def is_institution_staff(user):
    """A person of an institution (not its HIS client): may manage that institution's clients."""
    return bool(user and user.is_authenticated and user.role == Role.INSTITUTION)


rules.add_perm("parties.manage_api_clients", is_province_regulator | is_institution_staff)
rules.add_perm("workcalendar.manage", is_province_regulator)
rules.add_perm("policy.manage", is_province_regulator)
rules.add_perm("core.view_history", is_regulator)

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
def has_organisation(user):
    return bool(user and user.is_authenticated and user.organisation_id)


@rules.predicate
def of_own_institution(user, obj):
    """The object belongs to the user's institution (`obj.institution_id`)."""
    return bool(obj is not None and user.organisation_id and obj.institution_id == user.organisation_id)


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


@rules.predicate
def is_his_client(user):
    """The service user behind an institution's HIS API token (ACT-7)."""
    return bool(user and user.is_authenticated and user.role == Role.HIS)


@rules.predicate
def is_own_organisation(user, organisation):
    return bool(organisation is not None and user.organisation_id == organisation.pk)


# ACT-7: the institution's own people and regulators see the HIS API clients (a city/county
# regulator those of its area); the province or the institution's people manage them; an HIS
# token never manages tokens.
rules.add_perm("parties.view_api_clients", is_regulator | is_institution_staff)
rules.add_perm("parties.manage_api_clients", is_province_regulator | is_institution_staff)
rules.add_perm("parties.manage_institution_api_clients", rules.is_active & (
    is_province_regulator | (is_institution_staff & is_own_organisation)))
rules.add_perm("parties.use_api_clients_api", rules.is_authenticated & ~is_his_client)
rules.add_perm("workcalendar.view", is_regulator)
rules.add_perm("workcalendar.manage", is_province_regulator)
rules.add_perm("policy.manage", is_province_regulator)
rules.add_perm("core.view_history", is_regulator)

"""Who receives what: users of an organisation, and the regulators above an institution."""

from parties.models import Role, User


def users_of(org):
    return User.objects.filter(organisation=org, is_active=True).exclude(role=Role.HIS)


def province_regulators():
    return User.objects.filter(role=Role.PROVINCE_REGULATOR, is_active=True)


def city_regulators(city):
    return User.objects.filter(role=Role.CITY_REGULATOR, organisation__city=city, is_active=True)


def users_of_many(org_ids):
    """users_of for many organisations at once (one query; each user's organisation_id tells whose)."""
    return User.objects.filter(organisation_id__in=org_ids, is_active=True).exclude(role=Role.HIS).order_by("pk")

"""Who receives what: users of an organisation, and the regulators above an institution."""

from parties.models import Role, User


def users_of(org):
    return User.objects.filter(organisation=org, is_active=True).exclude(role=Role.HIS)


def province_regulators():
    return User.objects.filter(role=Role.PROVINCE_REGULATOR, is_active=True)


def city_regulators(city):
    return User.objects.filter(role=Role.CITY_REGULATOR, organisation__city=city, is_active=True)

"""The small world of the ordering journeys: a Nanjing hospital, a manufacturer, its distributor
for Nanjing and the province — each with a user who signs in with `password`."""

from types import SimpleNamespace

from django.utils import timezone

from parties.models import Organisation, OrgKind, Region, Role, User
from qualifications.models import DistributionRelationship


def ordering_world(password: str) -> SimpleNamespace:
    nanjing = Region.objects.get(code="320100")
    hospital = Organisation.objects.create(kind=OrgKind.INSTITUTION, name="江苏省人民医院", city=nanjing,
                                           county=Region.objects.get(code="320106"), level=3, ownership="public")
    maker = Organisation.objects.create(kind=OrgKind.MANUFACTURER, name="江苏康宁制药有限公司")
    dist = Organisation.objects.create(kind=OrgKind.DISTRIBUTOR, name="江苏省医药有限公司")
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局")
    for username, org, role in (("hosp", hospital, Role.INSTITUTION), ("dist", dist, Role.DISTRIBUTOR),
                                ("prov", province, Role.PROVINCE_REGULATOR)):
        User.objects.create_user(username=username, password=password, organisation=org, role=role)
    DistributionRelationship.objects.create(manufacturer=maker, distributor=dist, city=nanjing, status="active",
                                            proposed_by=User.objects.get(username="prov"),
                                            answered_at=timezone.now())
    return SimpleNamespace(nanjing=nanjing, hospital=hospital, maker=maker, dist=dist, province=province)

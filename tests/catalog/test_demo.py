"""Demo data (make run): ~40 products with well-formed codes, prices, qualifications, and
distribution to every city for every demo manufacturer — loaded twice without duplicates."""

import pytest

from catalog import demo, rules
from catalog.models import OtherProvincePrice, Product, ProductChangeRequest
from catalog.selectors import national_lowest_price
from parties import demo as parties_demo
from parties.models import Organisation, Region
from qualifications.models import DistributionRelationship, Qualification
from qualifications.selectors import blocking_qualifications, distributor_for

pytestmark = pytest.mark.django_db


def test_demo_catalogue_is_complete_and_idempotent(frozen):
    parties_demo.load_demo()
    demo.load_demo()
    counts = (Product.objects.count(), OtherProvincePrice.objects.count(), Qualification.objects.count(),
              DistributionRelationship.objects.count())
    demo.load_demo()
    assert counts == (Product.objects.count(), OtherProvincePrice.objects.count(), Qualification.objects.count(),
                      DistributionRelationship.objects.count())
    assert Product.objects.count() >= 40
    for p in Product.objects.exclude(national_code=None):
        assert rules.check_national_code(p.kind, p.national_code) == p.national_code  # CAT-1.1
        assert national_lowest_price(p) is not None
    assert Product.objects.filter(kind="consumable").count() >= 8
    assert Product.objects.filter(national_code=None).count() == 1
    assert Product.objects.filter(name_initials__contains="amxl").exists()

    cities = Region.objects.filter(level="city").count()
    for maker in Organisation.objects.filter(name__in=parties_demo.MANUFACTURERS):
        assert DistributionRelationship.objects.active().filter(manufacturer=maker).values("city").distinct().count() \
            == cities
    hospital = Organisation.objects.get(name="江苏省人民医院")
    maker = Organisation.objects.get(name=parties_demo.MANUFACTURERS[0])
    assert distributor_for(maker, hospital) is not None
    assert blocking_qualifications(maker) == []
    # QUA-2: the first demo maker delivers itself in one city; QUA-1: change requests in every state
    assert DistributionRelationship.objects.active().filter(manufacturer=maker, distributor=maker).count() == 1
    assert set(ProductChangeRequest.objects.values_list("status", flat=True)) == {"pending", "confirmed", "refused"}
    assert ProductChangeRequest.objects.filter(reviewer="city", status="pending").exists()
    # The demo shows a pending change and a soon-expiring licence.
    assert blocking_qualifications(Organisation.objects.get(name=parties_demo.MANUFACTURERS[11]))

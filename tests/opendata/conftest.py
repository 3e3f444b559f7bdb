"""A small public world: one manufacturer's products with a confirmed and a refused listing
decision, a price change, negotiation results from several institutions (one named so that a
leak would be visible), and a bad record."""

import itertools
from datetime import date, datetime
from decimal import Decimal as D

import pytest
import time_machine
from django.utils import timezone

from listing.models import ListingApplication, ListingPriceChange
from negotiation.models import NegotiationResult, Proposal
from parties.models import OrgKind
from qualifications.models import BadRecord
from tests import factories as f

SECRET_INSTITUTION = "保密测试第九人民医院"
_n = itertools.count(1)


def aware(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture
def world(make_org, make_user, province_user):
    maker = make_org(OrgKind.MANUFACTURER, name="公开测试制药有限公司")
    maker_user = make_user(maker)
    hospitals = [make_org(OrgKind.INSTITUTION, name=SECRET_INSTITUTION)] + [make_org(OrgKind.INSTITUTION)
                                                                           for _ in range(3)]
    products = []
    for i in range(3):
        n = next(_n)
        products.append(f.ProductFactory(
            kind="drug", generic_name=["阿莫西林", "头孢克肟", "布洛芬"][i], dosage_form="胶囊", specification="0.25g*24粒",
            manufacturer=maker, national_code=f"XJ01CAA040E00101{n:07d}"))
    amox, cef, ibu = products
    confirmed = ListingApplication.objects.create(
        enterprise=maker, product=amox, category="LST-2.3", declared_price=D("11.80"), listing_price=D("11.80"),
        status="effective", submitted_by=maker_user, submitted_at=aware(2026, 9, 1, 9), decided_by=province_user,
        decided_at=aware(2026, 9, 10, 10), effective_date=date(2026, 10, 15))
    refused = ListingApplication.objects.create(
        enterprise=maker, product=cef, category="LST-1", declared_price=D("30.00"), status="refused",
        submitted_by=maker_user, submitted_at=aware(2026, 9, 2, 9), decided_by=province_user,
        decided_at=aware(2026, 9, 11, 10), decision_reason="资质材料不全")
    listing = f.ListingFactory(product=amox, price=D("11.80"), category="LST-2.3", effective_date=date(2026, 10, 15))
    # Price changes are never edited (pgtrigger): create them at their time.
    with time_machine.travel(aware(2026, 10, 15, 0, 30), tick=False):
        ListingPriceChange.objects.create(listing=listing, old_price=None, new_price=D("11.80"),
                                          effective_date=date(2026, 10, 15), rule="LST-0.1", reason="集中挂网",
                                          changed_by=province_user)
    with time_machine.travel(aware(2026, 11, 2, 9), tick=False):
        cut = ListingPriceChange.objects.create(listing=listing, old_price=D("11.80"), new_price=D("11.20"),
                                                effective_date=date(2026, 11, 2), rule="PRC-1", reason="浙江省新低价联动",
                                                changed_by=province_user)
    ibu_listing = f.ListingFactory(product=ibu, price=D("5.00"), category="LST-1", effective_date=date(2026, 1, 15))
    for i, hospital in enumerate(hospitals):
        for product, lst, price, month_day in ((amox, listing, D("11.00") - i, (10, 20)),
                                               (ibu, ibu_listing, D("4.50"), (10, 21))):
            if product is ibu and i > 0:
                continue  # ibuprofen: one institution only, so its month is withheld
            p = Proposal.objects.create(institution=hospital, listing=lst, product=product, manufacturer=maker,
                                        listing_price=lst.price, unit_price=price, quantity=D("100"),
                                        path="enterprise", rule="NEG-3", status="confirmed", created_by=maker_user)
            NegotiationResult.objects.create(proposal=p, institution=hospital, product=product, manufacturer=maker,
                                             unit_price=price, quantity=D("100"),
                                             confirmed_at=aware(2026, *month_day, 10 + i))
    bad = BadRecord.objects.create(enterprise=maker, product=amox, kind="abnormal_rise", severity="warning",
                                   recorded_on=date(2026, 11, 1), description="无正当理由涨价", recorded_by=province_user)
    return {"maker": maker, "products": products, "confirmed": confirmed, "refused": refused, "listing": listing,
            "cut": cut, "hospitals": hospitals, "bad": bad}

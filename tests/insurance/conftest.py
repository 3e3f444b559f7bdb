"""A small world for the payment-standard run: drugs in and out of the insurance catalogue,
consumables in and out of the sunshine catalogue, a national negotiated drug, a VBP variety
(through a registered test provider), and last year's negotiation results."""

import itertools
from datetime import date, datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from insurance import registry
from insurance.models import CatalogueEntry
from listing.models import Listing
from negotiation.models import NegotiationResult, Proposal
from parties.models import OrgKind
from tests.factories import ProductFactory

_n = itertools.count(1)


@pytest.fixture
def vbp_provider():
    """A stand-in for the VBP channel's provider: product ids → (S, selected?)."""
    table = {}

    def provider(product, on):
        hit = table.get(product.pk)
        return registry.SelectedPrice(hit[0], hit[1], "测试批次") if hit else None

    provider.products = lambda on: set(table)  # lets the run keep them out of its set-based INS-1 path
    registry.register_selected_price(provider)
    yield table
    registry._selected.remove(provider)


@pytest.fixture
def insurance_world(make_org, make_user, province_user, vbp_provider):
    maker = make_org(OrgKind.MANUFACTURER, name="医保测试制药")
    maker_user = make_user(maker)
    hospitals = [make_org(OrgKind.INSTITUTION) for _ in range(2)]

    def product(name, kind="drug", catalogue=True, listing_price=None, **kw):
        n = next(_n)
        code = f"XA01ABD075A00201{n:07d}" if kind == "drug" else f"C0910010000000021179{n:07d}"
        p = ProductFactory(kind=kind, generic_name=name, dosage_form="片剂" if kind == "drug" else "",
                           specification="10mg", manufacturer=maker, national_code=code,
                           consumable_class="ordinary" if kind == "consumable" else "", **kw)
        if kind == "drug" and catalogue:
            CatalogueEntry.objects.create(product=p, valid_from=date(2020, 1, 1), recorded_by=province_user)
        listing = None
        if listing_price is not None:
            listing = Listing.objects.create(product=p, price=D(listing_price), category="LST-1",
                                             effective_date=date(2025, 1, 15))
        return p, listing

    a, a_listing = product("阿莫西林", listing_price="12.00")
    b, _ = product("目录外药", catalogue=False, listing_price="5.00")
    c, _ = product("普通耗材", kind="consumable", in_sunshine_catalogue=True, listing_price="100.00")
    d, _ = product("目录外耗材", kind="consumable", in_sunshine_catalogue=False, listing_price="60.00")
    e, _ = product("国谈药", is_national_negotiated=True, nn_payment_standard=D("50"), listing_price="50.00")
    f, _ = product("带量非中选药", listing_price="40.00")
    vbp_provider[f.pk] = (D("10"), False)
    for hospital, price, qty in ((hospitals[0], "10", "100"), (hospitals[1], "8", "300")):
        prop = Proposal.objects.create(institution=hospital, listing=a_listing, product=a, manufacturer=maker,
                                       listing_price=D("12"), unit_price=D(price), quantity=D(qty), path="enterprise",
                                       rule="NEG-3", status="confirmed", created_by=maker_user)
        NegotiationResult.objects.create(proposal=prop, institution=hospital, product=a, manufacturer=maker,
                                         unit_price=D(price), quantity=D(qty),
                                         confirmed_at=timezone.make_aware(datetime(2026, 6, 1, 10)))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "maker": maker, "hospitals": hospitals}

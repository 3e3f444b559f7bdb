"""PRC-2: the yearly general linkage — proposals, publication (public page), objection
window, application except upheld objections, idempotent apply."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.errors import Conflict, Forbidden, RuleViolation
from listing.models import ListingPriceChange
from pricing import services
from pricing.models import GeneralLinkageItem, ItemStatus, RoundStatus
from tests import factories as f


@pytest.fixture
def priced(make_listing, record_price):
    """Three listings: above the national lowest (two) and already below it (one)."""
    a, b, c = make_listing("10.0000"), make_listing("20.0000"), make_listing("5.0000")
    record_price(a.product, "8.5000", date(2026, 3, 1))
    record_price(b.product, "18.0000", date(2026, 3, 1), province="广东省")
    record_price(c.product, "6.0000", date(2026, 3, 1))
    return a, b, c


def start_and_publish(user, year=2026):
    with time_machine.travel(date(2026, 11, 2), tick=False):
        rnd = services.general_round_start(user, year=year)
        rnd = services.general_round_publish(user, rnd)
    return rnd


@pytest.mark.django_db
def test_prc2_proposes_min_of_listing_and_national_lowest(priced, province_user):
    a, b, c = priced
    with time_machine.travel(date(2026, 11, 2), tick=False):
        rnd = services.general_round_start(province_user, year=2026)
    items = {i.listing_id: i for i in rnd.items.all()}
    assert set(items) == {a.pk, b.pk}  # c is already below the national lowest: no item
    assert items[a.pk].proposed_price == Decimal("8.5000") and items[b.pk].proposed_price == Decimal("18.0000")
    assert not rnd.use_actual_purchase  # draft-001 option is off by default
    with pytest.raises(Conflict):
        services.general_round_start(province_user, year=2026)


@pytest.mark.django_db
def test_prc2_actual_purchase_price_used_when_parameter_on(priced, province_user, set_param, monkeypatch):
    a, b, _ = priced
    set_param("prc.general_use_actual_purchase", True)
    monkeypatch.setattr("pricing.selectors.in_province_actual_price",
                        lambda product, year: Decimal("7.2000") if product == a.product else None)
    with time_machine.travel(date(2026, 11, 2), tick=False):
        rnd = services.general_round_start(province_user, year=2026)
    item = rnd.items.get(listing=a)
    assert rnd.use_actual_purchase and item.proposed_price == Decimal("7.2000") and "省内实际采购价" in item.basis
    assert rnd.items.get(listing=b).proposed_price == Decimal("18.0000")


@pytest.mark.django_db
def test_prc2_published_adjustments_are_public_without_sign_in(client, priced, province_user):
    with time_machine.travel(date(2026, 11, 2), tick=False):
        rnd = services.general_round_start(province_user, year=2026)
        assert client.get(reverse("pricing:public_round", args=[2026])).status_code == 404  # draft: not public
        services.general_round_publish(province_user, rnd)
    rnd.refresh_from_db()
    assert rnd.objection_deadline == date(2026, 11, 12)  # prc.objection_days = 10 calendar days
    response = client.get(reverse("pricing:public_round", args=[2026]))
    assert response.status_code == 200 and "8.5000" in response.content.decode()


@pytest.mark.django_db
def test_prc2_apply_only_after_window_and_skips_upheld_objection(priced, province_user, maker_user):
    a, b, _ = priced
    rnd = start_and_publish(province_user)
    item_b = rnd.items.get(listing=b)
    with time_machine.travel(date(2026, 11, 10), tick=False):
        complaint = services.complaint_file(
            maker_user, subject="general_adjustment", title="广东价格已失效", text="广东省该价格已于10月停止执行",
            general_item=item_b,
        )
        with pytest.raises(RuleViolation) as err:
            services.general_round_apply(province_user, rnd)  # window still open
        assert err.value.code == "PRC-2"
    with time_machine.travel(date(2026, 11, 13), tick=False):
        with pytest.raises(Conflict):
            services.general_round_apply(province_user, rnd)  # an objection is unanswered
        services.complaint_answer(province_user, complaint, answer="经核实，广东价格已停止执行", outcome="upheld")
        rnd = services.general_round_apply(province_user, rnd, effective_date=date(2026, 12, 1))
    assert rnd.status == RoundStatus.APPLIED
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.price == Decimal("8.5000") and b.price == Decimal("20.0000")
    assert rnd.items.get(listing=a).status == ItemStatus.APPLIED
    assert rnd.items.get(listing=b).status == ItemStatus.WITHHELD
    change = ListingPriceChange.objects.get(listing=a)
    assert change.rule == "PRC-2" and change.effective_date == date(2026, 12, 1)
    # idempotent: a second apply changes nothing
    with time_machine.travel(date(2026, 11, 14), tick=False):
        services.general_round_apply(province_user, rnd)
    assert ListingPriceChange.objects.filter(listing=a).count() == 1


@pytest.mark.django_db
def test_prc2_objection_after_window_or_by_another_enterprise_refused(priced, province_user, other_maker_user,
                                                                    maker_user):
    rnd = start_and_publish(province_user)
    item = rnd.items.first()
    with time_machine.travel(date(2026, 11, 5), tick=False), pytest.raises(Forbidden):
        services.complaint_file(other_maker_user, subject="general_adjustment", title="异议", text="x",
                                general_item=item)
    with time_machine.travel(date(2026, 11, 13), tick=False), pytest.raises(RuleViolation) as err:
        services.complaint_file(maker_user, subject="general_adjustment", title="异议", text="x", general_item=item)
    assert err.value.code == "PRC-2"


@pytest.mark.django_db
def test_prc2_only_province_runs_rounds(priced, maker_user):
    with pytest.raises(Forbidden):
        services.general_round_start(maker_user, year=2026)
    assert not GeneralLinkageItem.objects.exists()


@pytest.mark.django_db
def test_prc2_in_province_actual_price_from_received_order_lines(listing, make_org, make_user):
    """Draft 001: the lowest unit price actually received into stock in the year; lines not
    received, or of another year, do not count."""
    from orders.models import Order, OrderLine
    from parties.models import OrgKind
    from pricing.selectors import in_province_actual_price

    hospital = make_org(OrgKind.INSTITUTION)
    buyer = make_user(hospital)
    distributor = make_org(OrgKind.DISTRIBUTOR)

    def line(n, price, received, on):
        with time_machine.travel(on, tick=False):
            order = Order.objects.create(institution=hospital, number=f"T{n}", created_by=buyer)
        OrderLine.objects.create(order=order, line_no=1, product=listing.product, listing=listing, quantity=10,
                                 unit_price=Decimal(price), amount=Decimal(price) * 10, price_source="listing",
                                 distributor=distributor, shipped_qty=10, received_qty=received)

    line(1, "9.1000", 10, date(2026, 5, 1))
    line(2, "8.0000", 0, date(2026, 6, 1))  # never received: not an actual purchase
    line(3, "7.0000", 10, date(2025, 6, 1))  # another year
    assert in_province_actual_price(listing.product, 2026) == Decimal("9.1000")
    assert in_province_actual_price(listing.product, 2024) is None


def _consumable(maker, code, name="一次性使用输液器", spec="带针 0.7mm"):

    return f.ProductFactory(kind="consumable", consumable_class="ordinary", national_code=code,
                            generic_name=name, specification=spec, manufacturer=maker, dosage_form="")


@pytest.mark.django_db
def test_prc2_consumable_links_to_lowest_of_similar_products(maker, province_user, record_price, set_param):
    """PRC-2 (002 §13): a consumable's yearly linkage uses the national lowest of SIMILAR products —
    the same classification prefix of the national code (a regulator's parameter) — while a drug
    links with its own product only."""

    own = _consumable(maker, "C09100100000000211790000049")
    similar = _consumable(maker, "C09100100000000211790000777", spec="带针 0.6mm")  # same 20-char class
    other_class = _consumable(maker, "C09100100000000299990000001", spec="不带针")  # another class
    listing = f.ListingFactory(product=own, price=Decimal("3.0000"), category="LST-C3",
                                     effective_date=date(2026, 1, 15))
    record_price(own, "2.8000", date(2026, 3, 1))
    record_price(similar, "2.5000", date(2026, 3, 1), province="广东省")
    record_price(other_class, "1.0000", date(2026, 3, 1), province="湖南省")
    with time_machine.travel(date(2026, 11, 2), tick=False):
        rnd = services.general_round_start(province_user, year=2026)
    item = rnd.items.get(listing=listing)
    assert item.proposed_price == Decimal("2.5000") and item.similar_product == similar
    assert item.national_lowest == Decimal("2.8000") and "全国同类产品最低价" in item.basis
    # the province widens "similar" to a coarser class (12 characters): the other class counts too
    set_param("prc.consumable_similar_code_length", 12)
    with time_machine.travel(date(2026, 11, 2), tick=False):
        wider = services.general_round_start(province_user, year=2027)
    assert wider.items.get(listing=listing).proposed_price == Decimal("1.0000")


@pytest.mark.parametrize("kind, code, length, prefix", [
    ("consumable", "C09100100000000211790000049", 20, "C0910010000000021179"),
    ("consumable", "C09100100000000211790000049", 12, "C09100100000"),
    ("consumable", None, 20, None),
    ("drug", "XA01ABD075A002010100483", 20, None),
])
def test_prc2_similar_prefix_rule(kind, code, length, prefix):
    from pricing import rules

    assert rules.prc_2_similar_prefix(kind, code, length) == prefix


def test_prc2_general_proposal_takes_the_similar_lowest_when_lowest():
    from pricing import rules

    assert rules.general_proposal(Decimal("3"), Decimal("2.8"), None, Decimal("2.5")) == (
        Decimal("2.5"), "联动全国同类产品最低价 2.5")
    assert rules.general_proposal(Decimal("3"), None, None, Decimal("3")) is None  # not a reduction

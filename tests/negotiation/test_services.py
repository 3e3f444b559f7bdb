"""Negotiation workflows against the real database (NEG-1…NEG-8, ZON-1, ZON-2)."""

import random
from datetime import date, datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.errors import Conflict, RuleViolation
from negotiation import rules, services, zones
from negotiation.models import NegotiationResult, ProductZone, Proposal, PurchaseAgreement
from notifications.models import Notification
from parties.models import OrgKind
from tests.concurrency import holding_locks, in_thread

LATE_ON_DEADLINE_DAY = datetime(2026, 10, 16, 23, 59, tzinfo=ZoneInfo("Asia/Shanghai"))


def propose(user, listing, price, qty="100", **kw):
    return services.proposal_submit(user=user, listing_id=listing.pk, unit_price=price, quantity=qty, **kw)


def test_neg_3_at_listing_price_confirmed_at_once(hospital_user, make_listing):
    listing = make_listing("10.00")
    p = propose(hospital_user, listing, "10.00")
    assert p.status == "confirmed" and p.due is None
    result = NegotiationResult.objects.get(proposal=p)
    assert result.unit_price == D("10.00") and result.institution == hospital_user.organisation
    assert PurchaseAgreement.objects.filter(result=result).exists()  # NEG-6


@time_machine.travel(date(2026, 9, 28), tick=False)
def test_neg_3_deadline_is_ten_working_days(hospital_user, make_listing):
    p = propose(hospital_user, make_listing("10.00"), "9.00")
    assert p.status == "pending"
    assert p.due == date(2026, 10, 16)  # 2026-09-28 + 10 working days over the National Day holiday


def test_neg_3_confirmable_through_deadline_and_withdrawn_the_day_after(hospital_user, maker_user, make_listing):
    listing = make_listing("10.00")
    with time_machine.travel(date(2026, 9, 28), tick=False):
        a = propose(hospital_user, listing, "9.00")
    other = make_listing("20.00")
    with time_machine.travel(date(2026, 9, 28), tick=False):
        b = propose(hospital_user, other, "19.00")
    with time_machine.travel(date(2026, 10, 16), tick=False):
        assert services.withdraw_overdue() == 0  # the run on the deadline day withdraws nothing
        services.proposal_confirm(user=maker_user, proposal_id=a.pk)  # still in time on 10-16
    with time_machine.travel(date(2026, 10, 17), tick=False):
        assert services.withdraw_overdue() == 1  # the run on 10-17 withdraws b
        with pytest.raises(RuleViolation) as exc:
            services.proposal_confirm(user=maker_user, proposal_id=b.pk)
        assert exc.value.code == "NEG-8"
        assert services.withdraw_overdue() == 0  # idempotent
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.status, b.status) == ("confirmed", "withdrawn")
    assert Notification.objects.filter(kind="negotiation.withdrawn", recipient=hospital_user).count() == 1


def test_neg_4_evidence_needs_proof(hospital_user, make_listing):
    listing = make_listing("100.00", kind="consumable")
    with pytest.raises(RuleViolation) as exc:
        propose(hospital_user, listing, "90.00", evidence_price="90.00")
    assert exc.value.code == "NEG-4"
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("flag", ["is_national_negotiated", "is_designated_production", "is_provincial_reserve"])
def test_neg_2_excluded_products_refused(hospital_user, make_listing, flag):
    listing = make_listing("10.00", **{flag: True})
    with pytest.raises(RuleViolation) as exc:
        propose(hospital_user, listing, "9.00")
    assert exc.value.code == "NEG-2"
    assert not Proposal.objects.exists()


def test_del_4_suspended_listing_cannot_be_negotiated(hospital_user, make_listing):
    listing = make_listing("10.00")
    listing.status = "suspended"
    listing.save()
    with pytest.raises(RuleViolation) as exc:
        propose(hospital_user, listing, "9.00")
    assert exc.value.code == "DEL-4"


@pytest.mark.parametrize("price, qty, code", [("0", "1", "NEG-1"), ("-3", "1", "NEG-1"), ("10.01", "1", "NEG-1"),
                                              ("9", "0", "NEG-1")])
def test_neg_1_bad_prices_and_quantities_change_nothing(hospital_user, make_listing, price, qty, code):
    listing = make_listing("10.00")
    with pytest.raises(RuleViolation) as exc:
        propose(hospital_user, listing, price, qty)
    assert exc.value.code == code
    assert not Proposal.objects.exists()


def test_second_open_proposal_for_same_product_refused(hospital_user, make_listing):
    listing = make_listing("10.00")
    propose(hospital_user, listing, "9.00")
    with pytest.raises(Conflict):
        propose(hospital_user, listing, "8.00")
    assert Proposal.objects.count() == 1


def test_neg_7_private_institutions_and_pharmacies_may_negotiate(make_org, make_user, make_listing):
    """NEG-7: insured private institutions and retail pharmacies take part too."""
    pharmacy = make_org(OrgKind.INSTITUTION, level=None, ownership="retail_pharmacy")
    private = make_org(OrgKind.INSTITUTION, level=2, ownership="private_insured")
    listing = make_listing("10.00")
    for org in (pharmacy, private):
        assert propose(make_user(org), listing, "10.00").status == "confirmed"


def test_only_the_products_manufacturer_may_confirm(hospital_user, make_listing, make_user, make_org):
    p = propose(hospital_user, make_listing("10.00"), "9.00")
    stranger = make_user(make_org(OrgKind.MANUFACTURER))
    from core.errors import NotFound

    with pytest.raises(NotFound):
        services.proposal_confirm(user=stranger, proposal_id=p.pk)
    p.refresh_from_db()
    assert p.status == "pending"


def test_neg_5_group_result_applies_to_every_member(hospital, hospital_user, make_org, make_user, maker_user, make_listing):
    member = make_org(OrgKind.INSTITUTION, level=2)
    late = make_org(OrgKind.INSTITUTION, level=2)
    group = services.group_create(user=hospital_user, name="城南医联体", institution_ids=[member.pk, late.pk],
                                  is_consortium=True)
    services.group_join(user=make_user(member), group_id=group.pk, quantity="40")
    p = propose(hospital_user, make_listing("10.00"), "9.00", group_id=group.pk)
    with pytest.raises(RuleViolation) as exc:
        services.group_join(user=make_user(late), group_id=group.pk, quantity="5")  # joining after it was sent
    assert exc.value.code == "NEG-5"
    services.proposal_confirm(user=maker_user, proposal_id=p.pk)
    got = set(NegotiationResult.objects.filter(proposal=p).values_list("institution_id", flat=True))
    assert got == {hospital.pk, member.pk}  # the late invitee who never joined gets nothing


def test_neg_5_each_member_has_its_own_quantity_in_results_agreements_and_zones(
        hospital, hospital_user, make_org, make_user, maker_user, make_listing):
    """NEG-5: each member records its own quantity; results, agreements and the ZON-2 weights use
    it, not the group total; the proposal carries the total for the enterprise."""
    from negotiation.models import GroupMember

    member = make_org(OrgKind.INSTITUTION, level=2)
    member_user = make_user(member)
    group = services.group_create(user=hospital_user, name="拼单组", institution_ids=[member.pk])
    for bad in ("0", "-3", "abc", "1.234"):
        with pytest.raises((RuleViolation, Exception)) as exc:
            services.group_join(user=member_user, group_id=group.pk, quantity=bad)
        assert getattr(exc.value, "code", "") in ("NEG-5", "invalid")
    assert GroupMember.objects.get(group=group, institution=member).joined_at is None  # nothing written
    services.group_join(user=member_user, group_id=group.pk, quantity="300")
    listing = make_listing("10.00")
    p = propose(hospital_user, listing, "9.00", qty="100", group_id=group.pk)
    assert p.quantity == D("400")  # the group total, shown to the enterprise
    services.proposal_confirm(user=maker_user, proposal_id=p.pk)
    own = {r.institution_id: r.quantity for r in NegotiationResult.objects.filter(proposal=p)}
    assert own == {hospital.pk: D("100"), member.pk: D("300")}
    agreed = dict(PurchaseAgreement.objects.filter(result__proposal=p).values_list("institution_id", "quantity"))
    assert agreed == {hospital.pk: D("100"), member.pk: D("300")}
    # ZON-2 weights: 100 @ 9 (initiator) + 300 @ 9 (member) + 150 @ 10 elsewhere: 400 of 550 < 80 %
    # → P80 = 10; with the group total (400) on each member it would be 800 of 950 ≥ 80 % → 9.
    _result(make_org, listing, "10", "150")
    zones.recompute([listing.product_id])
    z = ProductZone.objects.get(product=listing.product)
    assert z.p_blue == D("9") and z.p_yellow == D("10")  # with the group total counted twice P80 would be 9


def test_neg_6_agreement_signed_by_both_sides(hospital_user, maker_user, make_listing):
    p = propose(hospital_user, make_listing("10.00"), "10.00")
    agreement = PurchaseAgreement.objects.get(result__proposal=p)
    services.agreement_sign(user=hospital_user, agreement_id=agreement.pk)
    services.agreement_sign(user=maker_user, agreement_id=agreement.pk)
    agreement.refresh_from_db()
    assert agreement.fully_signed
    assert not any("rebate" in f.name for f in PurchaseAgreement._meta.fields)  # ORD-2: no rebate field


# ----------------------------------------------------------------------------- NEG-8 race


@pytest.mark.django_db(transaction=True)
def test_neg_8_job_first_then_confirmation_refused(hospital_user, maker_user, make_listing):
    with time_machine.travel(date(2026, 9, 28), tick=False):
        p = propose(hospital_user, make_listing("10.00"), "9.00")
    with time_machine.travel(LATE_ON_DEADLINE_DAY, tick=False):
        with holding_locks(lambda: services.withdraw_overdue(today=date(2026, 10, 17))) as jbox:
            ct, cbox = in_thread(lambda: services.proposal_confirm(user=maker_user, proposal_id=p.pk))
            ct.join(0.5)
            assert ct.is_alive()  # the confirmation waits for the job's row lock
        ct.join(10)
    assert jbox["value"] == 1
    assert isinstance(cbox.get("error"), RuleViolation) and cbox["error"].code == "NEG-8"
    p.refresh_from_db()
    assert p.status == "withdrawn" and not NegotiationResult.objects.filter(proposal=p).exists()


@pytest.mark.django_db(transaction=True)
def test_neg_8_confirmation_first_then_job_skips(hospital_user, maker_user, make_listing):
    with time_machine.travel(date(2026, 9, 28), tick=False):
        p = propose(hospital_user, make_listing("10.00"), "9.00")
    with time_machine.travel(LATE_ON_DEADLINE_DAY, tick=False):
        with holding_locks(lambda: services.proposal_confirm(user=maker_user, proposal_id=p.pk)) as cbox:
            assert services.withdraw_overdue(today=date(2026, 10, 17)) == 0  # locked row skipped, not withdrawn
        assert "error" not in cbox
        assert services.withdraw_overdue(today=date(2026, 10, 17)) == 0  # confirmed: nothing to withdraw
    p.refresh_from_db()
    assert p.status == "confirmed" and NegotiationResult.objects.filter(proposal=p).count() == 1


# ----------------------------------------------------------------------------- ZON-2 in SQL


def _result(make_org, listing, price, qty, level=3, ownership="public"):
    from django.utils import timezone

    from negotiation.models import Proposal as P

    inst = make_org(OrgKind.INSTITUTION, level=level, ownership=ownership)
    prop = P.objects.create(
        institution=inst, listing=listing, product=listing.product, manufacturer=listing.product.manufacturer,
        listing_price=listing.price, unit_price=D(price), quantity=D(qty), path="enterprise", rule="NEG-3",
        status="confirmed", created_by_id=None or _any_user(),
    )
    return NegotiationResult.objects.create(
        proposal=prop, institution=inst, product=listing.product, manufacturer=listing.product.manufacturer,
        unit_price=D(price), quantity=D(qty), confirmed_at=timezone.now(),
    )


def _any_user():
    from parties.models import User

    return User.objects.order_by("pk").values_list("pk", flat=True).first()


@time_machine.travel(date(2026, 11, 2), tick=False)
def test_zon_2_sql_matches_hand_computed_distribution(make_org, hospital_user, make_listing):
    listing = make_listing("15.00")
    # 5 institutions: prices 8, 9, 10, 12, 14 with quantities 10, 30, 40, 10, 10 (total 100)
    # cumulative 10, 40, 80, 90, 100 → P50 = 10, P80 = 10; lowest 8.
    data = [("8", "10"), ("9", "30"), ("10", "40"), ("12", "10"), ("14", "10")]
    results = [_result(make_org, listing, p, q) for p, q in data]
    _result(make_org, listing, "1", "1000", level=1)  # primary institutions do not count (ZON-2)
    zones.recompute()
    z = ProductZone.objects.get(product=listing.product)
    assert (z.p_blue, z.p_yellow, z.lowest, z.institutions) == (D("10"), D("10"), D("8"), 5)
    got = {r.unit_price: r.zone for r in NegotiationResult.objects.filter(pk__in=[r.pk for r in results])}
    assert got == {D("8"): "blue", D("9"): "blue", D("10"): "blue", D("12"): "red", D("14"): "red"}
    assert zones.classify(listing.product_id, D("10.50"))[0] == "red"


def test_zon_2_thresholds_from_public_results_only_military_included(make_org, hospital_user, make_listing):
    """ZON-1/ZON-2: thresholds use public institutions' results (military hospitals 军队驻苏
    included), not insured private institutions' — whose results are still zoned."""
    listing = make_listing("15.00")
    data = [("8", "10", "public"), ("9", "30", "military"), ("10", "40", "public"), ("12", "10", "public"),
            ("14", "10", "military")]
    for p, q, ownership in data:
        _result(make_org, listing, p, q, ownership=ownership)
    private = _result(make_org, listing, "1", "1000", ownership="private_insured")
    zones.recompute()
    z = ProductZone.objects.get(product=listing.product)
    assert (z.p_blue, z.p_yellow, z.lowest, z.institutions) == (D("10"), D("10"), D("8"), 5)
    private.refresh_from_db()
    assert private.zone == "blue"  # classified against the public thresholds


@time_machine.travel(date(2026, 11, 2), tick=False)
def test_zon_2_sql_agrees_with_pure_quantile_on_random_data(make_org, hospital_user, make_listing):
    rng = random.Random(7)
    listing = make_listing("100.00")
    points = []
    for _ in range(40):
        price, qty = D(rng.randint(5000, 9999)) / 100, D(rng.randint(1, 500))
        _result(make_org, listing, price, qty)
        points.append((price, qty))
    zones.recompute([listing.product_id])
    z = ProductZone.objects.get(product=listing.product)
    assert z.p_blue == rules.weighted_quantile(points, D("0.5"))
    assert z.p_yellow == rules.weighted_quantile(points, D("0.8"))


def test_zon_1_red_result_warns_regulators_once(make_org, make_user, hospital, hospital_user, maker_user, make_listing):
    province = make_user(kind=OrgKind.PROVINCE_REGULATOR)
    city = make_user(make_org(OrgKind.CITY_REGULATOR, city=hospital.city))
    listing = make_listing("20.00")
    _result(make_org, listing, "10.00", "100")  # one earlier result: fallback against lowest 10.00
    p = propose(hospital_user, listing, "12.00")  # 12 > 10 × 1.15 → red
    services.proposal_confirm(user=maker_user, proposal_id=p.pk)
    result = NegotiationResult.objects.get(proposal=p)
    assert result.zone == "red"
    for user in (province, city):
        assert Notification.objects.filter(recipient=user, kind="zone.red").count() == 1
    assert Notification.objects.filter(recipient=hospital_user, kind="zone.red").count() == 1
    services._zone_reminders(result)  # a second send changes nothing
    assert Notification.objects.filter(kind="zone.red").count() == 3

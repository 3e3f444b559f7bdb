"""Bad records as regulator decisions (BAD-1, 002 §38), quality events entering the list
(DEL-2), and the draft's two-year bar (BAD-2): a policy parameter, OFF by default, that when
switched on applies to every way the enterprise sells."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from core.errors import Forbidden, InvalidInput, RuleViolation
from listing.models import Listing
from parties.models import OrgKind
from policy.models import PolicyValue
from qualifications import rules, selectors, services
from qualifications.models import BadRecord
from tests import factories as f


@pytest.mark.parametrize(
    "dates, at, enabled, barred",
    [
        ([date(2026, 3, 1)], date(2028, 2, 29), True, True),  # BAD-2: barred for 2 years …
        ([date(2026, 3, 1)], date(2028, 3, 1), True, False),  # … and free again on the anniversary
        ([date(2026, 3, 1)], date(2026, 6, 1), False, False),  # the parameter switched off
        ([], date(2026, 6, 1), True, False),
        ([date(2023, 1, 1), date(2026, 3, 1)], date(2027, 1, 1), True, True),  # the latest record counts
    ],
)
def test_bad_2_ban_window(dates, at, enabled, barred):
    ban = rules.bad_2_ban(dates, at=at, enabled=enabled, years=2)
    assert ban.barred is barred
    if barred:
        assert "2 年内" in ban.message


@pytest.mark.parametrize("sanction, scope, severity, has_product, kinds, manufacturer, problem", [
    ("interview", "product", "warning", False, [], True, None),  # an enterprise interview
    ("interview", "product", "serious", True, ["drug"], True, None),  # listed, listing untouched
    ("suspend", "product", "serious", True, ["drug"], True, None),
    ("cancel", "product", "serious", True, ["consumable"], True, None),
    ("suspend", "product", "warning", True, ["drug"], True, "severity"),  # a suspension is a serious case
    ("suspend", "product", "serious", False, [], True, "product"),
    ("suspend", "part", "serious", False, ["consumable", "consumable"], True, None),
    ("cancel", "all", "serious", False, [], True, None),
    ("suspend", "part", "serious", False, ["consumable", "drug"], True, "products"),  # 002 §38: consumables only
    ("suspend", "part", "serious", False, [], True, "products"),
    ("interview", "all", "serious", False, [], True, "scope"),
    ("cancel", "all", "serious", False, [], False, "enterprise"),  # a distributor has no listings
])
def test_bad_1_decision_table(sanction, scope, severity, has_product, kinds, manufacturer, problem):
    result = rules.bad_1_decision(sanction=sanction, scope=scope, severity=severity, has_product=has_product,
                                  product_kinds=kinds, enterprise_is_manufacturer=manufacturer)
    assert (result[0] if result else None) == problem


@pytest.fixture
def world(make_org, make_user):
    maker = make_org(OrgKind.MANUFACTURER)
    product = f.ProductFactory(kind="drug", generic_name="注射用头孢曲松钠", dosage_form="注射剂",
                               specification="1g", manufacturer=maker, national_code=None)
    listing = f.ListingFactory(product=product, price=D("8.00"), category="LST-1",
                                     effective_date=date(2026, 1, 1))
    return {"maker": maker, "product": product, "listing": listing, "province": make_user(kind=OrgKind.PROVINCE_REGULATOR),
            "maker_user": make_user(maker), "hospital_user": make_user(make_org(OrgKind.INSTITUTION))}


@pytest.fixture
def ban_on(db):
    """The province switches the draft's bar on (BAD-2)."""
    PolicyValue.objects.create(key="bad.ban_enabled", value=True, effective_from=date(2020, 5, 1),
                               reason="测试：开启不良记录禁入")


def consumable(maker, name, price="100.00"):
    product = f.ProductFactory(kind="consumable", consumable_class="ordinary", generic_name=name,
                               specification="标准型", manufacturer=maker, national_code=None, dosage_form="")
    f.ListingFactory(product=product, price=D(price), category="LST-C3", effective_date=date(2026, 1, 1))
    return product


def enter(world, **kw):
    args = {"enterprise": world["maker"], "kind": "untrue_price", "severity": "serious",
            "recorded_on": date(2026, 11, 20), "description": "虚假申报全国最低价"}
    args.update(kw)
    return services.bad_record_enter(world["province"], **args)


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_2_is_off_by_default_a_serious_record_bars_nothing(world):
    from listing.services.applications import application_evaluate

    enter(world, sanction="interview", product=world["product"])
    assert selectors.bad_record_ban(world["maker"]).barred is False
    services.require_not_barred(world["maker"])  # no error
    ev = application_evaluate(enterprise=world["maker"], product=world["product"], category="LST-1", declared_price=D("7"))
    assert not any(code == "BAD-2" for code, _msg, _field in ev.blockers)


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_1_a_serious_record_does_not_touch_the_listing_unless_the_decision_says_so(world):
    record = enter(world, sanction="interview", product=world["product"])
    world["listing"].refresh_from_db()
    assert world["listing"].status == "active" and record.sanction == "interview"


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_1_product_suspension_decision_suspends_the_listing(world):
    record = enter(world, sanction="suspend", product=world["product"])
    world["listing"].refresh_from_db()
    assert world["listing"].status == "suspended"
    assert (record.sanction, record.scope, record.source) == ("suspend", "product", "regulator")
    assert world["listing"].status_rule == "BAD-1" and "不良记录" in world["listing"].status_reason


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_1_product_cancellation_delists(world):
    enter(world, sanction="cancel", product=world["product"])
    world["listing"].refresh_from_db()
    assert world["listing"].status == "delisted"


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_1_consumables_part_or_all_of_the_enterprises_listings(world):
    maker = world["maker"]
    a, b, c = consumable(maker, "医用纱布"), consumable(maker, "一次性注射器"), consumable(maker, "检查手套")
    enter(world, kind="collusion", sanction="suspend", scope="part", products=[a, b], description="串通投标")
    status = dict(Listing.objects.values_list("product_id", "status"))
    assert (status[a.pk], status[b.pk], status[c.pk], status[world["product"].pk]) == (
        "suspended", "suspended", "active", "active")
    enter(world, kind="collusion", sanction="cancel", scope="all", description="串通投标，情节特别严重")
    status = dict(Listing.objects.values_list("product_id", "status"))
    assert {status[a.pk], status[b.pk], status[c.pk]} == {"delisted"}
    assert status[world["product"].pk] == "active"  # a drug is sanctioned per product only


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_1_malformed_decisions_are_refused_and_change_nothing(world, make_org):
    gauze = consumable(world["maker"], "医用纱布")
    other = f.ProductFactory(kind="consumable", consumable_class="ivd", generic_name="试剂",
                             manufacturer=make_org(OrgKind.MANUFACTURER), national_code=None, dosage_form="", specification="")
    cases = [
        (RuleViolation, {"sanction": "suspend", "severity": "warning", "product": world["product"]}),
        (RuleViolation, {"sanction": "suspend", "product": None}),
        (RuleViolation, {"sanction": "suspend", "scope": "part", "products": [gauze, world["product"]]}),
        (RuleViolation, {"sanction": "interview", "scope": "all"}),
        (InvalidInput, {"sanction": "suspend", "scope": "part", "products": [other]}),
        (InvalidInput, {"sanction": "ban_forever", "product": world["product"]}),
        (InvalidInput, {"sanction": "suspend", "scope": "everything", "product": world["product"]}),
    ]
    for error, kw in cases:
        with pytest.raises(error) as exc:
            enter(world, **kw)
        if error is RuleViolation:
            assert exc.value.code == "BAD-1"
    assert not BadRecord.objects.exists()
    assert set(Listing.objects.values_list("status", flat=True)) == {"active"}


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_del_2_quality_events_that_suspend_or_revoke_enter_the_list(world):
    from listing.services.status import quality_event_record

    gauze = consumable(world["maker"], "医用纱布")
    quality_event_record(user=world["province"], product=world["product"], kind="failure",
                         event_date=date(2026, 11, 10), authority_level="province", severity="minor",
                         description="省药监抽检不合格")
    quality_event_record(user=world["province"], product=gauze, kind="penalty", event_date=date(2026, 11, 11),
                         authority_level="national", severity="serious", description="国家药监处罚")
    records = {r.product_id: r for r in BadRecord.objects.all()}
    assert (records[world["product"].pk].sanction, records[world["product"].pk].severity) == ("suspend", "serious")
    assert (records[gauze.pk].sanction, records[gauze.pk].severity) == ("cancel", "serious")
    assert {r.source for r in records.values()} == {"quality_event"}
    status = dict(Listing.objects.values_list("product_id", "status"))
    assert (status[world["product"].pk], status[gauze.pk]) == ("suspended", "delisted")


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_2_switched_on_bars_negotiations(world, ban_on):
    from negotiation.services import proposal_submit

    enter(world, sanction="interview")
    assert selectors.bad_record_ban(world["maker"]).barred
    with pytest.raises(RuleViolation) as exc:  # BAD-2: no negotiation with a barred enterprise
        proposal_submit(user=world["hospital_user"], listing_id=world["listing"].pk, unit_price="7", quantity="1")
    assert exc.value.code == "BAD-2"
    with pytest.raises(RuleViolation) as exc:  # the one check filings and VBP call
        services.require_not_barred(world["maker"], activity="不能参与备案采购")
    assert exc.value.code == "BAD-2" and "不能参与备案采购" in exc.value.detail


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_2_blocks_new_listing_applications(world, ban_on):
    from listing.services.applications import application_evaluate

    services.bad_record_enter(world["province"], enterprise=world["maker"], kind="collusion", severity="serious",
                              recorded_on=date(2026, 11, 1), description="串通投标")
    ev = application_evaluate(enterprise=world["maker"], product=world["product"], category="LST-1", declared_price=D("7"))
    assert any(code == "BAD-2" for code, _msg, _field in ev.blockers)


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_warning_records_do_not_bar_and_revocation_lifts_a_ban(world, ban_on):
    services.bad_record_enter(world["province"], enterprise=world["maker"], kind="supply_failure", severity="warning",
                              recorded_on=date(2026, 11, 1), description="未按合同配送")
    assert not selectors.bad_record_ban(world["maker"]).barred
    serious = services.bad_record_enter(world["province"], enterprise=world["maker"], kind="bribery",
                                        severity="serious", recorded_on=date(2026, 11, 2), description="商业贿赂")
    assert selectors.bad_record_ban(world["maker"]).barred
    services.bad_record_revoke(world["province"], serious, "法院撤销原处罚决定")
    assert not selectors.bad_record_ban(world["maker"]).barred
    assert BadRecord.objects.count() == 2  # revoked, never deleted


def test_only_the_province_enters_bad_records_and_bad_input_changes_nothing(world, make_user, make_org):
    city = make_user(make_org(OrgKind.CITY_REGULATOR))
    with pytest.raises(Forbidden):
        services.bad_record_enter(city, enterprise=world["maker"], kind="collusion", severity="serious",
                                  recorded_on=date(2026, 1, 1), description="x")
    with pytest.raises(InvalidInput):
        services.bad_record_enter(world["province"], enterprise=world["maker"], kind="collusion",
                                  severity="serious", recorded_on=date(2026, 1, 1), description="  ")
    assert not BadRecord.objects.exists()


def test_bad_1_decision_through_the_page(client, world):
    client.force_login(world["province"])
    with time_machine.travel(date(2026, 11, 24), tick=False):
        response = client.post("/qualifications/bad-records/", {
            "enterprise": world["maker"].pk, "kind": "untrue_price", "severity": "serious", "sanction": "suspend",
            "scope": "product", "recorded_on": "2026-11-20", "product": world["product"].pk,
            "description": "虚假申报全国最低价"})
        assert response.status_code == 302
        page = client.get("/qualifications/bad-records/").content.decode()
    assert "暂停挂网" in page and "列入不良记录名单" in page
    world["listing"].refresh_from_db()
    assert world["listing"].status == "suspended"
    with time_machine.travel(date(2026, 11, 24), tick=False):  # a malformed product list: nothing entered
        client.post("/qualifications/bad-records/", {
            "enterprise": world["maker"].pk, "kind": "collusion", "severity": "serious", "sanction": "suspend",
            "scope": "part", "products": "12a", "recorded_on": "2026-11-20", "description": "x"})
    assert BadRecord.objects.count() == 1


def test_enterprise_sees_only_its_own_bad_records(client, world, make_org, make_user):
    other = make_org(OrgKind.MANUFACTURER)
    with time_machine.travel(date(2026, 11, 24), tick=False):
        services.bad_record_enter(world["province"], enterprise=other, kind="collusion", severity="warning",
                                  recorded_on=date(2026, 11, 1), description="他企业的记录")
    client.force_login(world["maker_user"])
    assert "他企业的记录" not in client.get("/qualifications/bad-records/").content.decode()
    client.force_login(world["province"])
    assert "他企业的记录" in client.get("/qualifications/bad-records/").content.decode()
    client.force_login(world["hospital_user"])
    assert client.get("/qualifications/bad-records/").status_code == 403

"""Bad records (BAD-1) and the two-year ban of the draft rules (BAD-2, a policy parameter)."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine

from catalog.models import Product
from core.errors import Forbidden, InvalidInput, RuleViolation
from listing.models import Listing
from parties.models import OrgKind
from qualifications import rules, selectors, services
from qualifications.models import BadRecord


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


@pytest.fixture
def world(make_org, make_user):
    maker = make_org(OrgKind.MANUFACTURER)
    product = Product.objects.create(kind="drug", generic_name="注射用头孢曲松钠", dosage_form="注射剂",
                                     specification="1g", manufacturer=maker)
    listing = Listing.objects.create(product=product, price=D("8.00"), category="LST-1",
                                     effective_date=date(2026, 1, 1))
    return {"maker": maker, "product": product, "listing": listing, "province": make_user(kind=OrgKind.PROVINCE_REGULATOR),
            "maker_user": make_user(maker), "hospital_user": make_user(make_org(OrgKind.INSTITUTION))}


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_1_serious_record_suspends_listing_and_bars_enterprise(world):
    services.bad_record_enter(world["province"], enterprise=world["maker"], kind="untrue_price", severity="serious",
                              recorded_on=date(2026, 11, 20), description="虚假申报全国最低价", product=world["product"])
    world["listing"].refresh_from_db()
    assert world["listing"].status == "suspended"
    assert selectors.bad_record_ban(world["maker"]).barred
    from negotiation.services import proposal_submit

    world["listing"].status = "active"
    world["listing"].save()
    with pytest.raises(RuleViolation) as exc:  # BAD-2: no negotiation with a barred enterprise
        proposal_submit(user=world["hospital_user"], listing_id=world["listing"].pk, unit_price="7", quantity="1")
    assert exc.value.code == "BAD-2"


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_bad_2_blocks_new_listing_applications(world):
    from listing.services import evaluate

    services.bad_record_enter(world["province"], enterprise=world["maker"], kind="collusion", severity="serious",
                              recorded_on=date(2026, 11, 1), description="串通投标")
    ev = evaluate(enterprise=world["maker"], product=world["product"], category="LST-1", declared_price=D("7"))
    assert any(code == "BAD-2" for code, _msg, _field in ev.blockers)


@time_machine.travel(date(2026, 11, 24), tick=False)
def test_warning_records_do_not_bar_and_revocation_lifts_a_ban(world):
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

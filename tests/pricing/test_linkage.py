"""PRC-1: linkage cases — opened when a lower national lowest price takes effect, due 20
working days after THAT price's effective date, reminders, escalation of overdue cases by
an idempotent daily job, declaration ≤ the new lowest, confirmation changes the price."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.errors import Forbidden, RuleViolation
from listing.models import Listing, ListingPriceChange
from notifications.models import Notification
from pricing import services
from pricing.models import LinkageCase, LinkageStatus
from tests.concurrency import at_once


def open_case(listing, record_price, price="8.0000", effective=date(2026, 9, 21), province="浙江省"):
    record = record_price(listing.product, price, effective, province=province)
    cases = services.linkage_open_for_record(record, previous_lowest=None)
    return cases[0] if cases else None


@pytest.mark.django_db
def test_prc1_case_due_20_working_days_after_price_effective_date(listing, record_price, maker_user):
    """PRC-1: 2026-09-21 + 20 working days on the official calendar (National Day week
    off, make-up days worked) = 2026-10-26; the enterprise is notified at once."""
    with time_machine.travel(date(2026, 9, 30), tick=False):
        case = open_case(listing, record_price)
    assert case.status == LinkageStatus.OPEN
    assert case.due == date(2026, 10, 26)
    assert case.due_start == date(2026, 9, 21) and case.due_days == 20
    assert case.national_lowest == Decimal("8.0000") and case.listing_price_at_open == Decimal("10.0000")
    assert Notification.objects.filter(recipient=maker_user, kind="pricing.linkage_opened").count() == 1


@pytest.mark.django_db
def test_prc1_job_escalates_only_after_the_due_date(listing, record_price, province_user, maker_user):
    """REQUIRED: due 2026-10-26 — the run on 2026-10-26 does not escalate; the run on 2026-10-27 does."""
    with time_machine.travel(date(2026, 9, 22), tick=False):
        case = open_case(listing, record_price)
    assert case.due == date(2026, 10, 26)
    with time_machine.travel(date(2026, 10, 26), tick=False):
        assert services.linkage_daily()["escalated"] == 0
    case.refresh_from_db()
    assert case.status == LinkageStatus.OPEN and case.escalated_at is None
    with time_machine.travel(date(2026, 10, 27), tick=False):
        assert services.linkage_daily()["escalated"] == 1
    case.refresh_from_db()
    assert case.status == LinkageStatus.OVERDUE and case.escalated_at is not None
    assert Notification.objects.filter(recipient=province_user, kind="pricing.linkage_overdue").count() == 1
    # the listing is marked (overdue case), not suspended by default (prc.overdue_suspends_listing = False)
    from pricing.selectors import listing_has_overdue_linkage

    assert listing_has_overdue_linkage(listing)
    listing.refresh_from_db()
    assert listing.status == "active"
    # a second run escalates nothing and notifies nobody again
    with time_machine.travel(date(2026, 10, 28), tick=False):
        assert services.linkage_daily()["escalated"] == 0
    assert Notification.objects.filter(recipient=province_user, kind="pricing.linkage_overdue").count() == 1


@pytest.mark.django_db
def test_prc1_overdue_suspends_listing_when_parameter_on(listing, record_price, set_param, maker_user, province_user):
    set_param("prc.overdue_suspends_listing", True)
    with time_machine.travel(date(2026, 9, 22), tick=False):
        case = open_case(listing, record_price)
    with time_machine.travel(date(2026, 10, 27), tick=False):
        services.linkage_daily()
    case.refresh_from_db()
    listing.refresh_from_db()
    assert case.listing_suspended and listing.status == "suspended"
    assert "PRC-1" in (getattr(listing, "status_rule", "") + listing.status_reason)
    # declared late and confirmed: the price changes and the listing is restored
    with time_machine.travel(date(2026, 10, 28), tick=False):
        services.linkage_declare(maker_user, case, price="8.0000")
        services.linkage_confirm(province_user, case, note="补报属实")
    listing.refresh_from_db()
    assert listing.status == "active" and listing.price == Decimal("8.0000")


@pytest.mark.django_db
def test_prc1_reminder_five_working_days_before_deadline_once(listing, record_price, maker_user):
    with time_machine.travel(date(2026, 9, 22), tick=False):
        case = open_case(listing, record_price)
    # 2026-10-16 is 6 working days before 10-26 (10-17 Sat, 10-18 Sun): no reminder yet
    with time_machine.travel(date(2026, 10, 16), tick=False):
        assert services.linkage_daily()["reminded"] == 0
    with time_machine.travel(date(2026, 10, 19), tick=False):  # 5 working days before
        assert services.linkage_daily()["reminded"] == 1
    with time_machine.travel(date(2026, 10, 20), tick=False):
        assert services.linkage_daily()["reminded"] == 0  # dedupe: once
    assert Notification.objects.filter(recipient=maker_user, kind="pricing.linkage_reminder").count() == 1
    assert case.pk


@pytest.mark.django_db
def test_prc1_no_case_when_listing_already_at_or_below_new_lowest(make_listing, record_price):
    listing = make_listing(price="7.5000")
    assert open_case(listing, record_price, price="8.0000") is None
    assert not LinkageCase.objects.exists()


@pytest.mark.django_db
def test_prc1_opening_is_idempotent_per_price_record(listing, record_price):
    record = record_price(listing.product, "8.0000", date(2026, 9, 21))
    assert len(services.linkage_open_for_record(record)) == 1
    assert services.linkage_open_for_record(record) == []
    assert LinkageCase.objects.count() == 1


@pytest.mark.django_db
def test_prc1_signal_from_catalogue_opens_case(listing, province_user):
    """The receiver is connected to catalog.signals.lower_national_price_recorded in ready()."""
    from catalog.models import OtherProvincePrice
    from catalog.signals import lower_national_price_recorded

    record = OtherProvincePrice.objects.create(
        product=listing.product, province="安徽省", price=Decimal("9.0000"), effective_date=date(2026, 9, 21),
        source="安徽公告", entered_by=province_user,
    )
    with time_machine.travel(date(2026, 9, 22), tick=False):
        lower_national_price_recorded.send(sender=OtherProvincePrice, record=record, previous_lowest=None)
    case = LinkageCase.objects.get(listing=listing)
    assert case.trigger_price == record and case.due == date(2026, 10, 26)


@pytest.mark.django_db
def test_prc1_declaration_above_new_lowest_is_refused(listing, record_price, maker_user):
    case = open_case(listing, record_price)
    with pytest.raises(RuleViolation) as err:
        services.linkage_declare(maker_user, case, price="8.0001")
    assert err.value.code == "PRC-1"
    with pytest.raises(RuleViolation):
        services.linkage_declare(maker_user, case, price="7.12345")  # > 4 decimals
    case.refresh_from_db()
    assert case.status == LinkageStatus.OPEN and case.declared_price is None


@pytest.mark.django_db
def test_prc1_only_the_manufacturer_declares(listing, record_price, other_maker_user, hospital_user):
    case = open_case(listing, record_price)
    for user in (other_maker_user, hospital_user):
        with pytest.raises(Forbidden):
            services.linkage_declare(user, case, price="7.9")


@pytest.mark.django_db
def test_prc1_confirmation_changes_listing_price_with_history(listing, record_price, maker_user, province_user):
    with time_machine.travel(date(2026, 9, 25), tick=False):
        case = open_case(listing, record_price)
        services.linkage_declare(maker_user, case, price="7.9000", note="按浙江价申报")
        case = services.linkage_confirm(province_user, case, note="核实无误")
    assert case.status == LinkageStatus.CONFIRMED
    listing.refresh_from_db()
    assert listing.price == Decimal("7.9000")
    change = ListingPriceChange.objects.get(listing=listing)
    assert (change.old_price, change.new_price, change.rule) == (Decimal("10.0000"), Decimal("7.9000"), "PRC-1")
    assert change.changed_by == province_user


@pytest.mark.django_db
def test_prc1_enterprise_cannot_confirm_its_own_declaration(listing, record_price, maker_user):
    case = open_case(listing, record_price)
    services.linkage_declare(maker_user, case, price="7.9000")
    with pytest.raises(Forbidden):
        services.linkage_confirm(maker_user, case)
    listing.refresh_from_db()
    assert listing.price == Decimal("10.0000")


@pytest.mark.django_db
def test_prc1_late_declaration_on_overdue_case_is_flagged(listing, record_price, maker_user):
    with time_machine.travel(date(2026, 9, 22), tick=False):
        case = open_case(listing, record_price)
    with time_machine.travel(date(2026, 10, 27), tick=False):
        services.linkage_daily()
        case = services.linkage_declare(maker_user, case, price="8.0000")
    assert case.status == LinkageStatus.DECLARED and case.declared_late


@pytest.mark.django_db
def test_prc1_other_enterprise_cannot_see_case_pages(client, listing, record_price, other_maker_user, maker_user):
    case = open_case(listing, record_price)
    client.force_login(other_maker_user)
    assert client.get(reverse("pricing:linkage_detail", args=[case.pk])).status_code == 404
    assert case.pk not in [c.pk for c in client.get(reverse("pricing:linkage_list")).context["page"]]
    client.force_login(maker_user)
    response = client.get(reverse("pricing:linkage_detail", args=[case.pk]))
    assert response.status_code == 200 and "2026-10-26" in response.content.decode()


@pytest.mark.django_db
def test_prc1_regulator_exports_overdue_cases_xlsx(client, listing, record_price, province_user, maker_user):
    from io import BytesIO

    from openpyxl import load_workbook

    with time_machine.travel(date(2026, 9, 22), tick=False):
        open_case(listing, record_price)
    with time_machine.travel(date(2026, 10, 27), tick=False):
        services.linkage_daily()
    client.force_login(province_user)
    response = client.get(reverse("pricing:overdue_list") + "?export=xlsx")
    assert response.status_code == 200
    ws = load_workbook(BytesIO(response.content)).active
    rows = list(ws.values)
    assert rows[0][0] == "案件号" and len(rows) == 2 and rows[1][7] == "2026-10-26"
    client.force_login(maker_user)
    assert client.get(reverse("pricing:overdue_list")).status_code == 403


@pytest.mark.django_db(transaction=True)
def test_prc1_two_concurrent_jobs_escalate_each_case_once(make_listing, record_price, province_user):
    """Two workers at once: SELECT … FOR UPDATE SKIP LOCKED — each case escalated exactly once."""
    with time_machine.travel(date(2026, 9, 22), tick=False):
        cases = [open_case(make_listing(), record_price) for _ in range(6)]
    results = at_once(lambda: services.linkage_escalate_overdue(date(2026, 10, 27), batch=2))
    escalated = [pk for r in results for pk in r]
    assert sorted(escalated) == sorted(c.pk for c in cases)  # each once, none twice
    assert LinkageCase.objects.filter(status=LinkageStatus.OVERDUE).count() == 6
    assert Notification.objects.filter(recipient=province_user, kind="pricing.linkage_overdue").count() == 6
    assert Listing.objects.count() == 6


@pytest.mark.django_db
def test_prc1_end_to_end_from_catalogue_price_record(listing, province_user, maker_user):
    """A regulator records a lower other-province price through the catalogue; the signal opens
    the case in the same transaction; a higher price opens nothing."""
    from catalog.services import price_record

    with time_machine.travel(date(2026, 9, 24), tick=False):
        price_record(province_user, listing.product, province="浙江省", price="10.5", effective_date=date(2026, 9, 21),
                     source="浙江平台公告")
        assert not LinkageCase.objects.exists()  # above the listing price: no case
        price_record(province_user, listing.product, province="安徽省", price="9.2", effective_date=date(2026, 9, 21),
                     source="安徽平台公告")
    case = LinkageCase.objects.get()
    assert case.national_lowest == Decimal("9.2") and case.previous_lowest == Decimal("10.5")
    assert case.due == date(2026, 10, 26) and case.province == "安徽省"


@pytest.mark.django_db
def test_prc1_deadline_follows_a_calendar_change(listing, record_price, province_user):
    """An open case's due date is recomputed when the province enters a holiday in its window
    (LinkageCase.deadline_open_q); a confirmed case would keep its date."""
    from workcalendar.services import set_calendar_day

    with time_machine.travel(date(2026, 9, 22), tick=False):
        case = open_case(listing, record_price)
        set_calendar_day(province_user, date(2026, 10, 12), "holiday", "临时调整（测试）")
    case.refresh_from_db()
    assert case.due == date(2026, 10, 27)


@pytest.mark.django_db
def test_prc1_daily_task_is_scheduled_and_runs(listing, record_price):
    from core.schedules import SCHEDULES
    from pricing import tasks

    entry = SCHEDULES["platform:pricing-linkage-daily"]
    assert entry.task == "pricing.tasks.linkage_daily" and entry.crontab == {"hour": 6, "minute": 30}
    with time_machine.travel(date(2026, 9, 22), tick=False):
        case = open_case(listing, record_price)
    with time_machine.travel(date(2026, 10, 27), tick=False):
        assert tasks.linkage_daily.delay().get() == {"reminded": 0, "escalated": 1}
    case.refresh_from_db()
    assert case.status == LinkageStatus.OVERDUE


@pytest.mark.django_db
def test_prc1_confirming_the_newer_lower_case_closes_the_older_one(listing, record_price, maker_user, province_user):
    with time_machine.travel(date(2026, 10, 9), tick=False):
        older = open_case(listing, record_price, price="9.0000", effective=date(2026, 9, 21))
        newer = open_case(listing, record_price, price="8.5000", effective=date(2026, 10, 9), province="福建省")
        services.linkage_declare(maker_user, newer, price="8.5000")
        services.linkage_confirm(province_user, newer)
    older.refresh_from_db()
    assert older.status == LinkageStatus.CLOSED and f"#{newer.pk}" in older.decision_note
    # nothing left for the job to escalate
    with time_machine.travel(date(2026, 11, 30), tick=False):
        assert services.linkage_daily()["escalated"] == 0

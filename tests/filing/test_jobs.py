"""FIL-3 "whatever is filed must be bought": the daily job reminds once, escalates once to the
confirming body, is idempotent, and two workers at once change nothing more."""

from datetime import date

import pytest

from filing import services
from filing.models import FilingRequest
from notifications.models import Notification
from tests.concurrency import at_once

from .conftest import buy


def test_fil_3_remind_then_escalate_once(world, confirmed):
    f = confirmed(world, world.tertiary, world.hv, confirmed_on=date(2026, 1, 5))
    assert services.must_buy_daily(date(2026, 4, 4)) == {"reminded": 0, "escalated": 0, "cleared": 0}
    assert services.must_buy_daily(date(2026, 4, 5))["reminded"] == 1
    assert services.must_buy_daily(date(2026, 4, 5)) == {"reminded": 0, "escalated": 0, "cleared": 0}
    assert Notification.objects.filter(recipient=world.tertiary_user, kind="filing").count() == 1
    assert services.must_buy_daily(date(2026, 5, 4))["escalated"] == 0
    assert services.must_buy_daily(date(2026, 5, 5))["escalated"] == 1
    assert services.must_buy_daily(date(2026, 6, 5)) == {"reminded": 0, "escalated": 0, "cleared": 0}
    f.refresh_from_db()
    assert f.unpurchased_since == date(2026, 4, 5) and f.escalated_on == date(2026, 5, 5)
    assert Notification.objects.filter(recipient=world.province_user, kind="filing").count() == 1


def test_fil_3_purchased_filing_is_not_flagged(world, confirmed):
    confirmed(world, world.tertiary, world.hv, confirmed_on=date(2026, 1, 5))
    buy(world, world.tertiary_user, world.hv, date(2026, 2, 10))
    assert services.must_buy_daily(date(2026, 6, 1)) == {"reminded": 0, "escalated": 0, "cleared": 0}


@pytest.mark.django_db(transaction=True)
def test_fil_3_two_workers_at_once_remind_once(world, confirmed):
    for inst in (world.tertiary, world.tertiary2):
        confirmed(world, inst, world.hv, confirmed_on=date(2026, 1, 5))
    results = at_once(lambda: services.must_buy_daily(date(2026, 4, 5)))
    assert sum(r["reminded"] for r in results) == 2
    assert FilingRequest.objects.filter(unpurchased_since=date(2026, 4, 5)).count() == 2
    assert Notification.objects.filter(kind="filing").count() == 2
    assert services.must_buy_daily(date(2026, 4, 5))["reminded"] == 0


def test_filing_jobs_are_scheduled_daily():
    from core.schedules import SCHEDULES

    assert SCHEDULES["platform:filing-must-buy-daily"].task == "filing.tasks.must_buy_daily"
    assert SCHEDULES["platform:filing-publication-daily"].task == "filing.tasks.run_publication"

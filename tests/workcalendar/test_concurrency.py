"""Two provincial regulators press "confirm 2027" at the same moment, while a deadline is
open: exactly one confirmation wins, the other is told it was already confirmed, and the
deadline is recomputed once."""

from datetime import date

import pytest

from core.errors import Conflict
from parties.models import OrgKind
from tests.concurrency import each_at_once
from tests.deadline_testapp.models import DeadlineCase
from workcalendar import services
from workcalendar.models import CalendarYear


@pytest.mark.django_db(transaction=True)
def test_simultaneous_confirmations_confirm_once(reference_regions, make_user, make_org):
    province = make_org(OrgKind.PROVINCE_REGULATOR)
    alice, bob = make_user(province), make_user(province)
    services.set_calendar_day(alice, date(2027, 1, 1), "holiday", "元旦")
    case = DeadlineCase(title="议价待确认")
    case.set_deadline(date(2026, 12, 24), 10)
    case.save()

    def confirm(user):
        def run():
            try:
                return services.confirm_year(user, 2027, f"{user.username} 确认")
            except Conflict as exc:
                return exc
        return run

    outcomes = each_at_once(confirm(alice), confirm(bob))
    winners = [o for o in outcomes if isinstance(o, CalendarYear)]
    losers = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(winners) == 1 and len(losers) == 1
    assert CalendarYear.objects.get(year=2027).confirmed_by_id == winners[0].confirmed_by_id
    case.refresh_from_db()
    assert (case.due, case.due_provisional) == (date(2027, 1, 8), False)

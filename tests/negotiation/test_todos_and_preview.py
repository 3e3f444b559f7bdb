"""Negotiation on the home page and in the proposal form (issue 15 items 6 and 7).

NEG-3: a proposal below the listing price waits for the manufacturer until `due` (10 working
days on the calendar) — its home page lists it with that last day, the institution's lists it
as awaiting an answer, another manufacturer sees nothing. NEG-1: the zone preview says at once
that a price above the listing price will be refused, and says nothing for a non-positive one."""

from datetime import date

import pytest
import time_machine

from negotiation import services
from parties.models import OrgKind
from tests.todos import home_todos

pytestmark = pytest.mark.django_db

LABELS = {"待本企业确认的议价", "等待企业答复的议价"}


def _todos(client, user):
    return home_todos(client, user, LABELS)


def test_neg_3_manufacturer_sees_proposals_to_confirm_with_their_last_day(client, hospital_user, maker_user,
                                                                          make_listing, make_org, make_user):
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        first = services.proposal_submit(user=hospital_user, listing_id=make_listing("10.00").pk,
                                         unit_price="9", quantity="5")
        services.proposal_submit(user=hospital_user, listing_id=make_listing("20.00").pk, unit_price="18",
                                 quantity="5")
        assert first.due == date(2026, 3, 16)  # 10 working days after 2026-03-02
        mine = _todos(client, maker_user)["待本企业确认的议价"]
        assert mine["count"] == 2 and mine["due"] == date(2026, 3, 16) and mine["days_left"] == 14
        assert mine["url"] == "/negotiation/?status=pending"
        listed = client.get(mine["url"]).content.decode()
        assert listed.count('href="/negotiation/') >= 2
        waiting = _todos(client, hospital_user)["等待企业答复的议价"]
        assert waiting["count"] == 2 and "待本企业确认的议价" not in _todos(client, hospital_user)
        # Denial: another manufacturer, another hospital.
        assert _todos(client, make_user(make_org(OrgKind.MANUFACTURER))) == {}
        assert _todos(client, make_user(make_org(OrgKind.INSTITUTION))) == {}


def test_neg_3_answered_proposal_leaves_the_list(client, hospital_user, maker_user, make_listing):
    with time_machine.travel("2026-03-02 10:00 +08:00", tick=False):
        p = services.proposal_submit(user=hospital_user, listing_id=make_listing("10.00").pk, unit_price="9",
                                     quantity="5")
        services.proposal_confirm(user=maker_user, proposal_id=p.pk)
        assert _todos(client, maker_user) == {}


def _preview(client, listing, price):
    r = client.get(f"/negotiation/new/{listing.pk}/preview/", {"unit_price": price})
    assert r.status_code == 200
    return r.content.decode()


def test_neg_1_preview_says_at_once_that_a_price_above_the_listing_price_is_refused(client, hospital_user,
                                                                                   make_listing):
    listing = make_listing("10.00")
    client.force_login(hospital_user)
    html = _preview(client, listing, "12.50")
    assert 'data-testid="zone-refusal"' in html
    assert "议价单价 12.50 元 高于挂网价 10.00 元，议价不得高于挂网价" in html and "NEG-1" in html
    assert 'data-testid="zone"' not in html  # no zone for a price that will be refused
    ok = _preview(client, listing, "10.00")
    assert 'data-testid="zone-refusal"' not in ok and "按当前单价" in ok


@pytest.mark.parametrize("price", ["0", "-1", "-0.01", "abc", "", "NaN", "Infinity"])
def test_neg_1_preview_shows_nothing_for_a_price_that_is_not_positive(client, hospital_user, make_listing, price):
    client.force_login(hospital_user)
    html = _preview(client, make_listing("10.00"), price)
    assert 'data-testid="zone-refusal"' not in html and "按当前单价" not in html and 'data-testid="zone"' not in html
    assert "请输入单价以查看分区" in html

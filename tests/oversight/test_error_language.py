"""Issue 9 item 11 for oversight (BAD-1 signal decisions): a refused decision is shown in the
user's language — Chinese by default, English with the language cookie. Oversight has no API
(regulator pages only), so the page is where the refusal reaches the user."""

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from oversight import services
from oversight.models import RiskSignal, SignalStatus
from tests.clock import frozen_at

pytestmark = pytest.mark.django_db
_frozen = frozen_at("2026-11-20 02:30:00+08:00")


@pytest.fixture
def signal(make_listing, change_price):
    change_price(make_listing("10.00"), "10.00", "11.00", date(2026, 10, 1))
    services.run_nightly(date(2026, 11, 20))
    return RiskSignal.objects.get()


def _decide_without_reason(client, signal):
    resp = client.post(reverse("oversight:signal_decide", args=[signal.pk]), {"action": "dismiss", "reason": " "},
                       follow=True)
    assert resp.status_code == 200
    return resp.content.decode()


def test_bad_1_decision_without_reason_refused_in_the_chosen_language(client, province_user, signal):
    """BAD-1: dismissing a signal needs a reason; the refusal is English with the cookie,
    Chinese without, and the signal stays open."""
    client.force_login(province_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _decide_without_reason(client, signal)
    assert "Please give the reason for the decision" in html and "请填写处理意见" not in html
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    html = _decide_without_reason(client, signal)
    assert "请填写处理意见（排除、约谈或启动不良记录认定都须说明理由）" in html
    assert RiskSignal.objects.get().status == SignalStatus.OPEN

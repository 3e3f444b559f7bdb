"""Issue 9 item 11: EXP refusals follow the user's language — Chinese by default, English with
the language cookie — and the conclusion recorded on a case stays in the platform language."""

from decimal import Decimal as D

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.errors import RuleViolation
from experts import rules, services
from experts.models import ReviewOutcome


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


def test_exp1_review_conclusion_text_in_english_and_chinese():
    verdicts, drawn = {1: "pass", 2: "pass", 3: "fail"}, [1, 2, 3]
    assert rules.review_conclusion(verdicts, drawn, D("50")) == (
        "passed", "3 位抽取专家中 2 位同意（66.7%），超过 50%，评审通过")
    with translation.override("en"):
        assert rules.review_conclusion(verdicts, drawn, D("50")) == (
            "passed", "2 of 3 drawn experts approved (66.7%), above 50%: the review passed")
        assert rules.review_conclusion({1: "pass"}, [1, 2], D("50"))[1] == (
            "1 drawn expert(s) have not yet submitted a verdict")


@pytest.mark.django_db
def test_exp1_shortfall_refused_on_the_session_page_in_english_with_the_language_cookie(
        client, province_user, pool, session):
    """EXP-1: asking for more experts than the pool has is refused in English; nothing drawn."""
    client.force_login(province_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("experts:session_detail", args=[session.pk])
    response = client.post(url, {"draw": "1", "insurance": "9", "clinical": "0", "pharmacy": "0", "management": "0"})
    html = response.content.decode()
    assert response.status_code == 200 and "Not enough experts to draw" in html
    assert "专家人数不足" not in html
    assert session.current_draw() is None


@pytest.mark.django_db
def test_exp1_refusal_in_english_while_the_recorded_conclusion_stays_chinese(province_user, pool, session):
    services.session_draw(province_user, session, {"clinical": 1})
    case = session.cases.get()
    expert = session.current_draw().members.select_related("expert__user").get().expert
    with translation.override("en"):
        with pytest.raises(RuleViolation) as err:
            services.review_conclude(province_user, case, reason="summary")
        assert err.value.code == "EXP-1"
        assert err.value.detail == ("1 drawn expert(s) have not yet submitted a verdict; "
                                    "no review conclusion can be recorded")
        services.verdict_record(expert.user, case, verdict="pass", reason="fine")
        case = services.review_conclude(province_user, case, reason="agreed")
    assert case.review_outcome == ReviewOutcome.PASSED
    assert case.review_reason.startswith("1 位抽取专家中 1 位同意（100.0%），超过 50%，评审通过")

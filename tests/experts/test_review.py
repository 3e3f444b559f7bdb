"""EXP-1: a review records each drawn expert's verdict and the session's conclusion (pass /
fail, with reasons); seeds are the platform's; redraws need a reason and are limited by
exp.max_redraws."""

from datetime import date
from decimal import Decimal as D

import pytest
import time_machine
from django.urls import reverse

from core.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from experts import rules, services
from experts.models import ExpertDraw, ExpertVerdict, ReviewOutcome
from policy import services as policy


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel("2026-11-24 10:00:00+08:00", tick=False):
        yield


@pytest.mark.parametrize("verdicts, drawn, outcome", [
    ({}, [], None),                                      # nobody drawn
    ({1: "pass", 2: "pass"}, [1, 2, 3], None),           # a verdict missing
    ({1: "pass", 2: "pass", 3: "fail"}, [1, 2, 3], "passed"),   # 66.7 % > 50 %
    ({1: "pass", 2: "fail"}, [1, 2], "failed"),          # 50 % is not above 50 %
    ({1: "fail", 2: "fail", 3: "fail"}, [1, 2, 3], "failed"),
    ({1: "pass"}, [1], "passed"),
])
def test_exp1_review_conclusion_table(verdicts, drawn, outcome):
    assert rules.review_conclusion(verdicts, drawn, D("50"))[0] == outcome


@pytest.mark.parametrize("done, limit, allowed", [(0, 2, True), (1, 2, True), (2, 2, False), (0, 0, False)])
def test_exp1_redraw_limit_table(done, limit, allowed):
    assert rules.redraw_allowed(done, limit) is allowed


@pytest.fixture
def drawn_case(province_user, pool, session):
    services.session_draw(province_user, session, {"insurance": 1, "clinical": 1, "pharmacy": 1})
    case = session.cases.get()
    members = [m.expert for m in session.current_draw().members.select_related("expert__user")]
    return case, members


@pytest.mark.django_db
def test_exp1_verdicts_then_conclusion(province_user, drawn_case, pool):
    case, members = drawn_case
    outsider = next(e for c in pool.values() for e in c if e not in members)
    with pytest.raises(Forbidden):  # an expert not drawn for the session
        services.verdict_record(outsider.user, case, verdict="pass", reason="同意")
    with pytest.raises(InvalidInput):  # reasons are required
        services.verdict_record(members[0].user, case, verdict="fail", reason=" ")
    services.verdict_record(members[0].user, case, verdict="pass", reason="临床必需")
    with pytest.raises(Conflict):  # a verdict is never changed
        services.verdict_record(members[0].user, case, verdict="fail", reason="改主意")
    with pytest.raises(RuleViolation) as err:  # not every drawn expert has spoken
        services.review_conclude(province_user, case, reason="汇总")
    assert err.value.code == "EXP-1" and "2 位抽取专家未提交" in err.value.detail
    services.verdict_record(members[1].user, case, verdict="fail", reason="价格偏高")
    # the organiser enters the third verdict given at the meeting
    services.verdict_record(province_user, case, verdict="pass", reason="同意挂网", expert=members[2])
    with pytest.raises(Forbidden):  # an expert cannot enter a colleague's verdict
        services.verdict_record(members[0].user, case, verdict="pass", reason="x", expert=members[1])
    case = services.review_conclude(province_user, case, reason="多数专家同意")
    assert case.review_outcome == ReviewOutcome.PASSED and "3 位抽取专家中 2 位同意" in case.review_reason
    assert "多数专家同意" in case.review_reason
    assert ExpertVerdict.objects.filter(case=case).count() == 3


@pytest.mark.django_db
def test_exp1_redraw_needs_a_reason_and_is_limited(province_user, drawn_case):
    case, _members = drawn_case
    session = case.session
    with pytest.raises(RuleViolation) as err:
        services.session_draw(province_user, session, {"clinical": 1})
    assert err.value.code == "EXP-1" and err.value.field == "reason"
    policy.set_value(user=province_user, key="exp.max_redraws", raw_value="1", effective_from=date(2026, 11, 24),
                     reason="测试：每场次最多重抽1次")
    services.session_draw(province_user, session, {"clinical": 1}, reason="专家缺席")
    before = ExpertDraw.objects.count()
    with pytest.raises(RuleViolation) as err:
        services.session_draw(province_user, session, {"clinical": 1}, reason="再抽一次")
    assert err.value.code == "EXP-1" and "上限 1 次" in err.value.detail and "exp.max_redraws" in err.value.detail
    assert ExpertDraw.objects.count() == before


@pytest.mark.django_db
def test_exp1_seed_cannot_be_typed(province_user, pool, session):
    with pytest.raises(TypeError):
        services.session_draw(province_user, session, {"clinical": 1}, seed=7)
    assert not ExpertDraw.objects.exists()


@pytest.mark.django_db
def test_exp1_no_redraw_after_a_conclusion(province_user, drawn_case):
    case, members = drawn_case
    for m in members:
        services.verdict_record(m.user, case, verdict="fail", reason="不符合挂网条件")
    case = services.review_conclude(province_user, case, reason="不予通过")
    assert case.review_outcome == ReviewOutcome.FAILED
    with pytest.raises(Conflict):
        services.session_draw(province_user, case.session, {"clinical": 1}, reason="重新评审")


@pytest.mark.django_db
def test_exp1_expert_records_verdict_on_the_page_and_province_sees_all(client, province_user, drawn_case):
    case, members = drawn_case
    url = reverse("experts:case_detail", args=[case.pk])
    client.force_login(members[0].user)
    page = client.get(url).content.decode()
    assert 'data-testid="verdict-form"' in page and 'data-testid="conclusion-form"' not in page
    assert client.post(url, {"verdict_submit": "1", "verdict": "pass", "reason": "质量可靠"}).status_code == 302
    page = client.get(url).content.decode()
    assert 'data-testid="own-verdict"' in page and 'data-testid="verdict-form"' not in page
    client.force_login(province_user)
    page = client.get(url).content.decode()
    assert page.count('data-testid="verdict-row"') == 3 and "质量可靠" in page
    assert 'data-testid="conclusion-form"' in page

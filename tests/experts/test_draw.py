"""EXP-1: random draw of experts per category, excluding conflicts of interest, recorded
with seed, candidates and result so that it can be re-checked."""

import pytest

from core.errors import Forbidden, RuleViolation
from experts import rules, services
from experts.models import DrawMember, ExpertDraw, SessionStatus


@pytest.mark.django_db
def test_exp1_same_seed_gives_same_draw(province_user, pool, session, product, monkeypatch):
    monkeypatch.setattr(services, "new_seed", lambda: 20261120)
    draw = services.session_draw(province_user, session, {"clinical": 2, "pharmacy": 1})
    assert draw.seed == 20261120
    again = rules.draw_experts(20261120, draw.candidates, draw.per_category)
    assert again == draw.drawn
    assert len(draw.drawn["clinical"]) == 2 and len(draw.drawn["pharmacy"]) == 1
    assert services.verify_draw(draw)
    session.refresh_from_db()
    assert session.status == SessionStatus.DRAWN
    # a redraw with the same seed on the same pool gives the same experts
    redraw = services.session_draw(province_user, session, {"clinical": 2, "pharmacy": 1}, reason="复核")
    assert redraw.drawn == draw.drawn
    draw.refresh_from_db()
    assert draw.superseded_at is not None and draw.superseded_reason == "复核"


def test_exp1_draw_is_deterministic_and_uses_candidates_only():
    candidates = {"clinical": [5, 3, 9, 1, 7], "insurance": [2, 4]}
    a = rules.draw_experts(42, candidates, {"clinical": 3, "insurance": 1})
    b = rules.draw_experts(42, {"clinical": [1, 3, 5, 7, 9], "insurance": [4, 2]}, {"clinical": 3, "insurance": 1})
    assert a == b  # the order the candidates come in does not matter
    assert set(a["clinical"]) <= {1, 3, 5, 7, 9} and len(set(a["clinical"])) == 3
    assert rules.draw_experts(43, candidates, {"clinical": 5}) == {"clinical": [1, 3, 5, 7, 9]}
    seeds = {tuple(rules.draw_experts(s, candidates, {"clinical": 2})["clinical"]) for s in range(30)}
    assert len(seeds) > 1  # the seed matters


@pytest.mark.django_db
def test_exp1_declared_conflict_is_excluded(province_user, make_expert, session, maker):
    conflicted = make_expert("clinical")
    services.conflict_declare(conflicted.user, conflicted, enterprise=maker, description="曾任该企业顾问")
    employee = make_expert("clinical", employer="本企业", employer_organisation=maker)
    free = [make_expert("clinical") for _ in range(2)]
    for n in range(3):  # the first draw and the two redraws exp.max_redraws allows
        draw = services.session_draw(province_user, session, {"clinical": 2}, reason=f"重抽{n}" if n else "")
        assert set(draw.drawn["clinical"]) == {e.pk for e in free}
    excluded = {e["expert"] for e in draw.excluded}
    assert excluded == {conflicted.pk, employee.pk}
    assert conflicted.pk not in draw.candidates["clinical"]


@pytest.mark.django_db
def test_exp1_withdrawn_conflict_no_longer_excludes(province_user, make_expert, session, maker):
    expert = make_expert("pharmacy")
    conflict = services.conflict_declare(province_user, expert, enterprise=maker)
    with pytest.raises(RuleViolation):
        services.session_draw(province_user, session, {"pharmacy": 1})
    services.conflict_withdraw(province_user, conflict, "关系已解除")
    draw = services.session_draw(province_user, session, {"pharmacy": 1})
    assert draw.drawn == {"pharmacy": [expert.pk]}


@pytest.mark.django_db
def test_exp1_not_enough_experts_is_a_clear_error(province_user, make_expert, session, maker):
    make_expert("management")
    other = make_expert("management")
    services.conflict_declare(province_user, other, enterprise=maker)
    with pytest.raises(RuleViolation) as err:
        services.session_draw(province_user, session, {"management": 2})
    assert err.value.code == "EXP-1"
    assert "管理类需 2 人" in err.value.detail and "仅 1 人" in err.value.detail
    assert not ExpertDraw.objects.exists()


@pytest.mark.django_db
def test_exp1_verify_detects_tampering(province_user, pool, session):
    draw = services.session_draw(province_user, session, {"insurance": 2})
    assert services.verify_draw(draw)
    other = next(pk for pk in draw.candidates["insurance"] if pk not in draw.drawn["insurance"])
    draw.drawn = {"insurance": sorted([draw.drawn["insurance"][0], other])}
    assert not services.verify_draw(draw)


@pytest.mark.django_db
def test_exp1_inactive_experts_are_not_candidates(province_user, make_expert, session):
    make_expert("insurance", active=False)
    with pytest.raises(RuleViolation):
        services.session_draw(province_user, session, {"insurance": 1})


@pytest.mark.django_db
def test_exp1_only_the_province_draws(pool, session, make_user, maker):
    enterprise_user = make_user(maker)
    with pytest.raises(Forbidden):
        services.session_draw(enterprise_user, session, {"clinical": 1})
    assert not DrawMember.objects.exists()


@pytest.mark.django_db
def test_exp1_case_cannot_be_added_after_draw(province_user, pool, session, product):
    from core.errors import Conflict

    services.session_draw(province_user, session, {"clinical": 1})
    with pytest.raises(Conflict):
        services.session_add_case(province_user, session, description="新增案件")


@pytest.mark.django_db
def test_exp1_draw_record_cannot_be_rewritten(province_user, pool, session):
    """The database refuses to change a stored draw's seed, candidates or result."""
    from django.db import InternalError, transaction

    draw = services.session_draw(province_user, session, {"clinical": 1})
    seed = draw.seed
    # Values that certainly differ from what was stored (the seed is random since EXP-1 seeds
    # are the platform's: "the last candidate" could be the one drawn).
    for field, value in (("seed", seed + 1), ("drawn", {"clinical": []}),
                         ("candidates", {"clinical": []})):
        with pytest.raises(InternalError), transaction.atomic():
            ExpertDraw.objects.filter(pk=draw.pk).update(**{field: value})
    with pytest.raises(InternalError), transaction.atomic():
        DrawMember.objects.filter(draw=draw).update(category="insurance")
    draw.refresh_from_db()
    assert draw.seed == seed and services.verify_draw(draw)

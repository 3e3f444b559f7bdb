"""Issue 14 item 4: the session list page and `GET /api/v1/experts/sessions/` filter with one
FilterSet (experts.filters.SessionFilter), so the same query gives the same sessions; ACT-6 row
scoping still holds under any filter (an expert sees only the sessions they were drawn for).
The pool page (EXP-1) filters with experts.filters.PoolFilter."""

from datetime import date

import pytest
from django.urls import reverse

from experts import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def sessions(province_user, session):
    other = services.session_create(province_user, purpose="new_drug", title="2026年12月新药价格谈判",
                                    date=date(2026, 12, 18))
    return session, other


def _page_and_api_ids(client, user, params):
    client.force_login(user)
    page = client.get(reverse("experts:session_list"), params)
    listed = client.get("/api/v1/experts/sessions/", params)
    assert page.status_code == 200 and listed.status_code == 200, listed.content
    return sorted(s.pk for s in page.context["page"].object_list), sorted(r["id"] for r in listed.json()["results"])


@pytest.mark.parametrize("params, expected", [
    ({}, [0, 1]), ({"q": "11月"}, [0]), ({"q": "谈判"}, [0, 1]), ({"q": "集采"}, []),
    ({"purpose": "new_drug"}, [0, 1]), ({"purpose": "consumable_review"}, []),
    ({"status": "STATUS0"}, [0, 1]), ({"status": "no-such-status"}, []),
])
def test_exp_1_session_page_and_api_give_the_same_rows_for_the_same_filter(client, province_user, sessions,
                                                                           params, expected):
    params = {k: sessions[0].status if v == "STATUS0" else v for k, v in params.items()}
    page_ids, api_ids = _page_and_api_ids(client, province_user, params)
    assert page_ids == api_ids == sorted(sessions[i].pk for i in expected)


def test_act_6_a_filter_never_shows_an_expert_a_session_they_were_not_drawn_for(client, province_user, pool,
                                                                                sessions):
    drawn_session, other = sessions
    draw = services.session_draw(province_user, drawn_session, {"clinical": 1})
    expert = next(e for e in pool["clinical"] if e.pk == draw.drawn["clinical"][0])
    assert _page_and_api_ids(client, expert.user, {"q": "谈判"}) == ([drawn_session.pk], [drawn_session.pk])
    assert _page_and_api_ids(client, expert.user, {"q": "12月"}) == ([], [])


@pytest.mark.parametrize("params, expected", [
    ({}, {"甲", "乙", "丙"}), ({"category": "pharmacy"}, {"丙"}), ({"q": "鼓楼"}, {"甲", "丙"}),
    ({"q": "乙"}, {"乙"}), ({"active": "0"}, {"乙"}), ({"active": "1", "q": "鼓楼"}, {"甲", "丙"}),
    ({"active": "maybe"}, {"甲", "乙", "丙"}),
])
def test_exp_1_pool_page_filters_by_category_state_and_search(client, province_user, make_expert, params, expected):
    make_expert("clinical", full_name="专家甲")
    make_expert("clinical", employer="江苏省人民医院", full_name="专家乙", active=False)
    make_expert("pharmacy", full_name="专家丙")
    client.force_login(province_user)
    page = client.get(reverse("experts:pool"), params)
    assert {str(p.user.full_name)[-1] for p in page.context["page"].object_list} == expected

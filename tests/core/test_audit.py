"""AUD-1: every change to a decision-bearing row keeps who, when, what before and after,
and why; the object history page shows it to those who may see the object."""

import pghistory.models
import pytest

from core.audit import audit_context, current_context
from parties.models import Organisation


def events_of(obj):
    return list(pghistory.models.Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id"))


@pytest.mark.urls("tests.core.audit_urls")
def test_a_change_through_a_request_records_actor_organisation_request_and_reason(client, world):
    regulator = world["province"]
    hosp = world["nj_hosp"]
    client.force_login(regulator)
    r = client.post(
        f"/test-rename/{hosp.pk}/", {"name": "南京测试第一医院（更名）", "reason": "依据卫健委批复更名"},
        HTTP_X_REQUEST_ID="req-aud1-0001",
    )
    assert r.status_code == 200 and r["X-Request-ID"] == "req-aud1-0001"
    update = events_of(hosp)[-1]
    assert update.pgh_label == "update"
    assert update.pgh_diff["name"] == ["南京测试第一医院", "南京测试第一医院（更名）"]
    ctx = update.pgh_context
    assert ctx["user"] == regulator.pk
    assert ctx["username"] == "prov"
    assert ctx["organisation"] == regulator.organisation_id
    assert ctx["organisation_name"] == "测试省医保局"
    assert ctx["request_id"] == "req-aud1-0001"
    assert ctx["reason"] == "依据卫健委批复更名"
    assert ctx["method"] == "POST" and ctx["url"] == f"/test-rename/{hosp.pk}/"


def test_a_service_called_outside_a_request_records_actor_and_reason(world):
    hosp = world["sz_hosp"]
    with audit_context(world["province"], reason="年度核查", request_id="task-42"):
        hosp.level = 2
        hosp.save()
    ctx = events_of(hosp)[-1].pgh_context
    assert (ctx["username"], ctx["organisation"], ctx["reason"], ctx["request_id"]) == (
        "prov", world["province"].organisation_id, "年度核查", "task-42",
    )


def test_two_decisions_in_one_request_keep_their_own_reasons(world):
    """A nested audit_context opens a child context: each change keeps its own 'why', and
    the reason does not leak into later writes of the same request."""
    a, b = world["nj_hosp"], world["nj_hosp2"]
    with audit_context(world["province"], request_id="req-two"):
        with audit_context(world["province"], reason="理由甲"):
            a.level = 2
            a.save()
        with audit_context(world["province"], reason="理由乙"):
            b.level = 3
            b.save()
        assert "reason" not in current_context()
    ctx_a, ctx_b = events_of(a)[-1].pgh_context, events_of(b)[-1].pgh_context
    assert ctx_a["reason"] == "理由甲" and ctx_b["reason"] == "理由乙"
    assert ctx_a["request_id"] == ctx_b["request_id"] == "req-two"


@pytest.mark.urls("tests.core.audit_urls")
def test_history_page_shows_who_when_what_and_why_in_chinese(client, world):
    hosp = world["nj_hosp"]
    client.force_login(world["province"])
    client.post(f"/test-rename/{hosp.pk}/", {"name": "南京新名称医院", "reason": "依据卫健委批复更名"})
    r = client.get(f"/history/parties/organisation/{hosp.pk}/")
    body = r.content.decode()
    assert r.status_code == 200
    assert "变更记录" in body and "机构/企业" in body
    assert "操作人" in body and "所属机构" in body and "理由" in body
    assert "修改" in body and "创建" in body
    assert "名称" in body and "南京测试第一医院" in body and "南京新名称医院" in body  # field label, before, after
    assert "依据卫健委批复更名" in body
    assert "测试省医保局" in body  # the organisation by name, not only its id
    assert "prov" in body


@pytest.mark.urls("tests.core.audit_urls")
def test_city_regulator_may_view_its_institutions_history(client, world):
    client.force_login(world["nj_city"])
    assert client.get(f"/history/parties/organisation/{world['nj_hosp'].pk}/").status_code == 200


@pytest.mark.parametrize(
    "who, target",
    [
        ("maker_user", "other_maker"),  # an enterprise: another enterprise's history
        ("maker_user", "nj_hosp"),  # an enterprise: an institution's history
        ("nj_hosp_user", "nj_hosp2"),  # an institution: another institution's history
        ("nj_city", "sz_hosp"),  # a city regulator: another city's institution
        ("xuanwu_county", "nj_hosp2"),  # a county regulator: another county's institution
        ("expert", "nj_hosp"),
    ],
)
def test_history_of_objects_out_of_scope_is_denied(client, world, who, target):
    client.force_login(world[who])
    r = client.get(f"/history/parties/organisation/{world[target].pk}/")
    body = r.content.decode()
    assert r.status_code == 404
    assert world[target].name not in body
    assert "页面不存在或无权查看" in body  # a Chinese page, not Django's English default


def test_enterprise_may_view_its_own_organisations_history(client, world):
    client.force_login(world["maker_user"])
    assert client.get(f"/history/parties/organisation/{world['maker'].pk}/").status_code == 200


def test_user_history_is_scoped_by_the_users_organisation(client, world):
    target = world["nj_hosp_user"]
    client.force_login(world["nj_city"])
    assert client.get(f"/history/parties/user/{target.pk}/").status_code == 200
    client.force_login(world["maker_user"])
    assert client.get(f"/history/parties/user/{target.pk}/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/history/parties/nosuchmodel/1/",
        "/history/notifications/notification/1/",  # exists as a model but is not tracked
        "/history/parties/organisation/not-a-number/",
        "/history/parties/organisation/999999999/",
    ],
)
def test_history_of_unknown_things_is_404(client, world, path):
    client.force_login(world["province"])
    assert client.get(path).status_code == 404


def test_history_requires_login(client, world):
    r = client.get(f"/history/parties/organisation/{world['nj_hosp'].pk}/")
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_organisation_rows_cannot_be_deleted(world):
    from django.db import InternalError, transaction

    with pytest.raises(InternalError), transaction.atomic():
        Organisation.objects.filter(pk=world["sz_hosp"].pk).delete()


def test_history_url_tag_links_any_tracked_object_to_its_history(client, world):
    from django.template import Context, Template

    hosp = world["nj_hosp"]
    url = Template("{% load core_tags %}{% history_url obj %}").render(Context({"obj": hosp}))
    assert url == f"/history/parties/organisation/{hosp.pk}/"
    client.force_login(world["nj_city"])
    assert client.get(url).status_code == 200

"""ACT-6 / EXP-1: experts see only the sessions they were drawn for; enterprises none."""

import pytest
from django.urls import reverse

from experts import services


@pytest.fixture
def drawn(province_user, pool, session):
    draw = services.session_draw(province_user, session, {"clinical": 1})
    in_id = draw.drawn["clinical"][0]
    drawn_expert = next(e for e in pool["clinical"] if e.pk == in_id)
    not_drawn = next(e for e in pool["clinical"] if e.pk != in_id)
    return session, drawn_expert, not_drawn


@pytest.mark.django_db
def test_drawn_expert_sees_the_session(client, drawn):
    session, expert, _ = drawn
    client.force_login(expert.user)
    assert client.get(reverse("experts:session_detail", args=[session.pk])).status_code == 200
    listed = [s.pk for s in client.get(reverse("experts:session_list")).context["page"]]
    assert listed == [session.pk]
    case = session.cases.get()
    assert client.get(reverse("experts:case_detail", args=[case.pk])).status_code == 200


@pytest.mark.django_db
def test_expert_not_drawn_gets_404(client, drawn):
    session, _, outsider = drawn
    client.force_login(outsider.user)
    assert client.get(reverse("experts:session_detail", args=[session.pk])).status_code == 404
    assert client.get(reverse("experts:case_detail", args=[session.cases.get().pk])).status_code == 404
    assert list(client.get(reverse("experts:session_list")).context["page"]) == []


@pytest.mark.django_db
def test_expert_of_a_superseded_draw_loses_access(client, province_user, drawn, make_expert):
    session, expert, _ = drawn
    # redraw with a pool where the previous expert is excluded by a new conflict
    services.conflict_declare(province_user, expert, enterprise=session.cases.get().product.manufacturer)
    services.session_draw(province_user, session, {"clinical": 1}, reason="回避")
    client.force_login(expert.user)
    assert client.get(reverse("experts:session_detail", args=[session.pk])).status_code == 404


@pytest.mark.django_db
def test_enterprise_and_institution_are_refused(client, drawn, make_user, maker):
    session = drawn[0]
    client.force_login(make_user(maker))
    assert client.get(reverse("experts:session_detail", args=[session.pk])).status_code in (403, 404)
    assert client.get(reverse("experts:session_list")).status_code == 403
    client.force_login(make_user())  # an institution user
    assert client.get(reverse("experts:session_detail", args=[session.pk])).status_code in (403, 404)


@pytest.mark.django_db
def test_api_sessions_scoped_to_the_expert(client, drawn):
    session, expert, outsider = drawn
    client.force_login(outsider.user)
    assert client.get("/api/v1/experts/sessions/").json()["results"] == []
    client.force_login(expert.user)
    assert [s["id"] for s in client.get("/api/v1/experts/sessions/").json()["results"]] == [session.pk]


@pytest.mark.django_db
def test_province_draws_through_the_page_and_sees_verification(client, province_user, pool, session):
    client.force_login(province_user)
    url = reverse("experts:session_detail", args=[session.pk])
    # EXP-1: a typed seed is refused, nothing is drawn
    response = client.post(url, {"draw": "1", "insurance": "1", "clinical": "2", "pharmacy": "0", "management": "0",
                                 "seed": "123"})
    assert response.status_code == 200 and "随机种子由平台生成" in response.content.decode()
    assert session.current_draw() is None
    response = client.post(url, {"draw": "1", "insurance": "1", "clinical": "2", "pharmacy": "0", "management": "0"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    draw = session.current_draw()
    assert "复核一致" in page and str(draw.seed) in page
    assert 'name="seed"' not in page  # no seed input on the form
    # asking for more than the pool has: the Chinese message is shown next to the form
    response = client.post(url, {"draw": "1", "insurance": "9", "clinical": "0", "pharmacy": "0", "management": "0",
                                 "reason": "补抽"})
    assert response.status_code == 200 and "专家人数不足" in response.content.decode()


@pytest.mark.django_db
def test_pool_page_is_for_the_province_only(client, province_user, pool, make_user, maker):
    client.force_login(province_user)
    assert client.get(reverse("experts:pool")).status_code == 200
    export = client.get(reverse("experts:pool") + "?category=insurance&export=xlsx")
    from io import BytesIO

    from openpyxl import load_workbook

    rows = list(load_workbook(BytesIO(b"".join(export.streaming_content))).active.values)
    assert rows[0][0] == "姓名" and len(rows) == 4 and {r[2] for r in rows[1:]} == {"医保"}
    client.force_login(make_user(maker))
    assert client.get(reverse("experts:pool")).status_code == 403


@pytest.mark.django_db
def test_negotiation_through_the_pages(client, province_user, drawn):
    session, expert, _ = drawn
    case = session.cases.get()
    url = reverse("experts:case_detail", args=[case.pk])
    client.force_login(expert.user)
    assert client.post(url, {"round": "1", "enterprise_offer": "50", "expert_counter_offer": "40"}).status_code == 302
    assert client.post(url, {"conclude": "1", "agreed": "1", "final_price": "45"}).status_code == 403
    client.force_login(province_user)
    response = client.post(url, {"conclude": "1", "agreed": "1", "final_price": "51"})
    assert response.status_code == 200 and "高于企业最后一轮报价" in response.content.decode()
    assert client.post(url, {"conclude": "1", "agreed": "1", "final_price": "45"}).status_code == 302
    assert "45" in client.get(url).content.decode()


@pytest.mark.django_db
def test_expert_declares_own_conflict_on_profile_page(client, drawn, make_user, maker):
    _, expert, outsider = drawn
    client.force_login(expert.user)
    response = client.get(reverse("experts:my_profile"))
    assert response.status_code == 302
    url = reverse("experts:profile_detail", args=[expert.pk])
    assert client.post(url, {"enterprise": maker.pk, "description": "亲属任职"}).status_code == 302
    assert expert.conflicts.filter(enterprise=maker).exists()
    # another expert's profile: 404
    assert client.get(reverse("experts:profile_detail", args=[outsider.pk])).status_code == 404


@pytest.mark.django_db
def test_pool_filters_and_new_profile(client, province_user, pool, pool_org, make_user):
    client.force_login(province_user)
    response = client.get(reverse("experts:pool") + "?category=pharmacy")
    assert {p.category for p in response.context["page"]} == {"pharmacy"}
    newcomer = make_user(pool_org, full_name="新专家")
    response = client.post(reverse("experts:pool"), {"expert_user": newcomer.pk, "category": "management",
                                                       "employer": "省卫健委", "active": "on"})
    assert response.status_code == 302 and newcomer.expert_profile.category == "management"


@pytest.mark.django_db
def test_api_negotiated_price_for_regulator_and_own_manufacturer_only(client, province_user, drawn, make_user, maker):
    from catalog.models import Product
    from parties.models import OrgKind

    session = drawn[0]
    case = session.cases.get()
    services.round_record(province_user, case, enterprise_offer="30")
    services.case_conclude(province_user, case, agreed=True, final_price="29.5")
    url = f"/api/v1/experts/negotiated-price/{case.product_id}/"
    client.force_login(province_user)
    assert client.get(url).json() == {"product": case.product_id, "negotiated_price": "29.5000"}
    client.force_login(make_user(maker))
    assert client.get(url).json()["negotiated_price"] == "29.5000"
    client.force_login(make_user(kind=OrgKind.MANUFACTURER))  # a competitor
    assert client.get(url).status_code == 404
    assert Product.objects.filter(pk=case.product_id).exists()


@pytest.mark.django_db
def test_province_adds_case_by_code_on_the_page(client, province_user, product):
    from datetime import date

    session = services.session_create(province_user, purpose="rescue_drug", title="急抢救药品年度谈判", date=date(2026, 12, 1))
    client.force_login(province_user)
    url = reverse("experts:session_detail", args=[session.pk])
    response = client.post(url, {"add_case": "1", "product": "999999", "description": ""})
    assert response.status_code == 200 and "未找到该产品" in response.content.decode()
    assert client.post(url, {"add_case": "1", "product": str(product.pk), "description": "医院申请"}).status_code == 302
    assert session.cases.get().product == product

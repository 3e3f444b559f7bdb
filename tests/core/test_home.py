"""Role home pages (工作台) and role-aware navigation."""

import pytest

from core import navigation
from notifications.services import notify


@pytest.mark.parametrize(
    "who, title, marker",
    [
        ("province", "省医保局工作台", "全省医疗机构"),
        ("nj_city", "市医保局工作台", "本市医疗机构"),
        ("xuanwu_county", "县级医保部门工作台", "本县（区）医疗机构"),
        ("nj_hosp_user", "医疗机构工作台", "本机构信息"),
        ("maker_user", "生产企业工作台", "企业信息"),
        ("dist_user", "配送企业工作台", "配送企业信息"),
        ("expert", "评审专家工作台", "评审与谈判"),
    ],
)
def test_each_role_reaches_its_home_page_in_chinese(client, world, who, title, marker):
    user = world[who]
    client.force_login(user)
    r = client.get("/")
    body = r.content.decode()
    assert r.status_code == 200
    assert 'lang="zh-hans"' in body
    assert title in body and marker in body
    assert user.organisation.name in body
    if who in ("nj_hosp_user", "maker_user", "dist_user"):
        # the own organisation's change history is one click away, and it opens
        link = f"/history/parties/organisation/{user.organisation_id}/"
        assert link in body and client.get(link).status_code == 200


def _stat(body, testid):
    """The number shown on a home card."""
    chunk = body.split(f'data-testid="{testid}"', 1)[1]
    return int(chunk.split('class="stat-num">', 1)[1].split("<", 1)[0])


def test_regulator_counts_cover_only_their_institutions(client, world):
    client.force_login(world["province"])
    assert _stat(client.get("/").content.decode(), "card-institutions") == 3
    client.force_login(world["nj_city"])
    body = client.get("/").content.decode()
    assert _stat(body, "card-institutions") == 2  # Nanjing's two; not Suzhou's
    assert "玄武区" in body and "江宁区" in body  # breakdown by county
    client.force_login(world["xuanwu_county"])
    body = client.get("/").content.decode()
    assert _stat(body, "card-institutions") == 1
    assert "南京测试第一医院" in body and "江宁测试医院" not in body and "苏州测试医院" not in body


def test_institution_home_shows_its_unread_messages(client, world):
    user = world["nj_hosp_user"]
    notify([user], kind="test", title="请确认入库")
    notify([user], kind="test", title="月报提醒")
    notify([world["maker_user"]], kind="test", title="别人的消息")
    client.force_login(user)
    body = client.get("/").content.decode()
    assert _stat(body, "card-unread") == 2
    assert "请确认入库" in body and "月报提醒" in body and "别人的消息" not in body
    assert 'data-testid="unread-count">2<' in body  # top bar badge


@pytest.fixture
def fake_entries():
    before = navigation.entries()
    navigation.register("测试栏目", "仅省局可见的测试菜单", "notifications:inbox", roles={"province_regulator"}, order=1,
                        name="test:province-only")
    navigation.register("测试栏目", "企业可见的测试菜单", "home", roles=navigation.ENTERPRISES, order=2,
                        name="test:enterprises")
    navigation.register("测试栏目", "无法解析的菜单", "no-such-url", roles=None, order=3)
    yield
    for name in ("test:province-only", "test:enterprises", "no-such-url"):
        navigation.unregister(name)
    assert navigation.entries() == before


def test_navigation_registry_is_idempotent_by_name():
    """Registering a name again replaces its entry (an AppConfig.ready() run twice adds nothing)."""
    before = navigation.entries()
    try:
        navigation.register("测试栏目", "第一版", "home", order=1, name="test:same")
        navigation.register("测试栏目", "第二版", "home", order=1, name="test:same")
        assert len(navigation.entries()) == len(before) + 1
        assert navigation.entries()["test:same"].label == "第二版"
    finally:
        navigation.unregister("test:same")


def test_navigation_entries_show_only_to_their_roles(client, world, fake_entries):
    client.force_login(world["province"])
    body = client.get("/").content.decode()
    assert "仅省局可见的测试菜单" in body and "企业可见的测试菜单" not in body
    for who in ("maker_user", "dist_user"):
        client.force_login(world[who])
        body = client.get("/").content.decode()
        assert "企业可见的测试菜单" in body and "仅省局可见的测试菜单" not in body
    for who in ("nj_city", "nj_hosp_user", "expert"):
        client.force_login(world[who])
        body = client.get("/").content.decode()
        assert "仅省局可见的测试菜单" not in body and "企业可见的测试菜单" not in body
    # An entry whose URL does not resolve is left out rather than breaking the page.
    assert "无法解析的菜单" not in body


def test_every_signed_in_user_has_the_inbox_in_the_menu(world):
    for who in ("province", "nj_hosp_user", "maker_user", "expert"):
        labels = [i["label"] for g in navigation.for_user(world[who]) for i in g["items"]]
        assert "消息中心" in labels

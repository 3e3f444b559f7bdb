"""Home-page to-do lists against the demo data of `make run` (issue 15 item 6): every demo
role has tasks with deadlines where the rule sets one, each task's link opens (200) for that
user, and each role sees its own kinds of task — never another role's (the denial)."""

import pytest
import time_machine
from django.core.management import call_command

from experts.models import DrawMember
from parties.models import User

# Frozen on a fixed day so nothing depends on today's date (the demo builds relative dates).
TODAY = "2026-11-30 09:00 +08:00"

EXPECTED = {
    # ACT-5: reviews, overdue cases (PRC-1), overdue payments (ORD-2), late reports (MON-2)
    "sheng_ybj": {"待审核的挂网申请", "待审核的产品信息变更", "待审核的企业资质", "逾期未申报的价格联动",
                  "回款超期的发票"},
    # ACT-4: the city's institutions' missing reports and overdue payments
    "nj_ybj": {"回款超期的发票", "逾期未申报的价格联动"},
    "county_320102": {"回款超期的发票"},
    # ACT-3: deliveries, invoices due/overdue, proposals awaiting the enterprise
    "hosp_jsph": {"待收货入库的配送单", "待付款发票", "已超过回款期限的发票", "等待企业答复的议价"},
    # ACT-1: negotiations to confirm (NEG-3 last day), linkage cases (PRC-1 due), expiring qualifications
    "mfr_01": {"待本企业确认的议价", "待申报的价格联动", "即将到期的资质"},
    "dist_01": {"待确认配送的订单行", "即将到期的资质"},
}
# ACT-6: the demo session draws at random (a platform seed, EXP-1) — both insurance experts
# (expert_01, expert_07) and one of each other category; an undrawn expert has no task.
EXPERT_TASK = "被抽取参加的评审与谈判场次"

# Tasks a role must never get (it could not act on them).
FORBIDDEN = {
    "nj_ybj": {"待审核的挂网申请", "待审核的企业资质", "待付款发票"},
    "county_320102": {"逾期未申报的价格联动", "待审核的产品信息变更", "待审核的挂网申请"},
    "hosp_jsph": {"待本企业确认的议价", "回款超期的发票", "即将到期的资质"},
    "mfr_01": {"等待企业答复的议价", "待付款发票", "回款超期的发票", "待审核的企业资质"},
    "dist_01": {"待本企业确认的议价", "待付款发票"},
}


@pytest.fixture
def demo(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("load_demo")
        yield


@pytest.mark.django_db
def test_every_demo_role_has_its_tasks_and_only_its_tasks(client, demo):
    for username, expected in EXPECTED.items():
        client.force_login(User.objects.get(username=username))
        r = client.get("/")
        assert r.status_code == 200
        items = {t["label"]: t for t in r.context["todos"]}
        assert expected <= set(items), (username, sorted(items))
        assert not FORBIDDEN.get(username, set()) & set(items), (username, sorted(items))
        html = r.content.decode()
        for t in items.values():
            assert t["count"] > 0
            assert f'href="{t["url"]}"'.replace("&", "&amp;") in html
            assert client.get(t["url"]).status_code == 200, (username, t["url"])
    drawn = set(DrawMember.objects.filter(draw__superseded_at__isnull=True)
                .values_list("expert__user__username", flat=True))
    assert drawn
    assert {"expert_01", "expert_07"} <= drawn  # issue 15 item 8: the README's expert_01 has a case
    for username in ("expert_01", "expert_07", "expert_05"):  # expert_05 declared a conflict: never drawn
        labels = {t["label"] for t in _todos(client, username)}
        assert labels == ({EXPERT_TASK} if username in drawn else set()), username
    mfr = {t["label"]: t for t in _todos(client, "mfr_01")}
    assert mfr["待本企业确认的议价"]["due"] is not None  # NEG-3 last day (working days)
    assert mfr["待申报的价格联动"]["due"] is not None  # PRC-1 due (20 working days)
    assert mfr["即将到期的资质"]["due"] is not None


def _todos(client, username):
    client.force_login(User.objects.get(username=username))
    return client.get("/").context["todos"]

"""Journey (PUB-1, BAD-1): a visitor who is not signed in reads the public site — the latest
publications, the negotiation statistics found by pinyin initials, the bad-record list, the
OCDS feed — and the province opens an enterprise's record before an interview: its price
history chart, the price-rise signal, and dismisses nothing without a reason."""

from datetime import date

import pytest
import time_machine

from oversight import services as oversight
from parties.models import Organisation, OrgKind, Role, User
from tests.opendata.conftest import SECRET_INSTITUTION, world  # noqa: F401

from .conftest import login, shot

PASSWORD = "Journey-2026!"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_public_site_and_enterprise_record(page, reference_regions, world):  # noqa: F811
    with time_machine.travel("2026-11-20 10:00 +0800", tick=True):
        _journey(page, world)


def _journey(page, w):
    # 1. Signed out: the public site's front page lists the newest decisions.
    page.goto("/opendata/")
    assert page.get_by_test_id("page-title").inner_text() == "阳光采购信息公开"
    assert page.get_by_test_id("recent-row").count() >= 4
    assert SECRET_INSTITUTION not in page.content()
    shot(page, "public-index")

    # 2. Negotiation statistics by pinyin initials, without any institution.
    page.goto("/opendata/negotiation-stats/")
    page.get_by_test_id("q").fill("amxl")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url("**q=amxl**")
    assert page.get_by_test_id("stats-row").count() == 1
    assert "9.50" in page.get_by_test_id("stats-row").inner_text()
    shot(page, "negotiation-stats")

    # 3. The bad-record list and the OCDS feed are open too.
    page.goto("/opendata/bad-records/")
    assert "公开测试制药有限公司" in page.get_by_test_id("bad-table").inner_text()
    shot(page, "bad-records")
    response = page.request.get("/opendata/ocds/releases.json?page_size=2")
    assert response.status == 200 and response.json()["version"] == "1.1" and "next" in response.json()["links"]

    # 4. The province opens the enterprise's record after the nightly signals ran.
    w["listing"].price_changes.create(old_price="11.20", new_price="12.40", effective_date=date(2026, 11, 10),
                                          rule="LST-8.1", reason="短缺药品供货稳价申报", changed_by=None)
    oversight.run_nightly(date(2026, 11, 20))
    province = Organisation.objects.filter(kind=OrgKind.PROVINCE_REGULATOR).first()
    User.objects.create_user(username="prov-e2e", password=PASSWORD, organisation=province,
                             role=Role.PROVINCE_REGULATOR)
    login(page, "prov-e2e", PASSWORD)
    page.goto("/oversight/signals/")
    assert "挂网价上涨" in page.get_by_test_id("signal-table").inner_text()
    shot(page, "signals")
    page.get_by_role("link", name="公开测试制药有限公司").first.click()
    page.wait_for_selector("[data-testid=price-chart] canvas")
    assert "挂网价上涨" in page.get_by_test_id("signals").inner_text()
    assert not page.js_errors
    shot(page, "enterprise-record")

    # 5. A decision needs a reason: the browser refuses an empty one; with a reason it is recorded.
    page.get_by_test_id("signals").get_by_role("link").first.click()
    page.get_by_role("button", name="记录约谈").click()
    assert page.get_by_test_id("status").inner_text() == "待处理"
    page.get_by_label("处理意见（必填）").fill("已约谈企业，说明原料药成本上涨，继续观察")
    page.get_by_role("button", name="记录约谈").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("status").inner_text() == "已约谈"
    shot(page, "signal-decided")

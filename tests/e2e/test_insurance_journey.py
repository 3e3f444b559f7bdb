"""Journey (INS-1, INS-4, PUB-1): the province runs next year's payment standards in the
browser and watches the job finish, opens one product's explanation, publishes, and the
hospital's HIS reads the standard in force over the API; the public page lists it."""

from decimal import Decimal as D

import pytest
import time_machine

from parties.models import ApiClient, Organisation, OrgKind, Role, User
from tests.insurance.conftest import insurance_world, vbp_provider  # noqa: F401

from .conftest import login, shot

PASSWORD = "Journey-2026!"


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_insurance_journey(page, reference_regions, insurance_world):  # noqa: F811
    with time_machine.travel("2026-12-01 10:00 +0800", tick=True):
        _journey(page, insurance_world)


def _journey(page, world):
    province = Organisation.objects.create(kind=OrgKind.PROVINCE_REGULATOR, name="江苏省医疗保障局（测试）")
    User.objects.create_user(username="prov-ins", password=PASSWORD, organisation=province,
                             role=Role.PROVINCE_REGULATOR)
    login(page, "prov-ins", PASSWORD)

    # 1. The run page flags 2027 as not yet published and starts the run.
    page.goto("/insurance/runs/")
    assert "2027 年医保支付标准尚未发布" in page.get_by_test_id("unpublished").inner_text()
    shot(page, "runs")
    page.get_by_test_id("run-year").fill("2027")
    page.get_by_test_id("run-start").click()
    page.wait_for_url("**/insurance/runs/*/")
    page.wait_for_selector("[data-testid=digest]")
    assert "已完成" in page.get_by_test_id("run-progress").inner_text()
    shot(page, "run-done")

    # 2. One product's explanation: the VBP non-selected drug's path to the selected price.
    page.goto(page.url)  # the results table shows once the run is done
    page.get_by_test_id("q").fill("带量")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("link", name="带量非中选药").click()
    assert "28.00" in page.get_by_test_id("amount").inner_text()
    assert "2029：10.0000" in page.get_by_test_id("path").inner_text()
    assert "ins.vbp_min_cut_percent" in page.get_by_test_id("parameters").inner_text()  # stored once on the run
    shot(page, "explanation")

    # 3. Publish.
    page.get_by_role("link", name="2027 年支付标准（第 1 版）").click()
    page.get_by_test_id("publish").click()
    page.wait_for_load_state()
    assert "已发布" in page.get_by_test_id("run-progress").inner_text()
    shot(page, "published")

    # 4. The hospital's HIS reads the standard in force; the public page lists it.
    hospital = world["hospitals"][0]
    token, key_id, key_hash = ApiClient.new_key()
    his = User.objects.create_user(username="his-ins", password=None, organisation=hospital, role=Role.HIS)
    ApiClient.objects.create(institution=hospital, name="HIS", user=his, key_id=key_id, key_hash=key_hash)
    resp = page.request.get(f"/api/v1/payment-standards/in-force?national_code={world['a'].national_code}&date=2027-02-01",
                            headers={"Authorization": f"Token {token}"})
    assert resp.status == 200 and D(resp.json()["amount"]) == D("8.5")
    page.goto("/insurance/public/?q=amxl")
    assert "8.50" in page.get_by_test_id("public-table").inner_text()
    assert not page.js_errors
    shot(page, "public")

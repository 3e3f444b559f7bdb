"""Every page renders for the roles that use it (Chinese UI), filters and paginates, and
is refused to the others; the public pages need no sign-in (PUB-1)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from pricing import services


@pytest.fixture
def world(listing, record_price, province_user, maker_user):
    with time_machine.travel(date(2026, 9, 22), tick=False):
        record = record_price(listing.product, "8.0000", date(2026, 9, 21))
        case = services.linkage_open_for_record(record)[0]
    with time_machine.travel(date(2026, 11, 2), tick=False):
        rnd = services.general_round_start(province_user, year=2026)
        services.general_round_publish(province_user, rnd)
        complaint = services.complaint_file(maker_user, subject="linkage", title="联动异议", text="内容",
                                            linkage_case=case)
    return {"case": case, "round": rnd, "complaint": complaint}


@pytest.mark.django_db
def test_regulator_pages_render(client, world, province_user):
    client.force_login(province_user)
    for url in [
        reverse("pricing:linkage_list"), reverse("pricing:linkage_list") + "?status=open&q=阿莫西林",
        reverse("pricing:overdue_list"), reverse("pricing:linkage_detail", args=[world["case"].pk]),
        reverse("pricing:round_list"), reverse("pricing:round_detail", args=[world["round"].pk]),
        reverse("pricing:complaint_list") + "?status=filed", reverse("pricing:complaint_detail", args=[world["complaint"].pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "低价联动" in response.content.decode() or "申投诉" in response.content.decode() or "年度" in response.content.decode()
    for url in [reverse("pricing:linkage_list"), reverse("pricing:round_detail", args=[world["round"].pk]),
                reverse("pricing:complaint_list")]:
        response = client.get(url + "?export=xlsx")
        assert response["Content-Type"].startswith("application/vnd.openxmlformats"), url


@pytest.mark.django_db
def test_linkage_list_filters(client, world, province_user):
    client.force_login(province_user)
    assert len(client.get(reverse("pricing:linkage_list") + "?status=open").context["page"]) == 1
    assert len(client.get(reverse("pricing:linkage_list") + "?status=confirmed").context["page"]) == 0
    assert len(client.get(reverse("pricing:linkage_list") + "?q=不存在的产品").context["page"]) == 0


@pytest.mark.django_db
def test_enterprise_pages_and_refusals(client, world, maker_user, hospital_user):
    client.force_login(maker_user)
    page = client.get(reverse("pricing:linkage_detail", args=[world["case"].pk])).content.decode()
    assert "提交申报" in page and "确认并调整挂网价" not in page
    assert client.get(reverse("pricing:round_detail", args=[world["round"].pk])).status_code == 200
    assert client.get(reverse("pricing:complaint_list") + "?export=xlsx")["Content-Type"].startswith("text/html")
    client.force_login(hospital_user)
    assert client.get(reverse("pricing:linkage_list")).status_code == 403
    assert client.get(reverse("pricing:complaint_detail", args=[world["complaint"].pk])).status_code == 404


@pytest.mark.django_db
def test_declare_and_confirm_through_the_pages(client, world, maker_user, province_user):
    url = reverse("pricing:linkage_detail", args=[world["case"].pk])
    client.force_login(maker_user)
    response = client.post(url, {"declare": "1", "price": "8.5"})
    assert response.status_code == 200 and "高于新的全国最低价" in response.content.decode()
    assert client.post(url, {"declare": "1", "price": "7.8"}).status_code == 302
    client.force_login(province_user)
    assert client.post(url, {"decision": "confirm", "note": "属实"}).status_code == 302
    world["case"].listing.refresh_from_db()
    assert str(world["case"].listing.price) == "7.8000"


@pytest.mark.django_db
def test_public_pages_without_sign_in(client, world):
    assert client.get(reverse("pricing:public_rounds")).status_code == 200
    assert client.get(reverse("pricing:public_round", args=[2026])).status_code == 200
    assert client.get(reverse("pricing:public_complaints")).status_code == 200
    assert client.get(reverse("pricing:linkage_list")).status_code == 302  # sign-in required


@pytest.mark.django_db
def test_api_linkage_cases_scoped(client, world, maker_user, other_maker_user):
    client.force_login(other_maker_user)
    assert client.get("/api/v1/pricing/linkage-cases/").json()["results"] == []
    response = client.post(f"/api/v1/pricing/linkage-cases/{world['case'].pk}/declare/", {"price": "7"},
                           content_type="application/json")
    assert response.status_code == 404
    client.force_login(maker_user)
    assert [c["id"] for c in client.get("/api/v1/pricing/linkage-cases/").json()["results"]] == [world["case"].pk]
    response = client.post(f"/api/v1/pricing/linkage-cases/{world['case'].pk}/declare/", {"price": "9"},
                           content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "PRC-1"


@pytest.mark.django_db
def test_yearly_round_through_the_pages(client, listing, record_price, province_user, maker_user):
    from pricing.models import GeneralLinkageRound

    record_price(listing.product, "9.0000", date(2026, 3, 1))
    client.force_login(province_user)
    with time_machine.travel(date(2026, 11, 2), tick=False):
        response = client.post(reverse("pricing:round_list"), {"year": "2026"})
        rnd = GeneralLinkageRound.objects.get(year=2026)
        assert response.status_code == 302 and rnd.items.count() == 1
        assert client.post(reverse("pricing:round_detail", args=[rnd.pk]), {"publish": "1"}).status_code == 302
        refused = client.post(reverse("pricing:round_detail", args=[rnd.pk]), {"apply": "1"})
        assert refused.status_code == 200 and "申投诉期至 2026-11-12 止" in refused.content.decode()
    client.force_login(maker_user)
    page = client.get(reverse("pricing:round_detail", args=[rnd.pk])).content.decode()
    assert "9.0000" in page
    client.force_login(province_user)
    with time_machine.travel(date(2026, 11, 13), tick=False):
        assert client.post(reverse("pricing:round_detail", args=[rnd.pk]),
                           {"apply": "1", "effective_date": "2026-12-01"}).status_code == 302
    listing.refresh_from_db()
    assert str(listing.price) == "9.0000"

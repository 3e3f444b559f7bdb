"""HIS API clients (ACT-7): per-institution tokens, hashed, shown once, revocable with a
reason; who may manage them; the management pages."""

import hashlib
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pghistory.models import Events

from core.errors import Forbidden, InvalidInput, RuleViolation
from parties.models import ApiClient, OrgKind, Role
from parties.services import api_client_create, api_client_revoke

# --- services -----------------------------------------------------------------------------


def test_institution_user_creates_a_client_acting_only_for_its_institution(admin, hosp):
    client, token = api_client_create(admin, hosp, "  HIS 正式环境 ")
    assert client.name == "HIS 正式环境" and client.institution == hosp and client.created_by == admin
    assert token.startswith(f"sp_{client.key_id}_")
    service_user = client.user
    assert service_user.role == Role.HIS and service_user.organisation == hosp
    assert not service_user.has_usable_password()  # cannot sign in to the web UI
    secret = token.split("_", 2)[2]
    assert client.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert client.check_secret(secret) and not client.check_secret(secret + "x")


def test_province_creates_for_any_institution(province_user, other_hosp):
    client, _ = api_client_create(province_user, other_hosp, "HIS")
    assert client.institution == other_hosp


@pytest.mark.parametrize("who", ["other_institution_user", "enterprise", "city_regulator", "his_token_user"])
def test_denied_to_everyone_else(who, hosp, other_hosp, admin, make_user, make_org, nanjing):
    user = {
        "other_institution_user": lambda: make_user(other_hosp),
        "enterprise": lambda: make_user(kind=OrgKind.MANUFACTURER),
        "city_regulator": lambda: make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing)),
        "his_token_user": lambda: api_client_create(admin, hosp, "HIS")[0].user,
    }[who]()
    before = ApiClient.objects.count()
    with pytest.raises(Forbidden):
        api_client_create(user, hosp, "偷建")
    assert ApiClient.objects.count() == before
    target, _ = api_client_create(admin, hosp, "LIS")
    with pytest.raises(Forbidden):
        api_client_revoke(user, target, "越权吊销")
    target.refresh_from_db()
    assert target.revoked_at is None


def test_only_institutions_get_clients(province_user, make_org):
    with pytest.raises(RuleViolation) as exc:
        api_client_create(province_user, make_org(OrgKind.MANUFACTURER), "ERP")
    assert exc.value.code == "ACT-7"


def test_revoke_needs_a_reason_and_is_audited_with_it(admin, hosp):
    client, _ = api_client_create(admin, hosp, "HIS")
    with pytest.raises(InvalidInput) as exc:
        api_client_revoke(admin, client, "  ")
    assert exc.value.field == "reason"
    api_client_revoke(admin, client, "令牌疑似泄露")
    client.refresh_from_db()
    assert client.revoked_by == admin and client.revoked_reason == "令牌疑似泄露" and not client.is_active
    assert not client.user.is_active
    event = [e for e in Events.objects.tracks(client).order_by("pgh_created_at") if e.pgh_data["revoked_at"]][-1]
    assert event.pgh_context["reason"] == "吊销HIS接口客户端：令牌疑似泄露"
    assert event.pgh_context["user"] == admin.pk


def test_a_revoked_name_may_be_reused_but_not_a_live_one(admin, hosp):
    from core.errors import Conflict

    client, _ = api_client_create(admin, hosp, "HIS")
    with pytest.raises(Conflict):
        api_client_create(admin, hosp, "HIS")
    api_client_revoke(admin, client, "更换")
    assert api_client_create(admin, hosp, "HIS")[0].pk != client.pk


# --- pages ----------------------------------------------------------------------------------


def test_list_shows_own_institution_only_with_last_use_and_revocation(client, admin, hosp, other_hosp, province_user):
    mine, _ = api_client_create(admin, hosp, "HIS 正式环境")
    revoked, _ = api_client_create(admin, hosp, "HIS 测试环境")
    api_client_revoke(admin, revoked, "测试结束")
    theirs, _ = api_client_create(province_user, other_hosp, "苏州 HIS")
    client.force_login(admin)
    html = client.get(reverse("parties:api_client_list")).content.decode()
    assert "HIS 正式环境" in html and "测试结束" in html and "从未使用" in html
    assert "苏州 HIS" not in html  # the denial: another institution's clients are not listed
    assert f'data-testid="revoke-{mine.pk}"' in html and f'data-testid="revoke-{revoked.pk}"' not in html
    # and the navigation offers the page
    assert reverse("parties:api_client_list") in client.get(reverse("home")).content.decode()


def test_create_page_shows_the_token_once(client, admin, hosp):
    client.force_login(admin)
    url = reverse("parties:api_client_create")
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "HIS 正式环境"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    created = ApiClient.objects.get()
    html = response.content.decode()
    token = html.split('data-testid="token" onfocus')[0].rsplit('value="', 1)[1].split('"')[0]
    assert token.startswith(f"sp_{created.key_id}_")
    assert created.check_secret(token.split("_", 2)[2])
    # nowhere afterwards
    assert token not in client.get(reverse("parties:api_client_list")).content.decode()


def test_create_page_shows_errors_next_to_the_field(client, admin, hosp):
    client.force_login(admin)
    api_client_create(admin, hosp, "HIS")
    response = client.post(reverse("parties:api_client_create"), {"name": "HIS"})
    assert 'data-testid="error-name"' in response.content.decode()
    assert "同名" in response.content.decode()
    assert ApiClient.objects.count() == 1


def test_revoke_page_requires_a_reason_and_revokes(client, admin, hosp):
    target, _ = api_client_create(admin, hosp, "HIS")
    client.force_login(admin)
    url = reverse("parties:api_client_revoke", args=[target.pk])
    assert 'data-testid="error-reason"' in client.post(url, {"reason": ""}).content.decode()
    response = client.post(url, {"reason": "更换厂商"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.revoked_reason == "更换厂商" and target.revoked_by == admin


def test_other_institution_and_his_and_enterprise_are_refused(client, admin, hosp, other_hosp, make_user):
    target, _ = api_client_create(admin, hosp, "HIS")
    client.force_login(make_user(other_hosp))
    assert client.get(reverse("parties:api_client_revoke", args=[target.pk])).status_code == 404
    assert client.post(reverse("parties:api_client_revoke", args=[target.pk]), {"reason": "x"}).status_code == 404
    client.force_login(make_user(kind=OrgKind.MANUFACTURER))
    assert client.get(reverse("parties:api_client_list")).status_code == 403
    assert client.get(reverse("parties:api_client_create")).status_code == 403
    target.refresh_from_db()
    assert target.is_active


def test_city_regulator_reads_its_citys_clients_but_cannot_revoke(client, admin, hosp, make_user, make_org, nanjing):
    target, _ = api_client_create(admin, hosp, "HIS")
    client.force_login(make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing)))
    assert "HIS" in client.get(reverse("parties:api_client_list")).content.decode()
    assert client.get(reverse("parties:api_client_revoke", args=[target.pk])).status_code == 403


def test_province_exports_the_list(client, admin, hosp, province_user):
    api_client_create(admin, hosp, "HIS 正式环境")
    client.force_login(province_user)
    response = client.get(reverse("parties:api_client_export"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "医疗机构" and rows[1][:2] == (hosp.name, "HIS 正式环境") and rows[1][6] == "有效"


def test_pages_in_english(client, admin, hosp):
    api_client_create(admin, hosp, "HIS")
    client.force_login(admin)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("parties:api_client_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "HIS API client" in html and "New API client" in html and "Never used" in html and "从未使用" not in html

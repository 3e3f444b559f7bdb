"""Issue 16 item 8: a password reset by a regulator is a temporary password another person has
seen — its holder must choose a new one at the next sign-in before using the platform (pages
redirect to the change form, the session API answers 403); the self-chosen password lifts it.
A refused reset sets nothing."""

import re

import pytest

from core.models import PasswordChangeRequired
from parties.models import OrgKind

STRONG = "k7#Vq9-mZ2pL"


def _reset(client, regulator, target):
    client.force_login(regulator)
    response = client.post(f"/accounts/users/{target.pk}/reset/", {"reason": "本人电话申请，已核实身份"})
    assert response.status_code == 200
    client.logout()
    return re.search(r'data-testid="temp-password">([^<]+)<', response.content.decode()).group(1)


@pytest.mark.django_db
def test_reset_by_regulator_forces_a_new_password_at_next_sign_in(client, province_user, maker_user):
    temporary = _reset(client, province_user, maker_user)
    assert PasswordChangeRequired.objects.filter(user=maker_user, set_by=province_user).exists()

    assert client.post("/accounts/login/", {"username": maker_user.username, "password": temporary}).status_code == 302
    home = client.get("/catalog/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/password/")
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "password_change_required"
    page = client.get(home["Location"])
    assert page.status_code == 200 and "请先设置新密码" in page.content.decode()

    changed = client.post("/accounts/password/", {"old_password": temporary, "new_password1": STRONG,
                                                  "new_password2": STRONG})
    assert changed.status_code == 302
    assert not PasswordChangeRequired.objects.filter(user=maker_user).exists()
    assert client.get("/catalog/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_refused_password_change_keeps_the_obligation(client, province_user, maker_user):
    temporary = _reset(client, province_user, maker_user)
    client.post("/accounts/login/", {"username": maker_user.username, "password": temporary})
    client.post("/accounts/password/", {"old_password": temporary, "new_password1": "Demo@2026",
                                        "new_password2": "Demo@2026"})
    assert PasswordChangeRequired.objects.filter(user=maker_user).exists()
    assert client.get("/catalog/").status_code == 302


@pytest.mark.django_db
def test_refused_reset_sets_no_obligation(client, make_user, make_org, suzhou, nanjing):
    """Out of scope (another city's institution) or without a reason: nothing written."""
    city = make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))
    other = make_user(make_org(OrgKind.INSTITUTION, city=suzhou))
    own = make_user(make_org(OrgKind.INSTITUTION, city=nanjing))
    client.force_login(city)
    assert client.post(f"/accounts/users/{other.pk}/reset/", {"reason": "x"}).status_code == 404
    assert client.post(f"/accounts/users/{own.pk}/reset/", {"reason": " "}).status_code == 302
    assert not PasswordChangeRequired.objects.exists()


@pytest.mark.django_db
def test_a_user_without_a_reset_is_not_redirected(client, maker_user):
    client.force_login(maker_user)
    assert client.get("/catalog/").status_code == 200

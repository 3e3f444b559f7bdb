"""Accounts (issue 16 item 8): self-service password change, reset by a regulator for the
accounts in its scope (and by e-mail link where a mail server is configured), optional TOTP
second factor for regulator accounts, and validators that refuse `Demo@2026`-style passwords."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from parties.models import OrgKind, User

STRONG = "k7#Vq9-mZ2pL"


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.mark.parametrize("password", ["Demo@2026", "Jiangsu2026!", "Hello@2025", "admin_2024", "Demo@2026xyz",
                                      "MyPassword#1", "alllowercase12", "Short#1a"])
def test_weak_and_demo_style_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_strong_password_passes():
    validate_password(STRONG)


def test_self_service_change_refuses_demo_style_then_accepts_a_strong_one(client, make_user):
    user = make_user(password="Old-pass-2026x")
    client.force_login(user)
    refused = client.post("/accounts/password/", {"old_password": "Old-pass-2026x", "new_password1": "Demo@2026",
                                                  "new_password2": "Demo@2026"})
    assert refused.status_code == 200 and "单词 + 符号 + 年份" in refused.content.decode()
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026x")
    ok = client.post("/accounts/password/", {"old_password": "Old-pass-2026x", "new_password1": STRONG,
                                             "new_password2": STRONG})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)


def test_wrong_current_password_changes_nothing(client, make_user):
    user = make_user(password="Old-pass-2026x")
    client.force_login(user)
    client.post("/accounts/password/", {"old_password": "nope", "new_password1": STRONG, "new_password2": STRONG})
    user.refresh_from_db()
    assert user.check_password("Old-pass-2026x")


@pytest.fixture
def nj_city(make_user, make_org, nanjing):
    return make_user(make_org(OrgKind.CITY_REGULATOR, city=nanjing))


def test_city_regulator_resets_an_institution_account_of_its_city(client, nj_city, make_user, make_org, nanjing):
    target = make_user(make_org(OrgKind.INSTITUTION, city=nanjing))
    client.force_login(nj_city)
    listing = client.get("/accounts/users/").content.decode()
    assert target.username in listing
    response = client.post(f"/accounts/users/{target.pk}/reset/", {"reason": "本人电话申请，已核实"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = re.search(r'data-testid="temp-password">([^<]+)<', response.content.decode()).group(1)
    validate_password(password)
    client.logout()
    assert login(client, target.username, password).status_code == 302


def test_reset_outside_the_scope_or_without_reason_changes_nothing(client, nj_city, make_user, make_org, suzhou,
                                                                   nanjing, province_user, maker_user):
    other_city = make_user(make_org(OrgKind.INSTITUTION, city=suzhou))
    own = make_user(make_org(OrgKind.INSTITUTION, city=nanjing))
    before = {u.pk: u.password for u in User.objects.all()}
    client.force_login(nj_city)
    assert client.post(f"/accounts/users/{other_city.pk}/reset/", {"reason": "x"}).status_code == 404
    assert client.post(f"/accounts/users/{province_user.pk}/reset/", {"reason": "x"}).status_code == 404
    assert client.post(f"/accounts/users/{maker_user.pk}/reset/", {"reason": "x"}).status_code == 404  # enterprises: province
    assert client.post(f"/accounts/users/{own.pk}/reset/", {"reason": " "}).status_code == 302  # reason required
    client.force_login(own)
    assert client.post(f"/accounts/users/{nj_city.pk}/reset/", {"reason": "x"}).status_code == 403
    assert client.get("/accounts/users/").status_code == 403
    assert {u.pk: u.password for u in User.objects.all()} == before


def test_province_resets_an_enterprise_account(client, province_user, maker_user):
    client.force_login(province_user)
    assert client.post(f"/accounts/users/{maker_user.pk}/reset/", {"reason": "企业法人申请"}).status_code == 200
    maker_user.refresh_from_db()
    assert not maker_user.check_password("Pw-123456!")


def test_email_reset_exists_only_where_mail_is_configured(client, settings, make_user, mailoutbox):
    assert client.get("/accounts/password/reset/").status_code == 404
    settings.PASSWORD_RESET_BY_EMAIL = True
    user = make_user(email="zhang@example.gov.cn")
    client.post("/accounts/password/reset/", {"email": "zhang@example.gov.cn"})
    (mail,) = mailoutbox
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    client.post(form.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    user.refresh_from_db()
    assert user.check_password(STRONG)


def _code(device, at):
    with time_machine.travel(at, tick=False):
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_regulator_enables_totp_and_then_needs_a_code_after_the_password(client, nj_city):
    t0 = datetime(2026, 11, 24, 10, 0, 0).astimezone()
    with time_machine.travel(t0, tick=False):
        login(client, nj_city.username, "Pw-123456!")
        page = client.get("/accounts/otp/").content.decode()
        assert 'data-testid="otp-secret"' in page
        device = TOTPDevice.objects.get(user=nj_city, confirmed=False)
        wrong = client.post("/accounts/otp/", {"action": "enable", "token": "000000"})
        assert "动态口令不正确" in wrong.content.decode()
    # a wrong code throttles the device for a second (django-otp): the right one comes later
    with time_machine.travel(t0 + timedelta(seconds=3), tick=False):
        right = _code(device, t0 + timedelta(seconds=3))
        assert client.post("/accounts/otp/", {"action": "enable", "token": right}).status_code == 302
    assert TOTPDevice.objects.get(user=nj_city).confirmed

    client.logout()
    later = t0 + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert login(client, nj_city.username, "Pw-123456!").status_code == 302
        home = client.get("/")
        assert home.status_code == 302 and home["Location"].startswith("/accounts/otp/verify/")
        api = client.get("/api/v1/notifications/")
        assert api.status_code == 403 and api.json()["code"] == "otp_required"
        bad = client.post("/accounts/otp/verify/", {"token": "123456", "next": "/"})
        assert "动态口令不正确" in bad.content.decode()
    with time_machine.travel(later + timedelta(seconds=3), tick=False):
        ok = client.post("/accounts/otp/verify/", {"token": _code(device, later + timedelta(seconds=3)), "next": "/"})
        assert ok.status_code == 302 and ok["Location"] == "/"
        assert client.get("/").status_code == 200


def test_totp_is_for_regulator_accounts_only(client, make_user):
    client.force_login(make_user())
    assert client.get("/accounts/otp/").status_code == 403
    assert not TOTPDevice.objects.exists()


def test_regulator_reset_can_remove_a_lost_second_factor(client, province_user, nj_city):
    TOTPDevice.objects.create(user=nj_city, name="phone", confirmed=True)
    client.force_login(province_user)
    client.post(f"/accounts/users/{nj_city.pk}/reset/", {"reason": "手机丢失", "remove_otp": "1"})
    assert not TOTPDevice.objects.filter(user=nj_city).exists()

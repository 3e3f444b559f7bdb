"""Login, lockout after repeated failures (django-axes), session expiry, logout."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

PASSWORD = "Pw-123456!"


def post_login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


@pytest.fixture
def hosp_user(make_user):
    return make_user(username="hosp_login", password=PASSWORD)


def test_login_page_is_chinese(client, db):
    r = client.get("/accounts/login/")
    body = r.content.decode()
    assert r.status_code == 200
    assert 'lang="zh-hans"' in body and "用户登录" in body and "用户名" in body and "密码" in body


def test_anonymous_home_redirects_to_login(client, db):
    r = client.get("/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")


def test_wrong_password_shows_chinese_error_and_does_not_sign_in(client, hosp_user):
    r = post_login(client, hosp_user.username, "wrong")
    assert r.status_code == 200
    assert "用户名或密码错误" in r.content.decode()
    assert client.get("/").status_code == 302


def test_correct_password_lands_on_home(client, hosp_user):
    r = post_login(client, hosp_user.username, PASSWORD, follow=True)
    assert r.redirect_chain[-1][0] == "/"
    assert "医疗机构工作台" in r.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, hosp_user):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        assert post_login(client, hosp_user.username, "wrong").status_code == 200
    fifth = post_login(client, hosp_user.username, "wrong")
    assert fifth.status_code == 429  # the 5th failure locks
    sixth = post_login(client, hosp_user.username, PASSWORD)
    body = sixth.content.decode()
    assert sixth.status_code == 429
    assert "账号已暂时锁定" in body and "连续 5 次登录失败" in body and "30 分钟" in body
    assert client.get("/").status_code == 302  # still not signed in


def test_lockout_is_per_username_and_ip(client, hosp_user, make_user):
    for _ in range(5):
        post_login(client, hosp_user.username, "wrong")
    other = make_user(username="other_login", password=PASSWORD)
    # Another account from the same address is not locked.
    assert post_login(client, other.username, PASSWORD).status_code == 302
    client.logout()
    # The same account from another address is not locked either.
    assert post_login(client, hosp_user.username, PASSWORD, REMOTE_ADDR="10.1.2.3").status_code == 302


def test_lockout_ends_after_the_cooloff(client, hosp_user):
    for _ in range(5):
        post_login(client, hosp_user.username, "wrong")
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert post_login(client, hosp_user.username, PASSWORD).status_code == 302


def test_success_resets_the_failure_count(client, hosp_user):
    for _ in range(4):
        post_login(client, hosp_user.username, "wrong")
    assert post_login(client, hosp_user.username, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    # Four more failures after the reset do not lock (they would if the count had kept 4).
    for _ in range(4):
        assert post_login(client, hosp_user.username, "wrong").status_code == 200
    assert post_login(client, hosp_user.username, PASSWORD).status_code == 302


def test_expired_session_sends_the_user_to_login(client, hosp_user):
    assert post_login(client, hosp_user.username, PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    later = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    with time_machine.travel(later):
        r = client.get("/notifications/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/?next=/notifications/")
    page = client.get(r.url).content.decode()
    assert "请先登录" in page


def test_cleared_session_sends_the_user_to_login(client, hosp_user):
    post_login(client, hosp_user.username, PASSWORD)
    client.session.flush()
    client.cookies.pop(settings.SESSION_COOKIE_NAME)
    r = client.get("/")
    assert r.status_code == 302 and "/accounts/login/" in r.url


def test_logout_is_a_post_and_ends_the_session(client, hosp_user):
    post_login(client, hosp_user.username, PASSWORD)
    assert client.get("/accounts/logout/").status_code == 405  # no logout by a GET link
    assert client.get("/").status_code == 200
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r.url == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_signed_in_user_visiting_login_goes_home(client, hosp_user):
    post_login(client, hosp_user.username, PASSWORD)
    r = client.get("/accounts/login/")
    assert r.status_code == 302 and r.url == "/"

"""Simplified Chinese is the default and the source language; English is switchable."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings


def switch_language(client, code, next_url="/accounts/login/"):
    return client.post("/i18n/setlang/", {"language": code, "next": next_url})


def test_default_page_is_chinese(client, db):
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "登录" in body and "Sign in" not in body
    assert "江苏省药品（医用耗材）阳光采购和综合监管平台" in body


def test_switching_to_english_shows_english_login(client, db):
    r = switch_language(client, "en")
    assert r.status_code == 302 and r.url == "/accounts/login/"
    body = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in body
    assert "Sign in" in body and "Username" in body and "Password" in body
    assert "用户登录" not in body
    assert "Jiangsu Sunshine Procurement" in body
    # and back to Chinese
    switch_language(client, "zh-hans")
    assert "用户登录" in client.get("/accounts/login/").content.decode()


def test_english_shell_home_inbox_and_lockout(client, make_user):
    user = make_user(username="en_user", password="Pw-123456!")
    switch_language(client, "en")
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    locked = client.post("/accounts/login/", {"username": user.username, "password": "Pw-123456!"}).content.decode()
    assert "Account temporarily locked" in locked and "After 5 failed sign-in attempts" in locked
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "Medical institution workspace" in home and "Unread messages" in home and "Sign out" in home
    inbox = client.get("/notifications/").content.decode()
    assert "Inbox" in inbox and "Mark all as read" not in inbox and "No messages" in inbox


def test_every_shell_msgid_has_an_english_translation():
    """No shell string falls back to the Chinese source in English."""
    po = (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    entries = po.split("\n\nmsgid ")[1:]
    assert len(entries) > 100
    untranslated = [e.split("\n")[0] for e in entries if '\nmsgstr ""' in e]
    assert untranslated == []


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "en"])
def test_chinese_first_middleware_ignores_the_browser_language(client, db, accept):
    middleware = [
        "core.middleware.ChineseFirstLocaleMiddleware" if m == "django.middleware.locale.LocaleMiddleware" else m
        for m in settings.MIDDLEWARE
    ]
    with override_settings(MIDDLEWARE=middleware):
        body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()
        assert '<html lang="zh-hans">' in body and "用户登录" in body
        switch_language(client, "en")
        assert "Sign in" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept).content.decode()

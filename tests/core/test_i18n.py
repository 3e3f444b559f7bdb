"""Simplified Chinese is the default and the source language; English is switchable."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.translation.template import templatize


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


SHELL_TEMPLATES = [
    "base.html", "home.html", "home/enterprise.html", "home/institution.html", "home/regulator.html",
    "home/expert.html", "registration/login.html", "registration/locked_out.html", "core/history.html",
    "notifications/inbox.html", "includes/pagination.html", "404.html", "403.html",
]


def _po_entries():
    po = (Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text()
    return dict(re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, re.M))


def test_every_shell_string_has_an_english_translation():
    """Every string the shell templates mark for translation is in the English catalogue
    with a non-empty translation (otherwise English readers would see the Chinese source)."""
    catalogue = _po_entries()
    missing, seen = [], 0
    for name in SHELL_TEMPLATES:
        source = (Path(settings.BASE_DIR) / "templates" / name).read_text()
        for msgid in re.findall(r"gettext\(u'(.*?)'\)", templatize(source)):
            seen += 1
            if not catalogue.get(msgid):
                missing.append((name, msgid))
    assert seen > 80  # the extraction found the shell's strings
    assert missing == []


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

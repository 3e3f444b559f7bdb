"""Browser journeys: Playwright driving Debian's chromium (headless) against pytest-django's
`live_server`. Tests here are marked `@pytest.mark.e2e` and use
`@pytest.mark.django_db(transaction=True)` (the live server runs in another thread and must
see committed data) and the `reference_regions` fixture: a transactional test ends with a
flush of every table, which also removes the regions loaded by migration, so each test puts
them back first. (serialized_rollback cannot be used: restoring it would UPDATE rows that
pgtrigger protects.)

Helpers:
- `login(page, username, password)` signs in through the real login form;
- `shot(page, name)` saves test-artifacts/e2e/<test>/<nn>-<name>.png (git-ignored) — look at
  them: Chinese must render and the layout must be usable.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
_shot_counters: dict[str, int] = {}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # The Playwright sync API runs an event loop in this thread; Django would otherwise
    # refuse the test's own ORM calls as "async-unsafe". Set only while the browser runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test (own cookies), as a user in China would have it:
    zh-CN browser language, Shanghai time, a common office screen size."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 860},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    try:
        yield page
    finally:
        context.close()


def _test_dir() -> str:
    current = os.environ.get("PYTEST_CURRENT_TEST", "unknown").split(" ")[0]
    name = current.split("::")[-1]
    return re.sub(r"[^\w.\-\[\]]+", "_", name)


def shot(page, name: str) -> Path:
    """Screenshot the whole page to test-artifacts/e2e/<test>/<nn>-<name>.png."""
    test = _test_dir()
    if test not in _shot_counters:  # first shot of this test in this run: drop stale ones
        shutil.rmtree(ARTIFACTS / test, ignore_errors=True)
    _shot_counters[test] = _shot_counters.get(test, 0) + 1
    safe = re.sub(r"[^\w.-]+", "_", name)
    path = ARTIFACTS / test / f"{_shot_counters[test]:02d}-{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, username: str, password: str):
    """Sign in through the real login form and wait for the next page."""
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("用户名|Username")).fill(username)
    page.get_by_label(re.compile("密码|Password")).fill(password)
    with page.expect_navigation():
        page.get_by_test_id("login-submit").click()
    return page

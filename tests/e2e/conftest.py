# The browser fixtures live in tests/e2e/browser.py, registered once for the whole suite by
# `pytest_plugins` in tests/conftest.py: one session-scoped Playwright for every test that
# drives chromium, wherever it is (two would clash: the sync API owns the thread's loop).
from .browser import login, shot  # noqa: F401

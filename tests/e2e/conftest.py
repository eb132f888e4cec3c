"""Browser tests: Playwright's sync API driving the system Chromium, headless.

Never downloads a browser. Without /usr/bin/chromium the browser tests are skipped on a
developer's machine and fail in CI (the environment variable CI is set), where a missing
browser is a broken set-up, not a reason to pass.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import OperationalError

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls
# from the test body ("You cannot call this from an async context") unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "var" / "screenshots"


class _OneRequestAtATimeServer:
    """The live server's threaded WSGI server, handling one request at a time.

    On SQLite the test database is in memory and the live server's threads share the
    test's one connection. Two requests at once on it can deadlock: one thread holds the
    GIL and waits for SQLite's connection mutex while the other, inside a query, holds the
    mutex and waits for the GIL to run one of Django's SQL functions written in Python
    (time-zone extracts). Pages that load several feeds at once (the dashboard) hit it.
    PostgreSQL gives each thread its own connection, so there the server stays parallel.
    """

    @staticmethod
    def make():
        import threading

        from django.core.servers.basehttp import ThreadedWSGIServer

        class Server(ThreadedWSGIServer):
            def set_app(self, application):
                lock = threading.Lock()

                def one_at_a_time(environ, start_response):
                    with lock:
                        return application(environ, start_response)

                super().set_app(one_at_a_time)

        return Server


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time_on_sqlite(django_db_setup, django_db_blocker):
    from django.db import connection
    from django.test.testcases import LiveServerThread

    if connection.vendor != "sqlite":
        yield
        return
    original = LiveServerThread.server_class
    LiveServerThread.server_class = _OneRequestAtATimeServer.make()
    try:
        yield
    finally:
        LiveServerThread.server_class = original


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator:
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}; install it (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests cannot run in CI: {message}", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(chromium_browser) -> Iterator:
    """A fresh page (own cookies) in the hall's language and time zone, desktop sized."""
    context = chromium_browser.new_context(
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR


@pytest.fixture(autouse=True)
def _role_groups_back(role_groups) -> None:
    """Browser tests flush the database after each test. serialized_rollback should restore
    the migration's rows, but once Playwright runs, the test gets another connection
    object without the serialized contents (seen on PostgreSQL), so every browser test
    recreates the role groups (tests/conftest.py)."""


def wait_until(page, expression: str, *, seconds: float = 30) -> None:
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function would
    evaluate it with eval() inside the page, which the portal's policy (script-src 'self')
    refuses; page.evaluate goes through the DevTools protocol instead."""
    deadline = time.monotonic() + seconds
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {seconds} s: {expression}")
        page.wait_for_timeout(100)


def read_db(query):
    """The query's answer, retried while the live server's thread holds the in-memory SQLite
    database's table lock (shared cache: "database table is locked")."""
    deadline = time.monotonic() + 5
    while True:
        try:
            return query()
        except OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)

"""Browser tests: Debian's headless Chromium driven by Playwright against pytest-django's live server.

Every page's requests are recorded, and a test fails if any of them goes to a host other than the
live server (data: and blob: URLs excepted): the workbench must run with no CDN and no online tiles.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.conftest import build_world

CHROMIUM = "/usr/bin/chromium"
# The flags that keep Debian's Chromium quiet on a closed network (no background requests to Google).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync",
]
PASSWORD = "pass-12345"  # tests/factories.py
TIMEOUT_MS = 15_000
LOCAL_SCHEMES = ("data", "blob", "about")
expect.set_options(timeout=TIMEOUT_MS)


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives the web workbench in headless Chromium (Playwright)")


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; skipped only when Debian's chromium is not installed (CI installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium chromium-driver)")
    # Playwright's sync API keeps an asyncio loop on this thread, which Django's async-safety check
    # mistakes for async code; the tests are plain synchronous code, so allow it exactly while it runs.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as p:
            chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


class RequestLog:
    """Every request made by the browser contexts of one test."""

    def __init__(self, server_url: str):
        parts = urlsplit(server_url)
        self.origin = (parts.scheme, parts.netloc)
        self.urls: list[str] = []

    def record(self, request) -> None:
        self.urls.append(request.url)

    def foreign(self) -> list[str]:
        """Return the recorded URLs that go anywhere but the live server."""
        out = []
        for url in self.urls:
            parts = urlsplit(url)
            if parts.scheme in LOCAL_SCHEMES:
                continue
            if (parts.scheme, parts.netloc) != self.origin:
                out.append(url)
        return out

    def assert_local(self) -> None:
        bad = self.foreign()
        assert not bad, f"the browser requested {len(bad)} URL(s) outside the live server {self.origin[1]}: {bad[:10]}"


@pytest.fixture
def request_log(live_server):
    return RequestLog(live_server.url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail the test itself (not only its teardown) when a page requested another host."""
    result = yield
    log = getattr(item, "funcargs", {}).get("request_log")
    if log is not None:
        log.assert_local()
    return result


@pytest.fixture
def bworld(transactional_db, live_server):
    """The test district of tests/conftest.py, committed so the live server's thread sees it."""
    return build_world()


@pytest.fixture
def new_page(browser, live_server, request_log):
    """Open a page in a fresh browser context (own cookies), recording all its requests; `mobile=True` for a phone."""
    contexts = []

    def make(*, mobile: bool = False):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", "accept_downloads": True, "base_url": live_server.url}
        if mobile:
            options.update(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True)
        else:
            options.update(viewport={"width": 1440, "height": 900})
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("request", request_log.record)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def login(new_page):
    """Log a persona in through the login form and return their page.

    One page per kind of screen is reused with its cookies cleared (a fresh browser context costs about a
    second on a 2-core machine); each call logs the previous persona out, as a shared office PC would."""
    pages = {}

    def do(user, *, mobile: bool = False):
        page = pages.get(mobile)
        if page is None:
            page = pages[mobile] = new_page(mobile=mobile)
        page.context.clear_cookies()
        page.goto("/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.wait_for_url(lambda url: "/login/" not in url)
        assert page.locator("form[action$='/logout/']").count(), \
            f"{user.username} is not logged in, {page.url} says: {page.inner_text('body')[:300]}"
        return page

    return do


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


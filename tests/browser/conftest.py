"""Browser tests: the real platform (services, gateway, web/ on 127.0.0.1, demo street loaded)
driven through Debian's Chromium by Python Playwright, at the phone's 390×844.

One platform for the whole folder: starting it is the slow part. Every page a test opens is
watched: a request that leaves 127.0.0.1 or a console error fails the test that made it.
"""
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from deploy.demo.load import DEMO_PASSWORD
from deploy.local import LocalPlatform, free_port
from shared.clock import FileClock
from shared.config import REPO_ROOT
from tests.e2e.conftest import Api
from tests.support import Vhost

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
# Every run writes its screenshots under var/ (ignored by git); UPDATE_SCREENSHOTS=1 writes the ones the
# README shows, in docs/screenshots, so a plain `make test` leaves the tree as it found it.
SCREENSHOTS = REPO_ROOT / ("docs" if os.environ.get("UPDATE_SCREENSHOTS") == "1" else "var") / "screenshots"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk (.ci/run does)")
    vhost = Vhost().create()
    folder = tmp_path_factory.mktemp("platform")
    clock = FileClock(str(folder / "now"))
    running = LocalPlatform(
        folder,
        env={"AMQP_URI": vhost.uri, "RPC_TIMEOUT_S": "5", "GATEWAY_WORKERS": "1", "WEB_WORKERS": "1",
             "CLOCK": f"file:{clock.path}", "ACCESS_TOKEN_TTL_S": "3600", "WEB_DEMO_PASSWORD": DEMO_PASSWORD},
        gateway_bind=f"127.0.0.1:{free_port()}",
    )
    running.clock = clock
    try:
        running.start_all()
        running.start_web(f"127.0.0.1:{free_port()}")
        running.wait_web()
        running.load_demo()
        yield running
    finally:
        running.stop_all()
        vhost.delete()


@pytest.fixture(scope="session")
def as_user(platform):
    """as_user('zhangyan') -> the gateway's API signed in as that demo account: the tests' own view."""
    signed_in = {}

    def sign_in(username: str) -> Api:
        if username not in signed_in:
            signed_in[username] = Api(platform.url, username)
        return signed_in[username]

    return sign_in


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Watch:
    """What a page did that it must not: requests beyond this machine, console errors."""

    def __init__(self):
        self.outside: list[str] = []
        self.errors: list[str] = []

    def attach(self, context) -> None:
        context.on("request", self._request)
        context.on("page", lambda page: page.on("console", self._console))

    def _request(self, request) -> None:
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in LOCAL_HOSTS:
            self.outside.append(request.url)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def check(self) -> None:
        assert self.outside == [], f"requests left 127.0.0.1: {self.outside}"
        assert self.errors == [], f"console errors: {self.errors}"


def watched_contexts(browser, platform, **defaults):
    """A function opening browser contexts on the console (zh-CN, ``defaults`` unless overridden), each
    watched; after the test they are closed and checked."""
    contexts, watches = [], []

    def open_context(**options):
        context = browser.new_context(locale="zh-CN", base_url=platform.web_url, **{**defaults, **options})
        watch = Watch()
        watch.attach(context)
        contexts.append(context)
        watches.append(watch)
        return context

    yield open_context
    for context in contexts:
        context.close()
    for watch in watches:
        watch.check()


@pytest.fixture
def phone(browser, platform):
    """phone() -> a new phone-sized browser context on the console (zh-CN); checked when the test ends."""
    yield from watched_contexts(browser, platform, viewport=PHONE)


@pytest.fixture
def desktop(browser, platform):
    """desktop(viewport=…) -> a new desk-sized (1366×768) browser context; checked when the test ends."""
    yield from watched_contexts(browser, platform, viewport=DESKTOP, accept_downloads=True)


def sign_in(context, username: str):
    """Two clicks, as a newcomer does: open the console, pick the demo account; an account the
    sign-in page does not offer signs in with its name and password."""
    page = context.new_page()
    page.goto("/")
    offered = page.get_by_role("button", name=username)
    if offered.count():
        offered.click()
    else:
        page.get_by_label("账号", exact=True).fill(username)
        page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    return page


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def in_english(page) -> None:
    """With ?lang=en the page's own words hold no Chinese: its headings, labels, buttons, navigation, column
    heads and legends (what people wrote, and the link back to 中文 marked lang="zh-CN", stay as they are)."""
    texts = page.evaluate("""() => [...document.querySelectorAll(
        'h1, h2, label, button, nav a, thead th, legend, summary, caption')]
        .filter(element => !element.closest('[lang="zh-CN"]') && element.offsetParent !== null)
        .map(element => element.innerText.trim())""")
    chinese = [text for text in texts if re.search(r"[\u4e00-\u9fff]", text)]
    assert page.locator("html").get_attribute("lang") == "en" and chinese == [], chinese


def accessible(page) -> None:
    """axe-core (bundled with axe-playwright-python, no internet): no serious or critical WCAG 2.1 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag",
                                                   "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert serious == [], "\n".join(f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes']]}" for v in serious)

"""Browser fixtures: a real headless Chromium (Debian's) driven by Playwright against `live_server`.

Use `browser_page` (desktop), `phone_page` (360 px wide) or `new_page(width=..., height=...)`,
and `axe(page)` to run axe-core's WCAG 2.1 A/AA rules on what the page shows now. Tests using
these fixtures get a live server, so they run with a transactional database: mark them
`@pytest.mark.browser` and create their data in the test itself.
"""

import json
import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _axe_source():
    """axe-core's axe.min.js, shipped inside the axe-playwright-python wheel (a dev dependency)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole session (contexts isolate the tests from each other)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread; Django would then refuse
    # ordinary (synchronous) ORM calls from tests and fixtures. They are safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Factory: a fresh browser context and page whose relative URLs go to the live server."""
    contexts = []

    def make(width=DESKTOP["width"], height=DESKTOP["height"], locale="en-PH", **options):
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": height},
            locale=locale,
            accept_downloads=True,
            **options,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_page):
    """A desktop-sized page (1280 x 900)."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone-sized page: 360 px wide, touch, as the public site's smallest target."""
    return new_page(width=PHONE["width"], height=PHONE["height"], is_mobile=True, has_touch=True)


_ANIMATIONS_DONE = """() => document.getAnimations().every(
    (a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity)"""


def run_axe(page, tags=None):
    """Inject axe-core into the page and return its violations for the given tags (WCAG 2.1 AA)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated by the browser's devtools protocol, which the page's Content-Security-Policy
        # does not govern (an inline <script> tag would be refused, and reported as a violation).
        page.evaluate(_axe_source())
    # Colours are measured as drawn: a message still fading in (Wagtail's messages do) would
    # be measured half-transparent. Wait for the finite animations to end first.
    page.wait_for_function(_ANIMATIONS_DONE)
    # Only violations are asked for: axe then keeps one node per rule for the other result types
    # (passes, incomplete, inapplicable) instead of describing every node, which is most of its
    # work on a Wagtail admin page. The violations it reports are the same.
    options = {
        "runOnly": {"type": "tag", "values": tags or WCAG_AA_TAGS},
        "resultTypes": ["violations"],
    }
    result = page.evaluate(
        "async (options) => await window.axe.run(document, JSON.parse(options))",
        json.dumps(options),
    )
    return result["violations"]


def assert_accessible(page, axe=run_axe):
    """Fail with axe-core's readable list if the page as shown now has WCAG 2.1 AA violations."""
    violations = axe(page)
    assert not violations, describe_violations(violations)


def describe_violations(violations):
    """A readable summary of axe violations for assertion messages."""
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)


# Content-Security-Policy violations, as the page's own script sees them.
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`
    + (event.sample ? ` (${event.sample})` : ""));
});
"""
CSP_MARKERS = ("Content Security Policy", "Content-Security-Policy", "CSP violation")


def watch_csp(page):
    """Collect every CSP violation on `page` from now on (call before `goto`): the live list.

    The browser reports a refused script, style, image or frame both as a console message and as
    a `securitypolicyviolation` event; both end up in the list as text.
    """
    violations = []
    page.add_init_script(_CSP_LISTENER)

    def on_console(message):
        if any(marker in message.text for marker in CSP_MARKERS):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


@pytest.fixture
def csp_violations(browser_page):
    """The CSP violations seen so far on `browser_page` (optional: use it with that page)."""
    return watch_csp(browser_page)


@pytest.fixture
def axe():
    """`axe(page)` returns axe-core's WCAG 2.1 A/AA violations on the page as loaded now."""
    return run_axe


def sign_in(page, username):
    """Sign `page`'s browser in to the admin as the demo user `username` (whoever was signed in
    before is signed out), and wait for the dashboard."""
    from django.conf import settings

    page.context.clear_cookies()
    page.goto("/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


GUIDE_IMAGES = Path(__file__).resolve().parent.parent / "docs" / "guide" / "img"


def guide_screenshot(page, name):
    """Save what `page` shows as docs/guide/img/<name>.png for the staff training guide, only
    when ALSMIS_GUIDE_SCREENSHOTS=1 (an ordinary test run writes nothing)."""
    if os.environ.get("ALSMIS_GUIDE_SCREENSHOTS") != "1":
        return None
    GUIDE_IMAGES.mkdir(parents=True, exist_ok=True)
    path = GUIDE_IMAGES / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

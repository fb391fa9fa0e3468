"""Fixtures of the real-browser tests: Debian's Chromium driven by Playwright against
pytest-django's live server, signed-in pages, and an axe-core accessibility check."""

import functools
import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# axe-core is a development dependency from npm: the tests read it from node_modules, and it
# never ships in static/vendor.
AXE_SCRIPTS = [settings.BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"]
# What fails a page: axe's two worst levels. Moderate and minor findings are advice.
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000
AXE_RUN = """async (options) => {
    const results = await axe.run(document, {resultTypes: ["violations"], ...options});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" ")),
    }));
}"""
# What axe only lists as "needs review" but a browser gets wrong for sure: a repeated id makes
# a label name the first control with that id and leave the other without a name.
FORM_CHECKS = """() => {
    const ids = [...document.querySelectorAll("[id]")].map(el => el.id);
    const controls = document.querySelectorAll(
        "input:not([type=hidden], [type=submit], [type=button], [type=reset]), select, textarea");
    return {
        duplicate_ids: [...new Set(ids.filter((id, n) => ids.indexOf(id) !== n))],
        unlabelled: [...controls]
            .filter(el => !el.labels.length && !el.ariaLabel && !el.hasAttribute("aria-labelledby"))
            .map(el => el.outerHTML.slice(0, 100)),
    };
}"""


@pytest.fixture(scope="module")
def browser():
    """Chromium, for one module's tests. Not for the session: while Playwright runs, its event
    loop stays in the main thread, and the database tests that pytest-django orders after these
    would leave a connection open that stops the test database from being dropped."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install it with `apt-get install -y chromium`"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    # With Playwright's loop in the main thread, Django takes the fixtures' and factories'
    # queries for async code and refuses them; they are not, so let them run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_context(browser, live_server):
    """Open browser contexts (own cookies, own viewport, JavaScript on or off), closed after."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """The framework's areas and values come from a data migration, which the flush after
    each transactional test removes: load them again for every browser test."""
    migration = importlib.import_module("hubsite.framework.migrations.0002_load_reference")
    migration.load(apps, None)


def sign_in(context, live_server, user):
    """Give the browser context the session cookie of ``user`` (no form, no password)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url, "httpOnly": True}]
    )


def axe_violations(page, options=None):
    """axe-core's serious and critical findings on the page as it is now, one line each.
    axe is added once per document, so a page checked again (at another width) reuses it;
    ``options`` are axe.run's (``{"runOnly": [...]}`` to run some rules only)."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        # The page's policy refuses an inline <script>; the test's own evaluation is not
        # the page's code, so axe-core is evaluated instead of added as a tag.
        page.evaluate(f"() => {{ {_axe_source()} }}")
    violations = page.evaluate(AXE_RUN, options or {})
    return [
        f"- {v['id']} ({v['impact']}): {v['help']}; on {', '.join(v['targets'])}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def add_axe(context):
    """Have axe-core in every page the context opens, before the page's own scripts: the
    browser compiles it once for them all, where ``axe_violations`` evaluates it anew in
    each page it is not yet in (injected by the browser, it is no script of the page's and
    the policy stays enforced)."""
    context.add_init_script(script=_axe_source())


# The rules axe-core runs by default that can find something serious or critical (a rule's
# impact is the worst its checks give; the rules are axe's own, internal list): running only
# them spares computing the moderate and minor findings that nothing fails on.
BLOCKING_RULES = """() => ({runOnly: {type: "rule", values: axe._audit.rules
    .filter(r => r.enabled && !r.tags.includes("experimental")
        && ["serious", "critical"].includes(r.impact))
    .map(r => r.id)}})"""


@functools.cache
def _axe_source():
    axe = next((path for path in AXE_SCRIPTS if path.exists()), None)
    assert axe, "axe-core is missing: run `make assets` (npm ci installs it)"
    return axe.read_text()


def form_problems(page):
    """FORM_CHECKS's findings, one line each: repeated ids and controls without a label."""
    forms = page.evaluate(FORM_CHECKS)
    problems = []
    if forms["duplicate_ids"]:
        problems.append(f"repeated ids: {forms['duplicate_ids']}")
    if forms["unlabelled"]:
        problems.append(f"controls without a label: {forms['unlabelled']}")
    return problems


def assert_accessible(page):
    """Run axe-core on the page as it is now and fail on any serious or critical violation."""
    blocking = axe_violations(page)
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(blocking)
    problems = form_problems(page)
    assert not problems, f"on {page.url}: " + "; ".join(problems)


def tab_to(page, selector, limit=150):
    """Press Tab until ``selector`` has the focus: proof that the keyboard reaches it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"the Tab key never reaches {selector}")

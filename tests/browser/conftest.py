"""Browser tests: headless Chromium (Debian's package) driven by Playwright, against the
app behind a real HTTP server with the demo data.

Chromium is found at ``SCHEDULER_TEST_CHROMIUM`` or on the PATH; without it these tests
skip with a message, except under CI (``.ci/run`` installs it), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date

import pytest

from tests.conftest import IN_CI

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    return os.environ.get("SCHEDULER_TEST_CHROMIUM") or shutil.which("chromium")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def database_url(tmp_path) -> str:
    """Browser tests check the pages, not the database: SQLite is enough."""
    from sqlalchemy import create_engine

    from tests.conftest import create_schema

    url = f"sqlite:///{tmp_path / 'browser.sqlite3'}"
    engine = create_engine(url)
    create_schema(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def browser() -> Iterator:
    executable = _chromium()
    if executable is None:
        message = "Chromium is not installed (apt-get install chromium, or SCHEDULER_TEST_CHROMIUM)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# axe-core's rules for WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
NOT_PAGES = (".ics", ".json", ".csv", ".js", ".css", ".svg")


def axe_violations(page) -> list[str]:
    """axe-core (the engine browsers' own accessibility tools use) on the page as shown."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def page(browser, request) -> Iterator:
    """A fresh browser tab; afterwards axe-core checks every page the test visited (each
    address fetched again as it stands, with the test's cookies), unless the test says
    ``@pytest.mark.no_axe``."""
    # Set up first so that it stops last: the pages are fetched again after the test.
    request.getfixturevalue("live_server")
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    visited: list[str] = []

    def seen(frame) -> None:
        if frame == page.main_frame and frame.url.startswith("http"):
            visited.append(frame.url.split("#")[0])

    page.on("framenavigated", seen)
    yield page
    problems = {}
    if request.node.get_closest_marker("no_axe") is None:
        page.remove_listener("framenavigated", seen)
        for url in dict.fromkeys(visited):
            if url.split("?")[0].endswith(NOT_PAGES):
                continue
            response = page.goto(url)
            if response is None or response.status >= 400:
                continue
            found = axe_violations(page)
            if found:
                problems[url] = found
    context.close()
    assert problems == {}, f"axe-core found WCAG 2.2 AA problems: {problems}"


@pytest.fixture
def demo_site(db, live_server):
    """The demo data behind a live server; returns (base URL, sign-ins by role)."""
    from scheduler import demo

    sign_ins = demo.seed_demo(db.session, today=date.today(), password="demo-password-1")
    db.session.commit()
    return live_server, {s.role: s for s in sign_ins}

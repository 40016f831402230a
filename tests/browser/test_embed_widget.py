"""The booking widget on a library's own site, in Chromium: the script places the frame,
the frame shows on an allowed site and is refused on any other, and a topic opens our
full booking page in a new tab."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def library_site() -> Iterator[Callable[[str], str]]:
    """``library_site(server)``: a library's own page (the two lines docs/embedding.md
    gives) on a port of its own, i.e. another origin; returns that origin. Chromium lets
    only pages on this machine reach the test server on 127.0.0.1, hence no fake host.
    Ask for it before ``page``: it must outlive the axe-core check of the visited pages."""
    servers: list[ThreadingHTTPServer] = []

    def _start(server: str) -> str:
        html = f"""<!doctype html><html lang="en"><head><title>Our library</title></head>
<body><h1>Our library</h1>
<div data-library-booking="group/research" data-library="main"></div>
<script src="{server}/embed/widget.js" async></script></body></html>""".encode()

        class Page(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(html)

            def log_message(self, *args) -> None:
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_port}"

    yield _start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def widget_server(app, db, live_server, create_library, create_topic_group, create_topic):
    group = create_topic_group(slug="research", name="Research help")
    create_topic(slug="searching", name="Systematic searching", group=group)
    app.config["PUBLIC_URL"] = live_server  # the script points its frame at this server
    return live_server


def _allow(db, create_library, origin: str) -> None:
    create_library(slug="main", embed_origins=origin)
    db.session.commit()


def test_the_widget_shows_on_an_allowed_site_and_opens_booking_in_a_tab(
    library_site, page, db, create_library, widget_server
):
    origin = library_site(widget_server)
    _allow(db, create_library, origin)
    page.goto(f"{origin}/")
    frame = page.frame_locator("[data-library-booking] > iframe")
    heading = frame.locator("h1")
    heading.wait_for(timeout=10_000)
    assert heading.inner_text() == "Research help"
    assert page.get_attribute("[data-library-booking] > iframe", "title") == "Book a librarian"
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Systematic searching").click()
    tab = opened.value
    tab.wait_for_load_state()
    assert tab.url.startswith(f"{widget_server}/book/topic/searching")
    assert tab.inner_text("h1") == "Systematic searching"
    # The frame's pages on their own, so that axe-core checks them too.
    page.goto(f"{widget_server}/embed/topic/searching?library=main")
    assert page.inner_text("h1") == "Systematic searching"
    page.goto(f"{widget_server}/embed/group/research?library=main")
    assert page.inner_text("h1") == "Research help"


def test_the_widget_is_refused_on_a_site_not_on_the_list(
    library_site, page, db, create_library, widget_server
):
    allowed, other = library_site(widget_server), library_site(widget_server)
    _allow(db, create_library, allowed)
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(f"{other}/")
    page.wait_for_selector("[data-library-booking] > iframe", state="attached")
    page.wait_for_timeout(1500)
    frame = page.query_selector("[data-library-booking] > iframe").content_frame()
    # Chromium shows its own error page in the frame instead of ours.
    assert frame is None or "/embed/" not in frame.url, frame.url
    assert any("frame-ancestors" in text for text in refusals), refusals

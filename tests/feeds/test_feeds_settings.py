"""The staff page behind the feeds: see the links, copy them, reset or turn them off."""

from __future__ import annotations

import re
import threading

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from scheduler.accounts import token_digest
from scheduler.calendars import tokens
from scheduler.models import FeedToken, Role
from tests.feeds.helpers import post_form, session_cookie

PAGE = "/staff/calendar-feeds"
EN = {"Accept-Language": "en"}


def page(client):
    response = client.get(PAGE, headers=EN)
    assert response.status_code == 200
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def feed_urls(soup) -> dict[str, str]:
    return {i["id"].removeprefix("feed-"): i["value"] for i in soup.select("input[readonly]")}


def post(client, action: str, **data):
    return client.post(PAGE, data={"action": action, **data}, headers=EN)


def test_first_visit_offers_to_make_links_and_then_shows_them(client, login, create_person):
    kari = create_person(Role.FIRST_LINE, Role.LIBRARIAN)
    login(kari)
    soup = page(client)
    assert soup.find("button", string=re.compile("Make my feed links"))
    assert feed_urls(soup) == {}

    response = post(client, "issue")
    assert response.status_code == 302
    soup = page(client)
    urls = feed_urls(soup)
    assert set(urls) == {"all", "shifts", "appointments"}
    token = urls["all"].split("/")[4]
    assert len(token) >= 22  # >= 128 bits in URL-safe base64
    # The page holds secret links: no browser or proxy may keep a copy.
    assert client.get(PAGE).headers["Cache-Control"] == "no-store"
    for kind, url in urls.items():
        assert url == f"https://library.test/feeds/{token}/{kind}.ics"
        assert soup.find("a", href=f"webcal://library.test/feeds/{token}/{kind}.ics")
        assert soup.find("button", attrs={"data-copy": f"feed-{kind}"})
        assert client.get(url.removeprefix("https://library.test")).status_code == 200
    # Copying works through a script file; the CSP allows no inline script.
    scripts = soup.find_all("script")
    assert [s.get("src") for s in scripts] == ["/static/js/feeds.js"]
    assert all(not s.string for s in scripts)
    with client.get("/static/js/feeds.js") as script:
        assert script.status_code == 200


def test_the_link_can_be_seen_again_but_only_a_digest_is_stored(client, db, login, create_person):
    kari = create_person(Role.FIRST_LINE)
    login(kari)
    post(client, "issue")
    first = feed_urls(page(client))["all"]
    assert feed_urls(page(client))["all"] == first  # the same link on every visit
    token = first.split("/")[4]
    row = db.session.scalars(select(FeedToken)).one()
    assert row.token_hash == token_digest(token)
    stored = " ".join(str(v) for v in (row.token_hash, row.nonce))
    assert token not in stored


def test_reset_revokes_the_old_link(client, login, create_person):
    kari = create_person(Role.FIRST_LINE)
    login(kari)
    post(client, "issue")
    old = feed_urls(page(client))["shifts"].removeprefix("https://library.test")
    assert client.get(old).status_code == 200

    response = post(client, "issue")
    assert response.status_code == 302
    soup = page(client)
    assert "The old ones stopped working" in soup.get_text()
    new = feed_urls(soup)["shifts"].removeprefix("https://library.test")
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_turning_off_stops_every_feed(client, login, create_person):
    kari = create_person(Role.FIRST_LINE)
    login(kari)
    post(client, "issue")
    url = feed_urls(page(client))["all"].removeprefix("https://library.test")
    assert post(client, "turn_off").status_code == 302
    assert client.get(url).status_code == 404
    assert feed_urls(page(client)) == {}


def test_patron_details_choice_is_off_by_default_and_survives_a_reset(
    client, db, login, create_person
):
    kari = create_person(Role.LIBRARIAN)
    login(kari)
    post(client, "issue")
    checkbox = page(client).find("input", attrs={"name": "show_patron_details"})
    assert checkbox is not None
    assert not checkbox.has_attr("checked")
    assert post(client, "patron_details", show_patron_details="y").status_code == 302
    assert page(client).find("input", attrs={"name": "show_patron_details"}).has_attr("checked")
    post(client, "issue")
    assert (
        db.session.scalars(select(FeedToken).where(FeedToken.revoked_at.is_(None)))
        .one()
        .show_patron_details
    )


def test_patron_choice_needs_links_first_and_unknown_actions_are_refused(
    client, login, create_person
):
    login(create_person(Role.LIBRARIAN))
    response = post(client, "patron_details", show_patron_details="y")
    assert response.status_code == 422
    assert "Make your feed links first" in response.get_data(as_text=True)
    assert post(client, "delete_everything").status_code == 422


def test_first_line_staff_see_no_appointment_feed_or_patron_choice(client, login, create_person):
    login(create_person(Role.FIRST_LINE))
    post(client, "issue")
    soup = page(client)
    assert set(feed_urls(soup)) == {"all", "shifts"}
    assert soup.find("input", attrs={"name": "show_patron_details"}) is None


def test_links_still_work_after_a_key_change_but_cannot_be_shown(app, client, login, create_person):
    kari = create_person(Role.FIRST_LINE)
    login(kari)
    post(client, "issue")
    url = feed_urls(page(client))["all"].removeprefix("https://library.test")
    app.config["FEEDS_TOKEN_KEY"] = "a different key"
    soup = page(client)
    assert feed_urls(soup) == {}
    assert "can no longer be shown here" in soup.get_text()
    assert client.get(url).status_code == 200


def test_the_page_lists_the_public_activity_calendar(client, login, create_person, create_library):
    create_library(name="Health Library", slug="health")
    login(create_person(Role.LIBRARIAN))
    soup = page(client)
    assert soup.find("a", href="webcal://library.test/feeds/public/dropins.ics?library=health")


def test_concurrent_resets_leave_exactly_one_working_link(app, db, live_server, create_person):
    """Double-clicks and two open tabs: eight resets at once, one active token after
    (PostgreSQL: a row lock on the person; SQLite: one writer at a time)."""
    kari = create_person(Role.FIRST_LINE)
    tokens.issue_token(db.session, kari, key=app.config["SECRET_KEY"])
    db.session.commit()
    cookie = session_cookie(app, kari)
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def reset() -> None:
        barrier.wait()
        statuses.append(post_form(live_server + PAGE, {"action": "issue"}, cookie))

    threads = [threading.Thread(target=reset) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert statuses == [302] * 8
    db.session.expire_all()
    active = db.session.scalar(
        select(func.count()).select_from(FeedToken).where(FeedToken.revoked_at.is_(None))
    )
    assert active == 1

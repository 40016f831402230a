"""The embeddable booking widget: only the embed pages may be framed, and only by the
sites on the library's allow-list; every other page keeps refusing to be framed."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from scheduler.models import Role
from scheduler.site import Site

EN = {"Accept-Language": "en"}


def frame_ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    (directive,) = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
    return directive.removeprefix("frame-ancestors ").strip()


@pytest.fixture
def setup(create_library, create_topic_group, create_topic):
    main = create_library(slug="main", embed_origins="https://www.main.example")
    law = create_library(slug="law", embed_origins="https://law.uni.example")
    create_library(slug="closed")  # no allow-list
    group = create_topic_group(slug="research", name="Research help")
    topic = create_topic(slug="searching", name="Systematic searching", group=group)
    return main, law, group, topic


def test_an_embed_page_may_be_framed_by_its_librarys_sites_only(client, setup) -> None:
    response = client.get("/embed/group/research?library=main", headers=EN)
    assert response.status_code == 200
    assert frame_ancestors(response) == "https://www.main.example"
    assert "X-Frame-Options" not in response.headers
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert page.find("nav") is None  # no site navigation in the frame
    (link,) = [a for a in page.find_all("a") if "Systematic searching" in a.get_text()]
    assert link["target"] == "_blank"
    assert "noopener" in link["rel"]
    assert link["href"].startswith("/book/topic/searching")

    law = client.get("/embed/topic/searching?library=law", headers=EN)
    assert law.status_code == 200
    assert frame_ancestors(law) == "https://law.uni.example"


def test_a_page_shared_by_every_library_allows_every_librarys_sites(client, setup) -> None:
    response = client.get("/embed/group/research")
    assert set(frame_ancestors(response).split()) == {
        "https://www.main.example",
        "https://law.uni.example",
    }


def test_without_an_allow_list_the_embed_page_refuses_framing(client, setup) -> None:
    response = client.get("/embed/group/research?library=closed")
    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "url", ["/book/", "/book/group/research", "/book/topic/searching", "/auth/sign-in"]
)
def test_every_other_page_refuses_to_be_framed(client, setup, url) -> None:
    response = client.get(url)
    assert frame_ancestors(response) == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_unknown_group_topic_or_library_is_not_found(client, setup) -> None:
    assert client.get("/embed/group/nothing").status_code == 404
    assert client.get("/embed/topic/nothing").status_code == 404
    assert client.get("/embed/group/research?library=nowhere").status_code == 404


def test_the_script_places_the_frame(app, client, setup) -> None:
    response = client.get("/embed/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    base = Site.from_config(app.config).url("/embed")
    assert base.startswith("http")
    assert f"var base = {json.dumps(base)};" in body
    assert "data-library-booking" in body
    assert 'createElement("iframe")' in body


# The settings page -------------------------------------------------------------------


def test_a_leader_saves_the_allow_list_and_a_bad_origin_is_refused(
    db, client, login, create_person, setup
) -> None:
    main = setup[0]
    login(create_person(Role.SECTION_LEADER, libraries=[main]))
    url = f"/staff/online-booking/{main.id}"
    assert client.get(url, headers=EN).status_code == 200
    refused = client.post(
        url,
        data={"embed_origins": "https://ok.example.org\nhttps://x.example; script-src *"},
        headers=EN,
    )
    assert refused.status_code == 422
    soup = BeautifulSoup(refused.get_data(as_text=True), "html.parser")
    assert soup.find(id="embed_origins").get("aria-invalid") == "true"
    assert "line 2" in soup.get_text(" ")
    db.session.expire_all()
    assert main.embed_origins == "https://www.main.example"

    saved = client.post(
        url,
        data={
            "embed_origins": "https://www.main.example\nhttps://Blog.Main.example/",
            "meeting_url_template": "https://meet.jit.si/main-{token}",
        },
    )
    assert saved.status_code == 302
    db.session.expire_all()
    assert main.embed_origins == "https://www.main.example\nhttps://blog.main.example"
    assert main.meeting_url_template == "https://meet.jit.si/main-{token}"
    framed = client.get("/embed/group/research?library=main")
    assert frame_ancestors(framed) == "https://www.main.example https://blog.main.example"


def test_a_leader_of_another_library_may_not_change_it(client, login, create_person, setup):
    main, law, *_ = setup
    login(create_person(Role.SECTION_LEADER, libraries=[law]))
    assert client.get(f"/staff/online-booking/{main.id}").status_code == 403
    response = client.post(
        f"/staff/online-booking/{main.id}", data={"embed_origins": "https://evil.example"}
    )
    assert response.status_code == 403
    listing = client.get("/staff/online-booking", headers=EN).get_data(as_text=True)
    assert f"/staff/online-booking/{law.id}" in listing
    assert f"/staff/online-booking/{main.id}" not in listing


def test_a_librarian_has_no_settings_page(client, login, create_person, setup) -> None:
    login(create_person(Role.LIBRARIAN, libraries=[setup[0]]))
    assert client.get(f"/staff/online-booking/{setup[0].id}").status_code == 403

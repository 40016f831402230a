"""A library's online settings: the allow-list of sites that may frame the booking widget
goes into a CSP header as it is, so only plain https origins may be saved."""

from __future__ import annotations

import pytest

from scheduler.booking import library_online
from scheduler.errors import Forbidden, InputError
from scheduler.models import Role


def test_origins_are_normalised_one_a_line() -> None:
    raw = "https://www.Example.org/\n\n  https://bib.uni.example:8443 \nhttps://www.example.org\n"
    assert library_online.parse_origins(raw) == [
        "https://www.example.org",
        "https://bib.uni.example:8443",
    ]
    assert library_online.parse_origins("https://*.uni.example") == ["https://*.uni.example"]
    assert library_online.parse_origins("") == []
    # Plain http only to this machine, to try the widget out.
    assert library_online.parse_origins("http://localhost:8000\nhttp://127.0.0.1:5000") == [
        "http://localhost:8000",
        "http://127.0.0.1:5000",
    ]


@pytest.mark.parametrize(
    "bad",
    [
        "http://www.example.org",  # not https
        "http://127.0.0.2",
        "https://www.example.org/library/page",  # a page, not an origin
        "https://www.example.org?x=1",
        "https://www.example.org; script-src *",  # would add a directive to the header
        "https://www.example.org https://evil.example",  # two on one line
        "*",
        "'self'",
        "https://user@www.example.org",
        "https://www.example.org:70000",
        "www.example.org",
    ],
)
def test_anything_but_an_https_origin_is_refused_naming_the_line(bad) -> None:
    with pytest.raises(InputError) as caught:
        library_online.parse_origins(f"https://ok.example.org\n{bad}")
    reason = caught.value.fields["embed_origins"]
    assert reason.startswith("line 2 ")


def test_too_many_origins() -> None:
    raw = "\n".join(f"https://site{n}.example.org" for n in range(library_online.MAX_ORIGINS + 1))
    with pytest.raises(InputError) as caught:
        library_online.parse_origins(raw)
    assert "at most" in caught.value.fields["embed_origins"]


def test_a_leader_saves_both_settings_or_neither(db, create_library, create_person) -> None:
    library = create_library()
    leader = create_person(Role.SECTION_LEADER, libraries=[library])
    change = library_online.OnlineSettings(
        meeting_url_template="https://meet.jit.si/lib-{token}",
        embed_origins="https://www.example.org",
    )
    library_online.update(db.session, actor=leader, library=library, change=change)
    assert library.meeting_url_template == "https://meet.jit.si/lib-{token}"
    assert library_online.embed_origins(library) == ["https://www.example.org"]

    bad = library_online.OnlineSettings(
        meeting_url_template="https://meet.jit.si/no-token", embed_origins="http://x.example"
    )
    with pytest.raises(InputError) as caught:
        library_online.update(db.session, actor=leader, library=library, change=bad)
    assert set(caught.value.fields) == {"meeting_url_template", "embed_origins"}
    assert library.meeting_url_template == "https://meet.jit.si/lib-{token}"
    assert library.embed_origins == "https://www.example.org"


def test_a_leader_of_another_library_is_refused(db, create_library, create_person) -> None:
    library, other = create_library(), create_library()
    leader = create_person(Role.SECTION_LEADER, libraries=[other])
    change = library_online.OnlineSettings(None, "https://www.example.org")
    with pytest.raises(Forbidden):
        library_online.update(db.session, actor=leader, library=library, change=change)
    assert library.embed_origins is None

"""A name anyone typed, made fit to repeat in a letter: one line, short, no link."""

from __future__ import annotations

import pytest

from scheduler.requester_text import MAX_SHOWN_NAME, shown_name


@pytest.mark.parametrize(
    "name", ["Ada Lovelace", "Dr. J.R.R. Tolkien", "Anne-Marie O'Neil", "Åse Ødegård", "St. Olav"]
)
def test_ordinary_names_are_left_alone(name):
    assert shown_name(name) == name


@pytest.mark.parametrize(
    "typed",
    [
        "Win a prize at https://evil.example/claim",
        "Ada www.evil.example",
        "visit evil.com today",
        "write to me@evil.no",
        "Ada javascript:alert(1)",
    ],
)
def test_links_and_addresses_are_neutralised(typed):
    shown = shown_name(typed)
    for linkish in ("://", "www.", ".example", ".com", ".no", "@", "javascript:"):
        assert linkish not in shown
    assert shown.split()[0] == typed.split()[0]  # the rest still reads the same


def test_one_line_and_at_most_100_characters():
    shown = shown_name("Ada\r\nBcc: victim@example.org\n\n" + "x" * 500)
    assert "\n" not in shown
    assert "\r" not in shown
    assert len(shown) == MAX_SHOWN_NAME == 100
    assert shown.endswith("…")
    assert shown_name("Ole\u202eevil\u0000") == "Ole evil"

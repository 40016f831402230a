"""Secrets at rest: sealed with the configured keys, rotation, the instance key file,
and the masked address the page shows."""

from __future__ import annotations

import os
import stat

import pytest
from cryptography.fernet import Fernet

from scheduler.calendars.sources.problems import SourceProblem, describe
from scheduler.calendars.sources.secretbox import (
    SecretBox,
    box_from_config,
    instance_keys,
    mask_url,
    parse_keys,
)


def key() -> str:
    return Fernet.generate_key().decode()


def test_seal_and_open_and_rotation() -> None:
    old, new = key(), key()
    sealed_old = SecretBox([old]).seal("https://calendar.google.com/private-abc/basic.ics")
    assert "google" not in sealed_old
    rotated = SecretBox([new, old])
    assert rotated.open(sealed_old).endswith("private-abc/basic.ics")
    assert SecretBox([new]).open(rotated.seal("x")) == "x"
    with pytest.raises(SourceProblem) as caught:
        SecretBox([new]).open(sealed_old)
    assert caught.value.code == "secret_lost"


def test_the_setting_wins_over_the_instance_file(tmp_path) -> None:
    mine = key()
    box = box_from_config({"CALENDARS_SECRET_KEYS": f" {mine} , "}, str(tmp_path))
    assert SecretBox([mine]).open(box.seal("s")) == "s"
    assert not (tmp_path / "calendar_keys").exists()


def test_the_instance_file_is_made_once_and_private(tmp_path) -> None:
    first = instance_keys(str(tmp_path))
    assert instance_keys(str(tmp_path)) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "calendar_keys").st_mode)
    assert mode == 0o600
    box = box_from_config({}, str(tmp_path))
    assert SecretBox(first).open(box.seal("s")) == "s"


def test_a_bad_key_names_the_setting() -> None:
    with pytest.raises(ValueError, match="SCHEDULER_CALENDARS_SECRET_KEYS: not a Fernet key"):
        parse_keys("not-a-key")
    assert parse_keys(None) == []
    assert parse_keys("") == []


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://outlook.office365.com/owa/calendar/8f1e@uni.no/a0b1c2d3/reachcalendar.ics",
            "https://outlook.office365.com/…ndar.ics",
        ),
        ("https://user:pw@cloud.example.org/dav/", "https://cloud.example.org/…"),
        ("http://127.0.0.1:8080/short.ics", "http://127.0.0.1:8080/…"),
    ],
)
def test_the_address_is_shown_masked(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_problems_are_described_in_the_readers_language() -> None:
    problem = SourceProblem("too_large", limit_mb="10")
    assert problem.message == "the calendar is larger than 10 MB"
    bokmal = {"the calendar is larger than %(limit_mb)s MB": "kalenderen er over %(limit_mb)s MB"}
    assert describe(problem.code, problem.params, bokmal.get) == "kalenderen er over 10 MB"
    assert describe("unknown-code", None, str) == "unknown-code"
    with pytest.raises(ValueError, match="unknown source problem"):
        SourceProblem("no-such-code")


def test_every_problem_has_its_bokmal_text() -> None:
    from scheduler.calendars.sources.problems import TEMPLATES
    from scheduler.i18n import load_translations

    nb = load_translations("nb").gettext
    for code, template in TEMPLATES.items():
        assert nb(template) != template, code
    assert describe("timeout", {"host": "x.example", "seconds": 15}, nb) == (
        "x.example svarte ikke innen 15 sekunder"
    )

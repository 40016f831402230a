"""The address `scheduler serve` announces and puts in links when PUBLIC_URL is unset."""

from __future__ import annotations

import pytest

from scheduler import create_app
from scheduler.cli import served_address


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", "http://127.0.0.1:8123"),
        ("localhost", "http://localhost:8123"),
        ("0.0.0.0", "http://localhost:8123"),
        ("::", "http://localhost:8123"),
        ("::1", "http://[::1]:8123"),
        ("library.example", "http://library.example:8123"),
    ],
)
def test_served_address(host: str, expected: str) -> None:
    assert served_address(host, 8123) == expected


def test_public_url_is_marked_derived_only_when_unset(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("SCHEDULER_PUBLIC_URL", raising=False)
    unset = create_app({"INSTANCE": str(tmp_path / "a"), "TESTING": True})
    assert unset.config["PUBLIC_URL"] == "http://localhost:8000"
    assert unset.config["PUBLIC_URL_DERIVED"] is True
    chosen = create_app(
        {"INSTANCE": str(tmp_path / "b"), "TESTING": True, "PUBLIC_URL": "https://lib.test"}
    )
    assert chosen.config["PUBLIC_URL"] == "https://lib.test"
    assert not chosen.config.get("PUBLIC_URL_DERIVED")

"""Norwegian bokmål and English: chosen from the browser, switchable, and complete."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

import scheduler
from scheduler.i18n import translated_msgids


def test_browser_language_decides(client) -> None:
    nb = client.get("/", headers={"Accept-Language": "nb-NO,nb;q=0.9,en;q=0.5"})
    assert '<html lang="nb">' in nb.get_data(as_text=True)
    assert "Våre bibliotek" in nb.get_data(as_text=True)
    en = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in en.get_data(as_text=True)
    assert "Our libraries" in en.get_data(as_text=True)


def test_norwegian_aliases_and_default(client) -> None:
    assert '<html lang="nb">' in client.get("/", headers={"Accept-Language": "no"}).get_data(
        as_text=True
    )
    assert '<html lang="nb">' in client.get("/", headers={"Accept-Language": "nn-NO"}).get_data(
        as_text=True
    )
    # A language we do not offer falls back to the first configured one (bokmål).
    assert '<html lang="nb">' in client.get("/", headers={"Accept-Language": "de"}).get_data(
        as_text=True
    )


def test_switching_language_sticks_for_the_session(client) -> None:
    response = client.post(
        "/language", data={"lang": "en", "next": "/"}, headers={"Accept-Language": "nb"}
    )
    assert response.status_code == 302
    html = client.get("/", headers={"Accept-Language": "nb"}).get_data(as_text=True)
    assert '<html lang="en">' in html
    client.post("/language", data={"lang": "nb"})
    assert "Våre bibliotek" in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_unknown_language_is_ignored(client) -> None:
    client.post("/language", data={"lang": "xx"})
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en"}).get_data(
        as_text=True
    )


def test_every_message_has_a_norwegian_translation() -> None:
    """Every string marked for translation in code and templates has a bokmål text."""
    root = Path(scheduler.__file__).parent
    method_map = [("**.py", "python"), ("web/templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    translated = translated_msgids("nb")
    missing = []
    for filename, _lineno, message, _comments, _ctx in extract_from_dir(
        str(root), method_map=method_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        if not msgid:
            continue
        if msgid not in translated:
            missing.append(f"{filename}: {msgid!r}")
    assert not missing, "untranslated (add to a .po in scheduler/translations/nb):\n" + "\n".join(
        missing
    )

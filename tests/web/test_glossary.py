"""The catalogues keep to docs/glossary.md: one word for one thing in each language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from scheduler.i18n import catalogue_files

GLOSSARY = Path(__file__).parents[2] / "docs" / "glossary.md"


def rejected_words() -> dict[str, set[str]]:
    """The words the glossary's "Not (bokmål / Swedish)" column rules out, per language."""
    rejected: dict[str, set[str]] = {"nb": set(), "sv": set()}
    lines = GLOSSARY.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| English"))
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        nb, _, sv = cells[-1].partition(" / ")
        for lang, words in (("nb", nb), ("sv", sv)):
            rejected[lang] |= {w.strip() for w in words.split(",") if w.strip() not in ("", "—")}
    return rejected


def test_the_glossary_rules_out_the_words_the_issue_names() -> None:
    assert {"turnus", "vaktplan"} <= rejected_words()["nb"]


@pytest.mark.parametrize("lang", ["nb", "sv"])
def test_catalogues_never_use_a_rejected_word(lang: str) -> None:
    words = rejected_words()[lang]
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")", re.IGNORECASE)
    offending = []
    for path in catalogue_files(lang):
        with path.open("rb") as f:
            for message in read_po(f, locale=lang):
                texts = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in texts:
                    if text and pattern.search(text):
                        offending.append(f"{path.name}: {text!r}")
    assert not offending, f"words docs/glossary.md rules out in {lang}:\n" + "\n".join(offending)

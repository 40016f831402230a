"""Text for CSV cells that spreadsheets open: a cell that starts like a formula would be
run, so a leading apostrophe keeps it text (names and free text are typed by people)."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text

"""Translations for booking texts made outside a request (e-mails, error reasons).

Use cases get the language explicitly (the patron's, stored on the appointment, or the
page's, through the context) and translate with the same ``.po`` catalogues as pages.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from babel.support import NullTranslations, Translations

from scheduler.i18n import load_translations

LANGUAGES = ("nb", "en")


@functools.cache
def _catalogue(lang: str) -> Translations | NullTranslations:
    return load_translations(lang) if lang in LANGUAGES and lang != "en" else NullTranslations()


def translator(lang: str | None) -> Callable[[str], str]:
    """``gettext`` for ``lang`` (English, the source language, for anything else)."""
    return _catalogue(lang or "en").gettext

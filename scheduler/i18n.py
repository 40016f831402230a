"""Languages: Norwegian bokmål, English and Swedish; the catalogues and the language choice.

Catalogues are kept as ``.po`` files only (``translations/<lang>/LC_MESSAGES/*.po``,
one file per feature area so that areas are translated independently) and compiled
in memory on first use. Nothing binary lives in git, and a catalogue can never be
out of date with its compiled form.

No Flask here: e-mails and jobs translate with :func:`translator`, outside any request.
The pages' side (the request's language, local-time filters) is ``scheduler.web.i18n``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).parent / "translations"

# The languages we write in; English is the source language of every message.
LANGUAGES = ("nb", "en", "sv")

# The regional conventions dates are written in. One style for everyone: English dates are
# British ("Monday, 7 December 2026"), never American ("Monday, December 7, 2026"), so
# pages, e-mails and feeds agree with the Norwegian and Swedish day-month order.
_DATE_LOCALES = {"en": "en_GB", "nb": "nb_NO", "sv": "sv_SE"}


# The one date style per context (docs/glossary.md), by name, for the page filters
# ``local`` and ``local_date`` and for e-mails: a day in a heading or sentence, an item in
# a list of times, a cell in a table.
DATE_STYLES = {"day": "full", "list": "EEE d MMM", "table": "medium"}


def date_locale(lang: str | None) -> Locale:
    """The Babel locale that formats dates and times for ``lang``."""
    return Locale.parse(_DATE_LOCALES.get(lang or "en", "en_GB"))


def catalogue_files(lang: str) -> list[Path]:
    return sorted((TRANSLATIONS_DIR / lang / "LC_MESSAGES").glob("*.po"))


def load_translations(lang: str) -> Translations | NullTranslations:
    """Merge every ``.po`` file of ``lang`` into one in-memory catalogue."""
    files = catalogue_files(lang)
    if not files:
        return NullTranslations()
    merged: Translations | None = None
    for path in files:
        with path.open("rb") as f:
            catalog = read_po(f, locale=lang)
        buf = BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        part = Translations(fp=buf)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    assert merged is not None
    return merged


def translated_msgids(lang: str) -> set[str]:
    """Message ids that have a non-empty translation in ``lang`` (for completeness checks)."""
    ids: set[str] = set()
    for path in catalogue_files(lang):
        with path.open("rb") as f:
            for message in read_po(f, locale=lang):
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                text = message.string[0] if isinstance(message.string, tuple) else message.string
                if msgid and text and not message.fuzzy:
                    ids.add(msgid)
    return ids


@functools.cache
def catalogue(lang: str) -> Translations | NullTranslations:
    """The merged catalogue of ``lang``, loaded once per process (English needs none)."""
    return load_translations(lang) if lang in LANGUAGES and lang != "en" else NullTranslations()


def translator(lang: str | None) -> Callable[[str], str]:
    """``gettext`` for ``lang`` (English, the source language, for anything else)."""
    return catalogue(lang or "en").gettext


def choose_language(preferred: str | None, fallback: str) -> str:
    """The person's own language when we write in it; else ``fallback`` (the site's)."""
    return preferred if preferred in LANGUAGES else fallback

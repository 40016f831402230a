"""Languages: Norwegian bokmål and English, chosen per request; local-time formatting.

Catalogues are kept as ``.po`` files only (``translations/<lang>/LC_MESSAGES/*.po``,
one file per feature area so that areas are translated independently) and compiled
in memory on first use. Nothing binary lives in git, and a catalogue can never be
out of date with its compiled form.
"""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, request, session
from flask_babel import Babel, Domain, get_locale
from flask_login import current_user

TRANSLATIONS_DIR = Path(__file__).parent / "translations"

# Accept-Language tags that mean Norwegian bokmål to us.
_BROWSER_ALIASES = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en"}


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


class PoDomain(Domain):
    """A Flask-Babel domain that reads ``.po`` catalogues directly (cached per process)."""

    def __init__(self) -> None:
        super().__init__()
        self._loaded: dict[str, Translations | NullTranslations] = {}

    def get_translations(self) -> Translations | NullTranslations:
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        lang = str(locale.language)
        if lang not in self._loaded:
            self._loaded[lang] = load_translations(lang)
        return self._loaded[lang]


def select_locale() -> str:
    languages: list[str] = current_app.config["LANGUAGES"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and getattr(current_user, "is_authenticated", False):
        mine = getattr(current_user, "locale", None)
        if mine in languages:
            return mine
    for tag, _quality in request.accept_languages:
        lang = _BROWSER_ALIASES.get(tag.split("-")[0].split("_")[0].lower())
        if lang in languages:
            return lang
    return languages[0]


def _zone(tz: str | None) -> ZoneInfo:
    return ZoneInfo(tz or current_app.config["TIMEZONE"])


def format_local(value: datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """An instant as the library's wall-clock date and time in the current language."""
    if value is None:
        return ""
    return dates.format_datetime(value, fmt, tzinfo=_zone(tz), locale=_babel_locale())


def format_local_time(value: datetime | None, tz: str | None = None) -> str:
    if value is None:
        return ""
    return dates.format_time(value.astimezone(_zone(tz)), "HH:mm", locale=_babel_locale())


def format_local_date(value: datetime | date | None, fmt: str = "full", tz: str | None = None):
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(_zone(tz)).date()
    return dates.format_date(value, fmt, locale=_babel_locale())


def weekday_name(weekday: int, width: str = "wide") -> str:
    """Monday = 0, in the current language ("mandag", "Monday")."""
    return str(dates.get_day_names(width, locale=_babel_locale())[weekday]).capitalize()


def _babel_locale() -> Locale:
    return get_locale() or Locale("en")


_PO_DOMAIN = PoDomain()


def init_i18n(app: Flask, babel: Babel) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", app.config["LANGUAGES"][0])
    babel.init_app(app, locale_selector=select_locale)
    # Flask-Babel exposes its domain as a cached property; ours reads .po files.
    babel.__dict__["domain_instance"] = _PO_DOMAIN
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["local_time"] = format_local_time
    app.jinja_env.filters["local_date"] = format_local_date
    app.jinja_env.globals["weekday_name"] = weekday_name
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")

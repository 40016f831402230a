"""The request's language and local-time formatting for pages (Flask-Babel).

The language is the one chosen on the page (kept in the session), else the signed-in
person's, else the browser's, else the first configured one. Catalogues come from
:mod:`scheduler.i18n`; service reasons are shown with :func:`localize`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale, dates
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, request, session
from flask_babel import Babel, Domain, get_locale
from flask_babel import gettext as _gettext
from flask_login import current_user
from jinja2 import Environment, Undefined, pass_environment

from scheduler.i18n import DATE_STYLES, catalogue, date_locale
from scheduler.models.translations import Translatable
from scheduler.reasons import translate

# Each language named in itself, for the switcher.
LANGUAGE_NAMES = {"nb": "Norsk (bokmål)", "en": "English", "sv": "Svenska"}

# Accept-Language tags that mean Norwegian bokmål to us.
_BROWSER_ALIASES = {"nb": "nb", "no": "nb", "nn": "nb", "en": "en", "sv": "sv"}


class PoDomain(Domain):
    """A Flask-Babel domain that reads the ``.po`` catalogues, as e-mails do (one cache)."""

    def get_translations(self) -> Translations | NullTranslations:
        locale = get_locale()
        if locale is None:
            return NullTranslations()
        return catalogue(str(locale.language))


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


def other_languages() -> list[tuple[str, str]]:
    """The configured languages other than the page's, each named in itself."""
    current = page_language()
    return [
        (code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"] if code != current
    ]


@pass_environment
def localized_filter(env: Environment, obj: Any, field: str) -> Any:
    """``obj | localized("name")``: a library's, topic's or drop-in's own text in the
    page's language (falling back to the text as first written); any other object's
    attribute exactly as ``obj.name`` would give it."""
    if isinstance(obj, Undefined):
        return env.getattr(obj, field)
    if isinstance(obj, Translatable) or callable(getattr(obj, "localized", None)):
        return obj.localized(field, page_language())
    return env.getattr(obj, field)


def _zone(tz: str | None) -> ZoneInfo:
    return ZoneInfo(tz or current_app.config["TIMEZONE"])


def format_local(value: datetime | None, fmt: str = "medium", tz: str | None = None) -> str:
    """An instant as the library's wall-clock date and time in the current language;
    ``fmt`` is a style of :data:`~scheduler.i18n.DATE_STYLES` ("day", "list", "table":
    the date in that style, then the time) or a Babel format."""
    if value is None:
        return ""
    if fmt in DATE_STYLES:
        local = value.astimezone(_zone(tz))
        day = dates.format_date(local.date(), DATE_STYLES[fmt], locale=_babel_locale())
        return f"{day}, {local:%H:%M}"
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
    return dates.format_date(value, DATE_STYLES.get(fmt, fmt), locale=_babel_locale())


def weekday_name(weekday: int, width: str = "wide") -> str:
    """Monday = 0, in the current language ("mandag", "Monday")."""
    return str(dates.get_day_names(width, locale=_babel_locale())[weekday]).capitalize()


def _babel_locale() -> Locale:
    locale = get_locale()
    return date_locale(locale.language if locale else None)


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
    app.jinja_env.filters["localized"] = localized_filter
    app.jinja_env.globals["other_languages"] = other_languages
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "en")


def localize(text: str) -> str:
    """A service's reason (:class:`~scheduler.reasons.Reason`) in the page's language;
    any other text unchanged."""
    return translate(text, _gettext)


def page_language() -> str:
    """The language this page is shown in."""
    return str(get_locale() or current_app.config["LANGUAGES"][0])

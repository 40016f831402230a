"""Setting a library's, topic's, topic group's, question's or drop-in's texts in a language.

The ordinary columns keep the text as first written; this stores the same fields in
another language (``Translatable.translations``). Pages, feeds and e-mails show the
reader's language and fall back to the ordinary text where none is written. Admin pages
and the drop-in form call :func:`set_translations` with what the form gave for one
language; an empty text removes that translation again.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from scheduler import access
from scheduler.errors import Forbidden
from scheduler.i18n import LANGUAGES
from scheduler.models import DropInSession, Person, Role, SessionSeries
from scheduler.models.translations import Translatable
from scheduler.reasons import _, input_error

# As long as the ordinary columns allow; descriptions and intros are free text.
MAX_LENGTHS = {"name": 200, "title": 200, "question": 500, "label": 300, "help_text": 500}
MAX_TEXT = 5000


def set_translations(
    session: Session,
    person: Person,
    obj: Translatable,
    lang: str,
    texts: Mapping[str, str | None],
) -> None:
    """Store ``texts`` (field → text) as ``obj``'s text in ``lang``; empty removes it."""
    require_editor(person, obj)
    errors: dict[str, str] = {}
    if lang not in LANGUAGES:
        errors["lang"] = _("must be one of %(choices)s", choices=", ".join(LANGUAGES))
    for field, text in texts.items():
        if field not in obj.TRANSLATABLE:
            errors[field] = _("cannot be translated")
        elif text and len(text.strip()) > MAX_LENGTHS.get(field, MAX_TEXT):
            errors[field] = _(
                "is longer than %(most)s characters", most=MAX_LENGTHS.get(field, MAX_TEXT)
            )
    if errors:
        raise input_error(errors)
    stored = dict(obj.translations or {})
    mine = dict(stored.get(lang) or {})
    for field, text in texts.items():
        if text and text.strip():
            mine[field] = text.strip()
        else:
            mine.pop(field, None)
    if mine:
        stored[lang] = mine
    else:
        stored.pop(lang, None)
    obj.translations = stored or None
    session.flush()


def require_editor(person: Person, obj: Translatable) -> None:
    """Drop-ins: whoever may edit them in their library. Everything else is set up by
    administrators (libraries, topics and booking pages serve every library)."""
    if isinstance(obj, DropInSession):
        if not access.holds(person, Role.SECTION_LEADER, obj.library_id):
            access.require(person, Role.LIBRARIAN, obj.library_id)
        return
    if isinstance(obj, SessionSeries):
        for dropin in obj.sessions:
            require_editor(person, dropin)
        return
    if not access.is_admin(person):
        raise Forbidden(_("Only administrators change these texts."))

"""Content written in several languages: a library's, topic's or drop-in's own texts.

The ordinary columns (``name``, ``description`` …) hold the text as first written; the
``translations`` column holds the same fields in other languages,
``{"sv": {"name": "Juridiska biblioteket"}, "en": {...}}``. A field missing in a language
falls back to the ordinary column, so nothing is ever shown empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Mapped, mapped_column

from scheduler.models.base import JSONType


class Translatable:
    """A model whose ``TRANSLATABLE`` text fields may be stored per language."""

    # The fields that may be translated; each model lists its own.
    TRANSLATABLE: tuple[str, ...] = ()

    # Replaced as a whole when changed (see booking.content_translations), never mutated
    # in place: a JSON column does not see changes inside it.
    translations: Mapped[dict[str, Any] | None] = mapped_column(JSONType)

    def localized(self, field: str, lang: str | None) -> Any:
        """``field`` in ``lang`` when it has been written in it, else the ordinary text."""
        if lang and field in self.TRANSLATABLE:
            text = ((self.translations or {}).get(lang) or {}).get(field)
            if text:
                return text
        return getattr(self, field)


def localized(obj: object, field: str, lang: str | None) -> Any:
    """``obj.field`` in ``lang`` if ``obj`` is translatable, else ``obj.field`` itself."""
    if obj is None:
        return None
    if isinstance(obj, Translatable):
        return obj.localized(field, lang)
    if isinstance(obj, Mapping):
        return obj.get(field)
    return getattr(obj, field, None)

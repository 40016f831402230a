"""Error reasons for rostering use cases that pages can show in the reader's language.

Service code has no request and so no locale. It raises errors whose reasons are
:class:`Reason` values: the English text (what logs and the JSON API show) that also
remembers its template and parameters, so that a page can translate it later.
Templates are written as ``_("... %(name)s ...", name=value)`` so that message
extraction finds them and the catalogue check requires a bokmål text for each.
"""

from __future__ import annotations

from typing import Any


class Reason(str):
    """An English reason that can be translated later from its template."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> Reason:
        self = super().__new__(cls, template % params if params else template)
        self.template = template
        self.params = params
        return self


def _(template: str, **params: Any) -> Reason:
    """Mark ``template`` for translation and fill it in (English) for now."""
    return Reason(template, **params)


def translate(text: str, gettext: Any) -> str:
    """``text`` in the reader's language when it is a :class:`Reason`; else unchanged."""
    if isinstance(text, Reason):
        return gettext(text.template, **text.params) if text.params else gettext(text.template)
    return str(text)

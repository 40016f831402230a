"""What a page says after removing a row: deleted, or deactivated and what refers to it."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from scheduler.administration.common import Removal


def _reference(kind: str, n: int) -> str:
    texts = {
        "appointments": ngettext("%(num)d booking", "%(num)d bookings", n),
        "dropin_sessions": ngettext("%(num)d drop-in session", "%(num)d drop-in sessions", n),
        "roster_periods": ngettext("%(num)d roster period", "%(num)d roster periods", n),
        "availability": ngettext("%(num)d availability window", "%(num)d availability windows", n),
        "staff": ngettext("%(num)d staff member", "%(num)d staff members", n),
        "people": ngettext("%(num)d person", "%(num)d people", n),
        "demand_rules": ngettext("%(num)d demand rule", "%(num)d demand rules", n),
        "shifts": ngettext("%(num)d shift", "%(num)d shifts", n),
    }
    return texts.get(kind, f"{n} {kind}")


def removal_message(name: str, removal: Removal) -> str:
    if removal.deleted:
        return _("Deleted %(name)s.", name=name)
    refs = ", ".join(_reference(kind, n) for kind, n in removal.references.items())
    return _("Deactivated %(name)s: %(references)s refer to it.", name=name, references=refs)

"""The registrants of a session as CSV, for hosts (catering lists, attendance sheets)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from zoneinfo import ZoneInfo

from scheduler.models import Registration, RegistrationStatus

COLUMNS = ("name", "email", "status", "position", "answer", "lunch", "registered_at")

# Spreadsheets run cells that start like a formula; a leading apostrophe keeps them text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def registrants_csv(
    registrations: Sequence[Registration],
    *,
    tz: str,
    labels: Mapping[str, str] | None = None,
) -> str:
    """Registered people, then the waitlist in order; cancelled ones are left out.

    ``labels`` translates the header and the status and yes/no values (keys are the
    column names, the statuses, "yes" and "no"); the default is English.
    """
    labels = labels or {}
    zone = ZoneInfo(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([labels.get(c, c) for c in COLUMNS])
    for reg in registrations:
        if reg.status == RegistrationStatus.CANCELLED:
            continue
        answer = "yes" if reg.lunch else "no"
        lunch = "" if reg.lunch is None else labels.get(answer, answer)
        writer.writerow(
            [
                _cell(reg.name),
                _cell(reg.email),
                labels.get(reg.status.value, reg.status.value),
                reg.position or "",
                _cell(reg.answer),
                lunch,
                reg.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    return out.getvalue()

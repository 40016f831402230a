"""One e-mail in one language: the builder every notice uses.

The language is the reader's own when we write in it, else the site's
(:func:`scheduler.i18n.choose_language`); texts come from the same ``.po`` catalogues as
the pages. Times are shown on the library's wall clock. Invitations are iTIP messages
(``METHOD:REQUEST`` to add or update an event, ``CANCEL`` to remove it) built by
:mod:`scheduler.calendars`, so mail clients offer "add to calendar". Every letter ends
with the same signature: the usual ``-- `` line, then the library's name.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates
from sqlalchemy.orm import Session

from scheduler.calendars import CalendarEvent, build_calendar
from scheduler.i18n import choose_language, date_locale, translator
from scheduler.mail.outbox import queue_email
from scheduler.models import OutboundEmail
from scheduler.requester_text import shown_name
from scheduler.site import Site


class Letter:
    """Lines of text, invitations and a signature for one address, in one language.

    Write texts with ``_ = letter.gettext`` and ``_("Hello %(name)s,") % {...}``, so
    that message extraction finds them.
    """

    def __init__(self, to: str, *, language: str | None, site: Site, tz: str | None = None):
        self.to = to
        self.site = site
        self.lang = choose_language(language, site.language)
        self.gettext = translator(self.lang)
        self.tz = tz or site.default_tz
        self.lines: list[str] = []
        self.attachments: list[dict[str, str]] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def greet(self, name: str | None) -> None:
        """ "Hello <name>," and a blank line; the name as typed by anyone, so it is made
        safe to repeat (one line, at most 100 characters, no link)."""
        shown = shown_name(name)
        if shown:
            self.add(self.gettext("Hello %(name)s,") % {"name": shown}, "")
        else:
            self.add(self.gettext("Hello,"), "")

    def when(self, start: datetime, end: datetime) -> str:
        """ "Wednesday, 3 February 2027, 13:00–14:30" on the library's wall clock."""
        zone = ZoneInfo(self.tz)
        first, last = start.astimezone(zone), end.astimezone(zone)
        day = dates.format_date(first.date(), "full", locale=date_locale(self.lang))
        return f"{day}, {first:%H:%M}–{last:%H:%M}"

    def clock(self, instant: datetime) -> str:
        """ "14:30" on the library's wall clock."""
        return f"{instant.astimezone(ZoneInfo(self.tz)):%H:%M}"

    def invite(
        self,
        events: Iterable[CalendarEvent],
        *,
        method: str,
        filename: str,
        stamp: datetime | None = None,
    ) -> None:
        """Attach an iTIP message: ``REQUEST`` adds or updates, ``CANCEL`` removes.

        ``stamp`` (DTSTAMP) defaults to the site's "now".
        """
        ics = build_calendar(list(events), stamp=stamp or self.site.now, method=method)
        self.attachments.append(
            {
                "filename": filename,
                "content_type": f"text/calendar; method={method}",
                "content": ics.decode(),
            }
        )

    def queue(self, session: Session, subject: str, *, signature: str | None) -> OutboundEmail:
        """Store the letter and the job that sends it (both roll back with the caller)."""
        body = "\n".join(self.lines).rstrip("\n")
        if signature:
            body += f"\n\n-- \n{signature}"
        return queue_email(
            session, self.to, subject, body + "\n", attachments=self.attachments or None
        )

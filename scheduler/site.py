"""What use cases need to know about the deployment, passed in explicitly: one site context.

The web layer, the CLI and jobs build one from the app's settings
(:meth:`Site.from_config`); tests build their own. It keeps ``booking`` and
``rostering`` free of ``current_app`` while e-mails still get the right links and
language, manage links the right key, and every check in one request the same "now".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from scheduler.calendars.sources.busy_query import BusyPolicy
from scheduler.calendars.sources.settings import read_settings
from scheduler.timeutil import utcnow


def busy_policy_from_config(config: Mapping[str, Any]) -> BusyPolicy:
    """The ``CALENDARS_*`` settings that decide how connected calendars block slots."""
    settings = read_settings(config)
    return BusyPolicy(
        tentative_blocks=settings.tentative_blocks,
        stop_when_failing=settings.stop_when_failing,
        failing_after=settings.warn_after,
    )


@dataclass(frozen=True)
class Site:
    """The deployment's address, key, zone and language, and the current instant."""

    public_url: str = "http://localhost:8000"
    # Signs manage links; empty in tests that sign nothing (signing then refuses).
    secret_key: str = ""
    default_tz: str = "Europe/Oslo"
    # Language of e-mails to people whose language is unknown.
    language: str = "nb"
    # Calendar invitations' organiser when a library has no e-mail address of its own.
    organizer_email: str = "no-reply@library.example"
    # Book a librarian: minutes a booking waiting for e-mail verification holds its time.
    hold_minutes: int = 30
    # Bookings + drop-in registrations one address may make in a day before each further
    # one waits for the link sent to that address (0: every one waits).
    daily_unconfirmed: int = 3
    # How the busy times of connected calendars count, the same for every slot query.
    busy_policy: BusyPolicy = field(default_factory=BusyPolicy)
    now: datetime = field(default_factory=utcnow)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> Site:
        """Built from the app's settings (``app.config``), in a view, a command or a job."""
        sender = parseaddr(str(config.get("MAIL_FROM") or ""))[1]
        values: dict[str, Any] = {
            "public_url": str(config.get("PUBLIC_URL") or cls.public_url).rstrip("/"),
            "secret_key": str(config.get("SECRET_KEY") or ""),
            "default_tz": str(config.get("TIMEZONE") or cls.default_tz),
            "language": str((config.get("LANGUAGES") or [cls.language])[0]),
            "organizer_email": sender or cls.organizer_email,
            "hold_minutes": int(config.get("BOOKING_HOLD_MINUTES", cls.hold_minutes)),
            "busy_policy": busy_policy_from_config(config),
            "daily_unconfirmed": int(
                config.get("DAILY_BOOKINGS_WITHOUT_CONFIRMATION", cls.daily_unconfirmed)
            ),
        }
        values.update(overrides)
        return cls(**values)

    @property
    def host(self) -> str:
        """The host part of calendar UIDs (``appointment-12@<host>``), as feeds use it."""
        return urlsplit(self.public_url).hostname or "localhost"

    def url(self, path: str) -> str:
        """An absolute link for e-mails and calendars (they live outside any request)."""
        return self.public_url.rstrip("/") + path

    # Links in e-mails and invitations.

    def appointment_url(self, token: str) -> str:
        """The patron's manage page of an appointment."""
        return self.url(f"/book/manage/{token}")

    def appointment_ics_url(self, token: str) -> str:
        return self.url(f"/book/manage/{token}/appointment.ics")

    def verify_url(self, token: str) -> str:
        return self.url(f"/book/verify/{token}")

    def dropin_url(self, dropin_id: int) -> str:
        """A drop-in session's public page."""
        return self.url(f"/dropins/{dropin_id}")

    def registration_confirm_url(self, token: str) -> str:
        """The link that makes a registration waiting for its address final."""
        return self.url(f"/dropins/confirm/{token}")

    def registration_url(self, token: str) -> str:
        """The registrant's manage page (cancel some or all of a sign-up)."""
        return self.url(f"/dropins/manage/{token}")

    def sign(self, purpose: str, message: str) -> str:
        """A URL-safe HMAC of ``message`` under a key derived for ``purpose`` (192 bits)."""
        if not self.secret_key:
            raise ValueError("Site.secret_key is empty: nothing can be signed with it")
        key = hmac.new(self.secret_key.encode(), purpose.encode(), hashlib.sha256).digest()
        mac = hmac.new(key, message.encode(), hashlib.sha256).digest()[:24]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

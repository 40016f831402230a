"""What booking use cases need to know about the deployment, passed in explicitly.

The web layer and the CLI build one from the app's settings; tests build their own. This
keeps ``scheduler.booking`` free of ``current_app`` while e-mails still get the right
links, the manage tokens the right key, and every check the same "now".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from scheduler.calendars.sources.busy_query import BusyPolicy
from scheduler.calendars.sources.settings import read_settings
from scheduler.timeutil import utcnow


def busy_policy_from_config(config: Mapping[str, Any]) -> BusyPolicy:
    settings = read_settings(config)
    return BusyPolicy(
        tentative_blocks=settings.tentative_blocks,
        stop_when_failing=settings.stop_when_failing,
        failing_after=settings.warn_after,
    )


@dataclass(frozen=True)
class BookingContext:
    """Settings and the current instant for one request, job or command."""

    public_url: str
    secret_key: str
    default_tz: str = "Europe/Oslo"
    hold_minutes: int = 30
    # Language of e-mails to people whose language is unknown.
    language: str = "nb"
    # Language of error reasons: the page's language; English (None) in the API.
    messages_language: str | None = None
    now: datetime = field(default_factory=utcnow)
    # How the busy times of connected calendars count (the same for every slot query).
    busy_policy: BusyPolicy = field(default_factory=BusyPolicy)

    @classmethod
    def from_config(cls, config: Mapping[str, Any], **overrides: Any) -> BookingContext:
        """Built from the app's settings (``app.config``), e.g. in a view or a command."""
        values: dict[str, Any] = {
            "public_url": config["PUBLIC_URL"],
            "secret_key": config["SECRET_KEY"],
            "default_tz": config["TIMEZONE"],
            "hold_minutes": int(config.get("BOOKING_HOLD_MINUTES", 30)),
            "language": (config.get("LANGUAGES") or ["nb"])[0],
            "busy_policy": busy_policy_from_config(config),
        }
        values.update(overrides)
        return cls(**values)

    @property
    def host(self) -> str:
        """The host part of calendar UIDs (``appointment-12@<host>``)."""
        return urlsplit(self.public_url).hostname or "localhost"

    def url(self, path: str) -> str:
        return self.public_url.rstrip("/") + path

    def manage_url(self, token: str) -> str:
        return self.url(f"/book/manage/{token}")

    def ics_url(self, token: str) -> str:
        return self.url(f"/book/manage/{token}/appointment.ics")

    def verify_url(self, token: str) -> str:
        return self.url(f"/book/verify/{token}")

    def sign(self, purpose: str, message: str) -> str:
        """A URL-safe HMAC of ``message`` under a key derived for ``purpose`` (192 bits)."""
        key = hmac.new(self.secret_key.encode(), purpose.encode(), hashlib.sha256).digest()
        mac = hmac.new(key, message.encode(), hashlib.sha256).digest()[:24]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

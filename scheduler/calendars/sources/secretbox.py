"""Encryption at rest for calendar addresses and CalDAV credentials (Fernet).

A secret .ics address or an app password opens someone's calendar, so a copy of the
database alone must not be enough to use it. Values are sealed with Fernet (AES-128-CBC
with an HMAC-SHA256, from ``cryptography``) under a key that lives outside the
database: the setting ``CALENDARS_SECRET_KEYS`` (one or more Fernet keys, comma
separated) or, when unset, ``instance/calendar_keys``, created on first use. The first
key seals; every key opens, so a key is rotated by putting a new one first and keeping
the old one until the sources have been saved again.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from scheduler.calendars.sources.problems import SourceProblem

KEY_FILE = "calendar_keys"


class SecretBox:
    """Seal and open short secrets with the configured keys."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(k.encode("ascii")) for k in keys])

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, sealed: str) -> str:
        """The secret; SourceProblem("secret_lost") if no key opens it."""
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            raise SourceProblem("secret_lost") from None


def parse_keys(value: object, setting: str = "SCHEDULER_CALENDARS_SECRET_KEYS") -> list[str]:
    """Keys from a setting (a comma-separated string or a list); ValueError naming it."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    keys = [str(k).strip() for k in items if str(k).strip()]
    for key in keys:
        try:
            Fernet(key.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError(
                f"{setting}: not a Fernet key (32 url-safe base64-encoded bytes; make one "
                "with python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from None
    return keys


def box_from_config(config: Mapping[str, object], instance_path: str) -> SecretBox:
    """The box for this deployment: the setting's keys, else the instance folder's file."""
    keys = parse_keys(config.get("CALENDARS_SECRET_KEYS"))
    return SecretBox(keys or instance_keys(instance_path))


def instance_keys(instance_path: str) -> list[str]:
    """Keys kept in the instance folder, creating one on first use.

    Written to a private temporary file and hard-linked into place, so several processes
    starting at once end up with the same key.
    """
    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(Fernet.generate_key().decode("ascii") + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    keys = parse_keys(path.read_text().replace("\n", ","), setting=str(path))
    if not keys:
        raise ValueError(f"{path}: holds no key; delete it to make a new one")
    return keys


def mask_url(url: str) -> str:
    """What the page shows of a secret address: scheme, host and the last characters.

    Enough to tell two links apart ("https://calendar.google.com/…a1f3.ics"), too little
    to use one; user names and passwords in the address are never shown.
    """
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    tail = rest[-8:] if len(rest) > 16 else ""
    return f"{parts.scheme}://{host}/…{tail}"[:200]

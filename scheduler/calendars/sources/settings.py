"""The ``CALENDARS_*`` settings as one checked value, read once from the app's config.

Start-up calls :func:`read_settings` so that a bad value stops the app with one line
naming the setting; jobs and pages call it again (cheap) to get limits and policies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from scheduler.calendars.ical import uid_host
from scheduler.calendars.sources.fetch import FetchLimits
from scheduler.calendars.sources.secretbox import parse_keys
from scheduler.calendars.sources.sync import SyncOptions

WHEN_FAILING = ("keep", "stop")


@dataclass(frozen=True)
class SourcesSettings:
    sync_every: timedelta
    warn_after: timedelta
    stop_when_failing: bool
    tentative_blocks: bool
    max_per_person: int
    options: SyncOptions


def read_settings(config: Mapping[str, object]) -> SourcesSettings:
    """Checked settings; ValueError("SCHEDULER_<NAME>: reason") on a bad one."""
    parse_keys(config.get("CALENDARS_SECRET_KEYS"))
    when_failing = str(config.get("CALENDARS_WHEN_FAILING", "keep")).strip().lower()
    if when_failing not in WHEN_FAILING:
        raise ValueError(
            f"SCHEDULER_CALENDARS_WHEN_FAILING: {when_failing!r} must be 'keep' or 'stop'"
        )
    limits = FetchLimits(
        max_bytes=int(_number(config, "CALENDARS_MAX_MB", 10, low=0.01) * 1024 * 1024),
        connect_seconds=_number(config, "CALENDARS_CONNECT_SECONDS", 5, low=0.1),
        read_seconds=_number(config, "CALENDARS_READ_SECONDS", 15, low=0.1),
        total_seconds=_number(config, "CALENDARS_TOTAL_SECONDS", 30, low=0.1),
        max_redirects=int(_number(config, "CALENDARS_MAX_REDIRECTS", 5, low=0, high=20)),
        allow_private=_flag(config, "CALENDARS_ALLOW_PRIVATE", False),
    )
    public_url = str(config.get("PUBLIC_URL") or "")
    return SourcesSettings(
        sync_every=timedelta(minutes=_number(config, "CALENDARS_SYNC_MINUTES", 10, low=1)),
        warn_after=timedelta(hours=_number(config, "CALENDARS_WARN_AFTER_HOURS", 2, low=0)),
        stop_when_failing=when_failing == "stop",
        tentative_blocks=_flag(config, "CALENDARS_TENTATIVE_BLOCKS", True),
        max_per_person=int(_number(config, "CALENDARS_MAX_PER_PERSON", 5, low=1)),
        options=SyncOptions(
            limits=limits,
            own_uid_host=uid_host(public_url) if public_url else None,
            max_events=int(_number(config, "CALENDARS_MAX_EVENTS", 10_000, low=1)),
        ),
    )


def _number(
    config: Mapping[str, object], name: str, default: float, *, low: float, high: float = 1e9
) -> float:
    raw = config.get(name, default)
    try:
        value = float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"SCHEDULER_{name}: {raw!r} is not a number") from None
    if not low <= value <= high:
        bounds = f"from {low:g} to {high:g}" if high < 1e9 else f"at least {low:g}"
        raise ValueError(f"SCHEDULER_{name}: {raw!r} must be {bounds}")
    return value


def _flag(config: Mapping[str, object], name: str, default: bool) -> bool:
    raw = config.get(name, default)
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"SCHEDULER_{name}: {raw!r} must be true or false")

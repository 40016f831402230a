"""How long a staff session lives: the settings, read once per request into a value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class SessionPolicy:
    """Idle timeout and absolute lifetime of a session; remembered sessions (the person
    ticked "keep me signed in") have no idle timeout and live ``remember``."""

    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)
    remember: timedelta = timedelta(days=30)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=float(config.get("SESSION_IDLE_MINUTES") or 30)),
            lifetime=timedelta(hours=float(config.get("SESSION_LIFETIME_HOURS") or 12)),
            remember=timedelta(days=float(config.get("REMEMBER_DAYS") or 30)),
        )

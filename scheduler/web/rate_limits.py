"""How long a client is asked to wait (``Retry-After``) when it gets a 429."""

from __future__ import annotations

import math
import time
from datetime import datetime

from werkzeug.exceptions import HTTPException

from scheduler.extensions import limiter

# When nothing better is known: the shortest window our limits use.
DEFAULT_RETRY_AFTER = 60


def retry_after_seconds(exc: HTTPException) -> int:
    """The exception's own wait if it has one, else the time until the window of the
    Flask-Limiter limit that was hit resets; at least one second."""
    own = getattr(exc, "retry_after", None)
    if isinstance(own, datetime):
        return max(1, math.ceil(own.timestamp() - time.time()))
    if own:
        return max(1, int(own))
    try:
        current = limiter.current_limit
    except Exception:  # outside a limited request, or the storage is gone
        current = None
    if current is None:
        return DEFAULT_RETRY_AFTER
    return max(1, math.ceil(current.reset_at - time.time()))

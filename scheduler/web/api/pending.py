"""The answer to a booking or sign-up that waits for its e-mail address to be confirmed.

202 ``{status: "pending", hold_until}``: no manage token (it comes by e-mail once the
link is followed), only until when the time or place is held (the library's offset).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import jsonify


def pending_response(hold_until: datetime | None, tz: str) -> Any:
    until = hold_until.astimezone(ZoneInfo(tz)).isoformat("T", "seconds") if hold_until else None
    return jsonify({"status": "pending", "hold_until": until}), 202

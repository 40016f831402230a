"""Reference data: libraries and topics."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.models import Library, Topic
from scheduler.web.api import bp


@bp.get("/libraries")
def libraries() -> Any:
    rows = db.session.scalars(
        select(Library).where(Library.active.is_(True)).order_by(Library.position, Library.name)
    )
    return jsonify(
        [{"id": str(lib.id), "name": lib.name, "timezone": lib.timezone} for lib in rows]
    )


@bp.get("/topics")
def topics() -> Any:
    rows = db.session.scalars(select(Topic).where(Topic.active.is_(True)).order_by(Topic.name))
    return jsonify([{"id": str(t.id), "name": t.name} for t in rows])

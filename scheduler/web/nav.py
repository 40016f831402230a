"""Navigation entries, registered by each blueprint and filtered by the viewer's roles.

Blueprints add their own links with :func:`add`, so the base template never has to
know which features exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, url_for
from flask_babel import LazyString
from flask_login import current_user

from scheduler.models.people import Role


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: LazyString | str
    roles: tuple[Role, ...] = ()  # empty: everyone; otherwise any of these roles
    area: str = "public"  # "public" (top bar) or "staff" (staff menu)
    order: int = 50
    # A number shown next to the label (e.g. requests waiting), given the signed-in person.
    count: Callable[[object], int] | None = None


_ITEMS: dict[str, NavItem] = {}


def add(
    endpoint: str,
    label: LazyString | str,
    *,
    roles: tuple[Role, ...] = (),
    area: str = "public",
    order: int = 50,
    count: Callable[[object], int] | None = None,
) -> None:
    _ITEMS[endpoint] = NavItem(endpoint, label, roles, area, order, count)


def visible(area: str) -> list[dict]:
    items = []
    for item in sorted(_ITEMS.values(), key=lambda i: (i.order, i.endpoint)):
        if item.area != area:
            continue
        allowed = not item.roles or (
            current_user.is_authenticated and current_user.holds_anywhere(*item.roles)
        )
        if not allowed:
            continue
        entry = {"url": url_for(item.endpoint), "label": str(item.label), "endpoint": item.endpoint}
        if item.count is not None:
            entry["count"] = item.count(current_user._get_current_object())
        items.append(entry)
    return items


def init_nav(app: Flask) -> None:
    # Only entries whose endpoint exists in this app are shown.
    def nav_items(area: str) -> list[dict[str, str]]:
        known = app.view_functions
        return [i for i in visible(area) if i["endpoint"] in known]

    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["has_endpoint"] = lambda name: name in app.view_functions

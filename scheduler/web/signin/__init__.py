"""Staff sign-in on the web beyond the password form (``web/auth.py``): the server-side
session behind the cookie (``current``), the list of one's sessions (``sessions_page``)
and the second factor (``second_factor``)."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from scheduler.web.signin import current, sessions_page, two_factor

    current.init_app(app)
    app.register_blueprint(sessions_page.bp)
    app.register_blueprint(two_factor.bp)
    app.jinja_env.globals["second_factor_people"] = two_factor.second_factor_people

"""Sweeps over every route, so that new pages inherit the checks without new tests.

- every POST/PUT/PATCH/DELETE route outside the token API rejects a request without a
  CSRF token;
- every view declared with ``role_required`` sends anonymous visitors to sign-in and
  answers 403 to a signed-in person without the role;
- security headers are present.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing.converters import NumberConverter

from scheduler.models import Role

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _fill(rule) -> str:
    """A URL for ``rule`` with a plausible value for each argument."""
    url = rule.rule
    for arg in rule.arguments:
        value = "1" if isinstance(rule._converters[arg], NumberConverter) else "x"
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", value, url)
    return url


@pytest.fixture
def app_config(app_config):
    app_config["WTF_CSRF_ENABLED"] = True
    return app_config


def test_every_form_route_rejects_a_post_without_csrf_token(app, client, create_person, login):
    login(create_person(Role.ADMIN))
    checked = 0
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if not methods or rule.rule.startswith("/api/"):
            continue
        for method in methods:
            response = client.open(_fill(rule), method=method, data={"x": "1"})
            assert response.status_code == 400, f"{method} {rule.rule} accepted a post without CSRF"
            checked += 1
    assert checked >= 3  # sign-in, sign-out, language at least


def test_cookie_session_api_writes_need_the_csrf_header(app, client, create_person, login):
    login(create_person(Role.ADMIN))
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and (rule.methods or set()) & UNSAFE:
            response = client.post(_fill(rule), json={})
            assert response.status_code == 400, rule.rule
            assert response.is_json


def _form(client, method: str) -> dict[str, str] | None:
    """A valid CSRF token for unsafe methods, so that the role check is what answers."""
    if method == "GET":
        return None
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "the front page carries no CSRF token"
    return {"csrf_token": token.group(1)}


def _role_routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if roles is not None:
            yield rule, roles


def test_every_role_route_redirects_anonymous_visitors(app, client):
    routes = list(_role_routes(app))
    assert routes, "no role-protected routes found"
    for rule, _roles in routes:
        method = (
            "GET" if "GET" in (rule.methods or ()) else sorted((rule.methods or set()) & UNSAFE)[0]
        )
        response = client.open(_fill(rule), method=method, data=_form(client, method))
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert "/sign-in" in response.headers["Location"]


def test_every_role_route_is_403_without_the_role(app, client, create_person, login):
    for rule, roles in _role_routes(app):
        others = [r for r in Role if r not in roles and r != Role.ADMIN]
        if not others:
            continue
        login(create_person(*others))
        method = (
            "GET" if "GET" in (rule.methods or ()) else sorted((rule.methods or set()) & UNSAFE)[0]
        )
        response = client.open(_fill(rule), method=method, data=_form(client, method))
        assert response.status_code == 403, f"{rule.rule} let {others} in"
        client.post("/sign-out")


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]

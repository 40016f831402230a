"""Every 429 tells the client when to try again (``Retry-After``)."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    app_config.update(
        RATELIMIT_ENABLED=True, RATELIMIT_SIGN_IN="2 per minute", RATELIMIT_PASSWORD="2 per hour"
    )
    return app_config


def test_the_sign_in_limit_per_client_says_when_to_retry(client) -> None:
    codes = []
    for _ in range(3):
        response = client.post("/sign-in", data={"email": "a@uni.example", "password": "x"})
        codes.append(response.status_code)
    assert codes == [401, 401, 429]
    assert 1 <= int(response.headers["Retry-After"]) <= 61


def test_the_forgot_page_limit_says_when_to_retry(client) -> None:
    for _ in range(2):
        assert client.post("/account/forgot", data={"email": "a@uni.example"}).status_code == 302
    response = client.post("/account/forgot", data={"email": "a@uni.example"})
    assert response.status_code == 429
    assert 3500 <= int(response.headers["Retry-After"]) <= 3601


def test_the_api_gets_json_and_retry_after_too(app, client) -> None:
    # Any limited endpoint: the handler is shared, so the JSON API answers the same way.
    from werkzeug.exceptions import TooManyRequests

    @app.get("/api/test-429")
    def _limited():
        raise TooManyRequests()

    response = client.get("/api/test-429")
    assert response.status_code == 429
    assert response.is_json
    assert int(response.headers["Retry-After"]) >= 1


def test_a_use_cases_429_refusal_says_how_long_too(app, client) -> None:
    from scheduler.accounts import SignInThrottled

    @app.get("/test-throttled")
    def _throttled():
        raise SignInThrottled(30, locked=False)

    response = client.get("/test-throttled", headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "30"
    assert "Wait 30 seconds" in response.get_data(as_text=True)

"""Public writes (sign-up, cancelling) are rate limited, on the pages and in the API."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_PUBLIC_WRITE"] = "2 per minute"
    return app_config


def test_sign_up_page_is_rate_limited(client, create_dropin) -> None:
    dropin = create_dropin(capacity=50)
    codes = [
        client.post(
            f"/dropins/{dropin.id}", data={"name": "A", "email": f"a{n}@uni.example"}
        ).status_code
        for n in range(3)
    ]
    assert codes == [302, 302, 429]
    # Reading is never limited.
    assert client.get(f"/dropins/{dropin.id}").status_code == 200


def test_api_sign_up_and_cancel_are_rate_limited(client, create_dropin) -> None:
    dropin = create_dropin(capacity=50)
    url = f"/api/v1/dropins/{dropin.id}/registrations"
    codes = [
        client.post(url, json={"name": "A", "email": f"a{n}@uni.example"}).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    cancel = [client.post("/api/v1/registrations/x/cancel").status_code for _ in range(3)]
    assert cancel == [404, 404, 429]

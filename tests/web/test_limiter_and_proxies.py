"""The limiter counts per real client behind proxies (SCHEDULER_PROXY_HOPS, Werkzeug's
ProxyFix) and keeps its counts in Redis when one is configured (shared by processes)."""

from __future__ import annotations

import os
import secrets

import pytest

from scheduler.config import ConfigError, limiter_storage
from tests.conftest import IN_CI

REDIS_URL = os.environ.get("SCHEDULER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_ENABLED"] = True
    app_config["RATELIMIT_SIGN_IN"] = "2 per minute"
    return app_config


def _attempt(client, forwarded_for: str) -> int:
    return client.post(
        "/sign-in",
        data={"email": "nobody@uni.example", "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


@pytest.mark.parametrize(("hops", "second_client_limited"), [(1, False), (0, True)])
def test_forwarded_addresses_count_separately_only_behind_a_configured_proxy(
    app_config, make_app, hops, second_client_limited
) -> None:
    app_config["PROXY_HOPS"] = hops
    client = make_app().test_client()
    assert [_attempt(client, "198.51.100.1") for _ in range(2)] == [401, 401]
    assert _attempt(client, "198.51.100.1") == 429
    assert (_attempt(client, "198.51.100.2") == 429) is second_client_limited


def test_only_the_configured_number_of_proxies_is_trusted(app_config, make_app) -> None:
    """A client cannot pick a fresh address by adding its own X-Forwarded-For entry."""
    app_config["PROXY_HOPS"] = 1
    client = make_app().test_client()
    codes = [_attempt(client, f"203.0.113.{n}, 198.51.100.9") for n in range(3)]
    assert codes == [401, 401, 429]


def test_the_limiter_uses_the_brokers_redis_or_its_own_setting() -> None:
    config = {"RATELIMIT_STORAGE_URI": "memory://", "BROKER_URL": "redis://broker:6379/0"}
    limiter_storage(config)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://broker:6379/0"
    config = {
        "RATELIMIT_STORAGE_URI": "memory://",
        "BROKER_URL": "redis://broker:6379/0",
        "RATELIMIT_STORAGE_URL": "redis://limits:6379/2",
    }
    limiter_storage(config)
    assert config["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/2"
    config = {"RATELIMIT_STORAGE_URI": "memory://"}
    limiter_storage(config)
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    with pytest.raises(ConfigError, match="SCHEDULER_RATELIMIT_STORAGE_URL"):
        limiter_storage({"RATELIMIT_STORAGE_URL": "http://nope"})


def test_counts_are_kept_in_redis_when_configured(app_config, make_app) -> None:
    import redis

    try:
        store = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        store.ping()
    except Exception as exc:
        message = f"Redis is not reachable at {REDIS_URL}: {exc}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    app_config["RATELIMIT_STORAGE_URL"] = REDIS_URL
    app_config["PROXY_HOPS"] = 1
    address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"
    try:
        first = make_app().test_client()
        second = make_app().test_client()  # another process, same Redis
        assert _attempt(first, address) == 401
        assert _attempt(second, address) == 401
        assert _attempt(first, address) == 429
        assert list(store.scan_iter(match=f"*{address}*"))
    finally:
        for key in store.scan_iter(match=f"*{address}*"):
            store.delete(key)

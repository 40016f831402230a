"""Roster fixtures (defined in helpers.py so that web tests can import them too)."""

from tests.rostering.helpers import fake_engine, make_shift, world  # noqa: F401

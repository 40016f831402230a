"""Secret tokens (feed links, manage links, API tokens, password links): made with 192
bits of randomness, stored only as a digest, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def _bytes(text: str) -> bytes:
    # "surrogatepass": a lone surrogate from a hostile URL is just a wrong token.
    return text.encode("utf-8", "surrogatepass")


def token_digest(token: str) -> str:
    """The stored form of a secret token (feeds, manage links, API tokens)."""
    return hashlib.sha256(_bytes(token)).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh URL-safe secret with 192 bits of randomness, and its digest."""
    token = secrets.token_urlsafe(24)
    return token, token_digest(token)


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(_bytes(a), _bytes(b))

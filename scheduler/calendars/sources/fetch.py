"""HTTP for connected calendars: only to public addresses, bounded in time and size.

A calendar address comes from a user, so every request here is a request the user makes
our server send. The fetcher therefore

- accepts http, https and webcal (read as https) only;
- resolves the name itself, refuses private, loopback and link-local addresses unless
  ``allow_private`` is set (tests, or an intranet calendar server), and connects to the
  checked address while sending the real name as Host and for TLS (SNI and certificate
  check), so DNS cannot change the answer between check and connect;
- follows at most ``max_redirects`` redirects, checking each new address the same way;
- gives up after a connect timeout, a read timeout between packets, and a total
  deadline for the whole exchange (a server trickling bytes cannot hold a worker);
- stops reading past ``max_bytes`` (decoded), declared or not;
- ignores proxy variables from the environment, which would bypass the check.

It uses ``httpx``: streaming responses make the size cap exact, its timeouts are split
into connect/read/write/pool, redirects are off unless asked for, and the
``sni_hostname`` request extension lets us connect to an address while verifying the
certificate for the name. (``requests`` has no total deadline and no supported way to
pin the address short of replacing its connection classes.)
"""

from __future__ import annotations

import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

from scheduler.calendars.sources.addresses import resolve
from scheduler.calendars.sources.problems import SourceProblem

USER_AGENT = "LibraryScheduler/1 (connected calendars)"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class FetchLimits:
    """Bounds for one fetch (settings ``CALENDARS_*``)."""

    max_bytes: int = 10 * 1024 * 1024
    connect_seconds: float = 5.0
    read_seconds: float = 15.0
    total_seconds: float = 30.0
    max_redirects: int = 5
    allow_private: bool = False


@dataclass(frozen=True)
class Answer:
    """A complete response: status, headers and the (capped) body."""

    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    url: str  # the address asked, after redirects (never the connected IP)
    redirects: list[str] = field(default_factory=list)


def normalise_url(text: str) -> str:
    """The address to fetch: trimmed, webcal read as https; SourceProblem if unusable."""
    value = (text or "").strip()
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if not scheme or "://" not in value:
        raise SourceProblem("url")
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https"):
        raise SourceProblem("scheme", scheme=f"{parts.scheme}://")
    try:
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise SourceProblem("url") from None
    if not parts.hostname:
        raise SourceProblem("url")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


class Fetcher:
    """An HTTP client for user-supplied addresses; close it (or use ``with``)."""

    def __init__(
        self, limits: FetchLimits | None = None, *, verify: ssl.SSLContext | bool = True
    ) -> None:
        """``verify``: an SSL context with the trusted authorities (default: certifi's)."""
        self.limits = limits or FetchLimits()
        self._client = httpx.Client(
            trust_env=False,
            verify=verify,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=self.limits.connect_seconds,
                read=self.limits.read_seconds,
                write=self.limits.read_seconds,
                pool=self.limits.connect_seconds,
            ),
            headers={"User-Agent": USER_AGENT},
        )

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, headers: dict[str, str] | None = None) -> Answer:
        """GET ``url``, following redirects within the limits (each hop checked)."""
        deadline = time.monotonic() + self.limits.total_seconds
        current = normalise_url(url)
        seen: list[str] = []
        while True:
            answer = self.request("GET", current, headers=headers, deadline=deadline)
            location = answer.headers.get("location")
            if answer.status not in REDIRECTS or not location:
                return Answer(
                    answer.status, answer.reason, answer.headers, answer.body, current, seen
                )
            if len(seen) >= self.limits.max_redirects:
                raise SourceProblem("redirects", limit=self.limits.max_redirects)
            seen.append(current)
            current = normalise_url(urljoin(current, location))

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        deadline: float | None = None,
    ) -> Answer:
        """One request to one checked address; the body read up to ``max_bytes``."""
        limits = self.limits
        deadline = deadline or time.monotonic() + limits.total_seconds
        parts = urlsplit(normalise_url(url))
        host = parts.hostname or ""
        port = parts.port or _DEFAULT_PORTS[parts.scheme]
        target = resolve(host, port, allow_private=limits.allow_private)
        connect_url = httpx.URL(url).copy_with(host=target.address)
        send_headers = dict(headers or {})
        send_headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        try:
            with self._client.stream(
                method, connect_url, headers=send_headers, content=content, extensions=extensions
            ) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limits.max_bytes:
                    raise SourceProblem("too_large", limit_mb=_mb(limits.max_bytes))
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limits.max_bytes:
                        raise SourceProblem("too_large", limit_mb=_mb(limits.max_bytes))
                    if time.monotonic() > deadline:
                        raise SourceProblem("timeout", host=host, seconds=limits.total_seconds)
                    chunks.append(chunk)
                return Answer(
                    response.status_code,
                    response.reason_phrase,
                    response.headers,
                    b"".join(chunks),
                    url,
                )
        except (httpx.ConnectTimeout, httpx.PoolTimeout):
            raise SourceProblem("timeout", host=host, seconds=limits.connect_seconds) from None
        except httpx.TimeoutException:
            raise SourceProblem("timeout", host=host, seconds=limits.read_seconds) from None
        except httpx.ConnectError as exc:
            if _is_tls_error(exc):
                raise SourceProblem("tls", host=host) from None
            raise SourceProblem("unreachable", host=host) from None
        except httpx.DecodingError as exc:
            raise SourceProblem("malformed", detail=f"content encoding: {exc}") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            raise SourceProblem("unreachable", host=host) from None


def _mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def _is_tls_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "SSL" in str(exc) or "certificate" in str(exc).lower()

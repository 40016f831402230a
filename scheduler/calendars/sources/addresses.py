"""Which network addresses a calendar may be fetched from (server-side request forgery).

A librarian types the address, and our server fetches it: without a check, a link to
``http://127.0.0.1:6379/`` or ``http://169.254.169.254/`` would let anyone with a staff
account probe the inside of the network. The check is on the *resolved* address, and
the fetcher then connects to exactly that address (see :mod:`.fetch`), so a name that
resolves to a public address when checked and to a private one a moment later (DNS
rebinding) gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from scheduler.calendars.sources.problems import SourceProblem

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Target:
    """Where to connect: the name (for Host and TLS) and the checked address."""

    host: str
    address: str
    port: int


def is_public(ip: IPAddress) -> bool:
    """Globally routable unicast: not loopback, private, link-local, shared, reserved."""
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return is_public(mapped)
        if ip.teredo is not None:
            return is_public(ip.teredo[1])
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> Target:
    """Resolve ``host`` and check every address it has; refuse if any is not public.

    Refusing when *any* address is private (rather than picking a public one) keeps a
    name with mixed answers from being a way in.
    """
    try:
        literal: IPAddress | None = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        literal = None
    if literal is not None:
        candidates = [literal]
    else:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            raise SourceProblem("dns", host=host) from None
        candidates = []
        for _family, _type, _proto, _name, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            if ip not in candidates:
                candidates.append(ip)
        if not candidates:
            raise SourceProblem("dns", host=host)
    if not allow_private:
        for ip in candidates:
            if not is_public(ip):
                raise SourceProblem("private", address=str(ip))
    return Target(host=host, address=str(candidates[0]), port=port)

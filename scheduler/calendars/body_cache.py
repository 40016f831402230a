"""Rendered feeds kept in memory by fingerprint, so a new subscriber is served without a
rebuild while nothing has changed. Per process, least recently used first out, bounded
by bytes (the public feed of 2,000 sessions is about 1 MB)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Rendered:
    body: bytes
    last_modified: datetime


STRIPES = 64  # build locks per process: one feed is built by one thread at a time


class BodyCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._building = [threading.Lock() for _ in range(STRIPES)]

    def building(self, key: str) -> threading.Lock:
        """The lock to hold while building ``key``: when many subscribers ask for a feed
        that is not cached (a new process, a change), one thread builds it and the others
        wait for it instead of building it too (measured in bench/load: feed polling)."""
        return self._building[hash(key) % STRIPES]

    def get(self, key: str, fingerprint: str) -> Rendered | None:
        with self._lock:
            found = self._items.get((key, fingerprint))
            if found is not None:
                self._items.move_to_end((key, fingerprint))
            return found

    def put(self, key: str, fingerprint: str, rendered: Rendered) -> None:
        size = len(rendered.body)
        if size > self.max_bytes:
            return
        with self._lock:
            # One entry per feed: an older fingerprint of the same feed is of no use.
            for old in [k for k in self._items if k[0] == key]:
                self._bytes -= len(self._items.pop(old).body)
            self._items[(key, fingerprint)] = rendered
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.body)

"""H3 availability: nobody works a shift that overlaps one of their absences.

Held by construction: the variables container never creates a pair the person is away
for (``index.build_index`` asks :func:`available`), so the search cannot break it. A pin
on such a pair is H9's to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable


def available(start: int, end: int, away: Iterable[tuple[int, int]]) -> bool:
    """Whether a shift [start, end) misses every absence [a, b) (touching is fine)."""
    return not any(start < b and a < end for a, b in away)

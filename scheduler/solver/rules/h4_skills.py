"""H4 skills: the person has every skill the shift asks for.

Held by construction, like H3: no variable exists for a pair that lacks a skill.
"""

from __future__ import annotations

from collections.abc import Collection


def has_skills(person: Collection[str], needed: Collection[str]) -> bool:
    return set(needed) <= set(person)

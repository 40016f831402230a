"""The password rule: long enough and hard to guess, never a composition rule.

Length is counted in characters (at least 12). Guessability is judged offline by
``zxcvbn`` (a pattern matcher with lists of common and breached passwords, names and
words, Dropbox's algorithm): the password must score at least 3 of 4, with the
person's own name and e-mail address counted as easy words. Nothing is sent anywhere.

zxcvbn explains a weak password in English; its sentences are listed here so that
the pages can show them in the reader's language (:mod:`scheduler.reasons`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable

from zxcvbn import zxcvbn

from scheduler.errors import InputError
from scheduler.reasons import Reason, _

MIN_LENGTH = 12
MAX_LENGTH = 1000
MIN_SCORE = 3
# zxcvbn refuses longer input; a longer password is judged by its first 72 characters
# (never weaker than judging all of it would be).
_JUDGED_LENGTH = 72
# zxcvbn keeps the user inputs in a module-level dictionary while it works: one
# check at a time, so two requests never see each other's names.
_LOCK = threading.Lock()

# zxcvbn's own sentences (zxcvbn/feedback.py), translatable.
_FEEDBACK: dict[str, Reason] = {
    str(text): text
    for text in (
        _("Straight rows of keys are easy to guess."),
        _("Short keyboard patterns are easy to guess."),
        _('Repeats like "aaa" are easy to guess.'),
        _('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
        _('Sequences like "abc" or "6543" are easy to guess.'),
        _("Recent years are easy to guess."),
        _("Dates are often easy to guess."),
        _("This is a top-10 common password."),
        _("This is a top-100 common password."),
        _("This is a very common password."),
        _("This is similar to a commonly used password."),
        _("A word by itself is easy to guess."),
        _("Names and surnames by themselves are easy to guess."),
        _("Common names and surnames are easy to guess."),
        _("Add another word or two. Uncommon words are better."),
        _("Use a longer keyboard pattern with more turns."),
        _("Avoid repeated words and characters."),
        _("Avoid sequences."),
        _("Avoid recent years."),
        _("Avoid years that are associated with you."),
        _("Avoid dates and years that are associated with you."),
        _("Capitalization doesn't help very much."),
        _("All-uppercase is almost as easy to guess as all-lowercase."),
        _("Reversed words aren't much harder to guess."),
        _("Predictable substitutions like '@' instead of 'a' don't help very much."),
        _("Use a few words, avoid common phrases."),
    )
}


def user_words(*values: str | None) -> list[str]:
    """What a person's own details give an attacker: the name and the address, whole,
    run together and in parts ("kari nordmann", "karinordmann", "kari.nordmann",
    "kari", "nordmann", "uni")."""
    words: list[str] = []
    for value in values:
        if not value:
            continue
        value = value.lower()
        local = value.split("@", 1)[0]
        parts = [p for p in re.split(r"[\s@._+-]+", value) if p]
        local_parts = [p for p in re.split(r"[\s._+-]+", local) if p]
        words.extend([value, local, "".join(local_parts)])
        words.extend(p for p in parts if len(p) > 2)
    return list(dict.fromkeys(w for w in words if w))


def password_problem(password: str, user_inputs: Iterable[str] = ()) -> Reason | None:
    """Why ``password`` may not be used (a translatable reason), or None if it may."""
    if len(password) < MIN_LENGTH:
        return _("must be at least %(min)s characters long", min=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("must be at most %(max)s characters long", max=MAX_LENGTH)
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return _("contains characters that cannot be stored")
    with _LOCK:
        result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=list(user_inputs))
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result.get("feedback") or {}
    hints = [feedback.get("warning") or "", *(feedback.get("suggestions") or [])[:1]]
    known = [_FEEDBACK[h] for h in hints if h in _FEEDBACK]
    if len(known) == 2:
        return _("is too easy to guess. %(why)s %(tip)s", why=known[0], tip=known[1])
    if known:
        return _("is too easy to guess. %(why)s", why=known[0])
    return _("is too easy to guess. Use a few uncommon words together.")


def check_password(password: str, user_inputs: Iterable[str] = (), field: str = "password") -> None:
    """Refuse ``password`` with an :class:`InputError` on ``field`` saying why."""
    problem = password_problem(password or "", user_inputs)
    if problem is not None:
        raise InputError(f"{field}: {problem}", {field: problem})

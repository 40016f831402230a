"""What a letter may repeat of what an anonymous requester typed: a short, plain name.

Anyone can book or sign up with any address, so whatever they type could otherwise be
sent, under the library's name, to someone else. Letters to a patron therefore never
quote free text (a message, answers); the name they greet is cut to
:data:`MAX_SHOWN_NAME` characters on one line, and anything that looks like a link or an
address loses the characters that make mail clients link it.
"""

from __future__ import annotations

import re
import unicodedata

MAX_SHOWN_NAME = 100

# A token a mail client could turn into a link: a scheme, "www.", an address, a domain.
_LINKISH = re.compile(
    r"\S*(?:[a-z][a-z0-9+.-]*:(?://)?\S|www\.|@|[^\s.]\.(?:[a-z]{2,}|xn--)\b)\S*",
    re.IGNORECASE,
)
# Look-alikes that no client links: one dot leader, a fraction slash, a small colon.
_DEFANG = str.maketrans({".": "\u2024", "/": "\u2215", ":": "\ua789", "@": "\uff20"})


def _defang(match: re.Match[str]) -> str:
    return match.group(0).translate(_DEFANG)


def shown_name(raw: str | None) -> str:
    """``raw`` fit to greet someone in a letter: one line, no control or format
    characters, no link, at most :data:`MAX_SHOWN_NAME` characters (then "…")."""
    text = "".join(
        " " if unicodedata.category(ch).startswith(("C", "Z")) else ch for ch in raw or ""
    )
    text = " ".join(text.split())
    if len(text) > MAX_SHOWN_NAME:
        text = text[: MAX_SHOWN_NAME - 1].rstrip() + "…"
    return _LINKISH.sub(_defang, text)

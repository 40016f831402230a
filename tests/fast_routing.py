"""Each test builds a fresh app, and most of that time is Werkzeug compiling the URL
builders of our ~1,000 routes (Python source generated and compiled per rule, per app):
0.09 s of a 0.1 s ``create_app``, at every one of some 3,700 tests. The generated builder
depends only on the rule's parsed parts and defaults, and reaches the rule's converters
through the ``self`` it is bound to, so one compiled function serves every app's copy of
the same rule. Tests only: production builds one app per process.

If Werkzeug changes these internals, the patch steps aside and apps compile as before.
"""

from __future__ import annotations

import functools
from typing import Any

from werkzeug.routing import rules

_ORIGINAL = getattr(rules.Rule, "_compile_builder", None)
_BUILDERS: dict[tuple, Any] = {}


def _key(rule: rules.Rule, append_unknown: bool) -> tuple:
    defaults = tuple(sorted((k, repr(v)) for k, v in (rule.defaults or {}).items()))
    converters = tuple(
        sorted((name, type(conv).__qualname__) for name, conv in rule._converters.items())
    )
    return (rule.rule, tuple(rule._trace), defaults, converters, append_unknown)


def install() -> None:
    if _ORIGINAL is None or getattr(rules.Rule, "_fast_routing", False):
        return

    @functools.wraps(_ORIGINAL)
    def compile_builder(self: rules.Rule, append_unknown: bool = True) -> Any:
        try:
            key = _key(self, append_unknown)
        except (AttributeError, TypeError):
            return _ORIGINAL(self, append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = _ORIGINAL(self, append_unknown)
        return builder

    rules.Rule._compile_builder = compile_builder  # type: ignore[method-assign]
    rules.Rule._fast_routing = True  # type: ignore[attr-defined]

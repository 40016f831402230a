"""The one error the engine raises for bad input, naming the field and the reason."""

from __future__ import annotations


class InputError(ValueError):
    """A problem that cannot be solved as given: ``path`` names the field (JSON-style,
    like ``shifts[12].service_point``), ``reason`` says what is wrong in plain words."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

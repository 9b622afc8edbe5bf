"""Small checks shared by the domain functions; each collects messages for Invalid."""

from __future__ import annotations

import re

from townsquare.domain.errors import Invalid


class Checker:
    """Collects field errors, then raises them all at once, so a form shows every problem."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def text(
        self,
        field: str,
        value: str | None,
        *,
        label: str,
        min_len: int = 0,
        max_len: int,
        strip: bool = True,
        pattern: re.Pattern[str] | None = None,
        pattern_msg: str = "",
    ) -> str:
        # No one types a NUL, and PostgreSQL cannot store one: it goes, as a stray \r does.
        value = (value or "").replace("\r\n", "\n").replace("\x00", "")
        if strip:
            value = value.strip()
        if min_len and len(value) < min_len:
            self.errors[field] = (
                f"{label} is required."
                if min_len == 1 or not value
                else f"{label} needs at least {min_len} characters."
            )
        elif len(value) > max_len:
            self.errors[field] = (
                f"{label} can be at most {max_len:,} characters (this one has {len(value):,})."
            )
        elif pattern is not None and value and not pattern.fullmatch(value):
            self.errors[field] = pattern_msg
        return value

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def done(self) -> None:
        if self.errors:
            raise Invalid(self.errors)

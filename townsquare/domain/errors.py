"""Errors are values of the domain; each face translates them in one place."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class NotLoggedIn(Forbidden):
    """The action needs a member; the web face sends visitors to the log-in page."""

    status = 401

    def __init__(self, message: str = "Log in first.") -> None:
        super().__init__(message)


class Conflict(DomainError):
    status = 409


class RateLimited(DomainError):
    status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Invalid(DomainError):
    """Bad input: one message per field, shown beside the field or listed in the API problem."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors

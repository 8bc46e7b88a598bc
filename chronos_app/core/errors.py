"""Typed errors raised by services; the UI turns them into toasts or inline messages."""

from __future__ import annotations


class ChronosError(Exception):
    """Base class: `message` is safe to show to the person who caused it."""

    def __init__(self, message: str, *, field: str | None = None, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.details = details or []


class InvalidInput(ChronosError):
    """The request cannot be carried out as given (validation)."""


class NotFound(ChronosError):
    """The thing does not exist or the actor may not know it exists."""


class Forbidden(ChronosError):
    """The actor is known but may not do this."""


class Unauthenticated(ChronosError):
    """No valid session: log in first."""


class Conflict(ChronosError):
    """The request clashes with existing data (duplicate username, ...)."""


class RateLimited(ChronosError):
    """Too many attempts in a short time."""

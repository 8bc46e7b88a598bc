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


class Gated(ChronosError):
    """The actor may know the thing exists (its title shows) but its content needs a higher
    subscription tier of the school: the UI shows a gate offering `required_tier`."""

    def __init__(self, message: str, *, creator_id: str, required_tier: str, school_name: str,
                 video_title: str = "", course_title: str = "", current_tier: str = ""):
        super().__init__(message)
        self.creator_id = creator_id          # the school (creators.id), for checkout
        self.required_tier = required_tier    # "premium" | "pro"
        self.school_name = school_name
        self.video_title = video_title        # the gated video's title ("" for a course)
        self.course_title = course_title      # the gated course's title ("" for a video)
        self.current_tier = current_tier      # "" (not a member) | "basic" | "premium"

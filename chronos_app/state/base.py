"""Calling services from event handlers: off the event loop, inside one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from chronos_app.core.db import session_scope

T = TypeVar("T")
log = logging.getLogger(__name__)


async def call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """Run service `fn(session=..., **kwargs)` in a worker thread and commit."""

    def run() -> T:
        with session_scope() as session:
            return fn(session=session, **kwargs)

    return await asyncio.to_thread(run)


def backend_url(path: str) -> str:
    """An absolute URL on the backend (media files are served there, not by the frontend)."""
    if not path or path.startswith(("http://", "https://")):
        return path
    import reflex as rx

    return rx.config.get_config().api_url.rstrip("/") + path

"""A sliding-window limiter for login attempts and chat messages.

Kept per process: with several backend workers each enforces its own window, so the real
limit is at most N times the configured one (Redis-backed limiting is a later step).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque

from chronos_app.core.errors import RateLimited


class SlidingWindowLimiter:
    def __init__(self, max_events: int, window_seconds: float):
        self.max_events = max_events
        self.window_seconds = window_seconds
        self._events: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _prune(self, key: str, now: float) -> deque[float]:
        events = self._events[key]
        while events and now - events[0] > self.window_seconds:
            events.popleft()
        return events

    def check(self, key: str, message: str) -> None:
        """Raise RateLimited if `key` has used up its window."""
        with self._lock:
            events = self._prune(key, time.monotonic())
            if len(events) >= self.max_events:
                wait = int(self.window_seconds - (time.monotonic() - events[0])) + 1
                raise RateLimited(f"{message} Try again in {wait} seconds.")

    def hit(self, key: str) -> None:
        with self._lock:
            self._prune(key, time.monotonic()).append(time.monotonic())

    def reset(self, key: str) -> None:
        with self._lock:
            self._events.pop(key, None)

"""Pure functions: redirects after login, password/username rules, the rate limiter."""

from __future__ import annotations

import pytest

from chronos_app import routes
from chronos_app.core.errors import RateLimited
from chronos_app.core.settings import normalize_database_url
from chronos_app.services.accounts import (
    email_problems,
    password_problems,
    username_problems,
)
from chronos_app.services.rate_limit import SlidingWindowLimiter


@pytest.mark.parametrize("given, expected", [
    (None, "/"),
    ("", "/"),
    ("/studio", "/studio"),
    ("/profile?tab=1", "/profile?tab=1"),
    ("https://evil.example.com/", "/"),
    ("//evil.example.com", "/"),
    ("javascript:alert(1)", "/"),
    ("studio", "/"),
    ("/login", "/"),
    ("/signup?next=/x", "/"),
])
def test_safe_next_only_follows_local_paths(given, expected):
    assert routes.safe_next(given) == expected


def test_login_then_keeps_the_path():
    assert routes.login_then("/studio") == "/login?next=/studio"
    assert routes.login_then("/") == "/login"


def test_good_credentials_have_no_problems():
    assert password_problems("Sup3r-secret") == []
    assert username_problems("ada.lovelace_1") == []
    assert email_problems("ada@example.com") == []


def test_password_problems_list_every_broken_rule():
    assert len(password_problems("a")) == 3  # length, uppercase, digit


def test_normalize_database_url():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_limiter_blocks_after_max_and_reset_clears():
    limiter = SlidingWindowLimiter(2, 60)
    limiter.check("k", "Slow down.")
    limiter.hit("k")
    limiter.hit("k")
    with pytest.raises(RateLimited, match="Slow down"):
        limiter.check("k", "Slow down.")
    limiter.check("other", "Slow down.")
    limiter.reset("k")
    limiter.check("k", "Slow down.")


def test_limiter_window_expires():
    limiter = SlidingWindowLimiter(1, 0.0)
    limiter.hit("k")
    limiter.check("k", "Slow down.")

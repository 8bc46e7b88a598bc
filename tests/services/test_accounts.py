from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from chronos_app.core.errors import Conflict, InvalidInput, RateLimited, Unauthenticated
from chronos_app.models import AuthSession
from chronos_app.models.base import utcnow
from chronos_app.services import accounts
from tests.factories import PASSWORD, make_user, unique


def test_sign_up_stores_argon2_hash_not_password(session):
    actor = make_user(session)
    user = session.get(accounts.User, actor.user_id)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize("password, message", [
    ("Sh0rt", "at least 8 characters"),
    ("alllowercase1", "uppercase letter"),
    ("ALLUPPERCASE1", "lowercase letter"),
    ("NoDigitsHere", "digit"),
    ("A1" + "a" * 127, "at most 128"),
])
def test_password_rules_each_have_a_message(session, password, message):
    with pytest.raises(InvalidInput) as err:
        accounts.sign_up(session=session, username=unique(), email=f"{unique()}@example.com",
                         password=password)
    assert any(message in detail for detail in err.value.details)


@pytest.mark.parametrize("username, message", [
    ("ab", "at least 3"),
    ("x" * 51, "at most 50"),
    ("bad name!", "only letters"),
    ("_leading", "start with a letter"),
])
def test_username_rules(session, username, message):
    with pytest.raises(InvalidInput) as err:
        accounts.sign_up(session=session, username=username, email=f"{unique()}@example.com",
                         password=PASSWORD)
    assert any(message in detail for detail in err.value.details)


@pytest.mark.parametrize("email", ["plain", "a@b", "a@b.c", "two@@example.com", "sp ace@example.com"])
def test_bad_email_rejected(session, email):
    with pytest.raises(InvalidInput, match="valid email"):
        accounts.sign_up(session=session, username=unique(), email=email, password=PASSWORD)


def test_all_problems_reported_at_once(session):
    with pytest.raises(InvalidInput) as err:
        accounts.sign_up(session=session, username="a", email="nope", password="short")
    assert len(err.value.details) >= 4


def test_duplicate_username_case_insensitive_and_email(session):
    actor = make_user(session)
    with pytest.raises(Conflict, match="username is taken"):
        accounts.sign_up(session=session, username=actor.username.upper(),
                         email=f"{unique()}@example.com", password=PASSWORD)
    with pytest.raises(Conflict, match="email already exists"):
        accounts.sign_up(session=session, username=unique(),
                         email=f"{actor.username.upper()}@EXAMPLE.com", password=PASSWORD)


def test_log_in_by_username_or_email_and_session_stores_only_hash(session):
    actor = make_user(session)
    result = accounts.log_in(session=session, login=actor.username, password=PASSWORD,
                             ip_address="127.0.0.1", user_agent="pytest")
    assert result.actor.user_id == actor.user_id
    row = session.exec(select(AuthSession).where(AuthSession.user_id == actor.user_id)).one()
    assert row.session_token == accounts.hash_token(result.token)
    assert result.token not in row.session_token
    assert row.expires_at > utcnow() + timedelta(days=29)
    by_email = accounts.log_in(session=session, login=f"{actor.username}@example.com",
                               password=PASSWORD)
    assert by_email.actor.user_id == actor.user_id
    assert accounts.resolve_session(session=session, token=result.token).user_id == actor.user_id


def test_wrong_password_and_unknown_user_say_the_same(session):
    actor = make_user(session)
    with pytest.raises(Unauthenticated, match="Wrong username or password"):
        accounts.log_in(session=session, login=actor.username, password="Wrong-pass1")
    with pytest.raises(Unauthenticated, match="Wrong username or password"):
        accounts.log_in(session=session, login=unique(), password=PASSWORD)


def test_repeated_failures_are_rate_limited(session):
    actor = make_user(session)
    for _ in range(accounts.get_settings().login_max_attempts):
        with pytest.raises(Unauthenticated):
            accounts.log_in(session=session, login=actor.username, password="Wrong-pass1")
    with pytest.raises(RateLimited):
        accounts.log_in(session=session, login=actor.username, password=PASSWORD)


def test_expired_session_is_rejected_and_removed(session):
    actor = make_user(session)
    result = accounts.log_in(session=session, login=actor.username, password=PASSWORD)
    row = session.exec(select(AuthSession).where(AuthSession.user_id == actor.user_id)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.flush()
    assert accounts.resolve_session(session=session, token=result.token) is None
    session.flush()
    assert session.exec(select(AuthSession).where(AuthSession.user_id == actor.user_id)).first() is None


def test_logout_revokes_the_session(session):
    actor = make_user(session)
    result = accounts.log_in(session=session, login=actor.username, password=PASSWORD)
    accounts.log_out(session=session, token=result.token)
    session.flush()
    assert accounts.resolve_session(session=session, token=result.token) is None


def test_unknown_or_empty_token(session):
    assert accounts.resolve_session(session=session, token="") is None
    assert accounts.resolve_session(session=session, token="not-a-token") is None

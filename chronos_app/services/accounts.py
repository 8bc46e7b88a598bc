"""Sign-up, log-in, sessions and log-out.

Passwords are hashed with argon2id (argon2-cffi); a session's token lives only in the
browser's cookie, the database keeps its SHA-256 and an expiry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func
from sqlmodel import Session, select

from chronos_app.core.errors import Conflict, InvalidInput, Unauthenticated
from chronos_app.core.settings import get_settings
from chronos_app.models import AuthSession, Creator, Student, User
from chronos_app.models.base import utcnow
from chronos_app.models.identity import EMAIL_PATTERN
from chronos_app.schemas.accounts import Actor
from chronos_app.services.rate_limit import SlidingWindowLimiter

USERNAME_MIN, USERNAME_MAX = 3, 50
PASSWORD_MIN, PASSWORD_MAX = 8, 128
_USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_EMAIL_RE = re.compile(EMAIL_PATTERN)
# Refresh last_accessed_at at most this often, so page loads don't all write.
_TOUCH_EVERY = timedelta(minutes=5)

_hasher = PasswordHasher()
_login_limiter = SlidingWindowLimiter(get_settings().login_max_attempts,
                                      get_settings().login_window_seconds)
# Verifying against this keeps unknown usernames as slow as wrong passwords.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def username_problems(username: str) -> list[str]:
    problems = []
    if len(username) < USERNAME_MIN:
        problems.append(f"Username must be at least {USERNAME_MIN} characters.")
    if len(username) > USERNAME_MAX:
        problems.append(f"Username must be at most {USERNAME_MAX} characters.")
    if username and not _USERNAME_RE.match(username):
        problems.append("Username may use only letters, digits, '_', '.' and '-', "
                        "and must start with a letter or digit.")
    return problems


def email_problems(email: str) -> list[str]:
    if not email:
        return ["Email is required."]
    if len(email) > 255:
        return ["Email must be at most 255 characters."]
    if not _EMAIL_RE.match(email):
        return ["Enter a valid email address, like name@example.com."]
    return []


def password_problems(password: str) -> list[str]:
    problems = []
    if len(password) < PASSWORD_MIN:
        problems.append(f"Password must be at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        problems.append(f"Password must be at most {PASSWORD_MAX} characters.")
    if not re.search(r"[a-z]", password):
        problems.append("Password must contain a lowercase letter.")
    if not re.search(r"[A-Z]", password):
        problems.append("Password must contain an uppercase letter.")
    if not re.search(r"\d", password):
        problems.append("Password must contain a digit.")
    return problems


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_up(*, session: Session, username: str, email: str, password: str,
            display_name: str | None = None) -> Actor:
    username, email = username.strip(), email.strip().lower()
    display_name = (display_name or "").strip() or None
    problems = username_problems(username) + email_problems(email) + password_problems(password)
    if display_name and len(display_name) > 100:
        problems.append("Display name must be at most 100 characters.")
    if problems:
        raise InvalidInput(problems[0], details=problems)
    if session.exec(select(User.id).where(func.lower(User.username) == username.lower())).first():
        raise Conflict("That username is taken.", field="username")
    if session.exec(select(User.id).where(User.email == email)).first():
        raise Conflict("An account with that email already exists.", field="email")
    user = User(username=username, email=email, password_hash=_hasher.hash(password),
                display_name=display_name)
    session.add(user)
    session.flush()
    return Actor(user_id=user.id, username=user.username)


@dataclass(frozen=True)
class LoginResult:
    token: str
    actor: Actor


def log_in(*, session: Session, login: str, password: str, ip_address: str | None = None,
           user_agent: str | None = None) -> LoginResult:
    """Check the password of the user named `login` (username or email); open a session."""
    login = login.strip()
    if not login or not password:
        raise InvalidInput("Enter your username (or email) and password.")
    limiter_key = login.lower()
    _login_limiter.check(limiter_key, "Too many failed log-in attempts.")
    user = session.exec(select(User).where(
        (func.lower(User.username) == login.lower()) | (User.email == login.lower()))).first()
    if user is None or not user.is_active:
        _verify(_DUMMY_HASH, password)
        _login_limiter.hit(limiter_key)
        raise Unauthenticated("Wrong username or password.")
    if not _verify(user.password_hash, password):
        _login_limiter.hit(limiter_key)
        raise Unauthenticated("Wrong username or password.")
    _login_limiter.reset(limiter_key)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    now = utcnow()
    user.last_login_at = now
    token = secrets.token_urlsafe(32)
    session.add(AuthSession(user_id=user.id, session_token=hash_token(token),
                            expires_at=now + timedelta(days=get_settings().session_days),
                            ip_address=_valid_ip(ip_address),
                            user_agent=(user_agent or "")[:500] or None))
    session.add(user)
    session.flush()
    return LoginResult(token=token, actor=load_actor(session=session, user_id=user.id))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _valid_ip(ip: str | None) -> str | None:
    import ipaddress

    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


def resolve_session(*, session: Session, token: str) -> Actor | None:
    """The actor of a live session token, or None when unknown, expired or revoked."""
    if not token:
        return None
    row = session.exec(select(AuthSession).where(AuthSession.session_token == hash_token(token))).first()
    now = utcnow()
    if row is None:
        return None
    if row.expires_at <= now:
        session.delete(row)
        return None
    if now - row.last_accessed_at > _TOUCH_EVERY:
        row.last_accessed_at = now
        session.add(row)
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return load_actor(session=session, user_id=user.id)


def log_out(*, session: Session, token: str) -> None:
    """Revoke the session: the token stops working everywhere at once."""
    if token:
        row = session.exec(select(AuthSession).where(AuthSession.session_token == hash_token(token))).first()
        if row is not None:
            session.delete(row)


def purge_expired_sessions(*, session: Session) -> int:
    rows = session.exec(select(AuthSession).where(AuthSession.expires_at < utcnow())).all()
    for row in rows:
        session.delete(row)
    return len(rows)


def load_actor(*, session: Session, user_id: uuid.UUID) -> Actor:
    user = session.get(User, user_id)
    if user is None:
        raise Unauthenticated("Your account no longer exists.")
    creator_id = session.exec(select(Creator.id).where(Creator.user_id == user_id)).first()
    memberships = session.exec(select(Student.creator_id, Student.id).where(
        Student.user_id == user_id, Student.is_active)).all()
    return Actor(user_id=user.id, username=user.username, creator_id=creator_id,
                 student_of={c: s for c, s in memberships})

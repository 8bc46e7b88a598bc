"""Accounts (dojo `users`) and login sessions (dojo `sessions`, token stored only as a hash)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, String, Text
from sqlalchemy.dialects.postgresql import INET
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    created_at_column,
    fk,
    flag,
    timestamp,
    updated_at_column,
    uuid_pk,
)

EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("LENGTH(username) >= 3", name="username_length"),
        CheckConstraint(f"email ~* '{EMAIL_PATTERN}'", name="email_format"),
        Index("idx_users_username", "username"),
        Index("idx_users_email", "email"),
        Index("idx_users_created_at", "created_at"),
    )

    id: uuid.UUID = uuid_pk()
    username: str = Field(sa_column=Column(String(50), unique=True, nullable=False))
    email: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    password_hash: str = Field(sa_column=Column(String(255), nullable=False))
    avatar_url: str | None = Field(default=None, sa_column=Column(String(500)))
    bio: str | None = Field(default=None, sa_column=Column(Text))
    display_name: str | None = Field(default=None, sa_column=Column(String(100)))
    is_verified: bool = flag(False)
    is_active: bool = flag(True)
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    last_login_at: datetime | None = timestamp()


class AuthSession(SQLModel, table=True):
    """A login: `session_token` holds the SHA-256 of the cookie's token, never the token."""

    __tablename__ = "sessions"
    __table_args__ = (
        Index("idx_sessions_user_id", "user_id"),
        Index("idx_sessions_token", "session_token"),
        Index("idx_sessions_expires_at", "expires_at"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    session_token: str = Field(sa_column=Column(String(255), unique=True, nullable=False))
    expires_at: datetime = timestamp(nullable=False)
    created_at: datetime = created_at_column()
    last_accessed_at: datetime = created_at_column()
    ip_address: str | None = Field(default=None, sa_column=Column(INET))
    user_agent: str | None = Field(default=None, sa_column=Column(Text))

"""Roles of a user: a creator (runs one school) and a student (a membership in one school)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    created_at_column,
    fk,
    flag,
    jsonb,
    timestamp,
    updated_at_column,
    uuid_pk,
)

CREATOR_TIERS = ("basic", "pro", "enterprise")


class Creator(SQLModel, table=True):
    __tablename__ = "creators"
    __table_args__ = (
        CheckConstraint("subscription_tier IN ('basic', 'pro', 'enterprise')",
                        name="creators_subscription_tier_check"),
        Index("idx_creators_whop_company_id", "whop_company_id"),
        Index("idx_creators_subscription_tier", "subscription_tier"),
        Index("idx_creators_is_active", "is_active"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = fk("users.id", ondelete="CASCADE", unique=True)  # one school per user
    whop_company_id: str | None = Field(default=None, sa_column=Column(Text, unique=True))
    whop_user_id: str | None = Field(default=None, sa_column=Column(Text))
    email: str = Field(sa_column=Column(Text, nullable=False))
    name: str | None = Field(default=None, sa_column=Column(Text))
    subscription_tier: str = Field(default="basic",
                                   sa_column=Column(Text, nullable=False, server_default="basic"))
    settings: dict[str, Any] = jsonb()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    last_login_at: datetime | None = timestamp()
    is_active: bool = flag(True)


class Student(SQLModel, table=True):
    __tablename__ = "students"
    __table_args__ = (
        UniqueConstraint("user_id", "creator_id", name="students_user_creator_key"),
        # Chronos made whop_user_id globally unique; with one row per (user, school) it is
        # unique per school.
        UniqueConstraint("creator_id", "whop_user_id", name="students_creator_whop_user_key"),
        Index("idx_students_whop_user_id", "whop_user_id"),
        Index("idx_students_whop_membership_id", "whop_membership_id"),
        Index("idx_students_creator_id", "creator_id"),
        Index("idx_students_is_active", "is_active"),
        Index("idx_students_user_id", "user_id"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    whop_user_id: str | None = Field(default=None, sa_column=Column(Text))
    whop_membership_id: str | None = Field(default=None, sa_column=Column(Text))
    creator_id: uuid.UUID = fk("creators.id", ondelete="CASCADE")
    email: str = Field(sa_column=Column(Text, nullable=False))
    name: str | None = Field(default=None, sa_column=Column(Text))
    preferences: dict[str, Any] = jsonb()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    last_active_at: datetime | None = timestamp()
    is_active: bool = flag(True)

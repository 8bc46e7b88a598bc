"""Column helpers shared by the table modules, so every table spells ids and timestamps alike."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlmodel import Field


def utcnow() -> datetime:
    return datetime.now(UTC)


def uuid_pk() -> Any:
    return Field(
        default_factory=uuid.uuid4,
        sa_column=Column(PG_UUID(as_uuid=True), primary_key=True,
                         server_default=text("gen_random_uuid()")),
    )


def fk(target: str, *, ondelete: str, nullable: bool = False, unique: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(PG_UUID(as_uuid=True), ForeignKey(target, ondelete=ondelete),
                         nullable=nullable, unique=unique),
    )


def created_at_column() -> Any:
    return Field(default_factory=utcnow,
                 sa_column=Column(DateTime(timezone=True), nullable=False,
                                  server_default=text("CURRENT_TIMESTAMP")))


def updated_at_column() -> Any:
    # The update_updated_at_column trigger keeps it current on every UPDATE.
    return created_at_column()


def timestamp(nullable: bool = True) -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=nullable))


def flag(default: bool) -> Any:
    return Field(default=default,
                 sa_column=Column(Boolean, nullable=False,
                                  server_default=text("true" if default else "false")))


def counter(default: int = 0) -> Any:
    return Field(default=default,
                 sa_column=Column(Integer, nullable=False, server_default=text(str(default))))


def jsonb() -> Any:
    return Field(default_factory=dict,
                 sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")))


def metadata_json() -> Any:
    """The schema's `metadata` JSONB column; the attribute is `meta` (`metadata` is reserved)."""
    return Field(default_factory=dict,
                 sa_column=Column("metadata", JSONB, nullable=False,
                                  server_default=text("'{}'::jsonb")))


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for `column IN ('a', 'b', ...)`, used by CHECK constraints."""
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"

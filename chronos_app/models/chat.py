"""AI tutor conversations (Chronos): a student's sessions and their messages with citations."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Integer, Text, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    created_at_column,
    fk,
    metadata_json,
    timestamp,
    updated_at_column,
    uuid_pk,
)


class ChatSession(SQLModel, table=True):
    __tablename__ = "chat_sessions"
    __table_args__ = (
        Index("idx_chat_sessions_student_id", "student_id"),
        Index("idx_chat_sessions_creator_id", "creator_id"),
    )

    id: uuid.UUID = uuid_pk()
    student_id: uuid.UUID = fk("students.id", ondelete="CASCADE")
    creator_id: uuid.UUID = fk("creators.id", ondelete="CASCADE")
    title: str | None = Field(default=None, sa_column=Column(Text))
    context_video_ids: list[str] = Field(default_factory=list, sa_column=Column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")))
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    last_message_at: datetime | None = timestamp()


class ChatMessage(SQLModel, table=True):
    __tablename__ = "chat_messages"
    __table_args__ = (
        CheckConstraint("role IN ('user', 'assistant', 'system')", name="chat_messages_role_check"),
        Index("idx_chat_messages_session_id", "session_id"),
        # The daily rollup counts the day's questions (migration 0007); in `make bench` (10M
        # events) it mainly helps `aggregate_day`, not the dashboard reads.
        Index("idx_chat_messages_created_at", "created_at"),
    )

    id: uuid.UUID = uuid_pk()
    session_id: uuid.UUID = fk("chat_sessions.id", ondelete="CASCADE")
    role: str = Field(sa_column=Column(Text, nullable=False))
    content: str = Field(sa_column=Column(Text, nullable=False))
    # [{video_id, chunk_id, start_seconds, end_seconds, score}]
    video_references: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb")))
    token_count: int | None = Field(default=None, sa_column=Column(Integer))
    model: str | None = Field(default=None, sa_column=Column(Text))
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()

"""Threaded comments on a video or one of its chapters (dojo), soft-deleted, at most 2000 chars."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, Text, text
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    counter,
    created_at_column,
    fk,
    flag,
    updated_at_column,
    uuid_pk,
)

COMMENT_MAX_CHARS = 2000


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    __table_args__ = (
        # The seed's LENGTH(TRIM(content)) > 0 let tabs and newlines through (TRIM strips spaces).
        CheckConstraint("content ~ '[^[:space:]]'", name="content_not_empty"),
        CheckConstraint(f"LENGTH(content) <= {COMMENT_MAX_CHARS}", name="content_length"),
        CheckConstraint(
            "(chapter_id IS NULL AND video_id IS NOT NULL) OR "
            "(chapter_id IS NOT NULL AND video_id IS NOT NULL)",
            name="comment_target"),
        Index("idx_comments_video_id", "video_id"),
        Index("idx_comments_chapter_id", "chapter_id"),
        Index("idx_comments_author_id", "author_id"),
        Index("idx_comments_parent_id", "parent_id"),
        Index("idx_comments_created_at", "created_at"),
        Index("idx_comments_active", "video_id", "created_at",
              postgresql_where=text("is_deleted = false")),
        Index("idx_comments_thread", "video_id", "parent_id", "created_at",
              postgresql_where=text("is_deleted = false")),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    chapter_id: uuid.UUID | None = fk("chapters.id", ondelete="CASCADE", nullable=True)
    author_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    parent_id: uuid.UUID | None = fk("comments.id", ondelete="CASCADE", nullable=True)
    content: str = Field(sa_column=Column(Text, nullable=False))
    is_edited: bool = flag(False)
    is_deleted: bool = flag(False)
    like_count: int = counter(0)
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

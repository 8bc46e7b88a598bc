"""Courses → modules → lessons (Chronos). `module_lessons` is the source of truth for a module's
videos; `course_modules.video_ids` is kept only because the schema has it (deprecated, unused)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, Integer, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    counter,
    created_at_column,
    fk,
    flag,
    metadata_json,
    timestamp,
    updated_at_column,
    uuid_pk,
)


class Course(SQLModel, table=True):
    __tablename__ = "courses"
    __table_args__ = (
        Index("idx_courses_creator_id", "creator_id"),
        Index("idx_courses_is_published", "is_published"),
        Index("idx_courses_display_order", "display_order"),
    )

    id: uuid.UUID = uuid_pk()
    creator_id: uuid.UUID = fk("creators.id", ondelete="CASCADE")
    title: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    thumbnail_url: str | None = Field(default=None, sa_column=Column(Text))
    is_published: bool = flag(False)
    display_order: int = counter(0)
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    published_at: datetime | None = timestamp()
    is_deleted: bool = flag(False)


class CourseModule(SQLModel, table=True):
    __tablename__ = "course_modules"
    __table_args__ = (
        Index("idx_course_modules_course_id", "course_id"),
        Index("idx_course_modules_display_order", "course_id", "display_order"),
    )

    id: uuid.UUID = uuid_pk()
    course_id: uuid.UUID = fk("courses.id", ondelete="CASCADE")
    title: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    video_ids: list[str] | None = Field(default=None, sa_column=Column(ARRAY(Text)))  # deprecated
    display_order: int = counter(0)
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class ModuleLesson(SQLModel, table=True):
    __tablename__ = "module_lessons"
    __table_args__ = (
        CheckConstraint("lesson_order > 0", name="module_lessons_lesson_order_check"),
        CheckConstraint(
            "estimated_duration_minutes IS NULL OR estimated_duration_minutes > 0",
            name="module_lessons_estimated_duration_minutes_check"),
        Index("idx_module_lessons_module_id", "module_id"),
        Index("idx_module_lessons_video_id", "video_id"),
        Index("idx_module_lessons_module_order", "module_id", "lesson_order"),
        Index("idx_module_lessons_unique_video_per_module", "module_id", "video_id", unique=True),
    )

    id: uuid.UUID = uuid_pk()
    module_id: uuid.UUID = fk("course_modules.id", ondelete="CASCADE")
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    lesson_order: int = Field(sa_column=Column(Integer, nullable=False))
    title: str | None = Field(default=None, sa_column=Column(Text))
    description: str | None = Field(default=None, sa_column=Column(Text))
    is_required: bool = flag(True)
    estimated_duration_minutes: int | None = Field(default=None, sa_column=Column(Integer))
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

"""Analytics (Chronos): appended events, watch sessions, daily per-video and per-creator rollups."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Index,
    Numeric,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    counter,
    created_at_column,
    fk,
    flag,
    metadata_json,
    one_of,
    timestamp,
    updated_at_column,
    utcnow,
    uuid_pk,
)

EVENT_TYPES = ("video_imported", "video_transcribed", "video_embedded", "video_added_to_course",
               "video_started", "video_progress", "video_completed", "video_rewatched")
DEVICE_TYPES = ("desktop", "mobile", "tablet")
REFERRER_TYPES = ("course_page", "direct_link", "search", "chat_reference")



class VideoAnalytics(SQLModel, table=True):
    """One row per video and day, aggregated from events and watch sessions."""

    __tablename__ = "video_analytics"
    __table_args__ = (
        UniqueConstraint("video_id", "date", name="video_analytics_video_id_date_key"),
        CheckConstraint("completion_rate IS NULL OR (completion_rate >= 0 AND completion_rate <= 100)",
                        name="video_analytics_completion_rate_check"),
        Index("idx_video_analytics_video_id", "video_id"),
        Index("idx_video_analytics_date", "date"),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    date: dt.date = Field(sa_column=Column(Date, nullable=False))
    views: int = counter(0)
    unique_viewers: int = counter(0)
    total_watch_time_seconds: int = counter(0)
    average_watch_time_seconds: int = counter(0)
    completion_rate: float = Field(default=0.0, sa_column=Column(
        Numeric(5, 2, asdecimal=False), nullable=False, server_default=text("0")))
    ai_interactions: int = counter(0)
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class VideoAnalyticsEvent(SQLModel, table=True):
    __tablename__ = "video_analytics_events"
    # Chronos gave these indexes names that clash with video_analytics' own; prefixed here.
    __table_args__ = (
        CheckConstraint(one_of("event_type", EVENT_TYPES), name="video_analytics_events_event_type_check"),
        Index("idx_video_analytics_events_video_id", "video_id"),
        Index("idx_video_analytics_events_creator_id", "creator_id"),
        Index("idx_video_analytics_events_student_id", "student_id"),
        Index("idx_video_analytics_events_event_type", "event_type"),
        Index("idx_video_analytics_events_timestamp", "timestamp"),
        Index("idx_video_analytics_course_events", "course_id", "event_type", "timestamp"),
        Index("idx_video_analytics_student_events", "student_id", "video_id", "event_type",
              "timestamp"),
    )

    id: uuid.UUID = uuid_pk()
    event_type: str = Field(sa_column=Column(Text, nullable=False))
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    creator_id: uuid.UUID = fk("creators.id", ondelete="CASCADE")
    student_id: uuid.UUID | None = fk("students.id", ondelete="CASCADE", nullable=True)
    course_id: uuid.UUID | None = fk("courses.id", ondelete="SET NULL", nullable=True)
    module_id: uuid.UUID | None = fk("course_modules.id", ondelete="SET NULL", nullable=True)
    meta: dict[str, Any] = metadata_json()
    timestamp: datetime = Field(default_factory=utcnow, sa_column=Column(
        DateTime(timezone=True), nullable=False, server_default=text("CURRENT_TIMESTAMP")))
    created_at: datetime = created_at_column()


class VideoWatchSession(SQLModel, table=True):
    __tablename__ = "video_watch_sessions"
    __table_args__ = (
        CheckConstraint("percent_complete >= 0 AND percent_complete <= 100",
                        name="video_watch_sessions_percent_complete_check"),
        CheckConstraint("watch_time_seconds >= 0", name="video_watch_sessions_watch_time_check"),
        CheckConstraint("session_end IS NULL OR session_end >= session_start",
                        name="video_watch_sessions_session_end_check"),
        CheckConstraint(f"device_type IS NULL OR {one_of('device_type', DEVICE_TYPES)}",
                        name="video_watch_sessions_device_type_check"),
        CheckConstraint(f"referrer_type IS NULL OR {one_of('referrer_type', REFERRER_TYPES)}",
                        name="video_watch_sessions_referrer_type_check"),
        Index("idx_video_watch_sessions_video_id", "video_id"),
        Index("idx_video_watch_sessions_student_id", "student_id"),
        Index("idx_video_watch_sessions_completed", "completed"),
        Index("idx_video_watch_sessions_student_video", "student_id", "video_id", "session_start"),
        # Dashboards count a school's sessions in a period (migration 0008): the busy school's
        # overview in `make bench` (10M events) 609 ms -> 141 ms.
        Index("idx_video_watch_sessions_video_start", "video_id", "session_start",
              postgresql_include=["student_id"]),
        Index("idx_video_watch_sessions_start", "session_start"),
        Index("idx_video_watch_sessions_active", "session_end",
              postgresql_where=text("session_end IS NULL")),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    student_id: uuid.UUID = fk("students.id", ondelete="CASCADE")
    session_start: datetime = Field(default_factory=utcnow, sa_column=Column(
        DateTime(timezone=True), nullable=False, server_default=text("CURRENT_TIMESTAMP")))
    session_end: datetime | None = timestamp()
    watch_time_seconds: int = counter(0)
    percent_complete: int = counter(0)
    completed: bool = flag(False)
    device_type: str | None = Field(default=None, sa_column=Column(Text))
    referrer_type: str | None = Field(default=None, sa_column=Column(Text))
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()


class UsageMetrics(SQLModel, table=True):
    """One row per creator and day: what plan limits and billing are measured against."""

    __tablename__ = "usage_metrics"
    __table_args__ = (
        UniqueConstraint("creator_id", "date", name="usage_metrics_creator_id_date_key"),
        Index("idx_usage_metrics_creator_id", "creator_id"),
        Index("idx_usage_metrics_date", "date"),
    )

    id: uuid.UUID = uuid_pk()
    creator_id: uuid.UUID = fk("creators.id", ondelete="CASCADE")
    date: dt.date = Field(sa_column=Column(Date, nullable=False))
    storage_used_bytes: int = Field(default=0, sa_column=Column(
        BigInteger, nullable=False, server_default=text("0")))
    videos_uploaded: int = counter(0)
    total_video_duration_seconds: int = counter(0)
    ai_credits_used: int = counter(0)
    transcription_minutes: int = counter(0)
    chat_messages_sent: int = counter(0)
    active_students: int = counter(0)
    meta: dict[str, Any] = metadata_json()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

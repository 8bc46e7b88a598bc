"""The processing queue (dojo `processing_jobs`): workers claim rows with SKIP LOCKED."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Index, String, Text, text
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    counter,
    created_at_column,
    fk,
    metadata_json,
    timestamp,
    updated_at_column,
    utcnow,
    uuid_pk,
)

JOB_STATUSES = ("pending", "running", "completed", "failed", "cancelled")
JOB_TYPES = ("chapter_generation", "thumbnail_extraction", "transcription", "video_processing",
             "aggregate_day")
# 'aggregate_day' (migration 0006) is about no single video: the daily analytics rollup, whose
# metadata holds {"day": "YYYY-MM-DD"} and optionally {"creator_id": ...} (one school).


class ProcessingJob(SQLModel, table=True):
    __tablename__ = "processing_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'completed', 'failed', 'cancelled')",
                        name="job_status_check"),
        CheckConstraint("job_type IN ('chapter_generation', 'thumbnail_extraction', "
                        "'transcription', 'video_processing', 'aggregate_day')",
                        name="job_type_check"),
        CheckConstraint("video_id IS NOT NULL OR job_type = 'aggregate_day'",
                        name="processing_jobs_video_required"),
        CheckConstraint("progress >= 0 AND progress <= 100", name="progress_range"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("idx_processing_jobs_video_id", "video_id"),
        Index("idx_processing_jobs_status", "status"),
        Index("idx_processing_jobs_scheduled_at", "scheduled_at"),
        Index("idx_processing_jobs_priority", text("priority DESC"), "created_at"),
        Index("idx_processing_queue", "status", text("priority DESC"), "created_at",
              postgresql_where=text("status IN ('pending', 'running')")),
        # Added for the queue (migration 0003): claim order, lease recovery, one live job.
        Index("idx_processing_jobs_claim", text("priority DESC"), "scheduled_at",
              postgresql_where=text("status = 'pending'")),
        Index("idx_processing_jobs_lease", "locked_until",
              postgresql_where=text("status = 'running'")),
        Index("uq_processing_jobs_live_video", "video_id", "job_type", unique=True,
              postgresql_where=text("status IN ('pending', 'running')")),
        # Migration 0006: one live aggregate job per (day, school or everyone).
        Index("uq_processing_jobs_live_aggregate", text("(metadata ->> 'day')"),
              text("COALESCE(metadata ->> 'creator_id', '')"), unique=True,
              postgresql_where=text("job_type = 'aggregate_day' "
                                    "AND status IN ('pending', 'running')")),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID | None = fk("videos.id", ondelete="CASCADE", nullable=True)
    job_type: str = Field(sa_column=Column(String(50), nullable=False))
    status: str = Field(default="pending", sa_column=Column(
        String(20), nullable=False, server_default=text("'pending'")))
    priority: int = counter(0)
    attempts: int = counter(0)
    max_attempts: int = counter(3)
    progress: int = counter(0)
    error_message: str | None = Field(default=None, sa_column=Column(Text))
    meta: dict[str, Any] = metadata_json()
    scheduled_at: datetime = Field(default_factory=utcnow, sa_column=Column(
        DateTime(timezone=True), nullable=False, server_default=text("CURRENT_TIMESTAMP")))
    # The lease: a running job whose `locked_until` has passed belongs to a dead worker.
    locked_by: str | None = Field(default=None, sa_column=Column(Text))
    locked_until: datetime | None = timestamp()
    started_at: datetime | None = timestamp()
    completed_at: datetime | None = timestamp()
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

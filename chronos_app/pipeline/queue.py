"""`processing_jobs` as a queue that any number of workers on any machines can share.

- claim: `FOR UPDATE SKIP LOCKED`, highest priority first, then oldest `scheduled_at`;
  the claimer gets a lease (`locked_by`, `locked_until`) and the attempt is counted.
- heartbeat: extends the lease and writes progress; tells the worker when its job was
  cancelled or taken over, so it stops.
- a running job whose lease ran out belongs to a dead worker: it is claimed again, or failed
  with its last message once `max_attempts` is spent.
- fail: retried later with exponential backoff while attempts remain.

Besides the video pipeline the queue carries 'aggregate_day' jobs (the daily analytics
rollup, `pipeline.aggregate`): they have no video, their metadata names the UTC day (and
optionally one school), and at most one per (day, school) is live at a time.

Every function runs inside the caller's transaction; the caller commits.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from chronos_app.core.errors import ChronosError

PIPELINE_JOB = "video_processing"
AGGREGATE_JOB = "aggregate_day"
AGGREGATE_PRIORITY = -10  # below every video: a rollup may wait, an upload should not
DEFAULT_LEASE_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 10.0
BACKOFF_MAX_SECONDS = 15 * 60.0
DEAD_WORKER_MESSAGE = "The worker processing this video stopped before finishing."


class JobLost(ChronosError):
    """The worker no longer holds this job: it was cancelled, or its lease ran out."""


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    video_id: uuid.UUID | None  # None for an aggregate job
    job_type: str
    attempts: int
    max_attempts: int
    worker_id: str
    meta: dict[str, Any]


def backoff_seconds(attempts: int) -> float:
    """Delay before the next try after `attempts` failed ones: 10 s, 20 s, 40 s, … ≤ 15 min."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def enqueue(session: Session, *, video_id: uuid.UUID, job_type: str = PIPELINE_JOB,
            priority: int = 0, max_attempts: int = 3,
            meta: dict[str, Any] | None = None) -> uuid.UUID:
    """Queue a job for the video, or return the live (pending/running) one already queued."""
    row = session.execute(text("""
        INSERT INTO processing_jobs (video_id, job_type, priority, max_attempts, metadata)
        VALUES (:video_id, :job_type, :priority, :max_attempts, CAST(:meta AS jsonb))
        ON CONFLICT (video_id, job_type) WHERE status IN ('pending', 'running') DO NOTHING
        RETURNING id"""), {"video_id": video_id, "job_type": job_type, "priority": priority,
                           "max_attempts": max_attempts, "meta": json.dumps(meta or {})}).first()
    if row is not None:
        return row[0]
    return session.execute(text("""
        SELECT id FROM processing_jobs WHERE video_id = :video_id AND job_type = :job_type
          AND status IN ('pending', 'running')"""),
        {"video_id": video_id, "job_type": job_type}).scalar_one()


def enqueue_aggregate(session: Session, *, day: date, creator_id: uuid.UUID | None = None,
                      priority: int = AGGREGATE_PRIORITY, max_attempts: int = 3) -> uuid.UUID:
    """Queue the analytics rollup of a UTC day (of one school, or of all when `creator_id` is
    None), or return the live one already queued for that day and scope."""
    meta: dict[str, Any] = {"day": day.isoformat()}
    if creator_id is not None:
        meta["creator_id"] = str(creator_id)
    params = {"job_type": AGGREGATE_JOB, "priority": priority, "max_attempts": max_attempts,
              "meta": json.dumps(meta), "day": meta["day"],
              "creator": meta.get("creator_id", "")}
    while True:  # the live job may finish between the two statements: then insert again
        row = session.execute(text("""
            INSERT INTO processing_jobs (video_id, job_type, priority, max_attempts, metadata)
            VALUES (NULL, :job_type, :priority, :max_attempts, CAST(:meta AS jsonb))
            ON CONFLICT ((metadata ->> 'day'), (COALESCE(metadata ->> 'creator_id', '')))
                WHERE job_type = 'aggregate_day' AND status IN ('pending', 'running')
            DO NOTHING
            RETURNING id"""), params).first()
        if row is None:
            row = session.execute(text("""
                SELECT id FROM processing_jobs
                 WHERE job_type = :job_type AND status IN ('pending', 'running')
                   AND metadata ->> 'day' = :day
                   AND COALESCE(metadata ->> 'creator_id', '') = :creator"""), params).first()
        if row is not None:
            return row[0]


def reap_expired(session: Session) -> list[uuid.UUID]:
    """Fail the expired jobs that have no attempts left; returns their video ids (jobs without
    a video, like aggregate jobs, are failed too but not listed).

    Expired jobs with attempts left need nothing: `claim` takes them like pending ones.
    """
    rows = session.execute(text("""
        UPDATE processing_jobs
           SET status = 'failed', completed_at = now(), locked_by = NULL, locked_until = NULL,
               error_message = COALESCE(error_message || ' ', '') || :msg
         WHERE id IN (SELECT id FROM processing_jobs
                       WHERE status = 'running' AND locked_until < now()
                         AND attempts >= max_attempts
                       FOR UPDATE SKIP LOCKED)
        RETURNING video_id"""), {"msg": DEAD_WORKER_MESSAGE}).scalars().all()
    return [video_id for video_id in rows if video_id is not None]


def claim(session: Session, *, worker_id: str,
          lease_seconds: float = DEFAULT_LEASE_SECONDS,
          job_types: tuple[str, ...] = (PIPELINE_JOB,)) -> ClaimedJob | None:
    """Take the next due job (or one a dead worker left behind) and lease it to `worker_id`."""
    row = session.execute(text("""
        WITH next AS (
            SELECT id FROM processing_jobs
             WHERE job_type = ANY(:types)
               AND ((status = 'pending' AND scheduled_at <= now())
                 OR (status = 'running' AND locked_until < now() AND attempts < max_attempts))
             ORDER BY priority DESC, scheduled_at, created_at
             FOR UPDATE SKIP LOCKED
             LIMIT 1)
        UPDATE processing_jobs j
           SET status = 'running', attempts = j.attempts + 1, locked_by = :worker,
               locked_until = now() + make_interval(secs => :lease),
               started_at = now(), completed_at = NULL
          FROM next WHERE j.id = next.id
        RETURNING j.id, j.video_id, j.job_type, j.attempts, j.max_attempts, j.metadata"""),
        {"types": list(job_types), "worker": worker_id, "lease": lease_seconds}).first()
    if row is None:
        return None
    return ClaimedJob(id=row.id, video_id=row.video_id, job_type=row.job_type,
                      attempts=row.attempts, max_attempts=row.max_attempts,
                      worker_id=worker_id, meta=dict(row.metadata or {}))


def heartbeat(session: Session, job: ClaimedJob, *, progress: int | None = None,
              lease_seconds: float = DEFAULT_LEASE_SECONDS) -> None:
    """Extend the lease (and record progress); raises JobLost when the job is not ours."""
    row = session.execute(text("""
        UPDATE processing_jobs
           SET locked_until = now() + make_interval(secs => :lease),
               progress = COALESCE(:progress, progress)
         WHERE id = :id AND status = 'running' AND locked_by = :worker
        RETURNING id"""), {"id": job.id, "worker": job.worker_id, "lease": lease_seconds,
                           "progress": None if progress is None else max(0, min(progress, 100))}
    ).first()
    if row is None:
        raise JobLost("This job was cancelled or taken over by another worker.")


def complete(session: Session, job: ClaimedJob) -> None:
    session.execute(text("""
        UPDATE processing_jobs
           SET status = 'completed', progress = 100, completed_at = now(), error_message = NULL,
               locked_by = NULL, locked_until = NULL
         WHERE id = :id AND locked_by = :worker AND status = 'running'"""),
        {"id": job.id, "worker": job.worker_id})


def fail(session: Session, job: ClaimedJob, message: str, *, retryable: bool = True) -> bool:
    """Record a failed attempt. Returns True when the job will be tried again."""
    retry = retryable and job.attempts < job.max_attempts
    session.execute(text("""
        UPDATE processing_jobs
           SET status = CASE WHEN :retry THEN 'pending' ELSE 'failed' END,
               scheduled_at = CASE WHEN :retry THEN now() + make_interval(secs => :delay)
                                   ELSE scheduled_at END,
               completed_at = CASE WHEN :retry THEN NULL ELSE now() END,
               error_message = :message, locked_by = NULL, locked_until = NULL
         WHERE id = :id AND locked_by = :worker AND status = 'running'"""),
        {"id": job.id, "worker": job.worker_id, "retry": retry, "message": message[:2000],
         "delay": backoff_seconds(job.attempts)})
    return retry


def cancel(session: Session, *, video_id: uuid.UUID) -> int:
    """Cancel the video's live jobs; a worker running one stops at its next heartbeat."""
    return session.execute(text("""
        UPDATE processing_jobs
           SET status = 'cancelled', completed_at = now(), locked_by = NULL, locked_until = NULL
         WHERE video_id = :video_id AND status IN ('pending', 'running')"""),
        {"video_id": video_id}).rowcount


@dataclass(frozen=True)
class JobView:
    id: uuid.UUID
    status: str
    progress: int
    attempts: int
    max_attempts: int
    error_message: str | None
    scheduled_at: datetime


def latest_job(session: Session, *, video_id: uuid.UUID,
               job_type: str = PIPELINE_JOB) -> JobView | None:
    row = session.execute(text("""
        SELECT id, status, progress, attempts, max_attempts, error_message, scheduled_at
          FROM processing_jobs WHERE video_id = :video_id AND job_type = :job_type
         ORDER BY created_at DESC LIMIT 1"""), {"video_id": video_id, "job_type": job_type}
    ).first()
    return None if row is None else JobView(**row._mapping)

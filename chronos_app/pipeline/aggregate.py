"""The daily analytics rollup, recomputed from the raw rows, and its schedule on the queue.

`aggregate_day(session, day)` rebuilds, for one UTC day:

- `video_analytics`, one row per video with activity that day:
  views = watch sessions started that day; unique_viewers = distinct students among them;
  total/average watch time = sum/mean of those sessions' `watch_time_seconds`;
  completion_rate = completed sessions / sessions × 100; ai_interactions = assistant answers of
  that day citing the video (each answer counts a video once, as `services.chat` counts live).
  Every column is recomputed; rows of the day no longer backed by activity are deleted.
- `usage_metrics`, one row per school with activity that day. Recomputed from rows:
  chat_messages_sent = the students' questions (user messages) in the school's chats that day;
  active_students = distinct students with a watch session or a question that day; and
  `metadata.unique_viewers` (distinct students who watched), which the charts need.
  Kept as the pipeline and the library counted them (`tracking.add_usage`), because the rows
  that would prove them are gone or never existed: storage_used_bytes (bytes uploaded that day;
  files are deleted later), videos_uploaded, total_video_duration_seconds,
  transcription_minutes and ai_credits_used (model tokens and paid embedding batches).
  A row whose recomputed counters drop to zero keeps the kept counters; a row left with no
  counter at all is deleted.

Running a day again gives the same rows (upserts on the tables' unique keys, then the stale
rows go); afterwards `daily_video_stats` is refreshed (CONCURRENTLY: readers are not blocked).

`schedule_daily(session, now)` puts the rollups of yesterday and today on the queue
('aggregate_day' jobs, below every video job): today's again whenever the last run is older
than REFRESH_MINUTES, yesterday's until one run started SETTLE_MINUTES after its midnight
(late progress reports of sessions begun before midnight are in). Idempotent: one live job per
day, and nothing is queued for a day that is fresh. Workers call it when idle, at most every
`SCHEDULE_MINUTES` (`pipeline.worker`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from chronos_app.core.errors import InvalidInput
from chronos_app.models.base import utcnow
from chronos_app.pipeline import queue

REFRESH_MINUTES = 10       # today's numbers are at most this old (plus the worker's poll)
SETTLE_MINUTES = 60        # yesterday is final once a run started this long after midnight
SCHEDULE_MINUTES = 5       # how often an idle worker calls schedule_daily
KEEP_COMPLETED_DAYS = 3    # finished aggregate jobs older than this are pruned from the queue

RECOMPUTED_USAGE = ("chat_messages_sent", "active_students")
KEPT_USAGE = ("storage_used_bytes", "videos_uploaded", "total_video_duration_seconds",
              "transcription_minutes", "ai_credits_used")

_UUID_RE = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


@dataclass(frozen=True)
class DayResult:
    day: date
    creator_id: uuid.UUID | None = None  # None: every school
    videos: int = 0              # video_analytics rows written
    creators: int = 0            # usage_metrics rows written
    videos_removed: int = 0      # stale video_analytics rows deleted
    creators_cleared: int = 0    # usage_metrics rows whose recomputed counters went to zero
    creators_removed: int = 0    # ... and of those, rows left with no counter, deleted


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a UTC day as aware datetimes."""
    start = datetime.combine(day, time(0), UTC)
    return start, start + timedelta(days=1)


def _params(day: date, creator_id: uuid.UUID | None) -> dict[str, Any]:
    start, end = day_bounds(day)
    return {"day": day, "start": start, "end": end, "creator": creator_id, "uuid_re": _UUID_RE}


_SCOPE_VIDEO = "(CAST(:creator AS uuid) IS NULL OR v.creator_id = CAST(:creator AS uuid))"
_SCOPE_CHAT = "(CAST(:creator AS uuid) IS NULL OR cs.creator_id = CAST(:creator AS uuid))"
_SCOPE_USAGE = "(CAST(:creator AS uuid) IS NULL OR u.creator_id = CAST(:creator AS uuid))"

_VIDEO_ROWS = f"""
WITH sess AS (
    SELECT s.video_id,
           count(*) AS views,
           count(DISTINCT s.student_id) AS unique_viewers,
           COALESCE(sum(s.watch_time_seconds), 0) AS total_watch,
           count(*) FILTER (WHERE s.completed) AS completed
      FROM video_watch_sessions s
      JOIN videos v ON v.id = s.video_id
     WHERE s.session_start >= :start AND s.session_start < :end AND {_SCOPE_VIDEO}
     GROUP BY s.video_id),
refs AS (
    SELECT DISTINCT m.id AS message_id, cs.creator_id,
           CASE WHEN r.value ->> 'video_id' ~ :uuid_re
                THEN CAST(r.value ->> 'video_id' AS uuid) END AS video_id
      FROM chat_messages m
      JOIN chat_sessions cs ON cs.id = m.session_id
     CROSS JOIN LATERAL jsonb_array_elements(
           CASE WHEN jsonb_typeof(m.video_references) = 'array'
                THEN m.video_references ELSE '[]'::jsonb END) AS r
     WHERE m.role = 'assistant' AND m.created_at >= :start AND m.created_at < :end
       AND jsonb_typeof(r.value) = 'object' AND {_SCOPE_CHAT}),
ai AS (
    SELECT refs.video_id, count(*) AS ai_interactions
      FROM refs
      JOIN videos v ON v.id = refs.video_id AND v.creator_id = refs.creator_id
     GROUP BY refs.video_id)
INSERT INTO video_analytics AS va
       (video_id, date, views, unique_viewers, total_watch_time_seconds,
        average_watch_time_seconds, completion_rate, ai_interactions)
SELECT COALESCE(sess.video_id, ai.video_id), :day,
       COALESCE(sess.views, 0), COALESCE(sess.unique_viewers, 0),
       COALESCE(sess.total_watch, 0),
       CASE WHEN COALESCE(sess.views, 0) > 0 THEN round(sess.total_watch::numeric / sess.views)
            ELSE 0 END,
       CASE WHEN COALESCE(sess.views, 0) > 0
            THEN round(100.0 * sess.completed / sess.views, 2) ELSE 0 END,
       COALESCE(ai.ai_interactions, 0)
  FROM sess FULL JOIN ai ON ai.video_id = sess.video_id
ON CONFLICT (video_id, date) DO UPDATE SET
       views = EXCLUDED.views,
       unique_viewers = EXCLUDED.unique_viewers,
       total_watch_time_seconds = EXCLUDED.total_watch_time_seconds,
       average_watch_time_seconds = EXCLUDED.average_watch_time_seconds,
       completion_rate = EXCLUDED.completion_rate,
       ai_interactions = EXCLUDED.ai_interactions
RETURNING va.video_id
"""

_STALE_VIDEO_ROWS = f"""
DELETE FROM video_analytics va USING videos v
 WHERE va.date = :day AND v.id = va.video_id AND {_SCOPE_VIDEO}
   AND NOT (va.video_id = ANY(CAST(:written AS uuid[])))
"""

_USAGE_ROWS = f"""
WITH questions AS (
    SELECT cs.creator_id, cs.student_id
      FROM chat_messages m
      JOIN chat_sessions cs ON cs.id = m.session_id
     WHERE m.role = 'user' AND m.created_at >= :start AND m.created_at < :end
       AND {_SCOPE_CHAT}),
watchers AS (
    SELECT v.creator_id, s.student_id
      FROM video_watch_sessions s
      JOIN videos v ON v.id = s.video_id
     WHERE s.session_start >= :start AND s.session_start < :end AND {_SCOPE_VIDEO}),
active AS (
    SELECT creator_id, count(*) AS n
      FROM (SELECT creator_id, student_id FROM questions
            UNION SELECT creator_id, student_id FROM watchers) AS a
     GROUP BY creator_id),
asked AS (SELECT creator_id, count(*) AS n FROM questions GROUP BY creator_id),
viewers AS (SELECT creator_id, count(DISTINCT student_id) AS n FROM watchers GROUP BY creator_id)
INSERT INTO usage_metrics AS u (creator_id, date, chat_messages_sent, active_students, metadata)
SELECT active.creator_id, :day, COALESCE(asked.n, 0), active.n,
       jsonb_build_object('unique_viewers', COALESCE(viewers.n, 0))
  FROM active
  LEFT JOIN asked USING (creator_id)
  LEFT JOIN viewers USING (creator_id)
ON CONFLICT (creator_id, date) DO UPDATE SET
       chat_messages_sent = EXCLUDED.chat_messages_sent,
       active_students = EXCLUDED.active_students,
       metadata = u.metadata || EXCLUDED.metadata
RETURNING u.creator_id
"""

_STALE_USAGE_ROWS = f"""
UPDATE usage_metrics u
   SET chat_messages_sent = 0, active_students = 0, metadata = u.metadata - 'unique_viewers'
 WHERE u.date = :day AND {_SCOPE_USAGE}
   AND NOT (u.creator_id = ANY(CAST(:written AS uuid[])))
   AND (u.chat_messages_sent <> 0 OR u.active_students <> 0 OR u.metadata ? 'unique_viewers')
"""

_EMPTY_USAGE_ROWS = f"""
DELETE FROM usage_metrics u
 WHERE u.date = :day AND {_SCOPE_USAGE}
   AND NOT (u.creator_id = ANY(CAST(:written AS uuid[])))
   AND u.storage_used_bytes = 0 AND u.videos_uploaded = 0
   AND u.total_video_duration_seconds = 0 AND u.ai_credits_used = 0
   AND u.transcription_minutes = 0 AND u.chat_messages_sent = 0 AND u.active_students = 0
"""


def aggregate_day(session: Session, day: date, *, creator_id: uuid.UUID | None = None,
                  refresh_view: bool = True) -> DayResult:
    """Recompute the day's `video_analytics` and `usage_metrics` rows (of every school, or of
    one), then refresh `daily_video_stats`. Runs in the caller's transaction."""
    params = _params(day, creator_id)
    # The day's bounds change the best plan a lot; on a pooled connection PostgreSQL would
    # switch these prepared statements to one generic plan (13 s instead of 0.3 s for the
    # busiest day of `make bench`), so plan each run for its own parameters.
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    videos = list(session.execute(text(_VIDEO_ROWS), params).scalars())
    removed = session.execute(text(_STALE_VIDEO_ROWS), {**params, "written": videos}).rowcount
    creators = list(session.execute(text(_USAGE_ROWS), params).scalars())
    cleared = session.execute(text(_STALE_USAGE_ROWS), {**params, "written": creators}).rowcount
    emptied = session.execute(text(_EMPTY_USAGE_ROWS), {**params, "written": creators}).rowcount
    if refresh_view:
        refresh_daily_video_stats(session)
    return DayResult(day=day, creator_id=creator_id, videos=len(videos), creators=len(creators),
                     videos_removed=removed, creators_cleared=cleared, creators_removed=emptied)


def refresh_daily_video_stats(session: Session) -> None:
    """CONCURRENTLY keeps the view readable during the refresh (it has a unique index); a
    never-populated view can only be refreshed plainly."""
    populated = session.execute(text(
        "SELECT ispopulated FROM pg_matviews WHERE matviewname = 'daily_video_stats'")).scalar()
    if populated is None:
        return
    how = "CONCURRENTLY " if populated else ""
    session.execute(text(f"REFRESH MATERIALIZED VIEW {how}daily_video_stats"))


def parse_day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"Not a day (YYYY-MM-DD): {value!r}.", field="day") from None


def run_day(session: Session, day: date | str, *,
            creator_id: uuid.UUID | str | None = None) -> DayResult:
    """What the worker runs for an 'aggregate_day' job (its metadata's day and creator_id)."""
    creator: uuid.UUID | None = None
    if creator_id not in (None, ""):
        try:
            creator = uuid.UUID(str(creator_id))
        except ValueError:
            raise InvalidInput(f"Not a school id: {creator_id!r}.", field="creator_id") from None
    return aggregate_day(session, parse_day(day), creator_id=creator)


def schedule_daily(session: Session, now: datetime | None = None, *,
                   refresh_minutes: float = REFRESH_MINUTES,
                   settle_minutes: float = SETTLE_MINUTES) -> list[uuid.UUID]:
    """Queue the rollups of yesterday and today (UTC) that are not fresh; returns the ids of
    the live jobs for them (new or already queued). Cheap: a few indexed statements."""
    now = now or utcnow()
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    today = now.astimezone(UTC).date()
    session.execute(text("""
        DELETE FROM processing_jobs
         WHERE job_type = :job_type AND status = 'completed'
           AND completed_at < CAST(:now AS timestamptz) - make_interval(days => :keep)"""),
        {"job_type": queue.AGGREGATE_JOB, "now": now, "keep": KEEP_COMPLETED_DAYS})
    ids: list[uuid.UUID] = []
    for day in (today - timedelta(days=1), today):
        fresh_after = min(now - timedelta(minutes=refresh_minutes),
                          day_bounds(day)[1] + timedelta(minutes=settle_minutes))
        fresh = session.execute(text("""
            SELECT 1 FROM processing_jobs
             WHERE job_type = :job_type AND status = 'completed'
               AND metadata ->> 'day' = :day AND NOT (metadata ? 'creator_id')
               AND started_at >= :after
             LIMIT 1"""), {"job_type": queue.AGGREGATE_JOB, "day": day.isoformat(),
                           "after": fresh_after}).first()
        if fresh is None:
            ids.append(queue.enqueue_aggregate(session, day=day))
    return ids


def enqueue_days(session: Session, start: date, end: date, *,
                 creator_id: uuid.UUID | None = None) -> list[uuid.UUID]:
    """Queue the rollup of every day in [start, end] (a backfill: after the workers were down
    for days, or after importing history). At most 366 days."""
    if end < start or (end - start).days >= 366:
        raise InvalidInput("Backfill between 1 and 366 days, the start first.", field="start")
    return [queue.enqueue_aggregate(session, day=start + timedelta(days=n), creator_id=creator_id)
            for n in range((end - start).days + 1)]

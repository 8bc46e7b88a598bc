"""`python -m chronos_app.evaluation.bench_analytics`: the creator dashboard's queries
(`chronos_app.services.analytics`) at 10 M analytics events and 1 M watch sessions, p50/p95 per
chart query, and the time of the daily rollup (`pipeline.aggregate.aggregate_day`) of one day.

Everything runs in a throwaway, migrated database on a private embedded server (pgserver, in a
temp folder), dropped and removed at the end, also on failure.

Data (generated server-side with INSERT ... SELECT generate_series, seeded): 200 schools
(users + creators rows) of skewed size — school c gets the share sqrt(c/200) - sqrt((c-1)/200)
of the videos, students, watch sessions, events and chats, so school 1 has ~7 % of everything
and the median school ~0.35 % —, 20k students (each with a users row), 10k videos (2 min to 1 h,
log-uniform; 30 % with 3-6 chapters), one course of 20 lessons (4 modules of 5) per 25 videos
of a school, made of its most watched videos. Watch sessions and events are spread over the
180 days before today (UTC) with linear growth (the last day is the busiest) and an evening peak
(19:00 UTC); a video's popularity within its school is skewed (quadratic). 35 % of sessions
reach >= 90 % (completed); 70 % carry `metadata.watched` intervals (from the start, with a
skipped middle, or resumed later), the rest are "older" sessions without them. Events: 84.5 %
progress/started/completed/rewatched by students, 0.5 % pipeline events without a student,
60 % with the lesson's course/module when the video is in a course. Chats: ~20k sessions of 1-9
question/answer pairs (~200k messages); questions from 12 templates x 30 topics (skewed), with
case and punctuation variants and a 25 % long tail; 70 % of answers cite 1-2 of the school's
videos in `video_references`. Plus 60k likes and 30k comments (3 % deleted).
While loading, triggers and foreign-key checks are off (`session_replication_role = replica`;
the rows are consistent by construction and checked afterwards) and the two big tables' indexes
are dropped and rebuilt after the load from their own definitions; then VACUUM ANALYZE.

Two plan modes (see `make_engine`): "app" is the app's engine as `core.db` makes it (psycopg
prepares a statement run 5 times on a connection; PostgreSQL may then, from the 6th execution of
the prepared statement, keep a generic plan made without the parameter values), timed after
APP_WARMUP calls on a new connection, i.e. in the steady state of a pooled connection; "custom"
never prepares, so every call is planned for its parameters (what EXPLAIN shows).

Then `aggregate_day` (all schools) of the busiest day, timed cold (its first run: no rollup rows
yet, rows inserted; the caches are as the load left them) and warm (AGG_WARM runs again, rows
upserted), both custom; then AGG_APP_RUNS runs in a row on one app-mode connection (as a worker
runs it every few minutes); EXPLAIN ANALYZE of its statements as custom and as generic plans;
then the rollup of every day of the 180 (the 90-day range compares with the 90 days before it;
custom plans; `refresh_view` off, the view refreshed once at the end), then ANALYZE.

Queries: for the school with the most sessions ("busy") and the median school ("typical"),
each dashboard function over the last 28 and 90 days (ending yesterday): overview, timeseries,
top_videos (by views, page 1), retention (the school's most watched video, sessions of the
period), heatmap, top_questions; and course_dropoff (the course with the school's most watched
video) and usage (this month) which take no period. In each mode: warm-up calls, then REPEAT
timed calls (at least MIN_RUNS, fewer once CELL_BUDGET seconds are spent), each in a new
Session as a request would. A query whose p50 is above SLOW_MS in either mode gets EXPLAIN
(ANALYZE, BUFFERS) of every statement of one call, as custom and as generic plans (the slowest
are printed; if none is slow, the slowest query is explained). If WHATIF (default on), each
candidate index of WHATIF_INDEXES that the schema lacks is created alone, then all of them
together, in the throwaway database only, and the slow queries (else the WHATIF_TOP slowest) and
aggregate_day are timed again (the models and migrations are not touched). The load average is
recorded with every figure: on a shared machine other work inflates the times.

Environment: BENCH_ANALYTICS_EVENTS (10000000), BENCH_ANALYTICS_SESSIONS (1000000),
BENCH_ANALYTICS_CHAT_MESSAGES (200000), BENCH_ANALYTICS_REPEAT (30), BENCH_ANALYTICS_WARMUP (3),
BENCH_ANALYTICS_SLOW_MS (500), BENCH_ANALYTICS_CELL_BUDGET (90 s per query and mode),
BENCH_ANALYTICS_AGG_DAYS (180: how many of the last days the backfill rolls up),
BENCH_ANALYTICS_WHATIF (1; 0 skips). `--sizes EVENTS,SESSIONS` overrides the first two. Quick run:
BENCH_ANALYTICS_EVENTS=100000 BENCH_ANALYTICS_SESSIONS=10000. Figures -> the "analytics" key of
bench-results.json at the repository root (the other keys are kept).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any

from chronos_app.core.settings import REPO_ROOT

DEFAULT_EVENTS = 10_000_000
DEFAULT_SESSIONS = 1_000_000
DEFAULT_CHAT_MESSAGES = 200_000
CREATORS = 200
STUDENTS = 20_000
VIDEOS = 10_000
LIKES = 60_000
COMMENTS = 30_000
DAYS = 180
RANGES = (28, 90)
MODES = ("app", "custom")  # see make_engine
AGG_WARM = 5               # warm repetitions of aggregate_day of the busiest day
AGG_APP_RUNS = 15          # consecutive runs of it on one app-mode connection
APP_WARMUP = 12            # calls before timing in app mode (prepared after 5, generic after 10)
MIN_RUNS = 5               # timed calls per query at least, whatever the budget
CELL_BUDGET_S = 90.0       # seconds per query and mode after which timing stops (>= MIN_RUNS)
REPEAT = 30
WARMUP = 3
SLOW_MS = 500.0
BATCH = 1_000_000          # rows per INSERT ... SELECT of the two big tables
LOAD_THREADS = 2           # concurrent INSERT batches (2 cores)
TRACKED_SHARE = 0.7        # watch sessions with metadata.watched
BIG_TABLES = ("video_watch_sessions", "video_analytics_events")
QUERIES = ("overview", "timeseries", "top_videos", "retention", "heatmap", "top_questions",
           "course_dropoff", "usage")
RANGELESS = ("course_dropoff", "usage")

# Candidate indexes tried (throwaway database only; each alone, then all together) on the slow
# queries, or on the WHATIF_TOP slowest when none is slow.
WHATIF_TOP = 3
WHATIF_INDEXES = (
    # the per-school joins of watch sessions (unique viewers, active students, heatmap,
    # top videos): a range of session_start per video of the school, index-only
    ("sessions (video_id, session_start) INCLUDE (student_id)",
     "CREATE INDEX bench_whatif_sessions_video_start ON video_watch_sessions "
     "(video_id, session_start) INCLUDE (student_id)"),
    # the chat side of active students (and top questions) of one school
    ("chat_messages (session_id, created_at) WHERE role = 'user'",
     "CREATE INDEX bench_whatif_chat_user_messages ON chat_messages "
     "(session_id, created_at) WHERE role = 'user'"),
    # the rollup's two scans of one day of chat messages (all schools)
    ("chat_messages (created_at)",
     "CREATE INDEX bench_whatif_chat_created ON chat_messages (created_at)"),
)

TOPICS = ("vectors", "matrices", "gradients", "derivatives", "integrals", "limits", "series",
          "recursion", "closures", "pointers", "hash tables", "binary search", "sorting",
          "graphs", "dynamic programming", "probability", "regression", "overfitting",
          "neural networks", "backpropagation", "loss functions", "tokenization", "attention",
          "embeddings", "databases", "indexes", "transactions", "caching", "concurrency",
          "testing")
TEMPLATES = ("What is TOPIC?", "Can you explain TOPIC again?", "How does TOPIC work?",
             "Why do we need TOPIC?", "What's the difference between TOPIC and the last lesson?",
             "Is there an example of TOPIC?", "Where in the video is TOPIC explained?",
             "I don't understand TOPIC", "Summarize the part about TOPIC",
             "What are the key points of TOPIC?", "How do I practice TOPIC?",
             "Is TOPIC on the exam?")


# --- scale -----------------------------------------------------------------------------------

def _count(value: str) -> int:
    text_ = value.strip().lower().replace("_", "").replace(",", "")
    factor = 1
    if text_.endswith("k"):
        factor, text_ = 1_000, text_[:-1]
    elif text_.endswith("m"):
        factor, text_ = 1_000_000, text_[:-1]
    number = int(float(text_) * factor)
    if number < 1:
        raise ValueError(f"not a positive count: {value!r}")
    return number


def scale_from(sizes: str | None = None) -> tuple[int, int]:
    """(events, watch sessions): from `sizes` ("EVENTS,SESSIONS", also "100k/10k" or "10M x 1M"),
    else from BENCH_ANALYTICS_EVENTS and BENCH_ANALYTICS_SESSIONS."""
    if sizes and sizes.strip():
        parts = [p for p in re.split(r"[,/x ]+", sizes.strip().lower()) if p]
        if len(parts) != 2:
            raise ValueError("sizes: give 'EVENTS,SESSIONS', e.g. '100000,10000' or '10M/1M'")
        return _count(parts[0]), _count(parts[1])
    return (_count(os.environ.get("BENCH_ANALYTICS_EVENTS") or str(DEFAULT_EVENTS)),
            _count(os.environ.get("BENCH_ANALYTICS_SESSIONS") or str(DEFAULT_SESSIONS)))


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(float(raw)) if raw and raw.strip() else default


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw and raw.strip() else default


# --- the throwaway server and database ------------------------------------------------------

@contextlib.contextmanager
def private_server() -> Iterator[tuple[str, Path]]:
    """A private embedded PostgreSQL in a temp folder: (admin URI, data folder). Stopped and
    removed afterwards, also on failure."""
    import pgserver

    root = Path(tempfile.mkdtemp(prefix="chronos-bench-analytics-"))
    server = None
    try:
        server = pgserver.get_server(root / "pg", cleanup_mode="delete")
        yield server.get_uri("postgres"), root / "pg"
    finally:
        if server is not None:
            with contextlib.suppress(Exception):
                server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_database(admin_uri: str) -> Iterator[str]:
    """A migrated database, dropped afterwards (also on failure); yields its SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    from chronos_app.core import migrate

    name = f"chronos_bench_analytics_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin_uri.replace("postgresql://", "postgresql+psycopg://"))
        url = url.set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin_uri, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _psycopg_uri(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _tune_server(admin_uri: str) -> None:
    """Fewer checkpoints during the bulk load (this private server only; reloadable settings)."""
    import psycopg

    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET max_wal_size = '4GB'")
        conn.execute("ALTER SYSTEM SET checkpoint_timeout = '30min'")
        conn.execute("SELECT pg_reload_conf()")


def _loader(uri: str, seed: float) -> Any:
    import psycopg

    # client-side binding: DDL (CREATE TABLE AS) takes no server-side parameters
    conn = psycopg.connect(uri, autocommit=True, cursor_factory=psycopg.ClientCursor)
    conn.execute("SET session_replication_role = replica")  # no triggers, no FK checks
    conn.execute("SET synchronous_commit = off")
    conn.execute("SET maintenance_work_mem = '1GB'")
    conn.execute("SET work_mem = '256MB'")
    conn.execute("SELECT setseed(%s)", (seed,))
    return conn


# --- data generation -------------------------------------------------------------------------

# c = the school (1 = the biggest): 1 + floor(200 * u^2) gives school c the share
# sqrt(c/200) - sqrt((c-1)/200).
_PICK_CREATOR = "least(%(nc)s::int, 1 + floor(%(nc)s::int * power(random(), 2))::int)"
# a day of the window with linear growth, an hour peaking at 19:00 UTC
_TS = ("%(day0)s::timestamptz + floor(%(days)s::int * sqrt({r1}))::int * interval '1 day'"
       " + mod(19 + round(8 * ({r2} + {r3} + {r4} - 1.5))::int + 48, 24) * interval '1 hour'"
       " + {r5} * interval '1 hour'")

_SQL_SCHOOLS = """
CREATE TABLE bench_c AS
SELECT c, gen_random_uuid() AS creator_id, gen_random_uuid() AS user_id,
       greatest(3, round(%(videos)s::int * (sqrt(c / %(nc)s::float8)
                                            - sqrt((c - 1) / %(nc)s::float8))))::int AS n_videos,
       greatest(10, round(%(students)s::int * (sqrt(c / %(nc)s::float8)
                                               - sqrt((c - 1) / %(nc)s::float8))))::int
           AS n_students
  FROM generate_series(1, %(nc)s::int) AS c;
ALTER TABLE bench_c ADD PRIMARY KEY (c);
INSERT INTO users (id, username, email, password_hash, display_name, is_verified, created_at,
                   updated_at)
SELECT user_id, 'bench_creator_' || c, 'creator' || c || '@bench.example', 'bench',
       'Creator ' || c, TRUE, %(day0)s::timestamptz - interval '400 days' + c * interval '1 hour',
       %(day0)s::timestamptz - interval '400 days' + c * interval '1 hour'
  FROM bench_c;
INSERT INTO creators (id, user_id, email, name, subscription_tier, created_at, updated_at)
SELECT creator_id, user_id, 'creator' || c || '@bench.example', 'School ' || c,
       CASE WHEN c <= 10 THEN 'enterprise' WHEN c <= 60 THEN 'pro' ELSE 'basic' END,
       %(day0)s::timestamptz - interval '400 days' + c * interval '1 hour',
       %(day0)s::timestamptz - interval '400 days' + c * interval '1 hour'
  FROM bench_c;
"""

_SQL_STUDENTS = """
CREATE TABLE bench_s AS
SELECT bc.c, o AS ord, gen_random_uuid() AS student_id, gen_random_uuid() AS user_id,
       %(day0)s::timestamptz - interval '220 days' + sqrt(random()) * interval '399 days'
           AS created_at
  FROM bench_c bc CROSS JOIN LATERAL generate_series(1, bc.n_students) AS o;
ALTER TABLE bench_s ADD PRIMARY KEY (c, ord);
INSERT INTO users (id, username, email, password_hash, display_name, created_at, updated_at)
SELECT user_id, 'bench_s' || c || '_' || ord, 's' || c || '_' || ord || '@bench.example',
       'bench', 'Student ' || c || '-' || ord, created_at, created_at
  FROM bench_s;
INSERT INTO students (id, user_id, creator_id, email, name, created_at, updated_at)
SELECT s.student_id, s.user_id, bc.creator_id, 's' || s.c || '_' || s.ord || '@bench.example',
       'Student ' || s.c || '-' || s.ord, s.created_at, s.created_at
  FROM bench_s s JOIN bench_c bc USING (c);
"""

_SQL_VIDEOS = """
CREATE TABLE bench_v AS
SELECT bc.c, o AS ord, gen_random_uuid() AS video_id,
       round(exp(ln(120) + random() * ln(30)))::int AS duration,
       %(day0)s::timestamptz - interval '365 days' + random() * interval '364 days' AS created_at,
       NULL::uuid AS course_id, NULL::uuid AS module_id
  FROM bench_c bc CROSS JOIN LATERAL generate_series(1, bc.n_videos) AS o;
ALTER TABLE bench_v ADD PRIMARY KEY (c, ord);
INSERT INTO videos (id, creator_id, title, storage_path, duration_seconds, status,
                    processing_progress, processing_completed_at, file_size_bytes, mime_type,
                    source_type, is_public, created_at, updated_at, published_at, is_deleted)
SELECT v.video_id, bc.creator_id,
       'Lesson ' || v.ord || ': ' || (%(topics)s::text[])[1 + mod(v.ord + v.c, %(ntopics)s::int)],
       'bench/' || v.video_id, v.duration, 'completed', 100, v.created_at,
       v.duration::bigint * 250000, 'video/mp4', 'upload', TRUE, v.created_at, v.created_at,
       v.created_at, (v.ord > 5 AND random() < 0.01)
  FROM bench_v v JOIN bench_c bc USING (c);
INSERT INTO chapters (video_id, title, start_time_seconds, end_time_seconds, chapter_order,
                      is_ai_generated, confidence_score, created_at, updated_at)
SELECT v.video_id, 'Chapter ' || k, round(v.duration * (k - 1)::numeric / v.n, 3),
       round(v.duration * k::numeric / v.n, 3), k, TRUE, 0.8, v.created_at, v.created_at
  FROM (SELECT video_id, duration, created_at, 3 + floor(4 * random())::int AS n
          FROM bench_v WHERE ord <= 3 OR random() < 0.3) AS v
 CROSS JOIN LATERAL generate_series(1, v.n) AS k;
"""

# Course k of a school = its videos ord (k-1)*20+1 .. k*20 (4 modules of 5 lessons).
_SQL_COURSES = """
CREATE TABLE bench_course AS
SELECT bc.c, k, gen_random_uuid() AS course_id
  FROM bench_c bc CROSS JOIN LATERAL generate_series(1, greatest(1, bc.n_videos / 25)) AS k;
INSERT INTO courses (id, creator_id, title, is_published, display_order, created_at, updated_at,
                     published_at)
SELECT co.course_id, bc.creator_id, 'Course ' || co.k, TRUE, co.k,
       %(day0)s::timestamptz - interval '200 days', %(day0)s::timestamptz - interval '200 days',
       %(day0)s::timestamptz - interval '200 days'
  FROM bench_course co JOIN bench_c bc USING (c);
CREATE TABLE bench_module AS
SELECT co.c, co.k, m, co.course_id, gen_random_uuid() AS module_id
  FROM bench_course co CROSS JOIN generate_series(1, 4) AS m;
INSERT INTO course_modules (id, course_id, title, display_order, created_at, updated_at)
SELECT module_id, course_id, 'Module ' || m, m, %(day0)s::timestamptz - interval '200 days',
       %(day0)s::timestamptz - interval '200 days'
  FROM bench_module;
INSERT INTO module_lessons (module_id, video_id, lesson_order, created_at, updated_at)
SELECT bm.module_id, v.video_id, l, %(day0)s::timestamptz - interval '200 days',
       %(day0)s::timestamptz - interval '200 days'
  FROM bench_module bm CROSS JOIN generate_series(1, 5) AS l
  JOIN bench_v v ON v.c = bm.c AND v.ord = (bm.k - 1) * 20 + (bm.m - 1) * 5 + l;
UPDATE bench_v v SET course_id = bm.course_id, module_id = bm.module_id
  FROM bench_module bm
 WHERE bm.c = v.c AND v.ord BETWEEN (bm.k - 1) * 20 + (bm.m - 1) * 5 + 1
                                AND (bm.k - 1) * 20 + bm.m * 5;
ANALYZE bench_c;
ANALYZE bench_s;
ANALYZE bench_v;
"""

# One batch of watch sessions. frac = the share of the video covered; shape 0 = from the start,
# 1 = from the start with a skipped middle, 2 = resumed later in the video.
_SQL_SESSIONS = """
INSERT INTO video_watch_sessions (id, video_id, student_id, session_start, session_end,
       watch_time_seconds, percent_complete, completed, device_type, referrer_type, metadata,
       created_at, updated_at)
SELECT gen_random_uuid(), z.video_id, z.student_id, z.ts,
       z.ts + make_interval(secs => z.watch * 1.1 + 5), z.watch, z.pct, z.pct >= 90,
       (ARRAY['desktop', 'mobile', 'tablet'])[1 + floor(z.rd * 3)::int],
       CASE WHEN z.rr < 0.1 THEN NULL
            ELSE (ARRAY['course_page', 'direct_link', 'search', 'chat_reference'])
                 [1 + floor((z.rr - 0.1) / 0.9 * 4)::int] END,
       CASE WHEN z.rm >= %(tracked)s::float8 THEN jsonb_build_object('watch_time', z.watch)
            ELSE jsonb_build_object(
                'position', round((z.a + z.span)::numeric, 3),
                'last_at', z.ts + make_interval(secs => z.watch * 1.1 + 5),
                'watch_time', z.watch,
                'milestones', to_jsonb((ARRAY[25, 50, 75, 100])[1:floor(z.pct / 25.0)::int]),
                'watched', CASE WHEN z.shape = 1 THEN jsonb_build_array(
                                    jsonb_build_array(round(z.a::numeric, 3),
                                                      round((z.a + 0.3 * z.span)::numeric, 3)),
                                    jsonb_build_array(round((z.a + 0.5 * z.span)::numeric, 3),
                                                      round((z.a + z.span)::numeric, 3)))
                                ELSE jsonb_build_array(jsonb_build_array(
                                    round(z.a::numeric, 3), round((z.a + z.span)::numeric, 3)))
                           END) END,
       z.ts, z.ts + make_interval(secs => z.watch * 1.1 + 5)
  FROM (
    SELECT y.*,
           round(y.frac * y.duration * (0.9 + 0.2 * y.rw))::int AS watch,
           least(100, round(y.frac * 100))::int AS pct,
           CASE WHEN y.shape = 2 THEN (y.duration - y.span) * y.ra ELSE 0 END AS a
      FROM (
        SELECT x.*, v.video_id, v.duration, s.student_id,
               CASE WHEN x.rk < 0.6 THEN 0 WHEN x.rk < 0.8 THEN 1 ELSE 2 END AS shape,
               CASE WHEN x.rc < 0.35 THEN 0.9 + 0.1 * x.rf ELSE 0.9 * power(x.rf, 1.5) END
                   AS frac,
               CASE WHEN x.rk >= 0.6 AND x.rk < 0.8
                    THEN least(1.0, (CASE WHEN x.rc < 0.35 THEN 0.9 + 0.1 * x.rf
                                          ELSE 0.9 * power(x.rf, 1.5) END) / 0.8)
                    ELSE (CASE WHEN x.rc < 0.35 THEN 0.9 + 0.1 * x.rf
                               ELSE 0.9 * power(x.rf, 1.5) END) END * v.duration AS span,
               """ + _TS.format(r1="x.rt1", r2="x.rt2", r3="x.rt3", r4="x.rt4", r5="x.rt5") + """
                   AS ts
          FROM (SELECT """ + _PICK_CREATOR + """ AS c, random() AS rv, random() AS rs,
                       random() AS rc, random() AS rf, random() AS rw, random() AS rd,
                       random() AS rr, random() AS rm, random() AS rk, random() AS ra,
                       random() AS rt1, random() AS rt2, random() AS rt3, random() AS rt4,
                       random() AS rt5
                  FROM generate_series(1, %(n)s::int)) AS x
          JOIN bench_c bc ON bc.c = x.c
          JOIN bench_v v ON v.c = x.c AND v.ord = 1 + floor(bc.n_videos * power(x.rv, 2))::int
          JOIN bench_s s ON s.c = x.c AND s.ord = 1 + floor(bc.n_students * x.rs)::int) AS y
  ) AS z
"""

_SQL_EVENTS = """
INSERT INTO video_analytics_events (id, event_type, video_id, creator_id, student_id, course_id,
       module_id, metadata, "timestamp", created_at)
SELECT gen_random_uuid(), y.et, y.video_id, y.creator_id,
       CASE WHEN y.re < 0.005 THEN NULL ELSE y.student_id END,
       CASE WHEN y.rco < 0.6 THEN y.course_id END, CASE WHEN y.rco < 0.6 THEN y.module_id END,
       CASE y.et
            WHEN 'video_progress' THEN jsonb_build_object(
                'milestone', (ARRAY[25, 50, 75, 100])[1 + floor(y.rx * 4)::int],
                'watch_session_id', gen_random_uuid())
            WHEN 'video_completed' THEN jsonb_build_object(
                'watch_session_id', gen_random_uuid(), 'percent_complete',
                90 + floor(y.rx * 11)::int, 'watch_time_seconds', round(y.duration * y.rx))
            WHEN 'video_started' THEN jsonb_build_object(
                'watch_session_id', gen_random_uuid(), 'position', 0)
            WHEN 'video_rewatched' THEN jsonb_build_object(
                'watch_session_id', gen_random_uuid(), 'position', 0)
            ELSE jsonb_build_object('source', 'bench') END,
       y.ts, y.ts
  FROM (
    SELECT x.re, x.rco, x.rx, v.video_id, v.duration, v.course_id, v.module_id, bc.creator_id,
           s.student_id,
           CASE WHEN x.re < 0.005
                THEN (ARRAY['video_imported', 'video_transcribed', 'video_embedded',
                            'video_added_to_course'])[1 + floor(x.re / 0.005 * 4)::int]
                WHEN x.re < 0.155 THEN 'video_started'
                WHEN x.re < 0.205 THEN 'video_rewatched'
                WHEN x.re < 0.295 THEN 'video_completed'
                ELSE 'video_progress' END AS et,
           """ + _TS.format(r1="x.rt1", r2="x.rt2", r3="x.rt3", r4="x.rt4", r5="x.rt5") + """
               AS ts
      FROM (SELECT """ + _PICK_CREATOR + """ AS c, random() AS rv, random() AS rs,
                   random() AS re, random() AS rco, random() AS rx,
                   random() AS rt1, random() AS rt2, random() AS rt3, random() AS rt4,
                   random() AS rt5
              FROM generate_series(1, %(n)s::int)) AS x
      JOIN bench_c bc ON bc.c = x.c
      JOIN bench_v v ON v.c = x.c AND v.ord = 1 + floor(bc.n_videos * power(x.rv, 2))::int
      JOIN bench_s s ON s.c = x.c AND s.ord = 1 + floor(bc.n_students * x.rs)::int) AS y
"""

_SQL_CHATS = """
CREATE TABLE bench_chat AS
SELECT gen_random_uuid() AS chat_id, x.c, bc.creator_id, s.student_id, x.pairs,
       """ + _TS.format(r1="x.rt1", r2="x.rt2", r3="x.rt3", r4="x.rt4", r5="x.rt5") + """ AS ts
  FROM (SELECT """ + _PICK_CREATOR + """ AS c, random() AS rs,
               1 + floor(random() * 9)::int AS pairs,
               random() AS rt1, random() AS rt2, random() AS rt3, random() AS rt4,
               random() AS rt5
          FROM generate_series(1, %(chats)s::int)) AS x
  JOIN bench_c bc ON bc.c = x.c
  JOIN bench_s s ON s.c = x.c AND s.ord = 1 + floor(bc.n_students * x.rs)::int;
INSERT INTO chat_sessions (id, student_id, creator_id, title, created_at, updated_at,
                           last_message_at)
SELECT chat_id, student_id, creator_id, 'Questions', ts, ts,
       ts + (pairs - 1) * interval '3 minutes' + interval '20 seconds'
  FROM bench_chat;
CREATE TABLE bench_pair AS
SELECT ch.chat_id, ch.c, p, ch.ts + (p - 1) * interval '3 minutes' AS ts,
       random() AS rq, random() AS rt, random() AS rl, random() AS rn, random() AS rv1,
       random() AS rv2, random() AS rref
  FROM bench_chat ch CROSS JOIN LATERAL generate_series(1, ch.pairs) AS p;
INSERT INTO chat_messages (session_id, role, content, token_count, created_at)
SELECT q.chat_id, 'user',
       CASE WHEN q.rl < 0.15 THEN lower(q.question)
            WHEN q.rl < 0.25 THEN rtrim(q.question, '?')
            WHEN q.rl >= 0.75 THEN q.question || ' (at minute ' || floor(q.rn * 600)::int || ')'
            ELSE q.question END,
       12, q.ts
  FROM (SELECT bp.*,
               replace((%(templates)s::text[])[1 + floor(%(ntemplates)s::int * power(bp.rq, 2))::int],
                       'TOPIC',
                       (%(topics)s::text[])[1 + floor(%(ntopics)s::int * power(bp.rt, 2))::int])
                   AS question
          FROM bench_pair bp) AS q;
INSERT INTO chat_messages (session_id, role, content, video_references, token_count, model,
                           metadata, created_at)
SELECT bp.chat_id, 'assistant',
       'Here is what the lessons say about it, with the moments to rewatch.',
       CASE WHEN bp.rref < 0.3 THEN '[]'::jsonb
            WHEN bp.rref < 0.75 THEN jsonb_build_array(jsonb_build_object(
                'video_id', v1.video_id::text, 'chunk_id', gen_random_uuid()::text,
                'start_seconds', round(v1.duration * bp.rv2), 'end_seconds',
                round(v1.duration * bp.rv2) + 30, 'score', 0.81, 'n', 1,
                'video_title', 'Lesson ' || v1.ord))
            ELSE jsonb_build_array(
                jsonb_build_object(
                    'video_id', v1.video_id::text, 'chunk_id', gen_random_uuid()::text,
                    'start_seconds', round(v1.duration * bp.rv2), 'end_seconds',
                    round(v1.duration * bp.rv2) + 30, 'score', 0.81, 'n', 1,
                    'video_title', 'Lesson ' || v1.ord),
                jsonb_build_object(
                    'video_id', v2.video_id::text, 'chunk_id', gen_random_uuid()::text,
                    'start_seconds', round(v2.duration * bp.rv1), 'end_seconds',
                    round(v2.duration * bp.rv1) + 30, 'score', 0.74, 'n', 2,
                    'video_title', 'Lesson ' || v2.ord)) END,
       240, 'bench-model', jsonb_build_object('latency_ms', 900, 'passages', 6),
       bp.ts + interval '20 seconds'
  FROM bench_pair bp
  JOIN bench_c bc ON bc.c = bp.c
  JOIN bench_v v1 ON v1.c = bp.c AND v1.ord = 1 + floor(bc.n_videos * power(bp.rv1, 2))::int
  JOIN bench_v v2 ON v2.c = bp.c AND v2.ord = 1 + floor(bc.n_videos * power(bp.rv2, 2))::int;
"""

_SQL_SOCIAL = """
INSERT INTO likes (user_id, video_id, created_at)
SELECT s.user_id, v.video_id, x.ts
  FROM (SELECT """ + _PICK_CREATOR + """ AS c, random() AS rv, random() AS rs,
               """ + _TS.format(r1="random()", r2="random()", r3="random()", r4="random()",
                                r5="random()") + """ AS ts
          FROM generate_series(1, %(likes)s::int)) AS x
  JOIN bench_c bc ON bc.c = x.c
  JOIN bench_v v ON v.c = x.c AND v.ord = 1 + floor(bc.n_videos * power(x.rv, 2))::int
  JOIN bench_s s ON s.c = x.c AND s.ord = 1 + floor(bc.n_students * x.rs)::int
ON CONFLICT DO NOTHING;
INSERT INTO comments (video_id, author_id, content, is_deleted, created_at, updated_at)
SELECT v.video_id, s.user_id, 'Thanks, the part about ' || (%(topics)s::text[])[1 + floor(x.rv * 7)::int]
       || ' helped a lot.', x.rd < 0.03, x.ts, x.ts
  FROM (SELECT """ + _PICK_CREATOR + """ AS c, random() AS rv, random() AS rs, random() AS rd,
               """ + _TS.format(r1="random()", r2="random()", r3="random()", r4="random()",
                                r5="random()") + """ AS ts
          FROM generate_series(1, %(comments)s::int)) AS x
  JOIN bench_c bc ON bc.c = x.c
  JOIN bench_v v ON v.c = x.c AND v.ord = 1 + floor(bc.n_videos * power(x.rv, 2))::int
  JOIN bench_s s ON s.c = x.c AND s.ord = 1 + floor(bc.n_students * x.rs)::int;
"""

_SQL_COUNTERS = """
UPDATE videos v SET like_count = l.n
  FROM (SELECT video_id, count(*) AS n FROM likes WHERE video_id IS NOT NULL GROUP BY 1) AS l
 WHERE l.video_id = v.id;
UPDATE videos v SET view_count = s.n
  FROM (SELECT video_id, count(*) AS n FROM video_watch_sessions GROUP BY 1) AS s
 WHERE s.video_id = v.id;
"""

_SQL_CHECKS = {
    "sessions_student_of_other_school": """
        SELECT count(*) FROM video_watch_sessions s JOIN videos v ON v.id = s.video_id
          JOIN students st ON st.id = s.student_id WHERE st.creator_id <> v.creator_id""",
    "events_without_video": """
        SELECT count(*) FROM video_analytics_events e
         WHERE NOT EXISTS (SELECT 1 FROM videos v WHERE v.id = e.video_id)""",
    "events_creator_mismatch": """
        SELECT count(*) FROM video_analytics_events e JOIN videos v ON v.id = e.video_id
         WHERE v.creator_id <> e.creator_id""",
    "completed_not_pct90": """
        SELECT count(*) FROM video_watch_sessions WHERE completed <> (percent_complete >= 90)""",
}


def _index_definitions(conn: Any, table: str) -> list[tuple[str, str, str | None]]:
    """(index name, CREATE INDEX statement, constraint name or None) of a table."""
    return [(r[0], r[1], r[2]) for r in conn.execute("""
        SELECT ci.relname, pg_get_indexdef(i.indexrelid), con.conname
          FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
          LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
                                     AND con.conrelid = i.indrelid
         WHERE i.indrelid = %s::regclass ORDER BY ci.relname""", (table,)).fetchall()]


@dataclass
class Generated:
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    checks: dict[str, int] = field(default_factory=dict)
    indexes: dict[str, list[str]] = field(default_factory=dict)


def _step(gen: Generated, name: str, fn: Callable[[], Any]) -> Any:
    t = time.perf_counter()
    out = fn()
    gen.seconds[name] = round(time.perf_counter() - t, 2)
    print(f"    {name}: {gen.seconds[name]:.1f} s", flush=True)
    return out


def _batches(total: int) -> list[int]:
    return [min(BATCH, total - i) for i in range(0, total, BATCH)]


def _insert_batches(uri: str, sql: str, total: int, params: dict[str, Any], seed: float,
                    label: str) -> None:
    """`sql` (a %(n)s-row INSERT ... SELECT) in batches on LOAD_THREADS connections."""
    sizes = _batches(total)
    threads = max(1, min(LOAD_THREADS, len(sizes)))
    conns = [_loader(uri, seed + i / 100) for i in range(threads)]
    done = [0]
    started = time.perf_counter()

    def work(i: int) -> None:
        conn = conns[i]
        for j in range(i, len(sizes), threads):
            conn.execute(sql, {**params, "n": sizes[j]})
            done[0] += sizes[j]
            if len(sizes) > 2:
                print(f"      {label}: {done[0]:,}/{total:,} "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)

    try:
        with ThreadPoolExecutor(threads) as pool:
            for f in [pool.submit(work, i) for i in range(threads)]:
                f.result()
    finally:
        for conn in conns:
            conn.close()


def generate(uri: str, *, events: int, sessions: int, chat_messages: int,
             today: date) -> Generated:
    """Fill the migrated database at `uri`; the window is the DAYS days before `today`."""
    gen = Generated()
    day0 = datetime.combine(today - timedelta(days=DAYS), dtime(0), UTC)
    params = {"day0": day0, "days": DAYS, "nc": CREATORS, "videos": VIDEOS,
              "students": STUDENTS, "topics": TOPICS, "ntopics": len(TOPICS),
              "templates": TEMPLATES, "ntemplates": len(TEMPLATES),
              "tracked": TRACKED_SHARE, "chats": max(1, chat_messages // 10),
              "likes": LIKES, "comments": COMMENTS}
    # psycopg adapts a tuple of str to a text array only as a list
    params["topics"], params["templates"] = list(TOPICS), list(TEMPLATES)
    conn = _loader(uri, 0.42)
    try:
        def run_script(sql: str) -> None:
            for statement in [s for s in sql.split(";\n") if s.strip()]:
                conn.execute(statement, params)

        print("  generating:", flush=True)
        _step(gen, "schools_and_students", lambda: (run_script(_SQL_SCHOOLS),
                                                    run_script(_SQL_STUDENTS)))
        _step(gen, "videos_chapters_courses", lambda: (run_script(_SQL_VIDEOS),
                                                       run_script(_SQL_COURSES)))
        saved: dict[str, list[tuple[str, str, str | None]]] = {}
        for table in BIG_TABLES:
            saved[table] = _index_definitions(conn, table)
            gen.indexes[table] = [name for name, _, _ in saved[table]]
            for name, _, constraint in saved[table]:
                if constraint:
                    conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
                else:
                    conn.execute(f'DROP INDEX "{name}"')
        _step(gen, "watch_sessions", lambda: _insert_batches(
            uri, _SQL_SESSIONS, sessions, params, 0.11, "sessions"))
        _step(gen, "events", lambda: _insert_batches(
            uri, _SQL_EVENTS, events, params, 0.21, "events"))
        _step(gen, "chats", lambda: run_script(_SQL_CHATS))
        _step(gen, "likes_comments_counters", lambda: (run_script(_SQL_SOCIAL),
                                                       run_script(_SQL_COUNTERS)))

        def rebuild() -> None:
            for table in BIG_TABLES:
                for name, definition, constraint in saved[table]:
                    t = time.perf_counter()
                    conn.execute(definition)
                    if constraint:
                        conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" '
                                     f'PRIMARY KEY USING INDEX "{name}"')
                    print(f"      index {name}: {time.perf_counter() - t:.1f} s", flush=True)

        _step(gen, "rebuild_indexes", rebuild)
        for table in ("bench_pair", "bench_chat", "bench_module", "bench_course", "bench_v",
                      "bench_s", "bench_c"):
            conn.execute(f"DROP TABLE {table}")
        conn.execute("SET session_replication_role = DEFAULT")
        _step(gen, "checks", lambda: gen.checks.update(
            {k: int(conn.execute(q).fetchone()[0]) for k, q in _SQL_CHECKS.items()}))
        _step(gen, "vacuum_analyze", lambda: conn.execute("VACUUM (ANALYZE)"))
        for table in ("users", "creators", "students", "videos", "chapters", "courses",
                      "module_lessons", "video_watch_sessions", "video_analytics_events",
                      "chat_sessions", "chat_messages", "likes", "comments"):
            gen.counts[table] = int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        gen.counts["watch_sessions_with_intervals"] = int(conn.execute(
            "SELECT count(*) FROM video_watch_sessions WHERE metadata ? 'watched'").fetchone()[0])
        gen.counts["watch_sessions_completed"] = int(conn.execute(
            "SELECT count(*) FROM video_watch_sessions WHERE completed").fetchone()[0])
        gen.counts["assistant_messages_with_references"] = int(conn.execute(
            "SELECT count(*) FROM chat_messages WHERE role = 'assistant' "
            "AND video_references <> '[]'::jsonb").fetchone()[0])
    finally:
        conn.close()
    bad = {k: v for k, v in gen.checks.items() if v}
    if bad:
        raise RuntimeError(f"generated data is inconsistent: {bad}")
    return gen


# --- engines and plan modes ------------------------------------------------------------------
#
# The app's engine (core.db) uses psycopg's defaults: a statement run 5 times on a connection is
# prepared server-side, and PostgreSQL, after 5 more executions of a prepared statement, may
# switch to a generic plan (planned without the parameter values) when it estimates it no
# dearer. "app" reproduces that: one pooled connection, new for each measurement, and enough
# warm-up calls (APP_WARMUP) to reach that steady state. "custom" never prepares: every call is
# planned for its parameters (what EXPLAIN shows, and what a fresh connection gets).

def make_engine(url: str, mode: str) -> Any:
    from sqlalchemy import create_engine

    connect_args = {} if mode == "app" else {"prepare_threshold": None}
    return create_engine(url, pool_size=1, max_overflow=0, connect_args=connect_args)


# --- the daily rollup ------------------------------------------------------------------------

def _median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else 0.0


def _percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def aggregate_once(engine: Any, day: date, refresh_view: bool = True) -> tuple[float, Any]:
    """(ms, DayResult) of aggregate_day(day) for every school, committed."""
    from sqlmodel import Session

    from chronos_app.pipeline.aggregate import aggregate_day

    t = time.perf_counter()
    with Session(engine) as session:
        result = aggregate_day(session, day, refresh_view=refresh_view)
        session.commit()
    return (time.perf_counter() - t) * 1000, result


def aggregate_app_series(engine_app: Any, day: date, runs: int) -> list[float]:
    """`runs` consecutive aggregate_day(day) on one new app-mode connection (ms each)."""
    engine_app.dispose()
    return [aggregate_once(engine_app, day)[0] for _ in range(runs)]


def aggregate(engines: dict[str, Any], uri: str, today: date, agg_days: int) -> dict[str, Any]:
    """aggregate_day of the busiest day: cold, warm (custom plans), then as the app's worker
    runs it again and again on a pooled connection; EXPLAIN of its statements (custom and
    generic plans); then the backfill of the last `agg_days` days (custom plans)."""
    import psycopg
    from sqlmodel import Session

    from chronos_app.pipeline.aggregate import aggregate_day, refresh_daily_video_stats

    with psycopg.connect(uri) as conn:
        busy_day, busy_sessions = conn.execute("""
            SELECT (session_start AT TIME ZONE 'UTC')::date AS d, count(*)
              FROM video_watch_sessions GROUP BY 1 ORDER BY 2 DESC, 1 DESC LIMIT 1""").fetchone()
        busy_messages = conn.execute(
            "SELECT count(*) FROM chat_messages WHERE created_at >= %s AND created_at < %s",
            (datetime.combine(busy_day, dtime(0), UTC),
             datetime.combine(busy_day + timedelta(days=1), dtime(0), UTC))).fetchone()[0]

    custom = engines["custom"]
    cold_ms, cold = aggregate_once(custom, busy_day)
    warm = [aggregate_once(custom, busy_day)[0] for _ in range(AGG_WARM)]
    print(f"  aggregate_day({busy_day}, {busy_sessions:,} sessions, {busy_messages:,} chat "
          f"messages): cold {cold_ms:.0f} ms ({cold.videos} video rows, {cold.creators} school "
          f"rows), warm median {_median(warm):.0f} ms (custom plans)", flush=True)
    series = aggregate_app_series(engines["app"], busy_day, AGG_APP_RUNS)
    steady = series[-AGG_WARM:]
    print(f"  the same {AGG_APP_RUNS} times on one app-mode connection (ms): "
          f"{', '.join(f'{x:.0f}' for x in series)}", flush=True)
    explained = explain_call(custom, lambda session: aggregate_day(session, busy_day), keep=5,
                             generic=True)
    _print_explained(f"aggregate_day({busy_day})", explained)
    days = [today - timedelta(days=n) for n in range(agg_days, 0, -1)]
    per_day: list[float] = []
    started = time.perf_counter()
    for i, day in enumerate(days, 1):
        per_day.append(aggregate_once(custom, day, refresh_view=False)[0])
        if i % 30 == 0 or i == len(days):
            print(f"    rolled up {i}/{len(days)} days ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    with Session(custom) as session:
        refresh_daily_video_stats(session)
        session.commit()
    backfill_s = time.perf_counter() - started
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute("ANALYZE video_analytics")
        conn.execute("ANALYZE usage_metrics")
        rows = conn.execute("SELECT (SELECT count(*) FROM video_analytics), "
                            "(SELECT count(*) FROM usage_metrics)").fetchone()
    return {
        "busy_day": busy_day.isoformat(), "busy_day_sessions": int(busy_sessions),
        "busy_day_chat_messages": int(busy_messages),
        "busy_day_rows": {"video_analytics": cold.videos, "usage_metrics": cold.creators},
        "cold_ms": round(cold_ms, 1), "warm_ms": [round(x, 1) for x in warm],
        "warm_median_ms": round(_median(warm), 1),
        "app_series_ms": [round(x, 1) for x in series],
        "app_steady_median_ms": round(_median(steady), 1),
        "backfill": {"days": len(days), "seconds": round(backfill_s, 1),
                     "median_day_ms": round(_median(per_day), 1),
                     "p95_day_ms": round(_percentile(per_day, 95), 1),
                     "max_day_ms": round(max(per_day), 1) if per_day else 0.0,
                     "plans": "custom", "refresh_view": "once at the end"},
        "rows": {"video_analytics": int(rows[0]), "usage_metrics": int(rows[1])},
        "explain": _trim_plans(explained),
    }


# --- the dashboard queries -------------------------------------------------------------------

@dataclass
class Profile:
    name: str
    creator_id: uuid.UUID
    user_id: uuid.UUID
    username: str
    video_id: uuid.UUID
    course_id: uuid.UUID
    info: dict[str, Any]


def pick_profiles(uri: str, today: date) -> list[Profile]:
    """The school with the most watch sessions and the median one."""
    import psycopg

    a28 = datetime.combine(today - timedelta(days=28), dtime(0), UTC)
    a90 = datetime.combine(today - timedelta(days=90), dtime(0), UTC)
    with psycopg.connect(uri) as conn:
        ranked = conn.execute("""
            SELECT v.creator_id, count(*) AS n
              FROM video_watch_sessions s JOIN videos v ON v.id = s.video_id
             GROUP BY v.creator_id ORDER BY n DESC, v.creator_id""").fetchall()
        picks = [("busy", ranked[0][0]), ("typical", ranked[len(ranked) // 2][0])]
        out = []
        for name, creator_id in picks:
            user_id, username = conn.execute(
                "SELECT u.id, u.username FROM creators c JOIN users u ON u.id = c.user_id "
                "WHERE c.id = %s", (creator_id,)).fetchone()
            video_id, video_sessions = conn.execute("""
                SELECT s.video_id, count(*) FROM video_watch_sessions s
                  JOIN videos v ON v.id = s.video_id
                 WHERE v.creator_id = %s AND NOT v.is_deleted
                 GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 1""", (creator_id,)).fetchone()
            # the course with the most watched video, else the school's biggest course
            course_id, lessons = conn.execute("""
                SELECT m.course_id, count(*) AS lessons,
                       bool_or(l.video_id = %(v)s) AS has_video
                  FROM module_lessons l JOIN course_modules m ON m.id = l.module_id
                  JOIN courses co ON co.id = m.course_id
                 WHERE co.creator_id = %(c)s AND NOT co.is_deleted
                 GROUP BY m.course_id ORDER BY has_video DESC, lessons DESC, m.course_id
                 LIMIT 1""", {"v": video_id, "c": creator_id}).fetchone()[:2]
            info = dict(zip(
                ("sessions", "sessions_28d", "sessions_90d", "videos", "students",
                 "user_messages"),
                conn.execute("""
                    SELECT (SELECT count(*) FROM video_watch_sessions s JOIN videos v
                               ON v.id = s.video_id WHERE v.creator_id = %(c)s),
                           (SELECT count(*) FROM video_watch_sessions s JOIN videos v
                               ON v.id = s.video_id WHERE v.creator_id = %(c)s
                              AND s.session_start >= %(a28)s),
                           (SELECT count(*) FROM video_watch_sessions s JOIN videos v
                               ON v.id = s.video_id WHERE v.creator_id = %(c)s
                              AND s.session_start >= %(a90)s),
                           (SELECT count(*) FROM videos WHERE creator_id = %(c)s),
                           (SELECT count(*) FROM students WHERE creator_id = %(c)s),
                           (SELECT count(*) FROM chat_messages m JOIN chat_sessions cs
                               ON cs.id = m.session_id
                             WHERE cs.creator_id = %(c)s AND m.role = 'user')""",
                             {"c": creator_id, "a28": a28, "a90": a90}).fetchone(),
                strict=True))
            info = {k: int(v) for k, v in info.items()}
            info.update(rank=[r[0] for r in ranked].index(creator_id) + 1, schools=len(ranked),
                        retention_video_sessions=int(video_sessions),
                        dropoff_course_lessons=int(lessons))
            out.append(Profile(name, creator_id, user_id, username, video_id, course_id, info))
    return out


@dataclass
class Case:
    query: str
    days: int | None
    fn: Callable[..., Any]
    kwargs: dict[str, Any]


def cases_for(profile: Profile, today: date) -> list[Case]:
    from chronos_app.services import analytics

    end = today - timedelta(days=1)
    out = []
    for days in RANGES:
        span = {"start": end - timedelta(days=days - 1), "end": end}
        out += [Case("overview", days, analytics.overview, span),
                Case("timeseries", days, analytics.timeseries, span),
                Case("top_videos", days, analytics.top_videos, span),
                Case("retention", days, analytics.retention,
                     {**span, "video_id": profile.video_id}),
                Case("heatmap", days, analytics.heatmap, span),
                Case("top_questions", days, analytics.top_questions, span)]
    out += [Case("course_dropoff", None, analytics.course_dropoff,
                 {"course_id": profile.course_id}),
            Case("usage", None, analytics.usage,
                 {"now": datetime.combine(end, dtime(23, 0), UTC)})]
    return out


def _actor(profile: Profile) -> Any:
    from chronos_app.schemas.accounts import Actor

    return Actor(user_id=profile.user_id, username=profile.username,
                 creator_id=profile.creator_id)


def time_case(engine: Any, profile: Profile, case: Case, repeat: int, warmup: int,
              mode: str, budget_s: float) -> dict[str, Any]:
    """Warm-up calls, then up to `repeat` timed calls (at least MIN_RUNS; fewer when the cell
    has used `budget_s`), each in a new Session, on a new connection."""
    from sqlmodel import Session

    engine.dispose()  # a new connection: nothing prepared yet
    warm = max(warmup, APP_WARMUP) if mode == "app" else warmup
    actor = _actor(profile)
    samples: list[float] = []
    result = None
    started = time.perf_counter()
    calls = 0
    while len(samples) < repeat:
        t = time.perf_counter()
        with Session(engine) as session:
            result = case.fn(session=session, actor=actor, **case.kwargs)
        ms = (time.perf_counter() - t) * 1000
        calls += 1
        if calls > warm:
            samples.append(ms)
        if len(samples) >= MIN_RUNS and time.perf_counter() - started > budget_s:
            break
    return {"profile": profile.name, "query": case.query, "days": case.days, "mode": mode,
            "runs": len(samples), "warmup": warm,
            "p50_ms": round(_percentile(samples, 50), 2),
            "p95_ms": round(_percentile(samples, 95), 2),
            "mean_ms": round(statistics.fmean(samples), 2),
            "min_ms": round(min(samples), 2), "max_ms": round(max(samples), 2),
            "result": _result_size(result), "load_average": _load()}


def _result_size(result: Any) -> str:
    if isinstance(result, list):
        return f"{len(result)} rows"
    for attr in ("rows", "points", "items"):
        if hasattr(result, attr):
            return f"{len(getattr(result, attr))} {attr}"
    return type(result).__name__


_SCAN = re.compile(r"((?:Parallel )?(?:Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan|"
                   r"Bitmap Index Scan)(?: using \S+)?(?: on \S+)?)")


def plan_summary(plan: str) -> str:
    nodes = list(dict.fromkeys(m.group(1) for m in _SCAN.finditer(plan)))
    total = next((line.strip() for line in plan.splitlines()
                  if line.strip().startswith("Execution Time")), "")
    return f"{'; '.join(nodes)} | {total}"


def _dollar_params(statement: str) -> tuple[str, list[str]]:
    """psycopg's %(name)s placeholders as $1, $2, ... (and %% as %)."""
    names: list[str] = []

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return re.sub(r"%\((\w+)\)s", sub, statement).replace("%%", "%"), names


def _pg_type(value: Any) -> str:
    """The type psycopg sends a Python value as (unknown for None: inferred from the SQL)."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "float8"
    if isinstance(value, uuid.UUID):
        return "uuid"
    if isinstance(value, datetime):
        return "timestamptz" if value.tzinfo else "timestamp"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list | tuple):
        return "uuid[]" if value and isinstance(value[0], uuid.UUID) else "text[]"
    return "text"


def _explain_generic(raw: Any, statement: str, parameters: Any) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the generic plan of a statement (PREPARE, then EXECUTE
    with plan_cache_mode = force_generic_plan), on a raw psycopg connection in a transaction."""
    from psycopg import sql

    text_, names = _dollar_params(statement)
    params = parameters or {}
    types = ", ".join(_pg_type(params.get(n)) for n in names)
    args = ", ".join(sql.Literal(params.get(n)).as_string(raw) for n in names)
    raw.execute("SAVEPOINT bench_generic")
    try:
        raw.execute("SET plan_cache_mode = force_generic_plan")
        raw.execute(f"PREPARE bench_generic ({types}) AS {text_}" if names
                    else f"PREPARE bench_generic AS {text_}")
        rows = raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE bench_generic"
                           f"{f'({args})' if names else ''}").fetchall()
        raw.execute("DEALLOCATE bench_generic")
        raw.execute("RELEASE SAVEPOINT bench_generic")
        return "\n".join(r[0] for r in rows)
    except Exception as exc:  # noqa: BLE001 - reported, the benchmark goes on
        raw.execute("ROLLBACK TO SAVEPOINT bench_generic")
        with contextlib.suppress(Exception):
            raw.execute("DEALLOCATE bench_generic")
        return f"(generic plan not available: {type(exc).__name__}: {exc})"
    finally:
        raw.execute("RESET plan_cache_mode")


def _execution_ms(plan: str) -> float:
    return next((float(line.split(":")[1].split()[0]) for line in plan.splitlines()
                 if line.strip().startswith("Execution Time")), 0.0)


def explain_call(engine: Any, call: Callable[[Any], Any], keep: int = 3,
                 generic: bool = False) -> dict[str, Any]:
    """Runs `call(session)` once while recording its SQL, then replays the statements in one
    transaction (rolled back) with EXPLAIN (ANALYZE, BUFFERS) as planned for their parameters
    ("custom") and, if `generic`, as generic plans; the `keep` slowest of each."""
    from sqlalchemy import event
    from sqlmodel import Session

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with Session(engine) as session:
            call(session)
            session.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    custom: list[dict[str, Any]] = []
    generic_: list[dict[str, Any]] = []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        try:
            for statement, parameters in statements:
                if not statement.lstrip().upper().startswith(
                        ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")):
                    continue
                short = " ".join(statement.split())[:400]
                rows = raw.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement,
                                   parameters or None).fetchall()
                plan = "\n".join(r[0] for r in rows)
                custom.append({"execution_ms": _execution_ms(plan), "sql": short,
                               "summary": plan_summary(plan), "plan": plan})
                if generic and parameters:
                    plan = _explain_generic(raw, statement, parameters)
                    generic_.append({"execution_ms": _execution_ms(plan), "sql": short,
                                     "summary": plan_summary(plan), "plan": plan})
        finally:
            raw.rollback()
    out: dict[str, Any] = {
        "statements": len(custom),
        "statements_total_ms": round(sum(e["execution_ms"] for e in custom), 1),
        "slowest": sorted(custom, key=lambda e: -e["execution_ms"])[:keep]}
    if generic:
        out["generic_total_ms"] = round(sum(e["execution_ms"] for e in generic_), 1)
        out["generic_slowest"] = sorted(generic_, key=lambda e: -e["execution_ms"])[:keep]
    return out


def _trim_plans(explained: dict[str, Any], limit: int = 8000) -> dict[str, Any]:
    return {k: [{f: (v[:limit] if f == "plan" else v) for f, v in e.items()} for e in val]
            if k in ("slowest", "generic_slowest") else val for k, val in explained.items()}


def explain_case(engine: Any, profile: Profile, case: Case, keep: int = 3,
                 generic: bool = True) -> dict[str, Any]:
    """EXPLAIN (ANALYZE, BUFFERS) of every statement one call of a dashboard query runs."""
    actor = _actor(profile)
    out = explain_call(engine, lambda session: case.fn(session=session, actor=actor,
                                                       **case.kwargs), keep, generic)
    return {"profile": profile.name, "query": case.query, "days": case.days, **out}


def _print_explained(title: str, explained: dict[str, Any]) -> None:
    line = (f"  EXPLAIN {title}: {explained['statements']} statements, "
            f"{explained['statements_total_ms']:.0f} ms in the server as custom plans")
    if "generic_total_ms" in explained:
        line += f", {explained['generic_total_ms']:.0f} ms as generic plans"
    print(line, flush=True)
    for label, key in (("custom", "slowest"), ("generic", "generic_slowest")):
        for s in explained.get(key, []):
            print(f"    {label:<8}{s['execution_ms']:9.1f} ms  {s['sql'][:100]}", flush=True)
            print(f"                        {s['summary']}", flush=True)


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure(engines: dict[str, Any], profiles: list[Profile], today: date, repeat: int,
            warmup: int, budget_s: float) -> list[dict[str, Any]]:
    cells = []
    for profile in profiles:
        print(f"  {profile.name} school (rank {profile.info['rank']}/{profile.info['schools']}: "
              f"{profile.info['sessions']:,} sessions, {profile.info['videos']} videos, "
              f"{profile.info['students']} students, {profile.info['user_messages']:,} "
              f"questions):", flush=True)
        for case in cases_for(profile, today):
            line = f"    {case.query:<15}{_range_label(case.days):>5}"
            for mode in MODES:
                cell = time_case(engines[mode], profile, case, repeat, warmup, mode, budget_s)
                cells.append(cell)
                runs = "" if cell["runs"] >= repeat else f" ({cell['runs']} runs)"
                line += (f"  {mode} p50 {cell['p50_ms']:8.1f} p95 {cell['p95_ms']:8.1f} ms"
                         f"{runs}")
            print(f"{line}  ({cell['result']})", flush=True)
    return cells


def _range_label(days: int | None) -> str:
    return f"{days}d" if days else "-"


# --- reporting -------------------------------------------------------------------------------

def print_table(cells: list[dict[str, Any]], profiles: Sequence[str], mode: str,
                title: str) -> None:
    """One row per query; p50/p95 ms per school and range. course_dropoff and usage take no
    period: their figures are under the first range."""
    columns = [(p, d) for p in profiles for d in RANGES]
    print(f"\n{title}")
    print(f"{'query (ms)':<15}" + "".join(f"{f'{p} {d}d':>17}" for p, d in columns))
    print(f"{'':<15}" + "".join(f"{'p50':>9}{'p95':>8}" for _ in columns))
    by = {(c["profile"], c["query"], c["days"]): c for c in cells if c["mode"] == mode}
    for query in QUERIES:
        line = f"{query:<15}"
        for p, d in columns:
            if query in RANGELESS:
                c = by.get((p, query, None)) if d == RANGES[0] else None
            else:
                c = by.get((p, query, d))
            line += f"{c['p50_ms']:>9.1f}{c['p95_ms']:>8.1f}" if c else f"{'':>9}{'':>8}"
        print(line)


def _gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def disk_usage(uri: str, pgdata: Path) -> dict[str, Any]:
    import psycopg

    with psycopg.connect(uri) as conn:
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        wal = conn.execute("SELECT COALESCE(sum(size), 0) FROM pg_ls_waldir()").fetchone()[0]
        tables = {r[0]: {"total_bytes": int(r[1]), "table_bytes": int(r[2]),
                         "index_bytes": int(r[3])} for r in conn.execute("""
            SELECT c.relname, pg_total_relation_size(c.oid), pg_table_size(c.oid),
                   pg_indexes_size(c.oid)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'public' AND c.relkind = 'r'
             ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8""").fetchall()}
    du = None
    with contextlib.suppress(Exception):
        du = int(subprocess.run(["du", "-sb", str(pgdata)], capture_output=True, text=True,
                                check=True).stdout.split()[0])
    return {"database_bytes": int(database), "wal_bytes": int(wal), "pgdata_bytes": du,
            "tables": tables}


def _server_info(uri: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(uri) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in (
            "server_version", "shared_buffers", "work_mem", "effective_cache_size", "jit",
            "max_parallel_workers_per_gather", "random_page_cost")}


# --- the run ---------------------------------------------------------------------------------

def _case(profiles: list[Profile], today: date, cell: dict[str, Any]) -> tuple[Profile, Case]:
    profile = next(p for p in profiles if p.name == cell["profile"])
    case = next(k for k in cases_for(profile, today)
                if k.query == cell["query"] and k.days == cell["days"])
    return profile, case


def run(sizes: str | None = None) -> dict[str, Any]:
    """The whole analytics benchmark; returns the figures (printed as it goes)."""
    events, sessions = scale_from(sizes)
    chat_messages = _env_int("BENCH_ANALYTICS_CHAT_MESSAGES", DEFAULT_CHAT_MESSAGES)
    repeat = max(1, _env_int("BENCH_ANALYTICS_REPEAT", REPEAT))
    warmup = max(0, _env_int("BENCH_ANALYTICS_WARMUP", WARMUP))
    slow_ms = _env_float("BENCH_ANALYTICS_SLOW_MS", SLOW_MS)
    budget_s = _env_float("BENCH_ANALYTICS_CELL_BUDGET", CELL_BUDGET_S)
    agg_days = max(1, min(DAYS, _env_int("BENCH_ANALYTICS_AGG_DAYS", DAYS)))
    whatif = (os.environ.get("BENCH_ANALYTICS_WHATIF") or "1").strip().lower() not in (
        "0", "no", "off", "false")
    started = time.perf_counter()
    today = datetime.now(UTC).date()
    print(f"Analytics benchmark: {events:,} events, {sessions:,} watch sessions, "
          f"~{chat_messages:,} chat messages, {CREATORS} schools, {STUDENTS:,} students, "
          f"{VIDEOS:,} videos over the {DAYS} days before {today}; {repeat} timed calls "
          f"(+{warmup} warm-up, {APP_WARMUP} in app mode) per query and mode.", flush=True)
    seconds: dict[str, float] = {}
    load = {"start": _load()}
    with private_server() as (admin_uri, pgdata):
        _tune_server(admin_uri)
        with throwaway_database(admin_uri) as url:
            uri = _psycopg_uri(url)
            t = time.perf_counter()
            gen = generate(uri, events=events, sessions=sessions, chat_messages=chat_messages,
                           today=today)
            seconds["generate"] = round(time.perf_counter() - t, 1)
            disk = disk_usage(uri, pgdata)
            print(f"  generated in {seconds['generate']:.0f} s; database "
                  f"{_gb(disk['database_bytes'])}, data folder "
                  f"{_gb(disk['pgdata_bytes'] or 0)} (WAL {_gb(disk['wal_bytes'])})",
                  flush=True)
            for name, t_ in disk["tables"].items():
                print(f"    {name:<24}{_gb(t_['table_bytes']):>10} + indexes "
                      f"{_gb(t_['index_bytes'])}", flush=True)
            server = _server_info(uri)
            engines = {mode: make_engine(url, mode) for mode in MODES}
            try:
                t = time.perf_counter()
                agg = aggregate(engines, uri, today, agg_days)
                seconds["aggregate"] = round(time.perf_counter() - t, 1)
                profiles = pick_profiles(uri, today)
                t = time.perf_counter()
                load["queries_start"] = _load()
                cells = measure(engines, profiles, today, repeat, warmup, budget_s)
                load["queries_end"] = _load()
                seconds["queries"] = round(time.perf_counter() - t, 1)
                slow_keys = list(dict.fromkeys(
                    (c["profile"], c["query"], c["days"]) for c in cells
                    if c["p50_ms"] > slow_ms))
                slowest = max(cells, key=lambda c: c["p50_ms"])
                to_explain = slow_keys or [(slowest["profile"], slowest["query"],
                                            slowest["days"])]
                explains = []
                for key in to_explain:
                    profile, case = _case(profiles, today, dict(zip(
                        ("profile", "query", "days"), key, strict=True)))
                    explains.append(explain_case(engines["custom"], profile, case))
                    p50 = {c["mode"]: c["p50_ms"] for c in cells
                           if (c["profile"], c["query"], c["days"]) == key}
                    _print_explained(
                        f"{key[0]} {key[1]} {_range_label(key[2])} (p50 "
                        + ", ".join(f"{m} {v:.0f} ms" for m, v in p50.items()) + ")",
                        explains[-1])
                whatif_result = None
                if whatif:
                    # the slow queries, else the WHATIF_TOP slowest (how much is left to gain)
                    keys = slow_keys or list(dict.fromkeys(
                        (c["profile"], c["query"], c["days"])
                        for c in sorted(cells, key=lambda c: -c["p50_ms"])))[:WHATIF_TOP]
                    whatif_result = try_indexes(engines, uri, profiles, today, keys, cells,
                                                repeat, warmup, budget_s,
                                                date.fromisoformat(agg["busy_day"]))
            finally:
                for engine in engines.values():
                    engine.dispose()
            disk_end = disk_usage(uri, pgdata)
    names = [p.name for p in profiles]
    print_table(cells, names, "app", "As the app runs them (steady state of a pooled "
                "connection: prepared statements, PostgreSQL's plan choice):")
    print_table(cells, names, "custom", "Planned for each call's parameters (no prepared "
                "statements):")
    print(f"({', '.join(RANGELESS)} take no period: under {RANGES[0]}d.)")
    total = time.perf_counter() - started
    seconds["total"] = round(total, 1)
    print(f"\naggregate_day of the busiest day ({agg['busy_day']}, "
          f"{agg['busy_day_sessions']:,} sessions): cold {agg['cold_ms']:.0f} ms, warm "
          f"{agg['warm_median_ms']:.0f} ms (custom plans); on a pooled app connection after "
          f"{AGG_APP_RUNS - AGG_WARM} runs {agg['app_steady_median_ms']:.0f} ms; backfill of "
          f"{agg['backfill']['days']} days {agg['backfill']['seconds']:.0f} s (median "
          f"{agg['backfill']['median_day_ms']:.0f} ms/day, custom plans).")
    if whatif_result:
        for step in whatif_result["steps"]:
            print(f"What-if {step['index']}: " + "; ".join(
                f"{q['profile']} {q['query']} {_range_label(q['days'])} "
                f"{q['mode']} p50 {q['p50_ms_before']:.0f} -> {q['p50_ms']:.0f} ms"
                for q in step["queries"])
                + f"; aggregate_day app-mode {step['aggregate_app_steady_ms']:.0f} ms")
    print(f"Load average (1/5/15 min) at the start {load['start']}, while timing queries "
          f"{load['queries_start']} -> {load['queries_end']} ({os.cpu_count()} CPUs).")
    print(f"Generation {seconds['generate']:.0f} s; database {_gb(disk['database_bytes'])} "
          f"after loading (data folder {_gb(disk['pgdata_bytes'] or 0)} with WAL), "
          f"{_gb(disk_end['database_bytes'])} at the end; total {total:.0f} s; database "
          f"dropped, server removed.", flush=True)
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "server": server,
        "design": {"events": events, "watch_sessions": sessions,
                   "chat_messages": chat_messages, "schools": CREATORS, "students": STUDENTS,
                   "videos": VIDEOS, "days": DAYS, "window_end": today.isoformat(),
                   "ranges_days": list(RANGES), "repeat": repeat, "warmup": warmup,
                   "app_warmup": APP_WARMUP, "cell_budget_s": budget_s, "min_runs": MIN_RUNS,
                   "modes": {"app": "psycopg defaults as core.db (prepare after 5 "
                                    "executions), one new pooled connection per query",
                             "custom": "prepare_threshold=None: planned for every call"},
                   "slow_ms": slow_ms, "tracked_share": TRACKED_SHARE},
        "counts": gen.counts,
        "checks": gen.checks,
        "generation_seconds": gen.seconds,
        "disk": {"after_generation": disk, "at_end": disk_end},
        "aggregate": agg,
        "profiles": [{"name": p.name, "creator_id": str(p.creator_id), **p.info}
                     for p in profiles],
        "queries": cells,
        "explain": [_trim_plans(e) for e in explains],
        "whatif": whatif_result,
        "seconds": seconds,
        "load_average": load,
    }


def _index_shape(definition: str) -> str:
    """An index definition without its name, to find an index the schema already has."""
    return re.sub(r"^CREATE (UNIQUE )?INDEX \S+ ON (public\.)?", r"CREATE \1INDEX ON ",
                  " ".join(definition.split())).replace(" USING btree", "").replace('"', "")


def try_indexes(engines: dict[str, Any], uri: str, profiles: list[Profile], today: date,
                keys: list[tuple[str, str, int | None]], cells: list[dict[str, Any]],
                repeat: int, warmup: int, budget_s: float, busy_day: date) -> dict[str, Any]:
    """Each of WHATIF_INDEXES alone (created, measured, dropped), then all of them together
    (throwaway database only): the queries `keys` (both modes) and aggregate_day of the
    busiest day timed again. A candidate the schema already has is skipped."""
    import psycopg

    before = {(c["profile"], c["query"], c["days"], c["mode"]): c for c in cells}

    def build(ddl: str) -> tuple[str, float, int]:
        name = ddl.split()[2]
        table = ddl.split(" ON ")[1].split()[0]
        with psycopg.connect(uri, autocommit=True) as conn:
            conn.execute("SET maintenance_work_mem = '1GB'")
            t = time.perf_counter()
            conn.execute(ddl)
            seconds = round(time.perf_counter() - t, 1)
            size = int(conn.execute("SELECT pg_relation_size(%s::regclass)",
                                    (name,)).fetchone()[0])
            conn.execute(f"ANALYZE {table}")
        return name, seconds, size

    def drop(names: Sequence[str]) -> None:
        with psycopg.connect(uri, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP INDEX IF EXISTS "{name}"')

    def measure_step(label: str, built: list[dict[str, Any]]) -> dict[str, Any]:
        print(f"  what-if {label} (" + ", ".join(
            f"{b['index']}: built in {b['build_seconds']:.1f} s, {b['bytes'] / 1e6:.0f} MB"
            for b in built) + "):", flush=True)
        after = []
        for key in keys:
            profile, case = _case(profiles, today, dict(zip(
                ("profile", "query", "days"), key, strict=True)))
            line = f"    {key[0]} {key[1]} {_range_label(key[2])}:"
            for mode in MODES:
                cell = time_case(engines[mode], profile, case, repeat, warmup, mode, budget_s)
                old = before[(*key, mode)]
                after.append({"profile": key[0], "query": key[1], "days": key[2],
                              "mode": mode, "p50_ms_before": old["p50_ms"],
                              "p95_ms_before": old["p95_ms"], "p50_ms": cell["p50_ms"],
                              "p95_ms": cell["p95_ms"], "min_ms": cell["min_ms"],
                              "runs": cell["runs"]})
                line += (f"  {mode} p50 {old['p50_ms']:.0f} -> {cell['p50_ms']:.0f} ms, "
                         f"p95 {old['p95_ms']:.0f} -> {cell['p95_ms']:.0f} ms")
            print(line, flush=True)
            explained = explain_case(engines["custom"], profile, case, keep=1, generic=False)
            top = explained["slowest"][0] if explained["slowest"] else None
            after[-1]["server_ms_custom"] = explained["statements_total_ms"]
            after[-1]["slowest_custom"] = top["summary"] if top else ""
            print(f"      server {explained['statements_total_ms']:.0f} ms; slowest statement: "
                  f"{top['summary'] if top else '-'}", flush=True)
        warm = [aggregate_once(engines["custom"], busy_day)[0] for _ in range(AGG_WARM)]
        series = aggregate_app_series(engines["app"], busy_day, AGG_APP_RUNS)
        print(f"    aggregate_day({busy_day}) warm {_median(warm):.0f} ms (custom), app-mode "
              f"series {', '.join(f'{x:.0f}' for x in series)} ms", flush=True)
        return {"index": label, "built": built, "queries": after,
                "aggregate_warm_ms": round(_median(warm), 1),
                "aggregate_app_series_ms": [round(x, 1) for x in series],
                "aggregate_app_steady_ms": round(_median(series[-AGG_WARM:]), 1),
                "load_average": _load()}

    with psycopg.connect(uri) as conn:
        existing = {_index_shape(r[0]) for r in conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'").fetchall()}
    candidates, skipped = [], []
    for label, ddl in WHATIF_INDEXES:
        (skipped if _index_shape(ddl) in existing else candidates).append((label, ddl))
    for label, _ in skipped:
        print(f"  what-if: {label} is already in the schema, skipped", flush=True)
    steps = []
    for label, ddl in candidates:
        name, seconds, size = build(ddl)
        try:
            steps.append(measure_step(f"+ {label} alone", [
                {"index": label, "ddl": ddl, "build_seconds": seconds, "bytes": size}]))
        finally:
            drop([name])
    if len(candidates) > 1:
        built, names = [], []
        try:
            for label, ddl in candidates:
                name, seconds, size = build(ddl)
                names.append(name)
                built.append({"index": label, "ddl": ddl, "build_seconds": seconds,
                              "bytes": size})
            steps.append(measure_step("+ all of them", built))
        finally:
            drop(names)
    return {"mode": "each alone, then all together", "queries": [list(k) for k in keys],
            "skipped_already_in_schema": [label for label, _ in skipped], "steps": steps}


def write_results(result: dict[str, Any], path: Path, key: str = "analytics") -> None:
    """Sets `key` of the JSON file at `path`, keeping its other keys (read, modify, write)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    data[key] = result
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m chronos_app.evaluation.bench_analytics",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=None,
                        help="EVENTS,SESSIONS (default: BENCH_ANALYTICS_EVENTS, "
                             "BENCH_ANALYTICS_SESSIONS)")
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "bench-results.json")
    args = parser.parse_args(argv)
    result = run(args.sizes)
    write_results(result, args.output)
    print(f"Wrote the \"analytics\" figures to {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

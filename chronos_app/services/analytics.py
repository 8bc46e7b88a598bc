"""The creator's analytics dashboard and usage page.

Only a school's creator reads these, and only about their own school: every function takes the
actor and uses `actor.creator_id`; anyone without a school gets `Forbidden`, and a video or
course of another school is `NotFound` (its existence is not revealed).

Periods are inclusive UTC days, at most `MAX_DAYS` long, and each period comes with the
previous period of equal length (the days just before it) for comparison.

Where the numbers come from:
- per-day sums (views, watch time, completion, AI interactions, AI questions, daily active
  students, daily unique viewers) from the rollup tables `video_analytics` and `usage_metrics`
  (`pipeline.aggregate`; today's numbers are as fresh as its last run, minutes old);
- distinct counts over several days (unique viewers of a period or of a video, WAU, MAU,
  active students of the month), new students, likes and comments, the retention curve, the
  heatmap, course drop-off and the top questions from the raw rows, since a sum of daily
  distinct counts is not a distinct count.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import unicodedata
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from chronos_app.core.errors import Forbidden, InvalidInput, NotFound
from chronos_app.core.plans import plan_for
from chronos_app.models import Chapter, Course, Creator, Video
from chronos_app.models.base import utcnow
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.analytics import (
    ChapterMarker,
    DayPoint,
    DropoffRow,
    HeatCell,
    Metric,
    Overview,
    QuestionRow,
    Retention,
    RetentionPoint,
    TablePage,
    UsageItem,
    UsageView,
    VideoStatsRow,
)

__all__ = [
    "MAX_DAYS", "SORT_COLUMNS", "course_dropoff", "csv_export", "heatmap", "last_days",
    "normalize_question", "overview", "period", "retention", "timeseries", "top_questions",
    "top_videos", "usage", "warning_level",
]

MAX_DAYS = 366
MAX_PER_PAGE = 100
MAX_BUCKETS = 200
NOT_CREATOR = "Analytics are available to the school's creator."
VIDEO_NOT_FOUND = "That video does not exist."
COURSE_NOT_FOUND = "That course does not exist."

# sort key -> SQL column of the top-videos table
SORT_COLUMNS: dict[str, str] = {
    "title": "lower(t.title)", "views": "t.views", "previous_views": "t.previous_views",
    "unique_viewers": "t.unique_viewers", "watch_minutes": "t.watch_minutes",
    "avg_completion_pct": "t.avg_completion_pct", "likes": "t.likes", "comments": "t.comments",
    "ai_interactions": "t.ai_interactions",
}

WARNING_LEVELS = ("", "warning", "critical", "over")


# --- pure helpers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    start: date
    end: date
    previous_start: date
    previous_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _as_date(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.astimezone(UTC).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        raise InvalidInput(f"The {name} date must look like 2026-01-31.", field=name) from None


def period(start: date | str, end: date | str) -> Period:
    """The inclusive period and the one of equal length just before it."""
    start, end = _as_date(start, "start"), _as_date(end, "end")
    if end < start:
        raise InvalidInput("The period ends before it starts.", field="end")
    days = (end - start).days + 1
    if days > MAX_DAYS:
        raise InvalidInput(f"Choose a period of at most {MAX_DAYS} days (this one has {days}).",
                           field="start")
    previous_end = start - timedelta(days=1)
    return Period(start, end, previous_end - timedelta(days=days - 1), previous_end)


def last_days(days: int = 28, today: date | None = None) -> tuple[date, date]:
    """(start, end) of the `days` UTC days ending today."""
    today = today or utcnow().date()
    return today - timedelta(days=max(1, min(days, MAX_DAYS)) - 1), today


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end + 1 day 00:00) in UTC."""
    return (datetime.combine(start, time(0), UTC),
            datetime.combine(end + timedelta(days=1), time(0), UTC))


def change_pct(value: float, previous: float) -> float | None:
    if not previous:
        return None
    return round((value - previous) / previous * 100, 1)


def _metric(key: str, label: str, value: float, previous: float) -> Metric:
    return Metric(key=key, label=label, value=value, previous=previous,
                  change_pct=change_pct(value, previous))


def warning_level(used: float, limit: float) -> str:
    """"" below 75 % of the limit, "warning" from 75 %, "critical" from 90 %, "over" from
    100 %. A limit of 0 or less means unlimited."""
    if limit <= 0:
        return ""
    ratio = used / limit
    if ratio >= 1:
        return "over"
    if ratio >= 0.9:
        return "critical"
    if ratio >= 0.75:
        return "warning"
    return ""


def normalize_question(question: str) -> str:
    """Case-folded, apostrophes dropped, other punctuation and symbols made spaces, spaces
    collapsed: "What's a tensor?" and "whats a  TENSOR" are the same question."""
    folded = unicodedata.normalize("NFKC", question or "").casefold()
    out = []
    for ch in folded:
        if ch in "'’`´":
            continue
        category = unicodedata.category(ch)
        out.append(" " if category[0] in "PSZC" else ch)
    return " ".join("".join(out).split())


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}" if math.isfinite(value) else ""
    text_ = str(value)
    # A spreadsheet would run a cell starting like a formula: keep user text as text.
    if text_.startswith(_FORMULA_START):
        return "'" + text_
    return text_


def csv_export(rows: Sequence[Any], columns: Sequence[str | tuple[str, str]]) -> str:
    """CSV of dataclass (or mapping) rows. `columns` are field names or (field, header)
    pairs, in order. Text that a spreadsheet would read as a formula is prefixed with '."""
    spec = [(c, c) if isinstance(c, str) else (c[0], c[1]) for c in columns]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([header for _, header in spec])
    for row in rows:
        if isinstance(row, Mapping):
            values = [row.get(field) for field, _ in spec]
        elif dataclasses.is_dataclass(row):
            values = [getattr(row, field, None) for field, _ in spec]
        else:
            raise TypeError(f"csv_export takes dataclasses or mappings, not {type(row).__name__}")
        writer.writerow([_cell(v) for v in values])
    return out.getvalue()


# --- access -------------------------------------------------------------------------------------

def _creator_id(session: Session, actor: Actor | None) -> uuid.UUID:
    if actor is None or actor.creator_id is None:
        raise Forbidden(NOT_CREATOR)
    if session.get(Creator, actor.creator_id) is None:
        raise Forbidden(NOT_CREATOR)
    return actor.creator_id


def _parse_id(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _own_video(session: Session, creator_id: uuid.UUID, video_id: Any) -> Video:
    vid = _parse_id(video_id)
    video = session.get(Video, vid) if vid is not None else None
    if video is None or video.is_deleted or video.creator_id != creator_id:
        raise NotFound(VIDEO_NOT_FOUND)
    return video


def _own_course(session: Session, creator_id: uuid.UUID, course_id: Any) -> Course:
    cid = _parse_id(course_id)
    course = session.get(Course, cid) if cid is not None else None
    if course is None or course.is_deleted or course.creator_id != creator_id:
        raise NotFound(COURSE_NOT_FOUND)
    return course


# --- shared queries -----------------------------------------------------------------------------

_ACTIVE_STUDENTS_SQL = """
    SELECT count(*) FROM (
        SELECT s.student_id
          FROM video_watch_sessions s JOIN videos v ON v.id = s.video_id
         WHERE v.creator_id = :creator AND s.session_start >= :a AND s.session_start < :b
        UNION
        SELECT cs.student_id
          FROM chat_messages m JOIN chat_sessions cs ON cs.id = m.session_id
         WHERE cs.creator_id = :creator AND m.role = 'user'
           AND m.created_at >= :a AND m.created_at < :b) AS active
"""


def _active_students(session: Session, creator_id: uuid.UUID, start: date, end: date) -> int:
    """Distinct students who watched or asked the tutor in [start, end] (raw rows)."""
    a, b = _bounds(start, end)
    return int(session.execute(text(_ACTIVE_STUDENTS_SQL),
                               {"creator": creator_id, "a": a, "b": b}).scalar_one())


def _unique_viewers(session: Session, creator_id: uuid.UUID, start: date, end: date) -> int:
    a, b = _bounds(start, end)
    return int(session.execute(text("""
        SELECT count(DISTINCT s.student_id)
          FROM video_watch_sessions s JOIN videos v ON v.id = s.video_id
         WHERE v.creator_id = :creator AND s.session_start >= :a AND s.session_start < :b"""),
        {"creator": creator_id, "a": a, "b": b}).scalar_one())


def _video_totals(session: Session, creator_id: uuid.UUID, start: date,
                  end: date) -> tuple[int, int, float]:
    """(views, watch seconds, completed sessions) of the period from `video_analytics`."""
    row = session.execute(text("""
        SELECT COALESCE(sum(va.views), 0) AS views,
               COALESCE(sum(va.total_watch_time_seconds), 0) AS watch,
               COALESCE(sum(va.completion_rate * va.views / 100.0), 0) AS completed
          FROM video_analytics va JOIN videos v ON v.id = va.video_id
         WHERE v.creator_id = :creator AND va.date BETWEEN :s AND :e"""),
        {"creator": creator_id, "s": start, "e": end}).one()
    return int(row.views), int(row.watch), float(row.completed)


def _usage_totals(session: Session, creator_id: uuid.UUID, start: date,
                  end: date) -> tuple[int, int]:
    """(sum of daily active students, questions asked) of the period from `usage_metrics`."""
    row = session.execute(text("""
        SELECT COALESCE(sum(active_students), 0) AS active,
               COALESCE(sum(chat_messages_sent), 0) AS asked
          FROM usage_metrics
         WHERE creator_id = :creator AND date BETWEEN :s AND :e"""),
        {"creator": creator_id, "s": start, "e": end}).one()
    return int(row.active), int(row.asked)


def _new_students(session: Session, creator_id: uuid.UUID, start: date, end: date) -> int:
    a, b = _bounds(start, end)
    return int(session.execute(text("""
        SELECT count(*) FROM students
         WHERE creator_id = :creator AND created_at >= :a AND created_at < :b"""),
        {"creator": creator_id, "a": a, "b": b}).scalar_one())


# --- overview and timeseries --------------------------------------------------------------------

def overview(*, session: Session, actor: Actor, start: date | str,
             end: date | str) -> Overview:
    """The period's headline numbers, each with the previous period's and the change."""
    creator_id = _creator_id(session, actor)
    p = period(start, end)
    per: dict[str, dict[str, float]] = {}
    for name, (s, e) in (("cur", (p.start, p.end)), ("prev", (p.previous_start, p.previous_end))):
        views, watch, completed = _video_totals(session, creator_id, s, e)
        active_days, asked = _usage_totals(session, creator_id, s, e)
        per[name] = {
            "views": views,
            "unique_viewers": _unique_viewers(session, creator_id, s, e),
            "watch_minutes": round(watch / 60, 1),
            "avg_completion_pct": round(completed / views * 100, 1) if views else 0.0,
            "dau": round(active_days / p.days, 2),
            "wau": _active_students(session, creator_id, e - timedelta(days=6), e),
            "mau": _active_students(session, creator_id, e - timedelta(days=29), e),
            "new_students": _new_students(session, creator_id, s, e),
            "ai_questions": asked,
        }
    labels = {"views": "Views", "unique_viewers": "Unique viewers",
              "watch_minutes": "Watch time (min)", "avg_completion_pct": "Avg. completion %",
              "dau": "Daily active students", "wau": "Weekly active students",
              "mau": "Monthly active students", "new_students": "New students",
              "ai_questions": "AI questions"}
    metrics = {k: _metric(k, labels[k], per["cur"][k], per["prev"][k]) for k in labels}
    return Overview(start=p.start.isoformat(), end=p.end.isoformat(),
                    previous_start=p.previous_start.isoformat(),
                    previous_end=p.previous_end.isoformat(), days=p.days, **metrics)


def timeseries(*, session: Session, actor: Actor, start: date | str,
               end: date | str) -> list[DayPoint]:
    """Every day of the period (zeros where nothing happened), each beside the day at the same
    offset of the previous period. From the rollup tables."""
    creator_id = _creator_id(session, actor)
    p = period(start, end)
    params = {"creator": creator_id, "s": p.previous_start, "e": p.end}
    videos = {r.date: r for r in session.execute(text("""
        SELECT va.date, sum(va.views) AS views, sum(va.total_watch_time_seconds) AS watch
          FROM video_analytics va JOIN videos v ON v.id = va.video_id
         WHERE v.creator_id = :creator AND va.date BETWEEN :s AND :e
         GROUP BY va.date"""), params)}
    usage = {r.date: r for r in session.execute(text("""
        SELECT date, active_students, chat_messages_sent,
               CASE WHEN jsonb_typeof(metadata -> 'unique_viewers') = 'number'
                    THEN (metadata ->> 'unique_viewers')::numeric::int ELSE 0 END AS viewers
          FROM usage_metrics
         WHERE creator_id = :creator AND date BETWEEN :s AND :e"""), params)}

    def numbers(day: date) -> tuple[int, int, float, int, int]:
        v, u = videos.get(day), usage.get(day)
        return (int(v.views) if v else 0, int(u.viewers) if u else 0,
                round(int(v.watch) / 60, 1) if v else 0.0,
                int(u.chat_messages_sent) if u else 0, int(u.active_students) if u else 0)

    points = []
    for offset in range(p.days):
        day, before = p.start + timedelta(days=offset), p.previous_start + timedelta(days=offset)
        views, viewers, minutes, asked, active = numbers(day)
        pv, pu, pm, pa, pact = numbers(before)
        points.append(DayPoint(
            date=day.isoformat(), views=views, unique_viewers=viewers, watch_minutes=minutes,
            ai_questions=asked, active_students=active, previous_date=before.isoformat(),
            previous_views=pv, previous_unique_viewers=pu, previous_watch_minutes=pm,
            previous_ai_questions=pa, previous_active_students=pact))
    return points


# --- the videos table ---------------------------------------------------------------------------

_TOP_VIDEOS_SQL = """
WITH vids AS (
    SELECT id, title FROM videos WHERE creator_id = :creator AND is_deleted = FALSE),
va AS (
    SELECT va.video_id,
           sum(va.views) FILTER (WHERE va.date >= :s) AS views,
           sum(va.views) FILTER (WHERE va.date < :s) AS previous_views,
           sum(va.total_watch_time_seconds) FILTER (WHERE va.date >= :s) AS watch,
           sum(va.completion_rate * va.views) FILTER (WHERE va.date >= :s) AS completion,
           sum(va.ai_interactions) FILTER (WHERE va.date >= :s) AS ai
      FROM video_analytics va JOIN vids ON vids.id = va.video_id
     WHERE va.date BETWEEN :ps AND :e
     GROUP BY va.video_id),
uv AS (
    SELECT s.video_id, count(DISTINCT s.student_id) AS n
      FROM video_watch_sessions s JOIN vids ON vids.id = s.video_id
     WHERE s.session_start >= :a AND s.session_start < :b
     GROUP BY s.video_id),
lk AS (
    SELECT l.video_id, count(*) AS n
      FROM likes l JOIN vids ON vids.id = l.video_id
     WHERE l.created_at >= :a AND l.created_at < :b
     GROUP BY l.video_id),
cm AS (
    SELECT c.video_id, count(*) AS n
      FROM comments c JOIN vids ON vids.id = c.video_id
     WHERE c.is_deleted = FALSE AND c.created_at >= :a AND c.created_at < :b
     GROUP BY c.video_id),
t AS (
    SELECT vids.id AS video_id, vids.title,
           COALESCE(va.views, 0) AS views,
           COALESCE(va.previous_views, 0) AS previous_views,
           COALESCE(uv.n, 0) AS unique_viewers,
           round(COALESCE(va.watch, 0) / 60.0, 1) AS watch_minutes,
           CASE WHEN COALESCE(va.views, 0) > 0
                THEN round(va.completion / va.views, 1) ELSE 0 END AS avg_completion_pct,
           COALESCE(lk.n, 0) AS likes,
           COALESCE(cm.n, 0) AS comments,
           COALESCE(va.ai, 0) AS ai_interactions
      FROM vids
      LEFT JOIN va ON va.video_id = vids.id
      LEFT JOIN uv ON uv.video_id = vids.id
      LEFT JOIN lk ON lk.video_id = vids.id
      LEFT JOIN cm ON cm.video_id = vids.id)
SELECT t.* FROM t
 ORDER BY {order} {direction}, lower(t.title), t.video_id
 LIMIT :limit OFFSET :offset
"""


def top_videos(*, session: Session, actor: Actor, start: date | str, end: date | str,
               sort: str = "views", desc: bool = True, page: int = 1,
               per_page: int = 10) -> TablePage:
    """The school's videos (not deleted) with the period's numbers, sorted by any column and
    paginated. A page past the end shows the last page."""
    creator_id = _creator_id(session, actor)
    p = period(start, end)
    if sort not in SORT_COLUMNS:
        raise InvalidInput(f"Sort by one of: {', '.join(SORT_COLUMNS)}.", field="sort")
    per_page = max(1, min(int(per_page or 10), MAX_PER_PAGE))
    total = int(session.execute(text(
        "SELECT count(*) FROM videos WHERE creator_id = :creator AND is_deleted = FALSE"),
        {"creator": creator_id}).scalar_one())
    pages = max(1, math.ceil(total / per_page))
    page = max(1, min(int(page or 1), pages))
    a, b = _bounds(p.start, p.end)
    sql = _TOP_VIDEOS_SQL.format(order=SORT_COLUMNS[sort], direction="DESC" if desc else "ASC")
    rows = session.execute(text(sql), {
        "creator": creator_id, "s": p.start, "ps": p.previous_start, "e": p.end, "a": a, "b": b,
        "limit": per_page, "offset": (page - 1) * per_page}).all()
    return TablePage(
        rows=[VideoStatsRow(
            video_id=str(r.video_id), title=r.title, views=int(r.views),
            previous_views=int(r.previous_views), unique_viewers=int(r.unique_viewers),
            watch_minutes=float(r.watch_minutes), avg_completion_pct=float(r.avg_completion_pct),
            likes=int(r.likes), comments=int(r.comments), ai_interactions=int(r.ai_interactions))
            for r in rows],
        total=total, page=page, per_page=per_page, pages=pages if total else 0, sort=sort,
        desc=bool(desc))


# --- one video: audience retention --------------------------------------------------------------

_RETENTION_SQL = """
WITH pts AS (
    SELECT i, i * CAST(:duration AS float8) / :buckets AS t
      FROM generate_series(0, :buckets) AS i),
sess AS (
    SELECT s.id, s.metadata -> 'watched' AS watched
      FROM video_watch_sessions s
     WHERE s.video_id = :video
       AND (CAST(:a AS timestamptz) IS NULL OR s.session_start >= CAST(:a AS timestamptz))
       AND (CAST(:b AS timestamptz) IS NULL OR s.session_start < CAST(:b AS timestamptz))),
iv AS (
    SELECT sess.id, (w.value ->> 0)::float8 AS a, (w.value ->> 1)::float8 AS b
      FROM sess
     CROSS JOIN LATERAL jsonb_array_elements(
           CASE WHEN jsonb_typeof(sess.watched) = 'array' THEN sess.watched
                ELSE '[]'::jsonb END) AS w
     WHERE jsonb_typeof(w.value) = 'array'
       AND jsonb_typeof(w.value -> 0) = 'number' AND jsonb_typeof(w.value -> 1) = 'number')
SELECT pts.i AS point, pts.t AS moment, count(DISTINCT iv.id) AS covered,
       (SELECT count(*) FROM sess) AS sessions
  FROM pts LEFT JOIN iv ON iv.a <= pts.t + 1e-6 AND pts.t <= iv.b + 1e-6
 GROUP BY pts.i, pts.t
 ORDER BY pts.i
"""


def retention(*, session: Session, actor: Actor, video_id: uuid.UUID | str, buckets: int = 50,
              start: date | str | None = None, end: date | str | None = None) -> Retention:
    """The audience-retention curve: at each of `buckets` + 1 points from 0 to 100 % of the
    video, the share of its watch sessions whose watched intervals (`metadata.watched`, both
    ends included) cover that moment; plus the chapters as markers. All sessions, or those
    started in [start, end]."""
    creator_id = _creator_id(session, actor)
    video = _own_video(session, creator_id, video_id)
    buckets = max(1, min(int(buckets or 50), MAX_BUCKETS))
    duration = float(video.duration_seconds or 0)
    a = b = None
    if start is not None or end is not None:
        p = period(start or end, end or start)
        a, b = _bounds(p.start, p.end)
    chapters = session.exec(select(Chapter).where(Chapter.video_id == video.id)
                            .order_by(Chapter.chapter_order, Chapter.start_time_seconds)).all()
    result = Retention(video_id=str(video.id), title=video.title, duration_seconds=duration)
    if duration > 0:
        result.chapters = [ChapterMarker(
            start_pct=round(min(100.0, float(c.start_time_seconds) / duration * 100), 2),
            start_seconds=float(c.start_time_seconds), title=c.title) for c in chapters]
        rows = session.execute(text(_RETENTION_SQL), {
            "duration": duration, "buckets": buckets, "video": video.id, "a": a, "b": b}).all()
        result.sessions = int(rows[0].sessions) if rows else 0
        result.points = [RetentionPoint(
            percent=round(r.point * 100 / buckets, 2), second=round(float(r.moment), 3),
            share=round(r.covered / result.sessions, 4) if result.sessions else 0.0)
            for r in rows]
    return result


# --- one course: drop-off per lesson ------------------------------------------------------------

_DROPOFF_SQL = """
WITH lessons AS (
    SELECT row_number() OVER (ORDER BY m.display_order, m.created_at, m.id,
                                       l.lesson_order, l.id) AS pos,
           l.id AS lesson_id, l.video_id, m.title AS module_title,
           COALESCE(NULLIF(l.title, ''), v.title) AS title
      FROM module_lessons l
      JOIN course_modules m ON m.id = l.module_id
      JOIN videos v ON v.id = l.video_id
     WHERE m.course_id = :course AND v.creator_id = :creator),
per AS (
    SELECT s.student_id, s.video_id, bool_or(s.completed) AS completed
      FROM video_watch_sessions s
      JOIN students st ON st.id = s.student_id AND st.creator_id = :creator
     WHERE s.video_id IN (SELECT video_id FROM lessons)
     GROUP BY s.student_id, s.video_id),
reach AS (
    SELECT per.student_id, max(lessons.pos) AS furthest
      FROM per JOIN lessons ON lessons.video_id = per.video_id
     GROUP BY per.student_id)
SELECT lessons.pos, lessons.lesson_id, lessons.video_id, lessons.module_title, lessons.title,
       count(DISTINCT per.student_id) AS started,
       count(DISTINCT per.student_id) FILTER (WHERE per.completed) AS completed,
       (SELECT count(*) FROM reach WHERE reach.furthest = lessons.pos) AS stopped,
       (SELECT count(*) FROM reach) AS starters
  FROM lessons LEFT JOIN per ON per.video_id = lessons.video_id
 GROUP BY lessons.pos, lessons.lesson_id, lessons.video_id, lessons.module_title, lessons.title
 ORDER BY lessons.pos
"""


def course_dropoff(*, session: Session, actor: Actor,
                   course_id: uuid.UUID | str) -> list[DropoffRow]:
    """Per lesson in course order: students who started it (a watch session of its video),
    completed it, and stopped there (started the course, never started a later lesson)."""
    creator_id = _creator_id(session, actor)
    course = _own_course(session, creator_id, course_id)
    rows = session.execute(text(_DROPOFF_SQL), {"course": course.id, "creator": creator_id}).all()
    return [DropoffRow(
        position=int(r.pos), lesson_id=str(r.lesson_id), video_id=str(r.video_id),
        module_title=r.module_title or "", title=r.title or "", started=int(r.started),
        completed=int(r.completed), stopped=int(r.stopped),
        stopped_pct=round(r.stopped / r.starters * 100, 1) if r.starters else 0.0,
        completion_pct=round(r.completed / r.started * 100, 1) if r.started else 0.0)
        for r in rows]


# --- when students watch ------------------------------------------------------------------------

def heatmap(*, session: Session, actor: Actor, start: date | str,
            end: date | str) -> list[HeatCell]:
    """Watch sessions started per weekday (0 = Monday) and hour (UTC): all 7 × 24 cells."""
    creator_id = _creator_id(session, actor)
    p = period(start, end)
    a, b = _bounds(p.start, p.end)
    counts = {(int(r.wd), int(r.h)): int(r.n) for r in session.execute(text("""
        SELECT (extract(isodow FROM s.session_start AT TIME ZONE 'UTC'))::int - 1 AS wd,
               (extract(hour FROM s.session_start AT TIME ZONE 'UTC'))::int AS h,
               count(*) AS n
          FROM video_watch_sessions s JOIN videos v ON v.id = s.video_id
         WHERE v.creator_id = :creator AND s.session_start >= :a AND s.session_start < :b
         GROUP BY 1, 2"""), {"creator": creator_id, "a": a, "b": b})}
    return [HeatCell(weekday=d, hour=h, sessions=counts.get((d, h), 0))
            for d in range(7) for h in range(24)]


# --- what students ask --------------------------------------------------------------------------

def top_questions(*, session: Session, actor: Actor, start: date | str, end: date | str,
                  limit: int = 10) -> list[QuestionRow]:
    """The most asked tutor questions of the period, grouped by `normalize_question`."""
    creator_id = _creator_id(session, actor)
    p = period(start, end)
    a, b = _bounds(p.start, p.end)
    limit = max(1, min(int(limit or 10), 100))
    # Exact (case-insensitive) duplicates are grouped in SQL, the rest of the normalising here.
    rows = session.execute(text("""
        SELECT lower(btrim(m.content)) AS q, count(*) AS n, max(m.created_at) AS last,
               (array_agg(m.content ORDER BY m.created_at DESC))[1] AS latest
          FROM chat_messages m JOIN chat_sessions cs ON cs.id = m.session_id
         WHERE cs.creator_id = :creator AND m.role = 'user'
           AND m.created_at >= :a AND m.created_at < :b AND btrim(m.content) <> ''
         GROUP BY 1"""), {"creator": creator_id, "a": a, "b": b}).all()
    groups: dict[str, dict[str, Any]] = {}
    for r in rows:
        key = normalize_question(r.q)
        if not key:
            continue
        g = groups.setdefault(key, {"count": 0, "last": r.last, "best": None})
        g["count"] += int(r.n)
        g["last"] = max(g["last"], r.last)
        if g["best"] is None or (r.n, r.last) > (g["best"].n, g["best"].last):
            g["best"] = r
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1]["count"], -kv[1]["last"].timestamp(),
                                                     kv[0]))
    return [QuestionRow(question=" ".join(g["best"].latest.split()), normalized=key,
                        count=g["count"], last_asked=_iso(g["last"]))
            for key, g in ranked[:limit]]


def _iso(value: datetime) -> str:
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


# --- usage against the plan ---------------------------------------------------------------------

def _month_bounds(today: date) -> tuple[date, date]:
    start = today.replace(day=1)
    renew = date(start.year + 1, 1, 1) if start.month == 12 else start.replace(
        month=start.month + 1)
    return start, renew


_USAGE_LABELS = {
    "storage_bytes": ("Storage", "bytes", False),
    "videos": ("Videos", "videos", False),
    "transcription_minutes": ("Transcription this month", "minutes", True),
    "ai_credits": ("AI credits this month", "credits", True),
    "chat_messages": ("Tutor questions this month", "messages", True),
    "active_students": ("Active students this month", "students", True),
}


def usage(*, session: Session, actor: Actor, now: datetime | None = None) -> UsageView:
    """The school's use of its plan: storage and videos now; transcription minutes, AI
    credits, tutor questions and active students in the calendar month (UTC), each against the
    plan's limit (`core.plans`), with a warning level."""
    creator_id = _creator_id(session, actor)
    creator = session.get(Creator, creator_id)
    plan = plan_for(creator.subscription_tier)
    now = now or utcnow()
    today = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC).date()
    month_start, renew = _month_bounds(today)
    library = session.execute(text("""
        SELECT COALESCE(sum(file_size_bytes), 0) AS bytes, count(*) AS videos
          FROM videos WHERE creator_id = :creator AND is_deleted = FALSE"""),
        {"creator": creator_id}).one()
    month = session.execute(text("""
        SELECT COALESCE(sum(transcription_minutes), 0) AS minutes,
               COALESCE(sum(ai_credits_used), 0) AS credits,
               COALESCE(sum(chat_messages_sent), 0) AS messages
          FROM usage_metrics
         WHERE creator_id = :creator AND date >= :s AND date < :e"""),
        {"creator": creator_id, "s": month_start, "e": renew}).one()
    used = {
        "storage_bytes": int(library.bytes), "videos": int(library.videos),
        "transcription_minutes": int(month.minutes), "ai_credits": int(month.credits),
        "chat_messages": int(month.messages),
        "active_students": _active_students(session, creator_id, month_start,
                                            renew - timedelta(days=1)),
    }
    items = []
    for key, (label, unit, monthly) in _USAGE_LABELS.items():
        limit = plan.limit(key)
        items.append(UsageItem(
            key=key, label=label, used=used[key], limit=limit,
            percent=round(used[key] / limit * 100, 1) if limit > 0 else 0.0,
            warning=warning_level(used[key], limit), unit=unit, monthly=monthly))
    worst = max((WARNING_LEVELS.index(i.warning) for i in items), default=0)
    return UsageView(tier=plan.tier, plan_label=plan.label, month_start=month_start.isoformat(),
                     renews_on=renew.isoformat(), items=items, warning=WARNING_LEVELS[worst])

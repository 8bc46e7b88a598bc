"""Creator analytics on the real Postgres: the daily rollup from hand-built sessions and chats
with known numbers, its idempotence, the dashboard queries, usage warnings, isolation between
schools, and the rollup as a queue job run by a worker."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from chronos_app.core.errors import Forbidden, InvalidInput, NotFound
from chronos_app.core.plans import PLANS, USAGE_LIMITS
from chronos_app.models import (
    Chapter,
    ChatMessage,
    ChatSession,
    Comment,
    Course,
    CourseModule,
    Like,
    ModuleLesson,
    UsageMetrics,
    Video,
    VideoWatchSession,
)
from chronos_app.pipeline import aggregate, queue
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.analytics import HeatCell, QuestionRow
from chronos_app.services import analytics
from tests.factories import make_creator, make_student, make_user, make_video

D = date(2030, 3, 11)  # a day no other test touches


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def sid(student: Actor, creator: Actor) -> uuid.UUID:
    return student.student_of[creator.creator_id]


def watch(session: Session, video: Video, student_id: uuid.UUID, start: datetime, *,
          seconds: int = 0, percent: int = 0, watched: list | None = None) -> VideoWatchSession:
    row = VideoWatchSession(video_id=video.id, student_id=student_id, session_start=start,
                            session_end=start + timedelta(seconds=seconds),
                            watch_time_seconds=seconds, percent_complete=percent,
                            meta={"watched": watched if watched is not None else []})
    session.add(row)
    session.flush()
    return row


def chat(session: Session, creator: Actor, student_id: uuid.UUID) -> ChatSession:
    row = ChatSession(student_id=student_id, creator_id=creator.creator_id)
    session.add(row)
    session.flush()
    return row


def say(session: Session, conversation: ChatSession, role: str, content: str, when: datetime,
        cites: list[Video] | None = None) -> ChatMessage:
    refs = [{"video_id": str(v.id), "chunk_id": str(uuid.uuid4()), "start_seconds": 0.0,
             "end_seconds": 5.0, "score": 0.9} for v in cites or []]
    message = ChatMessage(session_id=conversation.id, role=role, content=content,
                          video_references=refs, created_at=when)
    conversation.last_message_at = when
    session.add_all([message, conversation])
    session.flush()
    return message


def va_rows(session: Session, videos: list[Video], day: date = D) -> dict[uuid.UUID, tuple]:
    rows = session.execute(text("""
        SELECT video_id, views, unique_viewers, total_watch_time_seconds,
               average_watch_time_seconds, completion_rate::float8, ai_interactions
          FROM video_analytics WHERE date = :d AND video_id = ANY(:ids)"""),
        {"d": day, "ids": [v.id for v in videos]}).all()
    return {r.video_id: tuple(r)[1:] for r in rows}


def usage_row(session: Session, creator: Actor, day: date = D):
    return session.execute(text("""
        SELECT chat_messages_sent, active_students, videos_uploaded, storage_used_bytes,
               transcription_minutes, ai_credits_used, metadata
          FROM usage_metrics WHERE creator_id = :c AND date = :d"""),
        {"c": creator.creator_id, "d": day}).first()


@pytest.fixture
def school(session: Session):
    """School A: two videos, three students, sessions and chats on day D (and around it);
    school B: one video, one student, activity on day D too."""
    a = make_creator(session)
    v1 = make_video(session, a, title="Tensors", duration_seconds=600)
    v2 = make_video(session, a, title="Gradients", youtube_video_id="aaaaaaaaaaa",
                    embed_id="aaaaaaaaaaa", duration_seconds=300)
    s1, s2, s3 = (make_student(session, a) for _ in range(3))
    b = make_creator(session)
    vb = make_video(session, b, title="B's video", youtube_video_id="bbbbbbbbbbb",
                    embed_id="bbbbbbbbbbb")
    sb = make_student(session, b)

    # v1: three sessions that day by two students, one completed; v2: one by a third student.
    watch(session, v1, sid(s1, a), at(D, 9), seconds=300, percent=50)
    watch(session, v1, sid(s1, a), at(D, 15), seconds=600, percent=100)
    watch(session, v1, sid(s2, a), at(D, 23, 59), seconds=120, percent=20)
    watch(session, v2, sid(s3, a), at(D, 10), seconds=60, percent=10)
    # not that day (UTC)
    watch(session, v1, sid(s3, a), at(D + timedelta(days=1), 0), seconds=30, percent=5)
    watch(session, v1, sid(s3, a), at(D, 0) - timedelta(seconds=1), seconds=30, percent=5)
    # school B
    watch(session, vb, sid(sb, b), at(D, 11), seconds=40, percent=7)

    c1 = chat(session, a, sid(s1, a))
    say(session, c1, "user", "What is a tensor?", at(D, 10))
    say(session, c1, "assistant", "A tensor is [1][2][3].", at(D, 10, 1), cites=[v1, v1, v2])
    say(session, c1, "user", "what is a TENSOR", at(D, 11))
    say(session, c1, "assistant", "See [1].", at(D, 11, 1), cites=[v1])
    c3 = chat(session, a, sid(s3, a))
    say(session, c3, "user", "Earlier question", at(D - timedelta(days=1), 10))
    # a citation of another school's video does not count for it
    say(session, c3, "assistant", "Odd [1].", at(D, 12), cites=[vb])
    cb = chat(session, b, sid(sb, b))
    say(session, cb, "user", "B's question", at(D, 12))

    # what the pipeline counted live that day (kept), and a wrong live question count
    session.add(UsageMetrics(creator_id=a.creator_id, date=D, videos_uploaded=2,
                             storage_used_bytes=1000, transcription_minutes=7,
                             ai_credits_used=321, chat_messages_sent=99))
    session.flush()
    return {"a": a, "b": b, "v1": v1, "v2": v2, "vb": vb, "s1": s1, "s2": s2, "s3": s3,
            "sb": sb}


# --- the rollup ---------------------------------------------------------------------------------

def test_aggregate_day_recomputes_video_and_usage_rows(session, school):
    result = aggregate.aggregate_day(session, D)
    assert result.videos >= 3 and result.creators >= 2
    v1, v2, vb = school["v1"], school["v2"], school["vb"]
    rows = va_rows(session, [v1, v2, vb])
    # views, unique viewers, total and average watch time, completion %, AI interactions
    assert rows[v1.id] == (3, 2, 1020, 340, 33.33, 2)
    assert rows[v2.id] == (1, 1, 60, 60, 0.0, 1)
    assert rows[vb.id] == (1, 1, 40, 40, 0.0, 0)  # A's answer citing it does not count

    a = usage_row(session, school["a"])
    # questions that day: 2; active: s1 (watched, asked), s2, s3 (watched)
    assert (a.chat_messages_sent, a.active_students) == (2, 3)
    assert a.metadata["unique_viewers"] == 3
    # the pipeline's own counters are kept
    assert (a.videos_uploaded, a.storage_used_bytes, a.transcription_minutes,
            a.ai_credits_used) == (2, 1000, 7, 321)
    b = usage_row(session, school["b"])
    assert (b.chat_messages_sent, b.active_students, b.metadata["unique_viewers"]) == (1, 1, 1)
    # the day before: only s3's question and s3's session a second before midnight
    aggregate.aggregate_day(session, D - timedelta(days=1))
    before = usage_row(session, school["a"], D - timedelta(days=1))
    assert (before.chat_messages_sent, before.active_students) == (1, 1)
    assert va_rows(session, [v1], D - timedelta(days=1))[v1.id][:3] == (1, 1, 30)


def test_aggregate_day_is_idempotent_and_follows_the_data(session, school):
    videos = [school["v1"], school["v2"], school["vb"]]
    aggregate.aggregate_day(session, D)
    first = (va_rows(session, videos), usage_row(session, school["a"]))
    again = aggregate.aggregate_day(session, D)
    assert (va_rows(session, videos), usage_row(session, school["a"])) == first
    assert again.videos_removed == 0
    count = session.execute(text("SELECT count(*) FROM video_analytics WHERE date = :d "
                                 "AND video_id = ANY(:ids)"),
                            {"d": D, "ids": [v.id for v in videos]}).scalar_one()
    assert count == 3  # one row per video and day, however often it runs

    # v2's only session and its citation go; s2 watches v1 once more and completes it
    session.execute(text("DELETE FROM video_watch_sessions WHERE video_id = :v"),
                    {"v": school["v2"].id})
    session.execute(text("""
        UPDATE chat_messages SET video_references = (
            SELECT COALESCE(jsonb_agg(r), '[]'::jsonb) FROM jsonb_array_elements(video_references) r
             WHERE r ->> 'video_id' <> :v)"""), {"v": str(school["v2"].id)})
    watch(session, school["v1"], sid(school["s2"], school["a"]), at(D, 20), seconds=580,
          percent=95)
    # school B's activity disappears entirely
    session.execute(text("DELETE FROM video_watch_sessions WHERE video_id = :v"),
                    {"v": school["vb"].id})
    session.execute(text("DELETE FROM chat_sessions WHERE creator_id = :c"),
                    {"c": school["b"].creator_id})
    result = aggregate.aggregate_day(session, D)
    rows = va_rows(session, videos)
    assert rows[school["v1"].id] == (4, 2, 1600, 400, 50.0, 2)
    assert school["v2"].id not in rows and school["vb"].id not in rows
    assert result.videos_removed >= 2
    a = usage_row(session, school["a"])
    assert (a.chat_messages_sent, a.active_students, a.metadata["unique_viewers"]) == (2, 2, 2)
    assert usage_row(session, school["b"]) is None  # nothing left to count: row deleted


def test_a_school_scoped_rollup_leaves_other_schools_alone(session, school):
    aggregate.aggregate_day(session, D)
    session.execute(text("DELETE FROM video_watch_sessions WHERE video_id = :v"),
                    {"v": school["vb"].id})
    aggregate.aggregate_day(session, D, creator_id=school["a"].creator_id)
    assert school["vb"].id in va_rows(session, [school["vb"]])  # B not recomputed
    aggregate.run_day(session, D.isoformat(), creator_id=str(school["b"].creator_id))
    assert va_rows(session, [school["vb"]]) == {}
    with pytest.raises(InvalidInput):
        aggregate.run_day(session, "yesterday")
    with pytest.raises(InvalidInput):
        aggregate.run_day(session, D, creator_id="nope")


def test_the_rollup_refreshes_daily_video_stats(session, school):
    session.execute(text("UPDATE videos SET created_at = :t WHERE id = :v"),
                    {"t": at(D, 12), "v": school["v1"].id})
    aggregate.aggregate_day(session, D)
    uploaded = session.execute(text("SELECT videos_uploaded FROM daily_video_stats "
                                    "WHERE date = :d"), {"d": D}).scalar()
    assert uploaded is not None and uploaded >= 1


# --- dashboard ----------------------------------------------------------------------------------

def _rollup(session: Session, *days: date) -> None:
    for day in days:
        aggregate.aggregate_day(session, day, refresh_view=False)


def test_overview_compares_with_the_previous_period(session, school):
    a = school["a"]
    # previous period (D-2 .. D-1): one session of v1 by s2, no questions besides s3's
    watch(session, school["v1"], sid(school["s2"], a), at(D - timedelta(days=2), 8),
          seconds=600, percent=100)
    session.execute(text("UPDATE students SET created_at = :t WHERE id = :s"),
                    {"t": at(D, 7), "s": sid(school["s1"], a)})
    session.execute(text("UPDATE students SET created_at = :t WHERE id = :s"),
                    {"t": at(D - timedelta(days=2), 7), "s": sid(school["s2"], a)})
    _rollup(session, D - timedelta(days=2), D - timedelta(days=1), D, D + timedelta(days=1))
    view = analytics.overview(session=session, actor=a, start=D, end=D + timedelta(days=1))
    assert (view.start, view.end) == (D.isoformat(), (D + timedelta(days=1)).isoformat())
    assert (view.previous_start, view.previous_end) == (
        (D - timedelta(days=2)).isoformat(), (D - timedelta(days=1)).isoformat())
    assert (view.views.value, view.views.previous) == (5, 2)  # 4 on D, 1 at D+1 00:00
    assert view.views.change_pct == 150.0
    assert (view.unique_viewers.value, view.unique_viewers.previous) == (3, 2)
    assert (view.watch_minutes.value, view.watch_minutes.previous) == (18.5, 10.5)
    assert (view.avg_completion_pct.value, view.avg_completion_pct.previous) == (20.0, 50.0)
    assert view.avg_completion_pct.change_pct == -60.0
    # daily active: 3 on D, 1 on D+1 -> 2.0 a day; before: s2 on D-2, s3 on D-1 -> 1.0
    assert (view.dau.value, view.dau.previous) == (2.0, 1.0)
    assert (view.wau.value, view.mau.value) == (3, 3)
    assert (view.wau.previous, view.mau.previous) == (2, 2)
    assert (view.new_students.value, view.new_students.previous) == (1, 1)
    assert (view.ai_questions.value, view.ai_questions.previous) == (2, 1)
    assert [m.key for m in view.metrics][:2] == ["views", "unique_viewers"]


def test_timeseries_has_every_day_with_zeros_and_the_previous_period(session, school):
    _rollup(session, D - timedelta(days=1), D, D + timedelta(days=1))
    points = analytics.timeseries(session=session, actor=school["a"],
                                  start=D - timedelta(days=1), end=D + timedelta(days=2))
    assert [p.date for p in points] == [(D + timedelta(days=n)).isoformat()
                                        for n in range(-1, 3)]
    before, day, after, empty = points
    assert (day.views, day.unique_viewers, day.watch_minutes, day.ai_questions,
            day.active_students) == (4, 3, 18.0, 2, 3)
    assert (before.views, before.ai_questions, before.active_students) == (1, 1, 1)
    assert (after.views, after.watch_minutes) == (1, 0.5)
    assert (empty.views, empty.unique_viewers, empty.active_students) == (0, 0, 0)
    # D+1's counterpart in the previous period (D-5 .. D-2) is D-3: nothing
    assert after.previous_date == (D - timedelta(days=3)).isoformat()
    assert empty.previous_date == (D - timedelta(days=2)).isoformat()
    assert all(p.previous_views == 0 for p in points)
    shifted = analytics.timeseries(session=session, actor=school["a"], start=D + timedelta(days=1),
                                   end=D + timedelta(days=1))
    assert (shifted[0].previous_date, shifted[0].previous_views) == (D.isoformat(), 4)


def test_top_videos_sorts_pages_and_counts_likes_and_comments(session, school):
    a = school["a"]
    v3 = make_video(session, a, title="Attention", youtube_video_id="ccccccccccc",
                    embed_id="ccccccccccc")
    session.add_all([Like(user_id=school["s1"].user_id, video_id=school["v2"].id,
                          created_at=at(D, 13)),
                     Like(user_id=school["s2"].user_id, video_id=school["v2"].id,
                          created_at=at(D, 14)),
                     Like(user_id=school["s3"].user_id, video_id=school["v1"].id,
                          created_at=at(D - timedelta(days=30), 14)),  # outside the period
                     Comment(video_id=school["v1"].id, author_id=school["s1"].user_id,
                             content="Nice", created_at=at(D, 16)),
                     Comment(video_id=school["v1"].id, author_id=school["s2"].user_id,
                             content="Gone", created_at=at(D, 16), is_deleted=True)])
    session.flush()
    _rollup(session, D)
    page = analytics.top_videos(session=session, actor=a, start=D, end=D)
    assert page.total == 3 and page.pages == 1
    assert [r.title for r in page.rows] == ["Tensors", "Gradients", "Attention"]
    tensors, gradients, attention = page.rows
    assert (tensors.views, tensors.unique_viewers, tensors.watch_minutes,
            tensors.avg_completion_pct, tensors.likes, tensors.comments,
            tensors.ai_interactions) == (3, 2, 17.0, 33.3, 0, 1, 2)
    assert (gradients.likes, gradients.ai_interactions, gradients.views) == (2, 1, 1)
    assert (attention.views, attention.likes, attention.video_id) == (0, 0, str(v3.id))

    by_likes = analytics.top_videos(session=session, actor=a, start=D, end=D, sort="likes")
    assert by_likes.rows[0].title == "Gradients"
    by_title = analytics.top_videos(session=session, actor=a, start=D, end=D, sort="title",
                                    desc=False)
    assert [r.title for r in by_title.rows] == ["Attention", "Gradients", "Tensors"]
    second = analytics.top_videos(session=session, actor=a, start=D, end=D, page=2, per_page=2)
    assert (second.total, second.pages, second.page) == (3, 2, 2)
    assert [r.title for r in second.rows] == ["Attention"]
    past_the_end = analytics.top_videos(session=session, actor=a, start=D, end=D, page=9,
                                        per_page=2)
    assert past_the_end.page == 2
    with pytest.raises(InvalidInput):
        analytics.top_videos(session=session, actor=a, start=D, end=D, sort="id; DROP")


def test_retention_curve_from_watched_intervals(session, school):
    a = school["a"]
    video = make_video(session, a, title="Curve", youtube_video_id="ddddddddddd",
                       embed_id="ddddddddddd", duration_seconds=600)
    watch(session, video, sid(school["s1"], a), at(D, 9), seconds=300, percent=50,
          watched=[[0, 300]])
    watch(session, video, sid(school["s2"], a), at(D, 9), seconds=600, percent=100,
          watched=[[0, 600]])
    session.add_all([
        Chapter(video_id=video.id, title="Intro", start_time_seconds=0, end_time_seconds=300,
                chapter_order=1),
        Chapter(video_id=video.id, title="Deep dive", start_time_seconds=300,
                end_time_seconds=600, chapter_order=2)])
    session.flush()
    curve = analytics.retention(session=session, actor=a, video_id=video.id, buckets=4)
    assert curve.sessions == 2
    assert [(p.percent, p.share) for p in curve.points] == [
        (0.0, 1.0), (25.0, 1.0), (50.0, 1.0), (75.0, 0.5), (100.0, 0.5)]
    assert [p.second for p in curve.points] == [0, 150, 300, 450, 600]
    assert [(c.start_pct, c.title) for c in curve.chapters] == [(0.0, "Intro"),
                                                                 (50.0, "Deep dive")]
    # gaps count: a third viewer who skipped the middle; an empty session lowers the curve
    watch(session, video, sid(school["s3"], a), at(D, 10), seconds=200, percent=33,
          watched=[[0, 100], [500, 600]])
    watch(session, video, sid(school["s3"], a), at(D, 11), watched=[])
    curve = analytics.retention(session=session, actor=a, video_id=str(video.id), buckets=4)
    assert [p.share for p in curve.points] == [0.75, 0.5, 0.5, 0.25, 0.5]
    assert len(analytics.retention(session=session, actor=a, video_id=video.id).points) == 51
    only_d_plus_1 = analytics.retention(session=session, actor=a, video_id=video.id, buckets=4,
                                        start=D + timedelta(days=1), end=D + timedelta(days=1))
    assert only_d_plus_1.sessions == 0 and {p.share for p in only_d_plus_1.points} == {0.0}


def test_course_dropoff_per_lesson(session, school):
    a = school["a"]
    v1, v2 = school["v1"], school["v2"]
    v3 = make_video(session, a, title="Lesson three", youtube_video_id="eeeeeeeeeee",
                    embed_id="eeeeeeeeeee")
    course = Course(creator_id=a.creator_id, title="Course")
    session.add(course)
    session.flush()
    m1 = CourseModule(course_id=course.id, title="Basics", display_order=0)
    m2 = CourseModule(course_id=course.id, title="Advanced", display_order=1)
    session.add_all([m1, m2])
    session.flush()
    session.add_all([ModuleLesson(module_id=m1.id, video_id=v1.id, lesson_order=1),
                     ModuleLesson(module_id=m1.id, video_id=v2.id, lesson_order=2,
                                  title="Custom title"),
                     ModuleLesson(module_id=m2.id, video_id=v3.id, lesson_order=1)])
    session.flush()
    session.execute(text("DELETE FROM video_watch_sessions WHERE video_id = ANY(:ids)"),
                    {"ids": [v1.id, v2.id]})
    s1, s2, s3 = (sid(school[k], a) for k in ("s1", "s2", "s3"))
    for video, student, percent in ((v1, s1, 95), (v2, s1, 50), (v3, s1, 100),
                                    (v1, s2, 100), (v1, s3, 40), (v2, s3, 10)):
        watch(session, video, student, at(D, 9), seconds=60, percent=percent)
    rows = analytics.course_dropoff(session=session, actor=a, course_id=course.id)
    assert [(r.position, r.module_title, r.title) for r in rows] == [
        (1, "Basics", "Tensors"), (2, "Basics", "Custom title"), (3, "Advanced", "Lesson three")]
    assert [(r.started, r.completed, r.stopped) for r in rows] == [(3, 2, 1), (2, 0, 1),
                                                                   (1, 1, 1)]
    assert [r.stopped_pct for r in rows] == [33.3, 33.3, 33.3]
    assert rows[0].completion_pct == 66.7
    with pytest.raises(NotFound):
        analytics.course_dropoff(session=session, actor=school["b"], course_id=course.id)


def test_heatmap_counts_sessions_by_weekday_and_utc_hour(session, school):
    cells = analytics.heatmap(session=session, actor=school["a"], start=D, end=D)
    assert len(cells) == 7 * 24
    grid = {(c.weekday, c.hour): c.sessions for c in cells if c.sessions}
    wd = D.weekday()
    assert grid == {(wd, 9): 1, (wd, 15): 1, (wd, 23): 1, (wd, 10): 1}
    # the session a second before D's midnight is in the previous weekday's 23:00
    wider = analytics.heatmap(session=session, actor=school["a"], start=D - timedelta(days=1),
                              end=D + timedelta(days=1))
    cells_by_key = {(c.weekday, c.hour): c.sessions for c in wider}
    assert cells_by_key[((wd - 1) % 7, 23)] == 1 and cells_by_key[((wd + 1) % 7, 0)] == 1
    assert wider[0] == HeatCell(weekday=0, hour=0, sessions=cells_by_key[(0, 0)])


def test_top_questions_are_grouped_after_normalising(session, school):
    a, s2 = school["a"], sid(school["s2"], school["a"])
    conversation = chat(session, a, s2)
    for n, question in enumerate(["What's gradient descent?", "whats gradient descent",
                                  "Whats gradient-descent!!", "  ???  "]):
        say(session, conversation, "user", question, at(D, 13, n))
    rows = analytics.top_questions(session=session, actor=a, start=D, end=D)
    assert [(r.normalized, r.count) for r in rows] == [("whats gradient descent", 3),
                                                       ("what is a tensor", 2)]
    assert rows[0].last_asked == at(D, 13, 2).isoformat()
    assert rows[1] == QuestionRow(question="what is a TENSOR", normalized="what is a tensor",
                                  count=2, last_asked=at(D, 11).isoformat())
    assert len(analytics.top_questions(session=session, actor=a, start=D, end=D, limit=1)) == 1
    assert analytics.normalize_question("  Was ist   «Tensor»? ") == "was ist tensor"


# --- usage ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("used", "level"), [(0, ""), (74, ""), (75, "warning"),
                                             (89, "warning"), (90, "critical"),
                                             (99, "critical"), (100, "over"), (130, "over")])
def test_warning_levels(used, level):
    assert analytics.warning_level(used, 100) == level


def test_usage_against_the_plan_with_warnings(session):
    creator = make_creator(session, tier="basic")
    plan = PLANS["basic"]
    make_video(session, creator, file_size_bytes=plan.storage_bytes // 2)
    day = date(2030, 6, 15)
    session.add_all([
        UsageMetrics(creator_id=creator.creator_id, date=date(2030, 6, 1),
                     chat_messages_sent=300, ai_credits_used=200_000, transcription_minutes=250),
        UsageMetrics(creator_id=creator.creator_id, date=day, chat_messages_sent=75,
                     ai_credits_used=25_000, transcription_minutes=50),
        # last month does not count
        UsageMetrics(creator_id=creator.creator_id, date=date(2030, 5, 31),
                     chat_messages_sent=400, ai_credits_used=999_999)])
    student = make_student(session, creator)
    video = make_video(session, creator, youtube_video_id="fffffffffff", embed_id="fffffffffff")
    watch(session, video, sid(student, creator), at(day, 9))
    session.flush()
    view = analytics.usage(session=session, actor=creator, now=at(day, 18))
    assert (view.tier, view.month_start, view.renews_on) == ("basic", "2030-06-01",
                                                             "2030-07-01")
    items = {i.key: i for i in view.items}
    assert set(items) == set(USAGE_LIMITS)
    assert (items["chat_messages"].used, items["chat_messages"].limit) == (375, 500)
    assert (items["chat_messages"].percent, items["chat_messages"].warning) == (75.0, "warning")
    assert (items["ai_credits"].used, items["ai_credits"].warning) == (225_000, "critical")
    assert (items["transcription_minutes"].used,
            items["transcription_minutes"].warning) == (300, "over")
    assert (items["storage_bytes"].percent, items["storage_bytes"].warning) == (50.0, "")
    assert (items["videos"].used, items["videos"].limit) == (2, plan.max_videos)
    assert (items["active_students"].used, items["active_students"].limit) == (
        1, plan.active_students)
    assert view.warning == "over"
    quiet = analytics.usage(session=session, actor=creator, now=at(date(2030, 8, 2)))
    assert quiet.warning == "" and {i.key: i.used for i in quiet.items}["chat_messages"] == 0


# --- who may see what ----------------------------------------------------------------------------

def test_a_school_only_sees_its_own_numbers(session, school):
    _rollup(session, D)
    a, b = school["a"], school["b"]
    mine = analytics.overview(session=session, actor=a, start=D, end=D)
    theirs = analytics.overview(session=session, actor=b, start=D, end=D)
    assert (mine.views.value, theirs.views.value) == (4, 1)
    assert (theirs.unique_viewers.value, theirs.ai_questions.value) == (1, 1)
    assert [r.title for r in analytics.top_videos(session=session, actor=b, start=D,
                                                  end=D).rows] == ["B's video"]
    assert [q.normalized for q in analytics.top_questions(session=session, actor=b, start=D,
                                                          end=D)] == ["bs question"]
    assert sum(c.sessions for c in analytics.heatmap(session=session, actor=b, start=D,
                                                     end=D)) == 1
    with pytest.raises(NotFound):
        analytics.retention(session=session, actor=b, video_id=school["v1"].id)
    with pytest.raises(NotFound):
        analytics.retention(session=session, actor=a, video_id="not-an-id")


@pytest.mark.parametrize("call", [
    lambda s, actor, v: analytics.overview(session=s, actor=actor, start=D, end=D),
    lambda s, actor, v: analytics.timeseries(session=s, actor=actor, start=D, end=D),
    lambda s, actor, v: analytics.top_videos(session=s, actor=actor, start=D, end=D),
    lambda s, actor, v: analytics.retention(session=s, actor=actor, video_id=v.id),
    lambda s, actor, v: analytics.course_dropoff(session=s, actor=actor, course_id=uuid.uuid4()),
    lambda s, actor, v: analytics.heatmap(session=s, actor=actor, start=D, end=D),
    lambda s, actor, v: analytics.top_questions(session=s, actor=actor, start=D, end=D),
    lambda s, actor, v: analytics.usage(session=s, actor=actor),
])
def test_students_and_strangers_are_forbidden(session, school, call):
    for actor in (school["s1"], make_user(session), None):
        with pytest.raises(Forbidden):
            call(session, actor, school["v1"])


def test_periods_are_validated():
    p = analytics.period(D, D + timedelta(days=365))
    assert p.days == 366 and p.previous_end == D - timedelta(days=1)
    assert p.previous_start == D - timedelta(days=366)
    assert analytics.period("2030-03-11", "2030-03-11").days == 1
    with pytest.raises(InvalidInput):
        analytics.period(D, D + timedelta(days=366))
    with pytest.raises(InvalidInput):
        analytics.period(D, D - timedelta(days=1))
    with pytest.raises(InvalidInput):
        analytics.period("last week", D)
    assert analytics.last_days(7, today=D) == (D - timedelta(days=6), D)


def test_csv_export():
    rows = [QuestionRow(question="=HYPERLINK(\"x\")", normalized="hyperlink x", count=2,
                        last_asked="2030-03-11T10:00:00+00:00"),
            QuestionRow(question='Say "hi", please', normalized="say hi please", count=1)]
    out = analytics.csv_export(rows, [("question", "Question"), "count"])
    assert out.splitlines() == ["Question,count", "\"'=HYPERLINK(\"\"x\"\")\",2",
                                '"Say ""hi"", please",1']
    assert analytics.csv_export([{"a": 1.5, "b": None}], ["a", "b"]).splitlines()[1] == "1.5,"


# --- the queue --------------------------------------------------------------------------------

def test_a_videoless_job_must_be_an_aggregate_job(session):
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(text("INSERT INTO processing_jobs (video_id, job_type) "
                             "VALUES (NULL, 'video_processing')"))
    first = queue.enqueue_aggregate(session, day=D)
    assert queue.enqueue_aggregate(session, day=D) == first  # one live job per day
    assert queue.enqueue_aggregate(session, day=D + timedelta(days=1)) != first
    scoped = queue.enqueue_aggregate(session, day=D, creator_id=uuid.uuid4())
    assert scoped != first
    backfill = aggregate.enqueue_days(session, D - timedelta(days=2), D)
    assert len(backfill) == 3 and backfill[-1] == first
    with pytest.raises(InvalidInput):
        aggregate.enqueue_days(session, D, D - timedelta(days=1))


def test_the_worker_runs_the_scheduled_rollup(app_database):
    from chronos_app.core.db import session_scope
    from chronos_app.models.base import utcnow
    from chronos_app.pipeline.worker import Worker

    now = utcnow()
    today = now.date()
    start = max(now - timedelta(seconds=5), datetime.combine(today, time(0), UTC))
    with session_scope() as session:
        session.execute(text("DELETE FROM processing_jobs"))
        creator = make_creator(session)
        student = make_student(session, creator)
        video = make_video(session, creator)
        watch(session, video, sid(student, creator), start, seconds=60, percent=10)
        conversation = chat(session, creator, sid(student, creator))
        say(session, conversation, "user", "Why?", start)
    with session_scope() as session:
        jobs = aggregate.schedule_daily(session, now)
    with session_scope() as session:
        assert aggregate.schedule_daily(session, now) == jobs  # idempotent while live
    assert len(jobs) == 2

    worker = Worker(worker_id="analytics-test", schedule_minutes=0)
    assert worker.run_once() and worker.run_once()
    assert not worker.run_once()
    with session_scope() as session:
        states = session.execute(text(
            "SELECT metadata ->> 'day' AS day, status, video_id FROM processing_jobs "
            "WHERE id = ANY(:ids) ORDER BY 1"), {"ids": jobs}).all()
        assert [(r.day, r.status, r.video_id) for r in states] == [
            ((today - timedelta(days=1)).isoformat(), "completed", None),
            (today.isoformat(), "completed", None)]
        assert va_rows(session, [video], today)[video.id][:3] == (1, 1, 60)
        row = usage_row(session, creator, today)
        assert (row.chat_messages_sent, row.active_students) == (1, 1)
        # both days were just aggregated: nothing to queue
        assert aggregate.schedule_daily(session, now) == []
        # ten minutes later today is due again; yesterday is final (its run began after the
        # settle time only if today is past 01:00 UTC)
        later = aggregate.schedule_daily(session, now + timedelta(minutes=11))
        assert 1 <= len(later) <= 2

    # a job with a bad day fails at once, with its message, and touches no video
    with session_scope() as session:
        session.execute(text("DELETE FROM processing_jobs"))
        bad = session.execute(text(
            "INSERT INTO processing_jobs (job_type, priority, metadata) "
            "VALUES ('aggregate_day', -10, '{\"day\": \"soon\"}') RETURNING id")).scalar_one()
    assert worker.run_once()
    with session_scope() as session:
        status, message = session.execute(text(
            "SELECT status, error_message FROM processing_jobs WHERE id = :id"),
            {"id": bad}).one()
    assert status == "failed" and "soon" in message


def test_an_idle_worker_schedules_at_most_every_interval(app_database):
    from chronos_app.core.db import session_scope
    from chronos_app.pipeline.worker import Worker

    with session_scope() as session:
        session.execute(text("DELETE FROM processing_jobs"))
    worker = Worker(worker_id="scheduler-test", schedule_minutes=5)
    assert not worker.schedule_if_due(idle=False)  # busy: not yet
    assert worker.schedule_if_due(idle=True)
    assert not worker.schedule_if_due(idle=True)   # again within five minutes: no
    with session_scope() as session:
        live = session.execute(text(
            "SELECT count(*) FROM processing_jobs WHERE job_type = 'aggregate_day' "
            "AND status = 'pending'")).scalar_one()
    assert live == 2
    assert not Worker(worker_id="off", schedule_minutes=0).schedule_if_due()


def test_migration_0006_downgrades_and_upgrades(make_database):
    from chronos_app.core import migrate

    url = make_database("chronos_0006")
    migrate.upgrade(url)
    migrate.downgrade(url, "0005")
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            nullable = conn.execute(text(
                "SELECT is_nullable FROM information_schema.columns "
                "WHERE table_name = 'processing_jobs' AND column_name = 'video_id'")).scalar()
            assert nullable == "NO"
        migrate.upgrade(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO processing_jobs (job_type, metadata) "
                              "VALUES ('aggregate_day', '{\"day\": \"2030-03-11\"}')"))
    finally:
        engine.dispose()


def test_plans_define_every_usage_limit():
    for plan in PLANS.values():
        for key in USAGE_LIMITS:
            assert plan.limit(key) > 0

"""The SQL functions, triggers and views of migration 0002, exercised with real rows.

Every test runs in the rolled-back `session` transaction, so `now()` is the transaction's start
time throughout a test. Raw SQL (`sqlalchemy.text`) is used to read results, so the ORM's
identity map never hides what the database did.
"""

from __future__ import annotations

import json
import math
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import make_creator, make_student, make_user, make_video

DIM = 1536


# --- helpers ------------------------------------------------------------------------------------

def sql(session, statement: str, **params):
    return session.execute(text(statement), params)


def scalar(session, statement: str, **params):
    return sql(session, statement, **params).scalar_one()


def insert(session, table: str, **values) -> uuid.UUID:
    """INSERT one row of `table` and return its id."""
    columns = ", ".join(f'"{name}"' for name in values)
    params = ", ".join(f":{name}" for name in values)
    return scalar(session, f"INSERT INTO {table} ({columns}) VALUES ({params}) RETURNING id",
                  **values)


def vector(**axes: float) -> str:
    """A 1536-d pgvector literal with the given components, e.g. vector(x0=1.0, x1=0.5)."""
    values = [0.0] * DIM
    for name, value in axes.items():
        values[int(name[1:])] = value
    return "[" + ",".join(repr(v) for v in values) + "]"


def student_id(student, creator) -> uuid.UUID:
    return student.student_of[creator.creator_id]


@pytest.fixture
def school(session):
    """A creator with one 600-second YouTube video."""
    creator = make_creator(session)
    return creator, make_video(session, creator)


# --- update_updated_at_column -------------------------------------------------------------------

def _one_row_of_every_table_with_updated_at(session) -> dict[str, uuid.UUID]:
    creator = make_creator(session)
    student = make_student(session, creator)
    video = make_video(session, creator)
    sid = student_id(student, creator)
    course = insert(session, "courses", creator_id=creator.creator_id, title="Course")
    module = insert(session, "course_modules", course_id=course, title="Module")
    chapter = insert(session, "chapters", video_id=video.id, title="Intro",
                     start_time_seconds=0, end_time_seconds=60, chapter_order=1)
    return {
        "users": student.user_id,
        "creators": creator.creator_id,
        "students": sid,
        "videos": video.id,
        "chapters": chapter,
        "comments": insert(session, "comments", video_id=video.id, author_id=student.user_id,
                           content="Nice"),
        "processing_jobs": insert(session, "processing_jobs", video_id=video.id,
                                  job_type="transcription"),
        "courses": course,
        "course_modules": module,
        "module_lessons": insert(session, "module_lessons", module_id=module, video_id=video.id,
                                 lesson_order=1),
        "chat_sessions": insert(session, "chat_sessions", student_id=sid,
                                creator_id=creator.creator_id),
        "video_analytics": insert(session, "video_analytics", video_id=video.id,
                                  date="2020-01-01"),
        "video_watch_sessions": insert(session, "video_watch_sessions", video_id=video.id,
                                       student_id=sid),
        "usage_metrics": insert(session, "usage_metrics", creator_id=creator.creator_id,
                                date="2020-01-01"),
    }


def test_every_update_sets_updated_at_to_now(session):
    rows = _one_row_of_every_table_with_updated_at(session)
    assert len(rows) == 14
    now = scalar(session, "SELECT now()")
    for table, row_id in rows.items():
        # Without the trigger the row would keep the value written here.
        sql(session, f"UPDATE {table} SET updated_at = '2000-01-01T00:00:00Z' WHERE id = :id",
            id=row_id)
        updated_at = scalar(session, f"SELECT updated_at FROM {table} WHERE id = :id", id=row_id)
        assert updated_at == now, table


def test_updating_another_column_refreshes_updated_at(session, school):
    _, video = school
    sql(session, "UPDATE videos SET updated_at = '2000-01-01T00:00:00Z' WHERE id = :id",
        id=video.id)
    sql(session, "UPDATE videos SET title = 'Renamed' WHERE id = :id", id=video.id)
    row = sql(session, "SELECT title, updated_at, updated_at = now() AS is_now, "
                       "updated_at > '2000-01-01T00:00:00Z' AS moved FROM videos WHERE id = :id",
              id=video.id).one()
    assert row.title == "Renamed" and row.is_now and row.moved


def test_insert_keeps_given_updated_at(session, school):
    """The trigger is BEFORE UPDATE only: an INSERT stores what it is given."""
    creator, _ = school
    course = insert(session, "courses", creator_id=creator.creator_id, title="Old",
                    updated_at="2000-01-01T00:00:00Z")
    assert scalar(session, "SELECT updated_at < '2001-01-01' FROM courses WHERE id = :id",
                  id=course)


# --- update_like_counts -------------------------------------------------------------------------

def _video_likes(session, video_id) -> int:
    return scalar(session, "SELECT like_count FROM videos WHERE id = :id", id=video_id)


def _comment_likes(session, comment_id) -> int:
    return scalar(session, "SELECT like_count FROM comments WHERE id = :id", id=comment_id)


def test_likes_on_a_video_update_its_like_count(session, school):
    _, video = school
    fans = [make_user(session) for _ in range(3)]
    likes = [insert(session, "likes", user_id=fan.user_id, video_id=video.id) for fan in fans]
    assert _video_likes(session, video.id) == 3
    sql(session, "DELETE FROM likes WHERE id = :id", id=likes[0])
    assert _video_likes(session, video.id) == 2
    sql(session, "DELETE FROM likes WHERE video_id = :id", id=video.id)
    assert _video_likes(session, video.id) == 0


def test_likes_on_a_comment_update_the_comment_not_the_video(session, school):
    _, video = school
    author, fan = make_user(session), make_user(session)
    comment = insert(session, "comments", video_id=video.id, author_id=author.user_id,
                     content="First!")
    like = insert(session, "likes", user_id=fan.user_id, comment_id=comment)
    insert(session, "likes", user_id=author.user_id, comment_id=comment)
    assert _comment_likes(session, comment) == 2
    assert _video_likes(session, video.id) == 0
    sql(session, "DELETE FROM likes WHERE id = :id", id=like)
    assert _comment_likes(session, comment) == 1


# --- watch sessions: auto-complete at 90 % ------------------------------------------------------

def test_watch_session_completes_itself_at_90_percent(session, school):
    creator, video = school
    sid = student_id(make_student(session, creator), creator)

    def completed(row_id) -> bool:
        return scalar(session, "SELECT completed FROM video_watch_sessions WHERE id = :id",
                      id=row_id)

    watching = insert(session, "video_watch_sessions", video_id=video.id, student_id=sid,
                      percent_complete=89)
    assert completed(watching) is False
    sql(session, "UPDATE video_watch_sessions SET percent_complete = 90 WHERE id = :id",
        id=watching)
    assert completed(watching) is True
    finished = insert(session, "video_watch_sessions", video_id=video.id, student_id=sid,
                      percent_complete=95, completed=False)
    assert completed(finished) is True


# --- search_video_chunks ------------------------------------------------------------------------

SEARCH = ("SELECT * FROM search_video_chunks(CAST(:query AS vector), :match_count, "
          ":threshold, CAST(:video_ids AS text[]))")


def _chunk(session, video_id, index: int, embedding: str | None) -> uuid.UUID:
    return insert(session, "video_chunks", video_id=video_id, chunk_index=index,
                  chunk_text=f"chunk {index}", embedding=embedding,
                  start_time_seconds=index * 30.5, end_time_seconds=index * 30.5 + 30.5)


@pytest.fixture
def chunks(session, school):
    """Chunks whose cosine similarity to the query x0 is known exactly.

    Neither chunk_index nor insertion order follows similarity, so only ORDER BY similarity
    gives the expected order.
    """
    creator, video_a = school
    video_b = make_video(session, creator)
    deleted = make_video(session, creator, is_deleted=True)
    ids = {
        "a_close": _chunk(session, video_a.id, 0, vector(x0=0.8, x1=0.6)),          # 0.8
        "a_orthogonal": _chunk(session, video_a.id, 1, vector(x1=1.0)),             # 0.0
        "a_no_embedding": _chunk(session, video_a.id, 2, None),
        "a_same": _chunk(session, video_a.id, 3, vector(x0=1.0)),                   # 1.0
        "b_opposite": _chunk(session, video_b.id, 0, vector(x0=-1.0)),              # -1.0
        "b_near": _chunk(session, video_b.id, 1, vector(x0=0.9, x1=math.sqrt(0.19))),  # 0.9
        "deleted_same": _chunk(session, deleted.id, 0, vector(x0=1.0)),             # 1.0
    }
    return ids, video_a, video_b, deleted


def _search(session, match_count=5, threshold=0.7, video_ids=None, query=None):
    return sql(session, SEARCH, query=query or vector(x0=1.0), match_count=match_count,
               threshold=threshold, video_ids=video_ids).all()


def _unit(x0: float) -> str:
    """A unit vector whose cosine similarity to x0 is `x0`."""
    return vector(x0=x0, x1=math.sqrt(1 - x0 * x0))


def test_search_defaults_are_five_results_above_0_7(session, chunks):
    ids, _, video_b, _ = chunks
    extra = {_chunk(session, video_b.id, 10 + i, _unit(0.75)) for i in range(3)}
    below = _chunk(session, video_b.id, 20, _unit(0.65))
    query = vector(x0=1.0)

    rows = sql(session, "SELECT id FROM search_video_chunks(CAST(:q AS vector))", q=query).all()
    assert len(rows) == 5
    assert [r.id for r in rows[:3]] == [ids["a_same"], ids["b_near"], ids["a_close"]]
    assert {r.id for r in rows[3:]} < extra

    rows = sql(session, "SELECT id FROM search_video_chunks(CAST(:q AS vector), "
                        "match_count => 100)", q=query).all()
    assert {r.id for r in rows} == {ids["a_same"], ids["b_near"], ids["a_close"]} | extra
    assert below not in {r.id for r in rows}


def test_search_orders_by_similarity_and_excludes_below_threshold(session, chunks):
    ids, video_a, *_ = chunks
    rows = _search(session, threshold=0.7)
    assert [r.id for r in rows] == [ids["a_same"], ids["b_near"], ids["a_close"]]
    assert [round(r.similarity, 6) for r in rows] == [1.0, 0.9, 0.8]
    first = rows[0]
    assert (first.video_id, first.chunk_index, first.chunk_text) == (video_a.id, 3, "chunk 3")
    assert (first.start_time_seconds, first.end_time_seconds) == (91.5, 122.0)


def test_search_threshold_is_adjustable(session, chunks):
    ids, *_ = chunks
    assert [r.id for r in _search(session, threshold=0.85)] == [ids["a_same"], ids["b_near"]]
    assert [r.id for r in _search(session, threshold=0.95)] == [ids["a_same"]]
    everything = _search(session, threshold=-2, match_count=100)
    assert {r.id for r in everything} == {ids[k] for k in (
        "a_same", "a_close", "a_orthogonal", "b_near", "b_opposite")}
    assert [round(r.similarity, 6) for r in everything][-1] == -1.0


def test_search_limits_to_match_count(session, chunks):
    ids, *_ = chunks
    assert [r.id for r in _search(session, match_count=2)] == [ids["a_same"], ids["b_near"]]
    assert [r.id for r in _search(session, match_count=1)] == [ids["a_same"]]


def test_search_filters_by_video_ids(session, chunks):
    ids, video_a, video_b, _ = chunks
    assert [r.id for r in _search(session, video_ids=[str(video_b.id)])] == [ids["b_near"]]
    assert [r.id for r in _search(session, video_ids=[str(video_a.id)])] == [
        ids["a_same"], ids["a_close"]]
    assert _search(session, video_ids=[str(uuid.uuid4())]) == []


def test_search_skips_chunks_of_soft_deleted_videos(session, chunks):
    ids, _, _, deleted = chunks
    found = {r.id for r in _search(session, threshold=-2, match_count=100)}
    assert ids["deleted_same"] not in found
    assert _search(session, video_ids=[str(deleted.id)]) == []
    sql(session, "UPDATE videos SET is_deleted = false WHERE id = :id", id=deleted.id)
    assert [r.id for r in _search(session, video_ids=[str(deleted.id)])] == [ids["deleted_same"]]


# --- track_video_event --------------------------------------------------------------------------

def _event(session, event_id):
    return sql(session, "SELECT * FROM video_analytics_events WHERE id = :id", id=event_id).one()


def test_track_video_event_stores_all_arguments(session, school):
    creator, video = school
    sid = student_id(make_student(session, creator), creator)
    course = insert(session, "courses", creator_id=creator.creator_id, title="Course")
    module = insert(session, "course_modules", course_id=course, title="Module")
    event_id = scalar(session, """
        SELECT track_video_event('video_progress', :video, :creator, p_student_id := :student,
                                 p_course_id := :course, p_module_id := :module,
                                 p_metadata := CAST(:meta AS jsonb),
                                 p_timestamp := '2024-05-06T07:08:09Z')""",
        video=video.id, creator=creator.creator_id, student=sid, course=course, module=module,
        meta=json.dumps({"percent_complete": 50, "watch_time_seconds": 300}))
    assert isinstance(event_id, uuid.UUID)
    event = _event(session, event_id)
    assert (event.event_type, event.video_id, event.creator_id) == (
        "video_progress", video.id, creator.creator_id)
    assert (event.student_id, event.course_id, event.module_id) == (sid, course, module)
    assert event.metadata == {"percent_complete": 50, "watch_time_seconds": 300}
    assert event.timestamp.isoformat().startswith("2024-05-06")


def test_track_video_event_defaults(session, school):
    creator, video = school
    event_id = scalar(session, "SELECT track_video_event('video_imported', :video, :creator)",
                      video=video.id, creator=creator.creator_id)
    event = _event(session, event_id)
    assert event.student_id is None and event.course_id is None and event.module_id is None
    assert event.metadata == {}
    assert event.timestamp == scalar(session, "SELECT now()")
    # An explicit NULL metadata is stored as {} too.
    event_id = scalar(session, "SELECT track_video_event('video_imported', :video, :creator, "
                               "p_metadata := NULL)", video=video.id, creator=creator.creator_id)
    assert _event(session, event_id).metadata == {}


def test_track_video_event_rejects_unknown_event_type(session, school):
    creator, video = school
    with pytest.raises(IntegrityError) as err:
        with session.begin_nested():
            sql(session, "SELECT track_video_event('video_liked', :video, :creator)",
                video=video.id, creator=creator.creator_id)
    assert err.value.orig.diag.constraint_name == "video_analytics_events_event_type_check"


# --- per-student watch helpers ------------------------------------------------------------------

def _watch(session, video_id, sid, seconds: int, percent: int) -> None:
    insert(session, "video_watch_sessions", video_id=video_id, student_id=sid,
           watch_time_seconds=seconds, percent_complete=percent)


def _progress(session, sid, video_id) -> tuple[int, int, bool]:
    row = sql(session, """
        SELECT get_student_total_watch_time(:s, :v) AS total,
               get_student_highest_completion(:s, :v) AS highest,
               has_student_completed_video(:s, :v) AS done""", s=sid, v=video_id).one()
    return row.total, row.highest, row.done


def test_student_watch_helpers(session, school):
    creator, video = school
    other_video = make_video(session, creator)
    me = student_id(make_student(session, creator), creator)
    someone = student_id(make_student(session, creator), creator)
    _watch(session, video.id, me, 100, 30)
    _watch(session, video.id, me, 200, 95)
    _watch(session, video.id, me, 50, 60)
    _watch(session, other_video.id, me, 40, 89)
    _watch(session, video.id, someone, 999, 100)

    assert _progress(session, me, video.id) == (350, 95, True)
    assert _progress(session, me, other_video.id) == (40, 89, False)
    assert _progress(session, someone, other_video.id) == (0, 0, False)


def test_student_watch_helpers_with_no_sessions(session, school):
    creator, video = school
    me = student_id(make_student(session, creator), creator)
    assert _progress(session, me, video.id) == (0, 0, False)
    assert _progress(session, uuid.uuid4(), uuid.uuid4()) == (0, 0, False)


# --- user_stats ---------------------------------------------------------------------------------

def _user_stats(session, user_id):
    return sql(session, "SELECT * FROM user_stats WHERE id = :id", id=user_id).one_or_none()


def test_user_stats_counts(session):
    creator = make_creator(session)
    make_video(session, creator)
    make_video(session, creator)
    make_video(session, creator, is_public=False)
    make_video(session, creator, is_deleted=True)
    other_school = make_creator(session)
    make_video(session, other_school)

    fans = [make_user(session) for _ in range(3)]
    for fan in fans[:2]:
        insert(session, "follows", follower_id=fan.user_id, following_id=creator.user_id)
    insert(session, "follows", follower_id=creator.user_id, following_id=fans[2].user_id)
    insert(session, "subscriptions", subscriber_id=fans[0].user_id, creator_id=creator.user_id)
    insert(session, "subscriptions", subscriber_id=fans[1].user_id, creator_id=creator.user_id,
           subscription_type="premium")
    insert(session, "subscriptions", subscriber_id=fans[2].user_id, creator_id=creator.user_id,
           is_active=False)

    stats = _user_stats(session, creator.user_id)
    assert stats.username == creator.username
    assert (stats.video_count, stats.followers_count, stats.following_count,
            stats.subscribers_count) == (2, 2, 1, 2)

    fan = _user_stats(session, fans[2].user_id)
    assert (fan.video_count, fan.followers_count, fan.following_count,
            fan.subscribers_count) == (0, 1, 0, 0)


def test_user_stats_hides_inactive_users(session):
    user = make_user(session)
    assert _user_stats(session, user.user_id) is not None
    sql(session, "UPDATE users SET is_active = false WHERE id = :id", id=user.user_id)
    assert _user_stats(session, user.user_id) is None


# --- videos_with_stats --------------------------------------------------------------------------

def _video_stats(session, video_id):
    return sql(session, "SELECT * FROM videos_with_stats WHERE id = :id", id=video_id).one_or_none()


def test_videos_with_stats_counts(session, school):
    creator, video = school
    viewer, fan = make_user(session), make_user(session)
    for order, (start, end) in enumerate([(0, 100), (100, 250)], start=1):
        insert(session, "chapters", video_id=video.id, title=f"Part {order}",
               start_time_seconds=start, end_time_seconds=end, chapter_order=order)
    for words in ("Great", "Thanks", "Spam"):
        insert(session, "comments", video_id=video.id, author_id=viewer.user_id, content=words,
               is_deleted=(words == "Spam"))
    insert(session, "likes", user_id=viewer.user_id, video_id=video.id)
    insert(session, "likes", user_id=fan.user_id, video_id=video.id)

    stats = _video_stats(session, video.id)
    assert (stats.chapter_count, stats.comment_count, stats.like_count_actual) == (2, 2, 2)
    assert stats.like_count == 2  # kept in step by the like trigger
    assert stats.uploader_username == creator.username
    assert stats.title == video.title


def test_videos_with_stats_zero_counts_and_hidden_videos(session, school):
    creator, video = school
    stats = _video_stats(session, video.id)
    assert (stats.chapter_count, stats.comment_count, stats.like_count_actual) == (0, 0, 0)
    private = make_video(session, creator, is_public=False)
    deleted = make_video(session, creator, is_deleted=True)
    assert _video_stats(session, private.id) is None
    assert _video_stats(session, deleted.id) is None


# --- daily_video_stats (materialized) -----------------------------------------------------------

def _daily(session, day_sql: str):
    return sql(session, f"SELECT * FROM daily_video_stats WHERE date = {day_sql}").one_or_none()


def test_daily_video_stats_counts_todays_uploads_after_refresh(session, school):
    creator, _ = school
    today = "(SELECT DATE(now()))"
    sql(session, "REFRESH MATERIALIZED VIEW daily_video_stats")
    before = _daily(session, today)
    uploaded, processed = (before.videos_uploaded, before.videos_processed) if before else (0, 0)

    for status in ("completed", "completed", "failed"):
        insert(session, "videos", creator_id=creator.creator_id, title="v", source_type="youtube",
               youtube_video_id="abc", status=status)
    unrefreshed = _daily(session, today)
    assert (unrefreshed.videos_uploaded if unrefreshed else 0) == uploaded

    sql(session, "REFRESH MATERIALIZED VIEW daily_video_stats")
    after = _daily(session, today)
    assert after.videos_uploaded == uploaded + 3
    assert after.videos_processed == processed + 2


def test_daily_video_stats_groups_by_day_with_average_duration(session, school):
    creator, _ = school
    sql(session, "SET LOCAL TIME ZONE 'UTC'")
    for day, duration, status in [("1999-03-04", 100, "completed"), ("1999-03-04", 300, "pending"),
                                  ("1999-03-05", 50, "completed")]:
        insert(session, "videos", creator_id=creator.creator_id, title="v", source_type="youtube",
               youtube_video_id="abc", status=status, duration_seconds=duration,
               created_at=f"{day}T12:00:00Z")
    sql(session, "REFRESH MATERIALIZED VIEW daily_video_stats")
    first = _daily(session, "'1999-03-04'")
    assert (first.videos_uploaded, first.videos_processed) == (2, 1)
    assert float(first.avg_duration) == 200.0
    second = _daily(session, "'1999-03-05'")
    assert (second.videos_uploaded, second.videos_processed) == (1, 1)


# --- chapter rules (deferred constraint trigger) ------------------------------------------------

def _chapter(session, video_id, order: int, start: float, end: float) -> uuid.UUID:
    return insert(session, "chapters", video_id=video_id, title=f"Chapter {order}",
                  start_time_seconds=start, end_time_seconds=end, chapter_order=order)


def _rejected(session, constraint: str, statement, *args, **kwargs) -> None:
    with pytest.raises(IntegrityError) as err:
        with session.begin_nested():
            statement(*args, **kwargs)
    assert err.value.orig.diag.constraint_name == constraint


def test_chapter_rules_when_checked_immediately(session, school):
    _, video = school  # 600 seconds long
    sql(session, "SET CONSTRAINTS ALL IMMEDIATE")
    first = _chapter(session, video.id, 1, 0, 100)
    _chapter(session, video.id, 2, 100, 200)  # touching is not overlapping
    _chapter(session, video.id, 3, 300, 500)

    # Each bad chapter breaks exactly one rule.
    _rejected(session, "chapters_no_overlap", _chapter, session, video.id, 4, 450, 550)
    _rejected(session, "chapter_within_video", _chapter, session, video.id, 4, 500, 601)
    _rejected(session, "chapters_in_time_order", _chapter, session, video.id, 4, 200, 300)
    _rejected(session, "chapters_no_overlap", sql, session,
              "UPDATE chapters SET end_time_seconds = 150 WHERE id = :id", id=first)

    # The transaction is still usable; a chapter may end exactly where the video ends.
    _chapter(session, video.id, 4, 500, 600)
    assert scalar(session, "SELECT count(*) FROM chapters WHERE video_id = :id", id=video.id) == 4


def test_chapter_rules_are_deferred_until_checked(session, school):
    _, video = school
    one = _chapter(session, video.id, 1, 0, 100)
    two = _chapter(session, video.id, 2, 100, 200)
    # Swap the two chapters in several statements; the rules only see the final state.
    sql(session, "UPDATE chapters SET chapter_order = 3 WHERE id = :id", id=one)
    sql(session, "UPDATE chapters SET chapter_order = 1, start_time_seconds = 0, "
                 "end_time_seconds = 100 WHERE id = :id", id=two)
    sql(session, "UPDATE chapters SET chapter_order = 2, start_time_seconds = 100, "
                 "end_time_seconds = 200 WHERE id = :id", id=one)
    sql(session, "SET CONSTRAINTS ALL IMMEDIATE")  # would raise if anything were pending and bad

    # A bad chapter goes in while checks are deferred, and is caught when they run.
    sql(session, "SET CONSTRAINTS ALL DEFERRED")
    with pytest.raises(IntegrityError) as err:
        with session.begin_nested():
            _chapter(session, video.id, 3, 150, 250)  # accepted for now
            sql(session, "SET CONSTRAINTS ALL IMMEDIATE")
    assert err.value.orig.diag.constraint_name == "chapters_no_overlap"

"""Rules the database enforces by itself: CHECK, UNIQUE and foreign-key actions.

Each bad row is a valid row with one value changed, inserted with raw SQL in a savepoint, and
must fail with an IntegrityError naming the expected constraint. The valid rows themselves are
inserted too, so a failure can only come from the changed value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from tests.factories import make_user, unique


def sql(session, statement: str, **params):
    return session.execute(text(statement), params)


def insert(session, table: str, **values) -> uuid.UUID:
    columns = ", ".join(f'"{name}"' for name in values)
    params = ", ".join(f":{name}" for name in values)
    return sql(session, f"INSERT INTO {table} ({columns}) VALUES ({params}) RETURNING id",
               **values).scalar_one()


def rejected(session, constraint: str, table: str, **values) -> None:
    """Inserting `values` into `table` fails on `constraint`; the transaction stays usable."""
    with pytest.raises(IntegrityError) as err:
        with session.begin_nested():
            insert(session, table, **values)
    assert err.value.orig.diag.constraint_name == constraint


@dataclass
class World:
    creator_id: uuid.UUID
    creator_user: uuid.UUID
    user_a: uuid.UUID
    user_b: uuid.UUID
    student_id: uuid.UUID
    video_id: uuid.UUID
    comment_id: uuid.UUID
    module_id: uuid.UUID
    chat_session_id: uuid.UUID


def new_user(session) -> uuid.UUID:
    """A user row without the (slow) password hashing of the factories."""
    name = unique()
    return insert(session, "users", username=name, email=f"{name}@example.com", password_hash="x")


@pytest.fixture
def world(session) -> World:
    creator_user = new_user(session)
    creator_id = insert(session, "creators", user_id=creator_user, email="c@example.com")
    student_user = new_user(session)
    student_id = insert(session, "students", user_id=student_user, creator_id=creator_id,
                        email="s@example.com")
    video_id = insert(session, "videos", creator_id=creator_id, title="Lesson",
                      source_type="youtube", youtube_video_id="dQw4w9WgXcQ", duration_seconds=600)
    course = insert(session, "courses", creator_id=creator_id, title="Course")
    return World(
        creator_id=creator_id, creator_user=creator_user,
        user_a=new_user(session), user_b=new_user(session),
        student_id=student_id, video_id=video_id,
        comment_id=insert(session, "comments", video_id=video_id, author_id=student_user,
                          content="Hello"),
        module_id=insert(session, "course_modules", course_id=course, title="Module"),
        chat_session_id=insert(session, "chat_sessions", student_id=student_id,
                               creator_id=creator_id),
    )


def valid_row(table: str, w: World) -> dict:
    """One valid row of `table`, fresh each time (unique names, new users where needed)."""
    name = unique()
    return {
        "users": dict(username=name, email=f"{name}@example.com", password_hash="x"),
        "creators": dict(user_id=w.user_a, email="a@example.com"),
        "follows": dict(follower_id=w.user_a, following_id=w.user_b),
        "subscriptions": dict(subscriber_id=w.user_a, creator_id=w.creator_user),
        "likes": dict(user_id=w.user_a, video_id=w.video_id),
        "videos": dict(creator_id=w.creator_id, title="V", source_type="youtube",
                       youtube_video_id="dQw4w9WgXcQ"),
        "chapters": dict(video_id=w.video_id, title="C", start_time_seconds=0,
                         end_time_seconds=10, chapter_order=1, confidence_score=0.5),
        "comments": dict(video_id=w.video_id, author_id=w.user_a, content="Nice one"),
        "video_watch_sessions": dict(video_id=w.video_id, student_id=w.student_id,
                                     watch_time_seconds=10, percent_complete=100,
                                     device_type="mobile", referrer_type="search"),
        "chat_messages": dict(session_id=w.chat_session_id, role="assistant", content="Hi"),
        "module_lessons": dict(module_id=w.module_id, video_id=w.video_id, lesson_order=1,
                               estimated_duration_minutes=5),
        "processing_jobs": dict(video_id=w.video_id, job_type="transcription", status="running",
                                progress=100, attempts=0),
        "video_analytics_events": dict(event_type="video_started", video_id=w.video_id,
                                       creator_id=w.creator_id),
        "video_analytics": dict(video_id=w.video_id, date="2024-01-01", completion_rate=100),
        "video_chunks": dict(video_id=w.video_id, chunk_index=0, chunk_text="t",
                             start_time_seconds=0, end_time_seconds=0),
        "video_segments": dict(video_id=w.video_id, segment_index=0, start_seconds=0,
                               end_seconds=1.5, text="t"),
    }[table]


# Placeholders for ids that exist only once the `world` fixture has run.
SAME_USER = object()  # user_a, who is also the other side of the row
A_COMMENT = object()  # world.comment_id

# (table, changed values, constraint that must reject the row)
BAD_ROWS = [
    ("users", dict(email="not-an-email"), "email_format"),
    ("users", dict(email="a@b.c"), "email_format"),
    ("users", dict(username="ab"), "username_length"),
    ("creators", dict(subscription_tier="gold"), "creators_subscription_tier_check"),
    ("follows", dict(following_id=SAME_USER), "no_self_follow"),
    ("subscriptions", dict(creator_id=SAME_USER), "no_self_subscription"),
    ("subscriptions", dict(subscription_type="gold"), "subscription_type_check"),
    ("likes", dict(comment_id=A_COMMENT), "like_target"),  # both a video and a comment
    ("likes", dict(video_id=None), "like_target"),  # neither
    ("videos", dict(status="done"), "videos_status_check"),
    ("videos", dict(source_type="tiktok"), "videos_source_type_check"),
    ("videos", dict(youtube_video_id=None), "videos_source_validation"),
    ("videos", dict(source_type="loom", embed_type="youtube", embed_id="x"),
     "videos_source_validation"),
    ("videos", dict(source_type="upload"), "videos_source_validation"),  # no storage_path
    ("videos", dict(embed_type="dailymotion"), "videos_embed_type_check"),
    ("videos", dict(processing_progress=101), "processing_progress_check"),
    ("videos", dict(processing_progress=-1), "processing_progress_check"),
    ("videos", dict(duration_seconds=0), "duration_positive"),
    ("videos", dict(file_size_bytes=0), "file_size_positive"),
    ("chapters", dict(start_time_seconds=10, end_time_seconds=10), "start_before_end"),
    ("chapters", dict(start_time_seconds=20), "start_before_end"),
    ("chapters", dict(start_time_seconds=-1), "time_non_negative"),
    ("chapters", dict(chapter_order=0), "chapter_order_positive"),
    ("chapters", dict(confidence_score=1.01), "confidence_range"),
    ("chapters", dict(confidence_score=-0.01), "confidence_range"),
    ("comments", dict(content=""), "content_not_empty"),
    ("comments", dict(content="     "), "content_not_empty"),
    ("comments", dict(content="x" * 2001), "content_length"),
    ("video_watch_sessions", dict(percent_complete=101),
     "video_watch_sessions_percent_complete_check"),
    ("video_watch_sessions", dict(percent_complete=-1),
     "video_watch_sessions_percent_complete_check"),
    ("video_watch_sessions", dict(watch_time_seconds=-1), "video_watch_sessions_watch_time_check"),
    ("video_watch_sessions", dict(device_type="tv"), "video_watch_sessions_device_type_check"),
    ("video_watch_sessions", dict(referrer_type="ad"), "video_watch_sessions_referrer_type_check"),
    ("video_watch_sessions", dict(session_start="2024-01-02T00:00:00Z",
                                  session_end="2024-01-01T00:00:00Z"),
     "video_watch_sessions_session_end_check"),
    ("chat_messages", dict(role="bot"), "chat_messages_role_check"),
    ("module_lessons", dict(lesson_order=0), "module_lessons_lesson_order_check"),
    ("module_lessons", dict(estimated_duration_minutes=0),
     "module_lessons_estimated_duration_minutes_check"),
    ("processing_jobs", dict(job_type="encoding"), "job_type_check"),
    ("processing_jobs", dict(status="queued"), "job_status_check"),
    ("processing_jobs", dict(progress=101), "progress_range"),
    ("processing_jobs", dict(attempts=-1), "attempts_non_negative"),
    ("video_analytics_events", dict(event_type="video_liked"),
     "video_analytics_events_event_type_check"),
    ("video_analytics", dict(completion_rate=100.01), "video_analytics_completion_rate_check"),
    ("video_chunks", dict(start_time_seconds=-0.5), "video_chunks_start_non_negative"),
    ("video_chunks", dict(start_time_seconds=2.5, end_time_seconds=2.0),
     "video_chunks_end_after_start"),
    ("video_segments", dict(end_seconds=0.5, start_seconds=1.0), "video_segments_end_after_start"),
]

TABLES = sorted({table for table, _, _ in BAD_ROWS})


@pytest.mark.parametrize("table", TABLES)
def test_valid_row_is_accepted(session, world, table):
    assert insert(session, table, **valid_row(table, world))


@pytest.mark.parametrize(
    "table, changes, constraint", BAD_ROWS,
    ids=[f"{table}-{constraint}-{i}" for i, (table, _, constraint) in enumerate(BAD_ROWS)])
def test_bad_row_is_rejected(session, world, table, changes, constraint):
    placeholders = {SAME_USER: world.user_a, A_COMMENT: world.comment_id}
    values = valid_row(table, world)
    values.update({column: placeholders.get(value, value) for column, value in changes.items()})
    rejected(session, constraint, table, **values)


def test_comment_of_tabs_and_newlines_is_rejected(session, world):
    rejected(session, "content_not_empty", "comments",
             **{**valid_row("comments", world), "content": "\t\n \r\n"})


# --- uniqueness ---------------------------------------------------------------------------------

@pytest.mark.parametrize("table, constraint", [
    ("follows", "follows_follower_id_following_id_key"),
    ("subscriptions", "subscriptions_subscriber_id_creator_id_key"),
    ("likes", "likes_user_id_video_id_key"),
    ("module_lessons", "idx_module_lessons_unique_video_per_module"),
    ("video_chunks", "video_chunks_video_index_key"),
])
def test_second_identical_row_is_rejected(session, world, table, constraint):
    row = valid_row(table, world)
    insert(session, table, **row)
    if table == "module_lessons":
        row["lesson_order"] = 2  # same video in the same module, at another place
    rejected(session, constraint, table, **row)


def test_one_like_per_user_and_comment(session, world):
    insert(session, "likes", user_id=world.user_a, comment_id=world.comment_id)
    rejected(session, "likes_user_id_comment_id_key", "likes",
             user_id=world.user_a, comment_id=world.comment_id)


def test_username_and_email_are_unique(session):
    taken = make_user(session)
    email = f"{taken.username}@example.com"
    rejected(session, "users_username_key", "users", username=taken.username,
             email=f"{unique()}@example.com", password_hash="x")
    rejected(session, "users_email_key", "users", username=unique(), email=email,
             password_hash="x")


def test_one_school_per_user(session, world):
    rejected(session, "creators_user_id_key", "creators", user_id=world.creator_user,
             email="again@example.com")


def test_chapter_order_is_unique_per_video_when_checked(session, world):
    """The unique (video_id, chapter_order) is deferred so chapters can be renumbered."""
    row = valid_row("chapters", world)
    insert(session, "chapters", **row)
    sql(session, "SET CONSTRAINTS ALL IMMEDIATE")
    rejected(session, "chapters_video_id_chapter_order_key", "chapters",
             **{**row, "start_time_seconds": 20, "end_time_seconds": 30})


# --- foreign-key actions ------------------------------------------------------------------------

def _count(session, table: str, column: str, value) -> int:
    return sql(session, f"SELECT count(*) FROM {table} WHERE {column} = :v", v=value).scalar_one()


def test_deleting_a_creator_deletes_its_videos_and_their_rows(session, world):
    insert(session, "chapters", **valid_row("chapters", world))
    insert(session, "video_chunks", **valid_row("video_chunks", world))
    assert _count(session, "videos", "creator_id", world.creator_id) == 1
    sql(session, "DELETE FROM creators WHERE id = :id", id=world.creator_id)
    assert _count(session, "videos", "creator_id", world.creator_id) == 0
    for table in ("chapters", "video_chunks", "comments"):
        assert _count(session, table, "video_id", world.video_id) == 0, table
    assert _count(session, "students", "creator_id", world.creator_id) == 0
    # The creator's user account stays.
    assert _count(session, "users", "id", world.creator_user) == 1


def test_deleting_a_user_deletes_their_school(session, world):
    sql(session, "DELETE FROM users WHERE id = :id", id=world.creator_user)
    assert _count(session, "creators", "id", world.creator_id) == 0
    assert _count(session, "videos", "id", world.video_id) == 0


def test_deleting_a_course_keeps_its_events_without_course_and_module(session, world):
    course = sql(session, "SELECT course_id FROM course_modules WHERE id = :id",
                 id=world.module_id).scalar_one()
    event = insert(session, "video_analytics_events", event_type="video_added_to_course",
                   video_id=world.video_id, creator_id=world.creator_id, course_id=course,
                   module_id=world.module_id)
    sql(session, "DELETE FROM courses WHERE id = :id", id=course)
    row = sql(session, "SELECT course_id, module_id FROM video_analytics_events WHERE id = :id",
              id=event).one()
    assert (row.course_id, row.module_id) == (None, None)
    assert _count(session, "course_modules", "id", world.module_id) == 0


def test_video_must_belong_to_an_existing_creator(session, world):
    rejected(session, "videos_creator_id_fkey", "videos",
             **{**valid_row("videos", world), "creator_id": uuid.uuid4()})

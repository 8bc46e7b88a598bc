"""The watch service: who may watch, views, honest watch sessions, milestones, resume, speed
and likes. Each test runs in a rolled-back transaction of the shared test database."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from chronos_app.core.errors import InvalidInput, NotFound
from chronos_app.models import (
    Chapter,
    Like,
    Student,
    Video,
    VideoAnalyticsEvent,
    VideoSegment,
    VideoWatchSession,
)
from chronos_app.schemas.accounts import Actor
from chronos_app.services import schools, watch
from tests.factories import make_creator, make_student, make_user, make_video, student_row

PUBLISHED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)


@dataclass
class World:
    owner: Actor
    student: Actor      # active student of the owner's school
    other: Actor        # student of another school
    stranger: Actor     # logged in, no memberships
    video: Video        # published, members only, 100 s long


@pytest.fixture
def world(session) -> World:
    owner = make_creator(session, name="Regression School")
    other_school = make_creator(session)
    video = make_video(session, owner, published_at=PUBLISHED, is_public=False,
                       duration_seconds=100, status="completed", title="Linear regression")
    return World(owner=owner, student=make_student(session, owner),
                 other=make_student(session, other_school), stranger=make_user(session),
                 video=video)


@pytest.fixture
def t0() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def at(t0: datetime, seconds: float) -> datetime:
    return t0 + timedelta(seconds=seconds)


def events(session, video: Video, event_type: str | None = None) -> list[VideoAnalyticsEvent]:
    stmt = select(VideoAnalyticsEvent).where(VideoAnalyticsEvent.video_id == video.id)
    if event_type:
        stmt = stmt.where(VideoAnalyticsEvent.event_type == event_type)
    return list(session.exec(stmt.order_by(VideoAnalyticsEvent.timestamp)).all())


def watch_session(session, sid: str) -> VideoWatchSession:
    row = session.get(VideoWatchSession, uuid.UUID(sid))
    session.refresh(row)
    return row


def progress(session, actor, sid, t0, seconds, position, **kw):
    return watch.record_progress(session=session, actor=actor, watch_session_id=sid,
                                 position=position, now=at(t0, seconds), **kw)


# --- who may watch -----------------------------------------------------------------------------

def test_the_owner_previews_an_unpublished_video_nobody_else_sees_it(session, world):
    draft = make_video(session, world.owner, is_public=True, duration_seconds=100)
    view = watch.watch_view(session=session, actor=world.owner, video_id=draft.id)
    assert view.is_owner and view.published == "" and not view.tracked
    for actor in (world.student, world.other, world.stranger):
        with pytest.raises(NotFound, match="not available"):
            watch.watch_view(session=session, actor=actor, video_id=draft.id)


def test_a_student_of_the_school_sees_a_published_private_video(session, world):
    view = watch.watch_view(session=session, actor=world.student, video_id=str(world.video.id))
    assert view.id == str(world.video.id) and view.title == "Linear regression"
    assert view.published == "Nov 22, 2026" and view.tracked and not view.is_owner
    assert view.school_name == "Regression School"
    assert view.creator_username == world.owner.username
    assert view.creator_id == str(world.owner.creator_id)
    assert (view.player, view.src, view.embed_url) == (
        "youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "")
    assert view.source_label == "YouTube" and view.duration == "1:40"
    assert view.duration_seconds == 100.0 and view.resume_at == 0 and view.playback_rate == 1.0


def test_others_get_not_found_for_a_private_video_everywhere(session, world):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id)
    for actor in (world.other, world.stranger):
        for call in (watch.watch_view, watch.like_video, watch.unlike_video,
                     watch.toggle_video_like, watch.start_watch, watch.resume_position):
            with pytest.raises(NotFound):
                call(session=session, actor=actor, video_id=world.video.id)
        with pytest.raises(NotFound):  # someone else's watch session
            watch.record_progress(session=session, actor=actor, watch_session_id=sid,
                                  position=5)
    with pytest.raises(NotFound):  # the owner has no student row: not theirs either
        watch.record_progress(session=session, actor=world.owner, watch_session_id=sid,
                              position=5)
    assert session.get(Video, world.video.id).view_count == 1
    assert session.exec(select(Like)).all() == []


def test_a_public_published_video_is_visible_to_anyone_logged_in_but_untracked(session, world):
    public = make_video(session, world.owner, published_at=PUBLISHED, is_public=True,
                        duration_seconds=100)
    for actor in (world.other, world.stranger):
        view = watch.watch_view(session=session, actor=actor, video_id=public.id)
        assert view.id == str(public.id) and not view.tracked and not view.is_owner
        assert watch.start_watch(session=session, actor=actor, video_id=public.id) == ""
    assert watch.watch_view(session=session, actor=world.student, video_id=public.id).tracked
    assert session.get(Video, public.id).view_count == 2
    assert session.exec(select(VideoWatchSession)
                        .where(VideoWatchSession.video_id == public.id)).all() == []


@pytest.mark.parametrize("video_id", ["", "not-a-uuid", "123", str(uuid.uuid4()), None])
def test_malformed_or_unknown_ids_are_not_found(session, world, video_id):
    with pytest.raises(NotFound, match="not available"):
        watch.watch_view(session=session, actor=world.student, video_id=video_id)
    with pytest.raises(NotFound):
        watch.like_video(session=session, actor=world.student, video_id=video_id)
    with pytest.raises(NotFound):
        watch.record_progress(session=session, actor=world.student, watch_session_id=video_id,
                              position=1)


def test_a_deleted_video_is_gone_even_for_its_owner(session, world):
    world.video.is_deleted = True
    session.add(world.video)
    session.flush()
    for actor in (world.owner, world.student):
        with pytest.raises(NotFound):
            watch.watch_view(session=session, actor=actor, video_id=world.video.id)


def test_a_student_who_left_the_school_loses_the_private_video(session, world):
    left = schools.leave_school(session=session, actor=world.student,
                                creator_id=world.owner.creator_id)
    with pytest.raises(NotFound):
        watch.watch_view(session=session, actor=left, video_id=world.video.id)


# --- what the page shows -------------------------------------------------------------------------

def test_chapters_in_order_with_timeline_positions_and_cues(session, world):
    vid = world.video.id
    session.add_all([
        Chapter(video_id=vid, title="Fit", chapter_order=2, start_time_seconds=25,
                end_time_seconds=100),
        Chapter(video_id=vid, title="Intro", chapter_order=1, start_time_seconds=0,
                end_time_seconds=25),
        VideoSegment(video_id=vid, segment_index=1, start_seconds=62.5, end_seconds=70,
                     text="Now the slope."),
        VideoSegment(video_id=vid, segment_index=0, start_seconds=0, end_seconds=4.5,
                     text="Hello and welcome."),
    ])
    session.flush()
    view = watch.watch_view(session=session, actor=world.student, video_id=vid)
    assert [(c.title, c.start, c.end, c.label, c.left_pct, c.width_pct)
            for c in view.chapters] == [("Intro", 0.0, 25.0, "0:00", 0.0, 25.0),
                                        ("Fit", 25.0, 100.0, "0:25", 25.0, 75.0)]
    assert all(c.id for c in view.chapters)
    assert [(c.start, c.end, c.label, c.text) for c in view.cues] == [
        (0.0, 4.5, "0:00", "Hello and welcome."), (62.5, 70.0, "1:02", "Now the slope.")]


def test_an_upload_plays_from_the_backend_with_its_stored_thumbnail(session, world):
    upload = make_video(session, world.owner, source_type="upload", youtube_video_id=None,
                        embed_type=None, embed_id=None, storage_path="videos/x/source.mp4",
                        published_at=PUBLISHED, duration_seconds=100)
    view = watch.watch_view(session=session, actor=world.student, video_id=upload.id)
    assert (view.player, view.src, view.poster_url) == (
        "file", f"/media/videos/{upload.id}", "")
    upload.thumbnail_url = f"/media/thumbnails/{upload.id}"
    session.add(upload)
    session.flush()
    view = watch.watch_view(session=session, actor=world.student, video_id=upload.id)
    assert view.poster_url == f"/media/thumbnails/{upload.id}" and view.source_label == "Upload"


def test_a_loom_video_is_embedded(session, world):
    loom = make_video(session, world.owner, source_type="loom", youtube_video_id=None,
                      embed_type="loom", embed_id="0281766fa2d04bb788eaf19e65135184",
                      published_at=PUBLISHED, thumbnail_url="https://cdn.loom.com/x.jpg")
    view = watch.watch_view(session=session, actor=world.student, video_id=loom.id)
    assert (view.player, view.src) == ("loom", "")
    assert view.embed_url == "https://www.loom.com/embed/0281766fa2d04bb788eaf19e65135184"
    assert view.poster_url == "https://cdn.loom.com/x.jpg"


# --- views and sessions -----------------------------------------------------------------------------

def test_each_start_counts_one_view_but_not_the_owners(session, world, t0):
    for _ in range(2):
        watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    assert watch.start_watch(session=session, actor=world.owner, video_id=world.video.id) == ""
    assert session.get(Video, world.video.id).view_count == 2
    view = watch.watch_view(session=session, actor=world.owner, video_id=world.video.id)
    assert view.view_count == 2 and view.is_owner and not view.tracked


def test_start_watch_opens_a_session_and_records_video_started(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id,
                            device="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148",
                            referrer="course", position=12.5, now=t0)
    row = watch_session(session, sid)
    me = student_row(session, world.student, world.owner)
    assert row.student_id == me.id and row.video_id == world.video.id
    assert (row.device_type, row.referrer_type) == ("mobile", "course_page")
    assert row.meta == {"position": 12.5, "last_at": t0.isoformat(), "watched": [],
                        "milestones": [], "watch_time": 0.0}
    assert row.session_start == t0 and not row.completed
    [started] = events(session, world.video)
    assert started.event_type == "video_started" and started.student_id == me.id
    assert started.creator_id == world.owner.creator_id and started.course_id is None
    assert started.meta["watch_session_id"] == sid
    sid2 = watch.start_watch(session=session, actor=world.student, video_id=world.video.id,
                             device="tablet", now=t0)
    row2 = watch_session(session, sid2)
    assert (row2.device_type, row2.referrer_type) == ("tablet", "direct_link")
    assert len(events(session, world.video, "video_started")) == 2
    assert events(session, world.video, "video_rewatched") == []


def test_continuous_play_at_1x_is_credited(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    result = progress(session, world.student, sid, t0, 10, 10)
    assert (result.position, result.watch_time_seconds, result.percent_complete) == (10, 10, 10)
    assert result.new_milestones == [10] and not result.completed
    row = watch_session(session, sid)
    assert row.watch_time_seconds == 10 and row.percent_complete == 10
    assert row.meta["watched"] == [[0, 10]] and row.meta["position"] == 10
    assert row.session_end == at(t0, 10)


def test_a_pause_credits_nothing(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    progress(session, world.student, sid, t0, 10, 10)
    paused = progress(session, world.student, sid, t0, 300, 10)  # 290 s later, same position
    assert paused.watch_time_seconds == 10 and paused.percent_complete == 10
    resumed = progress(session, world.student, sid, t0, 305, 15)
    assert resumed.watch_time_seconds == 15 and resumed.percent_complete == 15


def test_a_seek_credits_only_what_was_played_before_it(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    jumped = progress(session, world.student, sid, t0, 10, 10, seek_to=60)
    assert (jumped.position, jumped.watch_time_seconds, jumped.percent_complete) == (60, 10, 10)
    after = progress(session, world.student, sid, t0, 15, 65)
    assert after.watch_time_seconds == 15 and after.percent_complete == 15
    assert watch_session(session, sid).meta["watched"] == [[0, 10], [60, 65]]


def test_dragging_to_the_end_earns_nothing(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    result = progress(session, world.student, sid, t0, 1, 99)
    assert result.watch_time_seconds == 0 and result.percent_complete == 0
    assert not result.completed and result.new_milestones == []
    row = watch_session(session, sid)
    assert not row.completed and row.meta["position"] == 99
    assert events(session, world.video, "video_completed") == []


def test_a_full_honest_watch_completes_with_each_milestone_once(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    reached: list[int] = []
    completed_at = None
    for step in range(1, 21):
        result = progress(session, world.student, sid, t0, 5 * step, 5 * step)
        reached += result.new_milestones
        if result.completed and completed_at is None:
            completed_at = 5 * step
    progress(session, world.student, sid, t0, 110, 100)  # a late report after the end
    assert reached == [10, 25, 50, 75, 90] and completed_at == 90
    assert (result.percent_complete, result.watch_time_seconds) == (100, 100)
    row = watch_session(session, sid)
    assert row.completed and row.percent_complete == 100 and row.watch_time_seconds == 100
    milestones = [e.meta["milestone"] for e in events(session, world.video, "video_progress")]
    assert sorted(milestones) == [10, 25, 50, 75, 90]
    assert len(events(session, world.video, "video_completed")) == 1


def test_2x_speed_credits_the_media_time_halved(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    result = progress(session, world.student, sid, t0, 10, 20, rate=2.0)
    assert result.watch_time_seconds == 10 and result.percent_complete == 20
    # the fastest honest watch: 100 s of video in 50 s of wall time still completes
    for step in range(2, 6):
        result = progress(session, world.student, sid, t0, 10 * step, 20 * step, rate=2.0)
    assert result.percent_complete == 100 and result.watch_time_seconds == 50
    assert result.completed


def test_claiming_a_slow_speed_does_not_inflate_watch_time(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    result = progress(session, world.student, sid, t0, 10, 5, rate=0.01)  # counted as 0.5x
    assert result.watch_time_seconds == 10


def test_a_flood_of_reports_cannot_outrun_the_clock(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    for n in range(1, 51):  # 50 reports of +2 s each within the first second
        result = progress(session, world.student, sid, t0, n / 50, 2 * n, rate=1.0)
    assert result.watch_time_seconds <= 4 and result.percent_complete <= 4
    assert not result.completed


def test_the_second_completed_watch_is_a_rewatch(session, world, t0):
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    for step in range(1, 21):
        progress(session, world.student, sid, t0, 5 * step, 5 * step)
    later = at(t0, 3600)
    watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=later)
    assert len(events(session, world.video, "video_started")) == 2
    [rewatch] = events(session, world.video, "video_rewatched")
    assert rewatch.student_id == student_row(session, world.student, world.owner).id


def test_resume_where_the_student_left_off_and_start_over_after_finishing(session, world, t0):
    assert watch.resume_position(session=session, actor=world.student,
                                 video_id=world.video.id) == 0
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    progress(session, world.student, sid, t0, 30, 30)
    assert watch.resume_position(session=session, actor=world.student,
                                 video_id=world.video.id) == 30
    assert watch.watch_view(session=session, actor=world.student,
                            video_id=world.video.id).resume_at == 30
    # a later session resumes at 30, jumps near the end: "finished", start over next time
    later = at(t0, 600)
    sid2 = watch.start_watch(session=session, actor=world.student, video_id=world.video.id,
                             position=30, now=later)
    progress(session, world.student, sid2, later, 5, 35, seek_to=97)
    assert watch.resume_position(session=session, actor=world.student,
                                 video_id=world.video.id) == 0
    # finishing a whole session: 0 as well
    sid3 = watch.start_watch(session=session, actor=world.student, video_id=world.video.id,
                             now=at(t0, 1200))
    for step in range(1, 19):
        progress(session, world.student, sid3, at(t0, 1200), 5 * step, 5 * step)
    assert watch_session(session, sid3).completed
    assert watch.watch_view(session=session, actor=world.student,
                            video_id=world.video.id).resume_at == 0
    assert watch.resume_position(session=session, actor=world.owner,
                                 video_id=world.video.id) == 0


# --- playback speed -----------------------------------------------------------------------------

def test_playback_rate_is_validated(session, world):
    for bad in (3.0, 0.0, -1.0, 1.1, float("nan"), True):
        with pytest.raises(InvalidInput) as err:
            watch.set_playback_rate(session=session, actor=world.student, rate=bad)
        assert "0.5×" in err.value.message and "2×" in err.value.message
        assert err.value.details == ["0.5", "0.75", "1", "1.25", "1.5", "1.75", "2"]


def test_playback_rate_is_stored_in_every_student_row(session, world):
    second = make_creator(session)
    actor = schools.join_school(session=session, actor=world.student,
                                creator_id=second.creator_id)
    mine = student_row(session, actor, world.owner)
    mine.preferences = {"theme": "dark"}
    session.add(mine)
    session.flush()
    assert watch.set_playback_rate(session=session, actor=actor, rate=1.5) == 1.5
    rows = session.exec(select(Student).where(Student.user_id == actor.user_id)).all()
    assert len(rows) == 2
    for row in rows:
        session.refresh(row)
        assert row.preferences["playback_rate"] == 1.5
    session.refresh(mine)
    assert mine.preferences == {"theme": "dark", "playback_rate": 1.5}
    view = watch.watch_view(session=session, actor=actor, video_id=world.video.id)
    assert view.playback_rate == 1.5
    assert watch.set_playback_rate(session=session, actor=actor, rate=1) == 1.0
    assert watch.watch_view(session=session, actor=actor,
                            video_id=world.video.id).playback_rate == 1.0


def test_playback_rate_falls_back_to_another_schools_row(session, world):
    public_school = make_creator(session)
    public = make_video(session, public_school, published_at=PUBLISHED, is_public=True)
    watch.set_playback_rate(session=session, actor=world.student, rate=0.75)
    view = watch.watch_view(session=session, actor=world.student, video_id=public.id)
    assert view.playback_rate == 0.75 and not view.tracked


def test_playback_rate_without_student_rows_is_returned_but_not_stored(session, world):
    assert watch.set_playback_rate(session=session, actor=world.stranger, rate=1.25) == 1.25
    assert watch.set_playback_rate(session=session, actor=world.owner, rate=2) == 2.0
    assert watch.watch_view(session=session, actor=world.owner,
                            video_id=world.video.id).playback_rate == 1.0


# --- likes ---------------------------------------------------------------------------------------

def test_like_and_unlike_are_idempotent_and_counted_by_the_trigger(session, world):
    vid = world.video.id
    for _ in range(2):
        state = watch.like_video(session=session, actor=world.student, video_id=vid)
        assert (state.liked, state.like_count) == (True, 1)
    assert session.get(Video, vid).like_count == 1
    view = watch.watch_view(session=session, actor=world.student, video_id=vid)
    assert view.liked and view.like_count == 1
    owner_view = watch.watch_view(session=session, actor=world.owner, video_id=vid)
    assert not owner_view.liked and owner_view.like_count == 1
    for _ in range(2):
        state = watch.unlike_video(session=session, actor=world.student, video_id=vid)
        assert (state.liked, state.like_count) == (False, 0)
    assert session.get(Video, vid).like_count == 0


def test_toggle_like(session, world):
    vid = world.video.id
    assert watch.toggle_video_like(session=session, actor=world.student,
                                   video_id=vid).like_count == 1
    owner = watch.toggle_video_like(session=session, actor=world.owner, video_id=vid)
    assert (owner.liked, owner.like_count) == (True, 2)
    state = watch.toggle_video_like(session=session, actor=world.student, video_id=vid)
    assert (state.liked, state.like_count) == (False, 1)


# --- lessons on the home page ------------------------------------------------------------------

def test_lessons_for_lists_the_schools_published_videos_with_progress(session, world, t0):
    draft = make_video(session, world.owner, duration_seconds=100, title="Draft")  # unpublished
    newer = make_video(session, world.owner, published_at=PUBLISHED + timedelta(days=1),
                       duration_seconds=100, title="Newer lesson")
    gone = make_video(session, world.owner, published_at=PUBLISHED, duration_seconds=100,
                      title="Removed", is_deleted=True)
    sid = watch.start_watch(session=session, actor=world.student, video_id=world.video.id, now=t0)
    progress(session, world.student, sid, t0, 30, 30)

    cards = watch.lessons_for(session=session, actor=world.student)
    assert [c.title for c in cards] == ["Newer lesson", "Linear regression"]
    assert {draft.title, gone.title}.isdisjoint(c.title for c in cards)
    watched = cards[1]
    assert (watched.percent, watched.resume_at, watched.resume_label) == (30, 30, "0:30")
    assert watched.href == f"/watch/{world.video.id}" and watched.last_watched
    assert not watched.completed and cards[0].resume_label == "" and cards[0].percent == 0
    assert newer.id != world.video.id

    # Other schools' students, strangers and people who left see none of it.
    assert watch.lessons_for(session=session, actor=world.other) == []
    assert watch.lessons_for(session=session, actor=world.stranger) == []
    schools.leave_school(session=session, actor=world.student, creator_id=world.owner.creator_id)
    assert watch.lessons_for(session=session, actor=world.student) == []

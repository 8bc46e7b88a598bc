"""The student side of courses (catalog, course viewer, progress) and the creator's view of
students' progress. Each test runs in a rolled-back transaction of the shared test database;
courses are built here with plain rows, not with the builder service."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text

from chronos_app.core.errors import InvalidInput, NotFound
from chronos_app.models import Course, CourseModule, Creator, ModuleLesson, Video, VideoWatchSession
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.learning import CourseView, ViewerLesson, ViewerModule
from chronos_app.services import learning, schools, watch
from chronos_app.services.learning import (
    fold_sessions,
    lesson_minutes,
    lesson_neighbours,
    progress_of,
    status_of,
)
from tests.factories import make_creator, make_student, make_user, make_video, student_row

PUBLISHED = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


# --- a tiny course builder -----------------------------------------------------------------------

def make_course(session, creator: Actor, title: str = "Course", *, published: bool = True,
                published_at: datetime | None = PUBLISHED, description: str | None = None,
                deleted: bool = False) -> Course:
    course = Course(creator_id=creator.creator_id, title=title, description=description,
                    is_published=published, published_at=published_at if published else None,
                    is_deleted=deleted)
    session.add(course)
    session.flush()
    return course


def add_module(session, course: Course, title: str = "Module", order: int = 0) -> CourseModule:
    module = CourseModule(course_id=course.id, title=title, display_order=order)
    session.add(module)
    session.flush()
    return module


def add_lesson(session, module: CourseModule, video: Video, order: int, *,
               required: bool = True, minutes: int | None = None,
               title: str | None = None) -> ModuleLesson:
    lesson = ModuleLesson(module_id=module.id, video_id=video.id, lesson_order=order,
                          is_required=required, estimated_duration_minutes=minutes, title=title)
    session.add(lesson)
    session.flush()
    return lesson


def video(session, creator: Actor, title: str = "A lesson", **fields) -> Video:
    values = dict(published_at=PUBLISHED, is_public=False, duration_seconds=100,
                  status="completed", title=title)
    values.update(fields)
    return make_video(session, creator, **values)


def watched(session, student: Actor, creator: Actor, vid: Video, percent: int,
            at: datetime = T0, watch_seconds: int = 0) -> VideoWatchSession:
    """A watch session inserted as is; the trigger marks it completed from 90 %."""
    row = VideoWatchSession(video_id=vid.id, student_id=student_row(session, student, creator).id,
                            session_start=at, session_end=at, percent_complete=percent,
                            watch_time_seconds=watch_seconds)
    session.add(row)
    session.flush()
    return row


def simple_course(session, creator: Actor, title: str, n_lessons: int = 2,
                  **course_fields) -> tuple[Course, list[Video]]:
    course = make_course(session, creator, title, **course_fields)
    module = add_module(session, course)
    videos = [video(session, creator, f"{title} {i}") for i in range(n_lessons)]
    for i, vid in enumerate(videos, start=1):
        add_lesson(session, module, vid, i)
    return course, videos


@dataclass
class World:
    owner: Actor
    student: Actor
    classmate: Actor
    other_owner: Actor
    other_student: Actor
    course: Course                 # 2 modules: [v1, v2 (optional), v3], [v4, v5]
    modules: list[CourseModule]
    lessons: list[ModuleLesson]
    videos: list[Video]


@pytest.fixture
def world(session) -> World:
    owner = make_creator(session, name="Stats School")
    other_owner = make_creator(session, name="Other School")
    course = make_course(session, owner, "Statistics", description="Means and medians")
    m1 = add_module(session, course, "Basics", order=0)
    m2 = add_module(session, course, "Regression", order=1)
    videos = [video(session, owner, f"Video {i}") for i in range(1, 6)]
    lessons = [
        add_lesson(session, m1, videos[0], 1, minutes=7, title="Welcome"),
        add_lesson(session, m1, videos[1], 2, required=False),
        add_lesson(session, m1, videos[2], 3),
        add_lesson(session, m2, videos[3], 1),
        add_lesson(session, m2, videos[4], 2),
    ]
    return World(owner=owner, student=make_student(session, owner),
                 classmate=make_student(session, owner), other_owner=other_owner,
                 other_student=make_student(session, other_owner), course=course,
                 modules=[m1, m2], lessons=lessons, videos=videos)


def ids(items) -> list[str]:
    return [item.id for item in items]


# --- pure rules ------------------------------------------------------------------------------------

def test_progress_counts_required_lessons_only():
    assert progress_of([(True, True), (False, True), (True, False)]) == (1, 2, 50)
    assert progress_of([(True, True), (False, False), (True, True)]) == (2, 2, 100)


def test_progress_without_required_lessons_counts_every_lesson():
    assert progress_of([(False, True), (False, False), (False, False)]) == (1, 3, 33)
    assert progress_of([(False, True), (False, True)]) == (2, 2, 100)


def test_progress_of_nothing_is_zero():
    assert progress_of([]) == (0, 0, 0)


@pytest.mark.parametrize(("done", "total", "percent"),
                         [(1, 3, 33), (2, 3, 66), (1, 6, 16), (5, 6, 83), (99, 100, 99)])
def test_progress_percent_is_floored(done, total, percent):
    pairs = [(True, True)] * done + [(True, False)] * (total - done)
    assert progress_of(pairs) == (done, total, percent)


def test_status_of():
    assert status_of(0, False) == "not_started"
    assert status_of(0, True) == "in_progress"
    assert status_of(50, True) == "in_progress"
    assert status_of(100, True) == "completed"
    assert set(learning.STATUS_LABELS) == {"not_started", "in_progress", "completed"}


def test_lesson_minutes():
    assert lesson_minutes(7, 100) == 7
    assert lesson_minutes(None, 100) == 2
    assert lesson_minutes(None, 600) == 10
    assert lesson_minutes(None, None) == 0 and lesson_minutes(0, 0) == 0


def _view(*module_lessons: list[str]) -> CourseView:
    return CourseView(modules=[ViewerModule(lessons=[ViewerLesson(id=i) for i in lessons])
                               for lessons in module_lessons])


def test_lesson_neighbours_cross_module_boundaries():
    view = _view(["a", "b"], [], ["c"], ["d", "e"])
    assert lesson_neighbours(view, "a") == ("", "b")
    assert lesson_neighbours(view, "b") == ("a", "c")
    assert lesson_neighbours(view, "c") == ("b", "d")
    assert lesson_neighbours(view, "e") == ("d", "")
    assert lesson_neighbours(view, "zzz") == ("", "")
    assert lesson_neighbours(_view(["only"]), "only") == ("", "")
    assert lesson_neighbours(_view(), "") == ("", "")


def test_fold_sessions_keeps_best_percent_any_completion_total_time_and_latest():
    s, v = uuid.uuid4(), uuid.uuid4()
    later = T0 + timedelta(hours=1)
    stats = fold_sessions([(s, v, 40, False, 30, T0, None),
                           (s, v, 95, True, 100, T0, later),
                           (s, v, 20, False, 5, T0, T0)])
    stat = stats[(s, v)]
    assert (stat.percent, stat.completed, stat.watch_seconds, stat.last_at) == (95, True, 135,
                                                                                later)


def test_python_completion_matches_the_sql_functions(session, world):
    """The folded completion is has_student_completed_video, the best percent
    get_student_highest_completion, for every lesson."""
    w = world
    watched(session, w.student, w.owner, w.videos[0], 89)
    watched(session, w.student, w.owner, w.videos[1], 90)
    watched(session, w.student, w.owner, w.videos[2], 100)
    watched(session, w.student, w.owner, w.videos[2], 10)
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    sid = student_row(session, w.student, w.owner).id
    for lesson in (item for module in view.modules for item in module.lessons):
        done, best = session.execute(text(
            "SELECT has_student_completed_video(:s, :v), get_student_highest_completion(:s, :v)"),
            {"s": sid, "v": lesson.video_id}).one()
        assert (lesson.completed, lesson.percent) == (done, best)
    assert [lesson.completed for lesson in view.modules[0].lessons] == [False, True, True]


# --- the catalog ------------------------------------------------------------------------------------

def test_the_catalog_shows_only_the_students_schools(session, world):
    w = world
    theirs = make_course(session, w.other_owner, "Their course")
    mine = learning.catalog(session=session, actor=w.student)
    assert ids(mine) == [str(w.course.id)]
    card = mine[0]
    assert (card.title, card.description, card.school_name) == (
        "Statistics", "Means and medians", "Stats School")
    assert (card.lesson_count, card.minutes, card.published) == (5, 7 + 2 * 4, "Nov 22, 2026")
    assert (card.percent, card.status, card.status_label, card.last_activity) == (
        0, "not_started", "Not started", "")
    assert ids(learning.catalog(session=session, actor=w.other_student)) == [str(theirs.id)]
    for actor in (w.owner, w.other_owner, make_user(session)):  # creators are no students
        assert learning.catalog(session=session, actor=actor) == []


def test_a_student_of_two_schools_sees_both(session, world):
    w = world
    theirs = make_course(session, w.other_owner, "Their course")
    both = schools.join_school(session=session, actor=w.student,
                               creator_id=w.other_owner.creator_id)
    assert set(ids(learning.catalog(session=session, actor=both))) == {str(w.course.id),
                                                                       str(theirs.id)}


def test_unpublished_and_deleted_courses_are_invisible(session, world):
    w = world
    make_course(session, w.owner, "Draft", published=False)
    make_course(session, w.owner, "Deleted", deleted=True)
    assert ids(learning.catalog(session=session, actor=w.student)) == [str(w.course.id)]


def test_an_inactive_school_shows_nothing(session, world):
    creator = session.get(Creator, world.owner.creator_id)
    creator.is_active = False
    session.add(creator)
    session.flush()
    assert learning.catalog(session=session, actor=world.student) == []
    with pytest.raises(NotFound):
        learning.course_view(session=session, actor=world.student, course_id=world.course.id)


def test_a_student_who_left_sees_nothing_even_with_a_stale_actor(session, world):
    w = world
    left = schools.leave_school(session=session, actor=w.student, creator_id=w.owner.creator_id)
    for actor in (left, w.student):  # w.student still claims the membership
        assert learning.catalog(session=session, actor=actor) == []
        with pytest.raises(NotFound, match="not available"):
            learning.course_view(session=session, actor=actor, course_id=w.course.id)


def test_lessons_with_unpublished_or_deleted_videos_do_not_count(session, world):
    w = world
    w.videos[3].published_at = None
    w.videos[4].is_deleted = True
    session.add_all([w.videos[3], w.videos[4]])
    session.flush()
    [card] = learning.catalog(session=session, actor=w.student)
    assert (card.lesson_count, card.minutes) == (3, 7 + 2 + 2)
    watched(session, w.student, w.owner, w.videos[0], 100)
    watched(session, w.student, w.owner, w.videos[2], 100)
    [card] = learning.catalog(session=session, actor=w.student)
    assert (card.percent, card.status) == (100, "completed")


def test_search_matches_title_or_description_and_escapes_wildcards(session, world):
    w = world
    make_course(session, w.owner, "Probability", description="Dice and 100% certainty")
    make_course(session, w.owner, "snake_case naming")

    def titles(term: str) -> list[str]:
        return sorted(c.title for c in learning.catalog(session=session, actor=w.student,
                                                        search=term))

    assert titles("statis") == ["Statistics"]
    assert titles("  MEDIANS ") == ["Statistics"]
    assert titles("dice") == ["Probability"]
    assert titles("100%") == ["Probability"]
    assert titles("%") == ["Probability"]
    assert titles("e_c") == ["snake_case naming"]
    assert titles("_") == ["snake_case naming"]
    assert titles("nothing like it") == []
    assert len(titles("")) == 3


def test_status_filter_and_validation(session, world):
    w = world
    done, done_videos = simple_course(session, w.owner, "Done", 1)
    going, going_videos = simple_course(session, w.owner, "Going", 2)
    watched(session, w.student, w.owner, done_videos[0], 95)
    watched(session, w.student, w.owner, going_videos[0], 30)  # started, nothing completed
    by_status = {status: ids(learning.catalog(session=session, actor=w.student, status=status))
                 for status in ("all", "not_started", "in_progress", "completed")}
    assert by_status["not_started"] == [str(w.course.id)]
    assert by_status["in_progress"] == [str(going.id)]
    assert by_status["completed"] == [str(done.id)]
    assert len(by_status["all"]) == 3
    going_card = next(c for c in learning.catalog(session=session, actor=w.student)
                      if c.id == str(going.id))
    assert (going_card.percent, going_card.status_label) == (0, "In progress")
    assert going_card.last_activity == T0.isoformat()
    with pytest.raises(InvalidInput):
        learning.catalog(session=session, actor=w.student, status="done")
    with pytest.raises(InvalidInput):
        learning.catalog(session=session, actor=w.student, sort="random")


def test_sorting(session, world):
    w = world
    a, a_videos = simple_course(session, w.owner, "algebra", 2,
                                published_at=PUBLISHED - timedelta(days=3))
    b, b_videos = simple_course(session, w.owner, "Biology", 1,
                                published_at=PUBLISHED + timedelta(days=1))
    c, _ = simple_course(session, w.owner, "Chemistry", 1,
                         published_at=PUBLISHED - timedelta(days=1))
    watched(session, w.student, w.owner, a_videos[0], 100, at=T0 + timedelta(hours=1))
    watched(session, w.student, w.owner, b_videos[0], 10, at=T0 + timedelta(hours=2))
    watched(session, w.student, w.owner, w.videos[0], 100, at=T0)
    stats, a_, b_, c_ = str(w.course.id), str(a.id), str(b.id), str(c.id)

    def order(sort: str) -> list[str]:
        return ids(learning.catalog(session=session, actor=w.student, sort=sort))

    assert order("recent") == [b_, stats, c_, a_]
    assert order("title") == [a_, b_, c_, stats]           # case-insensitive
    assert order("progress") == [a_, stats, b_, c_]        # 50, 25, 0 (started), 0
    assert order("activity") == [b_, a_, stats, c_]        # never started last
    assert learning.catalog(session=session, actor=w.student) == \
        learning.catalog(session=session, actor=w.student, sort="recent")


def test_catalog_progress_follows_real_watch_sessions(session, world):
    """start_watch / record_progress, as the player would: an honest full watch completes."""
    w = world
    course, [vid] = simple_course(session, w.owner, "One video", 1)
    sid = watch.start_watch(session=session, actor=w.student, video_id=vid.id, now=T0)
    card = next(c for c in learning.catalog(session=session, actor=w.student)
                if c.id == str(course.id))
    assert (card.status, card.percent) == ("in_progress", 0)
    for step in range(1, 21):
        watch.record_progress(session=session, actor=w.student, watch_session_id=sid,
                              position=5 * step, now=T0 + timedelta(seconds=5 * step))
    card = next(c for c in learning.catalog(session=session, actor=w.student)
                if c.id == str(course.id))
    assert (card.status, card.percent) == ("completed", 100)
    assert card.last_activity == (T0 + timedelta(seconds=100)).isoformat()
    view = learning.course_view(session=session, actor=w.student, course_id=course.id)
    assert view.completed and view.modules[0].lessons[0].percent == 100


# --- the course viewer ------------------------------------------------------------------------------

def test_course_view_for_a_student_without_progress(session, world):
    w = world
    view = learning.course_view(session=session, actor=w.student, course_id=str(w.course.id))
    assert (view.id, view.title, view.description, view.school_name, view.is_owner) == (
        str(w.course.id), "Statistics", "Means and medians", "Stats School", False)
    assert [m.title for m in view.modules] == ["Basics", "Regression"]
    lessons = [lesson for module in view.modules for lesson in module.lessons]
    assert [lesson.number for lesson in lessons] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    assert [lesson.id for lesson in lessons] == [str(x.id) for x in w.lessons]
    assert [lesson.title for lesson in lessons] == ["Welcome", "Video 2", "Video 3", "Video 4",
                                                    "Video 5"]
    first = lessons[0]
    assert (first.video_id, first.module_id, first.minutes, first.duration, first.required) == (
        str(w.videos[0].id), str(w.modules[0].id), 7, "1:40", True)
    assert lessons[1].required is False and lessons[1].minutes == 2
    assert (view.percent, view.completed_count, view.required_count, view.completed) == (
        0, 0, 4, False)
    assert [(m.completed_count, m.required_count, m.percent) for m in view.modules] == [
        (0, 2, 0), (0, 2, 0)]
    assert view.resume_lesson_id == str(w.lessons[0].id)


def test_module_and_course_percent_count_required_lessons_and_floor(session, world):
    w = world
    watched(session, w.student, w.owner, w.videos[1], 100)   # optional: no credit
    watched(session, w.student, w.owner, w.videos[2], 95)
    watched(session, w.student, w.owner, w.videos[3], 89)    # not yet
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    assert [(m.completed_count, m.required_count, m.percent) for m in view.modules] == [
        (1, 2, 50), (0, 2, 0)]
    assert (view.completed_count, view.required_count, view.percent) == (1, 4, 25)
    assert [lesson.percent for lesson in view.modules[1].lessons] == [89, 0]
    assert [lesson.completed for lesson in view.modules[0].lessons] == [False, True, True]
    for vid in (w.videos[0], w.videos[3]):
        watched(session, w.student, w.owner, vid, 90)
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    assert (view.completed_count, view.required_count, view.percent, view.completed) == (
        3, 4, 75, False)
    watched(session, w.student, w.owner, w.videos[4], 100)
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    assert (view.completed_count, view.percent, view.completed) == (4, 100, True)
    [card] = learning.catalog(session=session, actor=w.student)
    assert (card.percent, card.status, card.status_label) == (100, "completed", "Completed")
    # the classmate's progress is their own
    theirs = learning.course_view(session=session, actor=w.classmate, course_id=w.course.id)
    assert (theirs.percent, theirs.completed) == (0, False)


def test_a_module_without_required_lessons_counts_every_lesson(session, world):
    w = world
    m3 = add_module(session, w.course, "Extras", order=2)
    extras = [video(session, w.owner, f"Extra {i}") for i in range(3)]
    for i, vid in enumerate(extras, start=1):
        add_lesson(session, m3, vid, i, required=False)
    add_module(session, w.course, "Empty", order=3)
    watched(session, w.student, w.owner, extras[0], 100)
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    extras_module, empty = view.modules[2], view.modules[3]
    assert (extras_module.completed_count, extras_module.required_count,
            extras_module.percent) == (1, 3, 33)
    assert [lesson.number for lesson in extras_module.lessons] == ["3.1", "3.2", "3.3"]
    assert (empty.lessons, empty.percent, empty.required_count) == ([], 0, 0)
    assert (view.completed_count, view.required_count) == (0, 4)  # the course has required ones


def test_an_optional_only_course_completes_when_every_lesson_is_done(session, world):
    w = world
    course = make_course(session, w.owner, "Optional")
    module = add_module(session, course)
    vids = [video(session, w.owner) for _ in range(2)]
    for i, vid in enumerate(vids, start=1):
        add_lesson(session, module, vid, i, required=False)
    watched(session, w.student, w.owner, vids[0], 100)
    view = learning.course_view(session=session, actor=w.student, course_id=course.id)
    assert (view.completed_count, view.required_count, view.percent, view.completed) == (
        1, 2, 50, False)
    watched(session, w.student, w.owner, vids[1], 100)
    view = learning.course_view(session=session, actor=w.student, course_id=course.id)
    assert (view.percent, view.completed) == (100, True)


def test_an_empty_course(session, world):
    course = make_course(session, world.owner, "Empty")
    view = learning.course_view(session=session, actor=world.student, course_id=course.id)
    assert (view.modules, view.percent, view.required_count, view.completed,
            view.resume_lesson_id) == ([], 0, 0, False, "")
    card = next(c for c in learning.catalog(session=session, actor=world.student)
                if c.id == str(course.id))
    assert (card.lesson_count, card.minutes, card.percent, card.status) == (
        0, 0, 0, "not_started")


def test_resume_the_latest_watched_lesson(session, world):
    w = world
    course_id = w.course.id

    def resume() -> str:
        return learning.course_view(session=session, actor=w.student,
                                    course_id=course_id).resume_lesson_id

    assert resume() == str(w.lessons[0].id)  # nothing watched: the first
    watched(session, w.student, w.owner, w.videos[3], 40, at=T0)
    assert resume() == str(w.lessons[3].id)
    watched(session, w.student, w.owner, w.videos[0], 100, at=T0 + timedelta(minutes=5))
    assert resume() == str(w.lessons[0].id)  # the latest, even though it is complete
    watched(session, w.student, w.owner, w.videos[3], 60, at=T0 + timedelta(minutes=10))
    assert resume() == str(w.lessons[3].id)


def test_resume_falls_back_to_the_first_lesson_not_completed(session, world):
    """Sessions on videos of hidden lessons do not count as the latest; the first lesson not
    completed is next."""
    w = world
    watched(session, w.student, w.owner, w.videos[0], 100, at=T0)
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    assert view.resume_lesson_id == str(w.lessons[0].id)
    w.videos[0].published_at = None  # the watched lesson disappears from the student's view
    session.add(w.videos[0])
    session.flush()
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    assert view.resume_lesson_id == str(w.lessons[1].id)
    assert [lesson.number for lesson in view.modules[0].lessons] == ["1.1", "1.2"]


def test_the_owner_previews_an_unpublished_course_with_every_lesson(session, world):
    w = world
    draft = make_course(session, w.owner, "Draft", published=False)
    module = add_module(session, draft)
    hidden = video(session, w.owner, "Unpublished video", published_at=None)
    add_lesson(session, module, hidden, 1)
    add_lesson(session, module, w.videos[0], 2)
    watched(session, w.student, w.owner, w.videos[0], 100)
    view = learning.course_view(session=session, actor=w.owner, course_id=draft.id)
    assert view.is_owner and view.title == "Draft"
    assert [lesson.title for lesson in view.modules[0].lessons] == ["Unpublished video",
                                                                    "Video 1"]
    assert (view.percent, view.completed_count, view.required_count) == (0, 0, 2)
    assert not any(lesson.completed or lesson.percent for lesson in view.modules[0].lessons)
    assert view.resume_lesson_id == view.modules[0].lessons[0].id
    for actor in (w.student, w.other_owner, w.other_student):
        with pytest.raises(NotFound, match="That course is not available."):
            learning.course_view(session=session, actor=actor, course_id=draft.id)
    draft.is_published, draft.published_at = True, PUBLISHED
    session.add(draft)
    session.flush()
    student_view = learning.course_view(session=session, actor=w.student, course_id=draft.id)
    assert [lesson.title for lesson in student_view.modules[0].lessons] == ["Video 1"]
    assert student_view.completed and not student_view.is_owner


def test_course_view_is_not_found_for_others_and_bad_ids(session, world):
    w = world
    for actor in (w.other_student, w.other_owner, make_user(session)):
        with pytest.raises(NotFound, match="That course is not available."):
            learning.course_view(session=session, actor=actor, course_id=w.course.id)
    for bad in ("", "not-a-uuid", "123", None, str(uuid.uuid4())):
        with pytest.raises(NotFound, match="That course is not available."):
            learning.course_view(session=session, actor=w.student, course_id=bad)
    w.course.is_deleted = True
    session.add(w.course)
    session.flush()
    for actor in (w.student, w.owner):
        with pytest.raises(NotFound, match="That course is not available."):
            learning.course_view(session=session, actor=actor, course_id=w.course.id)


def test_lesson_neighbours_of_a_real_view(session, world):
    w = world
    view = learning.course_view(session=session, actor=w.student, course_id=w.course.id)
    lesson_ids = [str(x.id) for x in w.lessons]
    assert lesson_neighbours(view, lesson_ids[2]) == (lesson_ids[1], lesson_ids[3])
    assert lesson_neighbours(view, lesson_ids[0]) == ("", lesson_ids[1])
    assert lesson_neighbours(view, lesson_ids[4]) == (lesson_ids[3], "")


def test_lesson_for_video(session, world):
    w = world
    course_id = w.course.id
    found = learning.lesson_for_video(session=session, actor=w.student, course_id=course_id,
                                      video_id=w.videos[3].id)
    assert found == str(w.lessons[3].id)
    # a video in two modules resolves to its first lesson
    m3 = add_module(session, w.course, "Recap", order=2)
    add_lesson(session, m3, w.videos[3], 1)
    assert learning.lesson_for_video(session=session, actor=w.student, course_id=course_id,
                                     video_id=str(w.videos[3].id)) == str(w.lessons[3].id)
    stray = video(session, w.owner, "Not in the course")
    for vid in (stray.id, "nope", uuid.uuid4()):
        with pytest.raises(NotFound):
            learning.lesson_for_video(session=session, actor=w.student, course_id=course_id,
                                      video_id=vid)
    with pytest.raises(NotFound):
        learning.lesson_for_video(session=session, actor=w.other_student, course_id=course_id,
                                  video_id=w.videos[0].id)
    w.videos[0].published_at = None  # hidden from students, still the owner's lesson
    session.add(w.videos[0])
    session.flush()
    with pytest.raises(NotFound):
        learning.lesson_for_video(session=session, actor=w.student, course_id=course_id,
                                  video_id=w.videos[0].id)
    assert learning.lesson_for_video(session=session, actor=w.owner, course_id=course_id,
                                     video_id=w.videos[0].id) == str(w.lessons[0].id)


# --- the creator's view -------------------------------------------------------------------------------

def test_course_students_only_for_the_courses_creator(session, world):
    w = world
    for actor in (w.student, w.classmate, w.other_owner, w.other_student, make_user(session)):
        with pytest.raises(NotFound, match="That course is not available."):
            learning.course_students(session=session, actor=actor, course_id=w.course.id)
    for bad in ("", "x", None, uuid.uuid4()):
        with pytest.raises(NotFound):
            learning.course_students(session=session, actor=w.owner, course_id=bad)


def test_course_students_numbers(session, world):
    w = world
    late = make_student(session, w.owner)
    gone = make_student(session, w.owner)
    schools.leave_school(session=session, actor=gone, creator_id=w.owner.creator_id)
    day2 = T0 + timedelta(days=1)
    # student: 2 of 4 required, the optional too; 150 s + 200 s + 10 s = 6 minutes
    watched(session, w.student, w.owner, w.videos[0], 95, at=T0, watch_seconds=150)
    watched(session, w.student, w.owner, w.videos[1], 100, at=T0, watch_seconds=200)
    watched(session, w.student, w.owner, w.videos[2], 92, at=day2, watch_seconds=5)
    watched(session, w.student, w.owner, w.videos[2], 30, at=T0, watch_seconds=5)
    # classmate: everything required
    for vid in (w.videos[0], w.videos[2], w.videos[3], w.videos[4]):
        watched(session, w.classmate, w.owner, vid, 100, at=T0, watch_seconds=100)
    # late: started, nothing completed, 59 s
    watched(session, late, w.owner, w.videos[4], 50, at=T0, watch_seconds=59)
    # a video outside the course does not count
    outside = video(session, w.owner, "Outside")
    watched(session, late, w.owner, outside, 100, at=day2, watch_seconds=600)
    rows = learning.course_students(session=session, actor=w.owner, course_id=w.course.id)
    by_name = {row.username: row for row in rows}
    assert gone.username not in by_name and len(rows) == 3
    assert rows[0].username == w.classmate.username
    assert rows[1].username == w.student.username
    assert rows[2].username == late.username
    top = by_name[w.classmate.username]
    assert (top.percent, top.completed_count, top.required_count, top.status,
            top.status_label, top.last_activity, top.watch_minutes) == (
        100, 4, 4, "completed", "Completed", "Nov 25, 2026", 6)
    mid = by_name[w.student.username]
    assert (mid.percent, mid.completed_count, mid.required_count, mid.status,
            mid.last_activity, mid.watch_minutes) == (
        50, 2, 4, "in_progress", "Nov 26, 2026", 6)
    assert mid.student_id == str(student_row(session, w.student, w.owner).id)
    assert mid.name == w.student.username
    low = by_name[late.username]
    assert (low.percent, low.status, low.status_label, low.last_activity,
            low.watch_minutes) == (0, "in_progress", "In progress", "Nov 25, 2026", 0)


def test_course_students_ties_sort_by_username_and_never_started(session, world):
    w = world
    rows = learning.course_students(session=session, actor=w.owner, course_id=w.course.id)
    assert [r.username for r in rows] == sorted([w.student.username, w.classmate.username],
                                                key=str.casefold)
    assert all((r.percent, r.status, r.status_label, r.last_activity, r.watch_minutes) ==
               (0, "not_started", "Not started", "", 0) for r in rows)
    other = learning.course_students(session=session, actor=w.other_owner,
                                     course_id=make_course(session, w.other_owner).id)
    assert [r.username for r in other] == [w.other_student.username]


def test_course_students_of_an_unpublished_course_and_without_students(session):
    owner = make_creator(session)
    draft = make_course(session, owner, "Draft", published=False)
    assert learning.course_students(session=session, actor=owner, course_id=draft.id) == []


# --- queries ---------------------------------------------------------------------------------------

@contextmanager
def count_queries(session):
    connection = session.connection()
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", before)


def _school_with_courses(session, n_courses: int) -> tuple[Actor, Actor, list[Course]]:
    owner = make_creator(session)
    student = make_student(session, owner)
    courses = []
    for c in range(n_courses):
        course = make_course(session, owner, f"Course {c}")
        for m in range(2):
            module = add_module(session, course, f"Module {m}", order=m)
            for i in range(1, 4):
                vid = video(session, owner, f"Video {c}.{m}.{i}")
                add_lesson(session, module, vid, i, required=i != 3)
                watched(session, student, owner, vid, 95 if i == 1 else 40)
        courses.append(course)
    make_student(session, owner)
    session.flush()
    return owner, student, courses


@pytest.mark.parametrize("sort", ["recent", "activity"])
def test_catalog_query_count_does_not_grow_with_courses(session, sort):
    counts = []
    for n in (2, 10):
        _, student, courses = _school_with_courses(session, n)
        session.expire_all()
        with count_queries(session) as statements:
            cards = learning.catalog(session=session, actor=student, sort=sort)
        assert len(cards) == n and all(c.percent == 50 for c in cards)
        counts.append(len(statements))
    assert counts[0] == counts[1] <= 4


def test_course_view_and_course_students_query_counts_are_bounded(session):
    counts = []
    for n in (1, 5):
        owner, student, courses = _school_with_courses(session, n)
        for _ in range(n):
            make_student(session, owner)
        session.flush()
        course_id = courses[0].id
        session.expire_all()
        with count_queries(session) as view_statements:
            view = learning.course_view(session=session, actor=student, course_id=course_id)
        with count_queries(session) as students_statements:
            rows = learning.course_students(session=session, actor=owner, course_id=course_id)
        assert view.percent == 50 and len(rows) == n + 2
        counts.append((len(view_statements), len(students_statements)))
    assert counts[0] == counts[1] and counts[0][0] <= 5 and counts[0][1] <= 4

"""The course builder service: validation, who may do what, adding/moving/deleting/restoring
modules and lessons, publishing, the library picker, and a stateful property test that random
edits keep every order dense. Each test runs in a rolled-back transaction."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import event, text
from sqlmodel import select

from chronos_app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chronos_app.models import Course, CourseModule, ModuleLesson, Video, VideoAnalyticsEvent
from chronos_app.services import courses, videos
from tests.factories import make_creator, make_student, make_video


def ready(session, creator, title="A lesson", **fields) -> Video:
    return make_video(session, creator, title=title, status="completed", **fields)


def layout(draft) -> list[tuple[str, list[str]]]:
    """(module title, [lesson titles]) in order."""
    return [(m.title, [lesson.title for lesson in m.lessons]) for m in draft.modules]


def orders(draft) -> list[tuple[int, list[int]]]:
    return [(m.order, [lesson.order for lesson in m.lessons]) for m in draft.modules]


def build(session, creator, spec: dict[str, list[str]]):
    """A course with modules → lessons of fresh ready videos named by `spec`; returns the draft
    and a {title: video} map."""
    draft = courses.create_course(session=session, actor=creator, title="Course")
    made: dict[str, Video] = {}
    for module_title, lesson_titles in spec.items():
        draft = courses.add_module(session=session, actor=creator, course_id=draft.id,
                                   title=module_title)
        module_id = draft.modules[-1].id
        for title in lesson_titles:
            made[title] = made.get(title) or ready(session, creator, title=title)
            draft = courses.add_lesson(session=session, actor=creator, module_id=module_id,
                                       video_id=str(made[title].id))
    return draft, made


def db_orders_are_dense(session, course_id: str) -> None:
    mods = session.execute(text(
        "SELECT id, display_order FROM course_modules WHERE course_id = :c "
        "ORDER BY display_order"), {"c": course_id}).all()
    assert [o for _, o in mods] == list(range(1, len(mods) + 1))
    for module_id, _ in mods:
        got = [o for (o,) in session.execute(text(
            "SELECT lesson_order FROM module_lessons WHERE module_id = :m "
            "ORDER BY lesson_order"), {"m": module_id}).all()]
        assert got == list(range(1, len(got) + 1))


# --- courses: validation, listing, deleting -----------------------------------------------------

def test_a_new_course_is_an_unpublished_draft_without_modules(session):
    creator = make_creator(session)
    draft = courses.create_course(session=session, actor=creator, title="  Intro   to  ML ",
                                  description="  Learn.  ",
                                  thumbnail_url="https://cdn.example.com/c.jpg")
    assert (draft.title, draft.description, draft.thumbnail_url) == (
        "Intro to ML", "Learn.", "https://cdn.example.com/c.jpg")
    assert not draft.published and draft.published_at == ""
    assert draft.modules == [] and draft.lesson_count == 0 and draft.minutes == 0
    assert draft.blockers == ["Add at least one lesson."]
    assert courses.get_course(session=session, actor=creator, course_id=draft.id) == draft


@pytest.mark.parametrize("fields, message, field", [
    ({"title": ""}, "A course needs a title.", "title"),
    ({"title": " \n\t "}, "A course needs a title.", "title"),
    ({"title": "x" * 201}, "Titles are at most 200 characters.", "title"),
    ({"description": "d" * 5001}, "Descriptions are at most 5000 characters.", "description"),
    ({"thumbnail_url": "ftp://example.com/a.jpg"}, "http(s) link", "thumbnail_url"),
    ({"thumbnail_url": "javascript:alert(1)"}, "http(s) link", "thumbnail_url"),
    ({"thumbnail_url": "example.com/a.jpg"}, "http(s) link", "thumbnail_url"),
    ({"thumbnail_url": "https://"}, "http(s) link", "thumbnail_url"),
    ({"thumbnail_url": "https://exa mple.com/a.jpg"}, "http(s) link", "thumbnail_url"),
])
def test_course_fields_are_validated_on_create_and_update(session, fields, message, field):
    creator = make_creator(session)
    with pytest.raises(InvalidInput) as err:
        courses.create_course(session=session, actor=creator, **{"title": "Fine", **fields})
    assert message in err.value.message and err.value.field == field
    draft = courses.create_course(session=session, actor=creator, title="Fine",
                                  description="Kept")
    with pytest.raises(InvalidInput) as err:
        courses.update_course(session=session, actor=creator, course_id=draft.id, **fields)
    assert err.value.field == field
    session.expire_all()
    kept = courses.get_course(session=session, actor=creator, course_id=draft.id)
    assert (kept.title, kept.description, kept.thumbnail_url) == ("Fine", "Kept", "")


def test_update_course_changes_only_what_is_given(session):
    creator = make_creator(session)
    draft = courses.create_course(session=session, actor=creator, title="Old", description="D",
                                  thumbnail_url="http://example.com/t.png")
    draft = courses.update_course(session=session, actor=creator, course_id=draft.id,
                                  title="New")
    assert (draft.title, draft.description, draft.thumbnail_url) == (
        "New", "D", "http://example.com/t.png")
    draft = courses.update_course(session=session, actor=creator, course_id=draft.id,
                                  description="", thumbnail_url="")
    assert (draft.title, draft.description, draft.thumbnail_url) == ("New", "", "")


def test_the_course_list_has_counts_minutes_and_skips_deleted_and_foreign_courses(session):
    creator, other = make_creator(session), make_creator(session)
    first, _ = build(session, creator, {"A": ["one", "two"], "B": []})
    v = ready(session, creator, title="long", duration_seconds=3601)  # 61 minutes
    courses.update_lesson(session=session, actor=creator, lesson_id=first.modules[0].lessons[0].id,
                          minutes=5)
    courses.add_lesson(session=session, actor=creator, module_id=first.modules[1].id,
                       video_id=str(v.id))
    second = courses.create_course(session=session, actor=creator, title="Second")
    gone = courses.create_course(session=session, actor=creator, title="Gone")
    courses.delete_course(session=session, actor=creator, course_id=gone.id)
    courses.create_course(session=session, actor=other, title="Not mine")

    rows = courses.list_courses(session=session, actor=creator)
    assert [r.title for r in rows] == ["Course", "Second"]
    assert (rows[0].module_count, rows[0].lesson_count, rows[0].minutes) == (2, 3, 5 + 10 + 61)
    assert rows[0].minutes == courses.get_course(session=session, actor=creator,
                                                 course_id=first.id).minutes
    assert (rows[1].id, rows[1].module_count, rows[1].lesson_count, rows[1].minutes) == (
        second.id, 0, 0, 0)
    today = datetime.now(UTC)
    assert rows[0].updated.endswith(str(today.year)) and rows[0].updated[:3].isalpha()


def test_deleting_a_course_is_soft_and_unpublishes_it(session):
    creator = make_creator(session)
    draft, _ = build(session, creator, {"A": ["one"]})
    courses.set_published(session=session, actor=creator, course_id=draft.id, published=True)
    courses.delete_course(session=session, actor=creator, course_id=draft.id)
    row = session.get(Course, uuid.UUID(draft.id))
    assert row.is_deleted and not row.is_published and row.published_at is None
    assert session.exec(select(ModuleLesson)).first() is not None  # rows stay
    with pytest.raises(NotFound, match="That course does not exist."):
        courses.get_course(session=session, actor=creator, course_id=draft.id)
    with pytest.raises(NotFound):
        courses.add_module(session=session, actor=creator, course_id=draft.id, title="X")
    assert courses.list_courses(session=session, actor=creator) == []


def test_every_change_bumps_the_course_updated_at(session):
    creator = make_creator(session)
    draft = courses.create_course(session=session, actor=creator, title="Course")
    old = datetime(2020, 1, 1, tzinfo=UTC)

    def backdate():
        session.execute(text("ALTER TABLE courses DISABLE TRIGGER update_courses_updated_at"))
        session.execute(text("UPDATE courses SET updated_at = :t WHERE id = :c"),
                        {"t": old, "c": draft.id})
        session.execute(text("ALTER TABLE courses ENABLE TRIGGER update_courses_updated_at"))

    def updated_at():
        return session.execute(text("SELECT updated_at FROM courses WHERE id = :c"),
                               {"c": draft.id}).scalar_one()

    video = ready(session, creator)
    backdate()
    draft = courses.add_module(session=session, actor=creator, course_id=draft.id, title="M")
    assert updated_at() > old
    backdate()
    draft = courses.add_lesson(session=session, actor=creator, module_id=draft.modules[0].id,
                               video_id=str(video.id))
    assert updated_at() > old
    backdate()
    courses.update_lesson(session=session, actor=creator, lesson_id=draft.modules[0].lessons[0].id,
                          required=False)
    assert updated_at() > old


# --- who may do what ----------------------------------------------------------------------------

@pytest.fixture
def world(session):
    owner = make_creator(session)
    draft, made = build(session, owner, {"A": ["one", "two"], "B": ["three"]})
    other_course, _ = build(session, owner, {"Elsewhere": []})
    _, undo = courses.delete_lesson(session=session, actor=owner,
                                    lesson_id=draft.modules[0].lessons[1].id)
    draft = courses.get_course(session=session, actor=owner, course_id=draft.id)
    return dict(owner=owner, draft=draft, video=made["two"], undo=undo,
                other_module=other_course.modules[0].id)


def _calls(w):
    d = w["draft"]
    course, module, lesson = d.id, d.modules[0].id, d.modules[0].lessons[0].id
    return {
        "get_course": lambda s, a, cid=course: courses.get_course(
            session=s, actor=a, course_id=cid),
        "update_course": lambda s, a, cid=course: courses.update_course(
            session=s, actor=a, course_id=cid, title="Hacked"),
        "delete_course": lambda s, a, cid=course: courses.delete_course(
            session=s, actor=a, course_id=cid),
        "add_module": lambda s, a, cid=course: courses.add_module(
            session=s, actor=a, course_id=cid, title="Hacked"),
        "publish_blockers": lambda s, a, cid=course: courses.publish_blockers(
            session=s, actor=a, course_id=cid),
        "set_published": lambda s, a, cid=course: courses.set_published(
            session=s, actor=a, course_id=cid, published=True),
        "library_picker": lambda s, a, cid=course: courses.library_picker(
            session=s, actor=a, course_id=cid),
        "rename_module": lambda s, a, mid=module: courses.rename_module(
            session=s, actor=a, module_id=mid, title="Hacked"),
        "move_module": lambda s, a, mid=module: courses.move_module(
            session=s, actor=a, module_id=mid, to_index=1),
        "delete_module": lambda s, a, mid=module: courses.delete_module(
            session=s, actor=a, module_id=mid),
        "add_lesson": lambda s, a, mid=module: courses.add_lesson(
            session=s, actor=a, module_id=mid, video_id=str(w["video"].id)),
        "update_lesson": lambda s, a, lid=lesson: courses.update_lesson(
            session=s, actor=a, lesson_id=lid, title="Hacked"),
        "move_lesson": lambda s, a, lid=lesson: courses.move_lesson(
            session=s, actor=a, lesson_id=lid, to_module_id=d.modules[1].id, to_index=0),
        "delete_lesson": lambda s, a, lid=lesson: courses.delete_lesson(
            session=s, actor=a, lesson_id=lid),
        "restore": lambda s, a: courses.restore(session=s, actor=a,
                                                undo_payload=w["undo"].payload),
    }


CALLS = ["get_course", "update_course", "delete_course", "add_module", "publish_blockers",
         "set_published", "library_picker", "rename_module", "move_module", "delete_module",
         "add_lesson", "update_lesson", "move_lesson", "delete_lesson", "restore"]


def test_another_creator_gets_not_found_everywhere_and_changes_nothing(session, world):
    intruder = make_creator(session)
    for name in CALLS:
        with pytest.raises(NotFound):
            _calls(world)[name](session, intruder)
    session.expire_all()
    assert courses.get_course(session=session, actor=world["owner"],
                              course_id=world["draft"].id) == world["draft"]
    assert courses.list_courses(session=session, actor=intruder) == []


def test_a_student_is_forbidden_everywhere(session, world):
    student = make_student(session, world["owner"])
    for name in CALLS:
        with pytest.raises(Forbidden):
            _calls(world)[name](session, student)
    with pytest.raises(Forbidden):
        courses.list_courses(session=session, actor=student)
    session.expire_all()
    assert courses.get_course(session=session, actor=world["owner"],
                              course_id=world["draft"].id) == world["draft"]


@pytest.mark.parametrize("bad", ["", "nope", "123", str(uuid.uuid4())])
def test_unknown_or_malformed_ids_are_not_found(session, world, bad):
    owner = world["owner"]
    with pytest.raises(NotFound, match="That course does not exist."):
        courses.get_course(session=session, actor=owner, course_id=bad)
    with pytest.raises(NotFound, match="That module does not exist."):
        courses.add_lesson(session=session, actor=owner, module_id=bad,
                           video_id=str(world["video"].id))
    with pytest.raises(NotFound, match="That lesson does not exist."):
        courses.update_lesson(session=session, actor=owner, lesson_id=bad, title="x")
    with pytest.raises(NotFound, match="That video does not exist."):
        courses.add_lesson(session=session, actor=owner,
                           module_id=world["draft"].modules[1].id, video_id=bad)


def test_foreign_and_deleted_videos_cannot_become_lessons(session, world):
    owner, draft = world["owner"], world["draft"]
    theirs = ready(session, make_creator(session))
    gone = ready(session, owner)
    videos.delete_video(session=session, actor=owner, video_id=gone.id)
    for video in (theirs, gone):
        with pytest.raises(NotFound, match="That video does not exist."):
            courses.add_lesson(session=session, actor=owner, module_id=draft.modules[1].id,
                               video_id=str(video.id))


def test_a_lesson_cannot_move_into_another_course(session, world):
    owner, draft = world["owner"], world["draft"]
    with pytest.raises(NotFound, match="That module does not exist."):
        courses.move_lesson(session=session, actor=owner,
                            lesson_id=draft.modules[0].lessons[0].id,
                            to_module_id=world["other_module"], to_index=0)


MUTATIONS = ["update_course", "delete_course", "add_module", "set_published", "rename_module",
             "move_module", "delete_module", "add_lesson", "update_lesson", "move_lesson",
             "delete_lesson", "restore"]


def test_every_mutation_locks_the_course_row(session, world):
    statements: list[str] = []
    connection = session.connection()

    def remember(conn, cursor, statement, *args):  # noqa: ANN001
        statements.append(" ".join(statement.split()))

    event.listen(connection, "before_cursor_execute", remember)
    try:
        for name in MUTATIONS:
            statements.clear()
            savepoint = session.begin_nested()
            try:
                _calls(world)[name](session, world["owner"])
            finally:
                savepoint.rollback()
            assert any("FROM courses" in s and s.endswith("FOR UPDATE") for s in statements), name
    finally:
        event.remove(connection, "before_cursor_execute", remember)


# --- modules ------------------------------------------------------------------------------------

def test_modules_are_appended_renamed_and_default_titled(session):
    creator = make_creator(session)
    draft = courses.create_course(session=session, actor=creator, title="C")
    draft = courses.add_module(session=session, actor=creator, course_id=draft.id, title=" Intro ")
    draft = courses.add_module(session=session, actor=creator, course_id=draft.id, title="")
    assert [(m.order, m.title) for m in draft.modules] == [(1, "Intro"), (2, "Module 2")]
    draft = courses.rename_module(session=session, actor=creator, module_id=draft.modules[1].id,
                                  title="Basics")
    assert [m.title for m in draft.modules] == ["Intro", "Basics"]
    with pytest.raises(InvalidInput, match="A module needs a title.") as err:
        courses.rename_module(session=session, actor=creator, module_id=draft.modules[1].id,
                              title="  ")
    assert err.value.field == "title"
    with pytest.raises(InvalidInput, match="at most 200"):
        courses.add_module(session=session, actor=creator, course_id=draft.id, title="m" * 201)
    assert draft.blockers == ["Add at least one lesson.", "Module “Intro” has no lessons.",
                              "Module “Basics” has no lessons."]
    # the deprecated column is never written
    assert session.exec(select(CourseModule.video_ids)).all() == [None, None]


@pytest.mark.parametrize("to_index, expected", [
    (0, ["C", "A", "B", "D"]), (1, ["A", "C", "B", "D"]), (3, ["A", "B", "D", "C"]),
    (99, ["A", "B", "D", "C"]), (-5, ["C", "A", "B", "D"]), (2, ["A", "B", "C", "D"]),
])
def test_move_module_goes_to_the_clamped_position(session, to_index, expected):
    creator = make_creator(session)
    draft, _ = build(session, creator, {"A": [], "B": [], "C": [], "D": []})
    draft = courses.move_module(session=session, actor=creator, module_id=draft.modules[2].id,
                                to_index=to_index)
    assert [m.title for m in draft.modules] == expected
    assert [m.order for m in draft.modules] == [1, 2, 3, 4]
    db_orders_are_dense(session, draft.id)


def test_move_module_rejects_a_non_numeric_index(session):
    creator = make_creator(session)
    draft, _ = build(session, creator, {"A": []})
    with pytest.raises(InvalidInput, match="whole number"):
        courses.move_module(session=session, actor=creator, module_id=draft.modules[0].id,
                            to_index="first")


def test_deleting_a_module_takes_its_lessons_and_restore_brings_them_back(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["a1"], "B": ["b1", "b2"], "C": ["c1"]})
    b = draft.modules[1]
    courses.update_lesson(session=session, actor=creator, lesson_id=b.lessons[1].id,
                          title="Custom", description="Notes", required=False, minutes=7)
    before = courses.get_course(session=session, actor=creator, course_id=draft.id)
    after, undo = courses.delete_module(session=session, actor=creator, module_id=b.id)
    assert layout(after) == [("A", ["a1"]), ("C", ["c1"])]
    assert orders(after) == [(1, [1]), (2, [1])]
    assert (undo.kind, undo.label) == ("module", "module “B”")
    assert session.exec(select(ModuleLesson).where(
        ModuleLesson.module_id == uuid.UUID(b.id))).all() == []

    restored = courses.restore(session=session, actor=creator, undo_payload=undo.payload)
    assert restored.modules == before.modules  # same ids, orders, titles, notes and minutes
    db_orders_are_dense(session, draft.id)
    with pytest.raises(Conflict, match="already back"):  # a second click on "Undo"
        courses.restore(session=session, actor=creator, undo_payload=undo.payload)
    assert courses.get_course(session=session, actor=creator, course_id=draft.id) == restored


def test_a_restored_module_is_clamped_and_skips_lessons_whose_video_was_deleted(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": [], "B": [], "C": ["c1", "c2", "c3"]})
    _, undo = courses.delete_module(session=session, actor=creator, module_id=draft.modules[2].id)
    courses.delete_module(session=session, actor=creator, module_id=draft.modules[1].id)
    videos.delete_video(session=session, actor=creator, video_id=made["c2"].id)
    restored = courses.restore(session=session, actor=creator, undo_payload=undo.payload)
    assert layout(restored) == [("A", []), ("C", ["c1", "c3"])]
    assert orders(restored) == [(1, []), (2, [1, 2])]
    assert restored.modules[1].id == draft.modules[2].id


# --- lessons ------------------------------------------------------------------------------------

def test_add_lesson_appends_records_the_event_and_refuses_duplicates(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["one"], "B": []})
    two = ready(session, creator, title="two", duration_seconds=61)
    draft = courses.add_lesson(session=session, actor=creator, module_id=draft.modules[0].id,
                               video_id=str(two.id))
    lesson = draft.modules[0].lessons[1]
    assert (lesson.order, lesson.title, lesson.custom_title, lesson.video_title) == (
        2, "two", "", "two")
    assert (lesson.minutes, lesson.duration, lesson.video_ready, lesson.video_status) == (
        2, "1:01", True, "completed")
    assert lesson.required and lesson.module_id == draft.modules[0].id

    with pytest.raises(Conflict, match="already a lesson in this module"):
        courses.add_lesson(session=session, actor=creator, module_id=draft.modules[0].id,
                           video_id=str(two.id))
    # the same video may be a lesson of another module
    draft = courses.add_lesson(session=session, actor=creator, module_id=draft.modules[1].id,
                               video_id=str(two.id))
    assert layout(draft) == [("A", ["one", "two"]), ("B", ["two"])]

    events = session.exec(select(VideoAnalyticsEvent).where(
        VideoAnalyticsEvent.video_id == two.id)).all()
    assert sorted(str(e.module_id) for e in events) == sorted(m.id for m in draft.modules)
    for e in events:
        assert e.event_type == "video_added_to_course"
        assert (str(e.course_id), e.creator_id) == (draft.id, creator.creator_id)
        assert e.meta["lesson_id"] in {ls.id for m in draft.modules for ls in m.lessons}


def test_lesson_details_update_and_fall_back_to_the_video(session):
    creator = make_creator(session)
    draft = courses.create_course(session=session, actor=creator, title="C")
    draft = courses.add_module(session=session, actor=creator, course_id=draft.id, title="A")
    short = ready(session, creator, title="Short", duration_seconds=5)
    unknown = ready(session, creator, title="Unknown", duration_seconds=None)
    for v in (short, unknown):
        draft = courses.add_lesson(session=session, actor=creator, module_id=draft.modules[0].id,
                                   video_id=str(v.id))
    assert [ls.minutes for ls in draft.modules[0].lessons] == [1, 1]
    assert draft.modules[0].lessons[1].duration == ""
    lesson_id = draft.modules[0].lessons[0].id

    draft = courses.update_lesson(session=session, actor=creator, lesson_id=lesson_id,
                                  title="  My   intro ", description=" Why ", required=False,
                                  minutes=30)
    item = draft.modules[0].lessons[0]
    assert (item.title, item.custom_title, item.video_title) == ("My intro", "My intro", "Short")
    assert (item.description, item.required, item.minutes) == ("Why", False, 30)
    assert (draft.modules[0].minutes, draft.minutes) == (31, 31)

    draft = courses.update_lesson(session=session, actor=creator, lesson_id=lesson_id,
                                  title="")  # None leaves the rest as it was
    item = draft.modules[0].lessons[0]
    assert (item.title, item.custom_title, item.required, item.minutes) == (
        "Short", "", False, 30)
    draft = courses.update_lesson(session=session, actor=creator, lesson_id=lesson_id, minutes=0)
    assert draft.modules[0].lessons[0].minutes == 1


@pytest.mark.parametrize("fields, field", [
    ({"title": "t" * 201}, "title"), ({"description": "d" * 5001}, "description"),
    ({"minutes": 1441}, "minutes"), ({"minutes": -1}, "minutes"), ({"minutes": 2.5}, "minutes"),
    ({"minutes": "ten"}, "minutes"), ({"minutes": True}, "minutes"),
    ({"title": "fine", "minutes": 5000}, "minutes"),
])
def test_lesson_fields_are_validated_and_nothing_changes(session, fields, field):
    creator = make_creator(session)
    draft, _ = build(session, creator, {"A": ["one"]})
    with pytest.raises(InvalidInput) as err:
        courses.update_lesson(session=session, actor=creator,
                              lesson_id=draft.modules[0].lessons[0].id, **fields)
    assert err.value.field == field
    session.expire_all()
    assert courses.get_course(session=session, actor=creator, course_id=draft.id) == draft


def test_move_lesson_within_a_module_and_across_modules(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["a1", "a2", "a3"], "B": ["b1"], "C": []})
    a, b, c = draft.modules
    draft = courses.move_lesson(session=session, actor=creator, lesson_id=a.lessons[0].id,
                                to_module_id=a.id, to_index=99)
    assert layout(draft)[0] == ("A", ["a2", "a3", "a1"])
    draft = courses.move_lesson(session=session, actor=creator, lesson_id=a.lessons[0].id,
                                to_module_id=a.id, to_index=-3)
    assert layout(draft)[0] == ("A", ["a1", "a2", "a3"])
    draft = courses.move_lesson(session=session, actor=creator, lesson_id=a.lessons[1].id,
                                to_module_id=b.id, to_index=0)
    assert layout(draft) == [("A", ["a1", "a3"]), ("B", ["a2", "b1"]), ("C", [])]
    draft = courses.move_lesson(session=session, actor=creator, lesson_id=b.lessons[0].id,
                                to_module_id=c.id, to_index=5)
    assert layout(draft) == [("A", ["a1", "a3"]), ("B", ["a2"]), ("C", ["b1"])]
    assert orders(draft) == [(1, [1, 2]), (2, [1]), (3, [1])]
    moved = draft.modules[2].lessons[0]
    assert (moved.id, moved.module_id) == (b.lessons[0].id, c.id)
    db_orders_are_dense(session, draft.id)


def test_move_lesson_refuses_a_module_that_already_has_the_video(session):
    creator = make_creator(session)
    draft, _ = build(session, creator, {"A": ["same", "x"], "B": ["same"]})
    with pytest.raises(Conflict):
        courses.move_lesson(session=session, actor=creator,
                            lesson_id=draft.modules[0].lessons[0].id,
                            to_module_id=draft.modules[1].id, to_index=0)


def test_a_deleted_lesson_comes_back_at_its_old_position(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["l1", "l2", "l3", "l4"]})
    courses.update_lesson(session=session, actor=creator, lesson_id=draft.modules[0].lessons[1].id,
                          title="Second", minutes=3)
    before = courses.get_course(session=session, actor=creator, course_id=draft.id)
    after, undo = courses.delete_lesson(session=session, actor=creator,
                                        lesson_id=draft.modules[0].lessons[1].id)
    assert layout(after) == [("A", ["l1", "l3", "l4"])] and orders(after) == [(1, [1, 2, 3])]
    assert (undo.kind, undo.label) == ("lesson", "lesson “Second”")
    assert courses.restore(session=session, actor=creator,
                           undo_payload=undo.payload).modules == before.modules

    # clamped when the module got shorter in between
    _, undo = courses.delete_lesson(session=session, actor=creator,
                                    lesson_id=before.modules[0].lessons[3].id)
    for lesson in before.modules[0].lessons[:2]:
        courses.delete_lesson(session=session, actor=creator, lesson_id=lesson.id)
    draft = courses.restore(session=session, actor=creator, undo_payload=undo.payload)
    assert layout(draft) == [("A", ["l3", "l4"])] and orders(draft) == [(1, [1, 2])]


def test_restoring_a_lesson_checks_its_module_and_video(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["one", "two"], "B": ["three"]})
    a, b = draft.modules
    _, undo_one = courses.delete_lesson(session=session, actor=creator,
                                        lesson_id=a.lessons[0].id)
    # the video was added again in between: a clash
    courses.add_lesson(session=session, actor=creator, module_id=a.id,
                       video_id=str(made["one"].id))
    with pytest.raises(Conflict):
        courses.restore(session=session, actor=creator, undo_payload=undo_one.payload)
    # the video was deleted in between: nothing to bring back
    _, undo_two = courses.delete_lesson(session=session, actor=creator,
                                        lesson_id=a.lessons[1].id)
    videos.delete_video(session=session, actor=creator, video_id=made["two"].id)
    draft = courses.restore(session=session, actor=creator, undo_payload=undo_two.payload)
    assert layout(draft) == [("A", ["one"]), ("B", ["three"])]
    # the module was deleted in between
    _, undo_three = courses.delete_lesson(session=session, actor=creator,
                                          lesson_id=b.lessons[0].id)
    courses.delete_module(session=session, actor=creator, module_id=b.id)
    with pytest.raises(NotFound, match="module of that lesson"):
        courses.restore(session=session, actor=creator, undo_payload=undo_three.payload)


@pytest.mark.parametrize("payload", [
    "", "not json", "[]", "42", '"module"', '{"kind": "module"}',
    '{"kind": "chapter", "course_id": "x"}', '{"kind": "module", "course_id": 5}',
    '{"kind": "module", "course_id": "COURSE"}',
    '{"kind": "module", "course_id": "COURSE", "module": {"order": "1"}, "lessons": []}',
    '{"kind": "module", "course_id": "COURSE", "module": {"order": 1}, "lessons": [1]}',
    '{"kind": "lesson", "course_id": "COURSE", "module_id": "MODULE", "lesson": []}',
])
def test_restore_refuses_garbage(session, payload):
    creator = make_creator(session)
    draft, _ = build(session, creator, {"A": ["one"]})
    payload = payload.replace("COURSE", draft.id).replace("MODULE", draft.modules[0].id)
    with pytest.raises(InvalidInput, match="That can no longer be undone."):
        courses.restore(session=session, actor=creator, undo_payload=payload)
    assert courses.get_course(session=session, actor=creator, course_id=draft.id) == draft


def test_restore_refuses_a_payload_pointing_at_another_creators_course_or_video(session):
    owner, intruder = make_creator(session), make_creator(session)
    draft, made = build(session, owner, {"A": ["one"]})
    _, undo = courses.delete_module(session=session, actor=owner, module_id=draft.modules[0].id)
    with pytest.raises(NotFound):
        courses.restore(session=session, actor=intruder, undo_payload=undo.payload)
    # the intruder's own course with the owner's video in the payload: the lesson is skipped
    theirs = courses.create_course(session=session, actor=intruder, title="Mine")
    forged = json.loads(undo.payload) | {"course_id": theirs.id}
    restored = courses.restore(session=session, actor=intruder, undo_payload=json.dumps(forged))
    assert layout(restored) == [("A", [])]


# --- publishing ---------------------------------------------------------------------------------

def test_publish_blockers_name_every_problem(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["fine"], "Empty": []})
    module = draft.modules[0].id
    lessons = {
        "Busy": make_video(session, creator, title="Busy", status="transcribing"),
        "Broken": make_video(session, creator, title="Broken", status="failed"),
        "Stopped": make_video(session, creator, title="Stopped", status="cancelled"),
        "Gone": ready(session, creator, title="Gone"),
    }
    for v in lessons.values():
        draft = courses.add_lesson(session=session, actor=creator, module_id=module,
                                   video_id=str(v.id))
    courses.update_lesson(session=session, actor=creator, lesson_id=draft.modules[0].lessons[1].id,
                          title="Renamed busy")
    videos.delete_video(session=session, actor=creator, video_id=lessons["Gone"].id)
    expected = ["“Renamed busy” is still processing.", "“Broken” failed to process.",
                "“Stopped” failed to process.", "“Gone” was deleted from the library.",
                "Module “Empty” has no lessons."]
    assert courses.publish_blockers(session=session, actor=creator, course_id=draft.id) == expected
    draft = courses.get_course(session=session, actor=creator, course_id=draft.id)
    assert draft.blockers == expected
    assert [ls.video_ready for ls in draft.modules[0].lessons] == [True, False, False, False,
                                                                   False]
    assert draft.modules[0].lessons[4].video_status == "deleted"
    with pytest.raises(InvalidInput, match="cannot be published yet") as err:
        courses.set_published(session=session, actor=creator, course_id=draft.id, published=True)
    assert err.value.details == expected
    assert not session.get(Course, uuid.UUID(draft.id)).is_published


def test_publishing_publishes_the_lessons_videos_and_unpublishing_keeps_them(session):
    creator = make_creator(session)
    draft, made = build(session, creator, {"A": ["one", "two"]})
    earlier = datetime(2025, 5, 1, tzinfo=UTC)
    made["two"].published_at = earlier
    session.add(made["two"])
    unrelated = ready(session, creator, title="Not in the course")
    draft = courses.set_published(session=session, actor=creator, course_id=draft.id,
                                  published=True)
    assert draft.published and draft.blockers == [] and draft.published_at
    session.refresh(made["one"])
    session.refresh(made["two"])
    session.refresh(unrelated)
    assert made["one"].published_at is not None
    assert made["two"].published_at == earlier
    assert unrelated.published_at is None
    first_published = session.get(Course, uuid.UUID(draft.id)).published_at
    assert courses.set_published(session=session, actor=creator, course_id=draft.id,
                                 published=True).published
    assert session.get(Course, uuid.UUID(draft.id)).published_at == first_published

    # a ready video added to the published course is published too
    three = ready(session, creator, title="three")
    courses.add_lesson(session=session, actor=creator, module_id=draft.modules[0].id,
                       video_id=str(three.id))
    assert three.published_at is not None

    draft = courses.set_published(session=session, actor=creator, course_id=draft.id,
                                  published=False)
    row = session.get(Course, uuid.UUID(draft.id))
    assert not draft.published and draft.published_at == "" and row.published_at is None
    session.refresh(made["one"])
    assert made["one"].published_at is not None
    assert courses.list_courses(session=session, actor=creator)[0].published is False


def test_a_course_without_lessons_cannot_be_published(session):
    creator = make_creator(session)
    draft = courses.create_course(session=session, actor=creator, title="Empty")
    with pytest.raises(InvalidInput) as err:
        courses.set_published(session=session, actor=creator, course_id=draft.id, published=True)
    assert err.value.details == ["Add at least one lesson."]


# --- the library picker -------------------------------------------------------------------------

def test_the_picker_lists_own_live_videos_newest_first_and_marks_those_in_the_course(session):
    creator = make_creator(session)
    t = datetime(2026, 1, 1, tzinfo=UTC)
    old = ready(session, creator, title="Old 100% real", created_at=t)
    mid = make_video(session, creator, title="Mid under_score", status="embedding",
                     created_at=t.replace(month=2))
    new = ready(session, creator, title="New", created_at=t.replace(month=3), duration_seconds=75)
    gone = ready(session, creator, title="Gone", created_at=t.replace(month=4))
    videos.delete_video(session=session, actor=creator, video_id=gone.id)
    ready(session, make_creator(session), title="Someone else's")
    draft = courses.create_course(session=session, actor=creator, title="C")
    draft = courses.add_module(session=session, actor=creator, course_id=draft.id, title="A")
    courses.add_lesson(session=session, actor=creator, module_id=draft.modules[0].id,
                       video_id=str(old.id))

    rows = courses.library_picker(session=session, actor=creator, course_id=draft.id)
    assert [r.id for r in rows] == [str(new.id), str(mid.id), str(old.id)]
    assert [(r.ready, r.in_course, r.status) for r in rows] == [
        (True, False, "completed"), (False, False, "embedding"), (True, True, "completed")]
    assert rows[0].duration == "1:15"

    def search(term):
        return [r.title for r in courses.library_picker(session=session, actor=creator,
                                                        course_id=draft.id, search=term)]

    assert search("  old  ") == ["Old 100% real"]
    assert search("%") == ["Old 100% real"]
    assert search("0%") == ["Old 100% real"]
    assert search("_") == ["Mid under_score"]
    assert search("d_r") == []  # "_" is not a wildcard
    assert search("NEW") == ["New"]
    assert search("gone") == []
    # another course of the same creator does not count as "in this course"
    other = courses.create_course(session=session, actor=creator, title="Other")
    assert not any(r.in_course for r in courses.library_picker(
        session=session, actor=creator, course_id=other.id))


# --- property: any sequence of edits keeps orders dense and lessons where the model says ----------

POOL = 5


def test_random_edits_keep_orders_dense_and_match_a_model(session):
    creator = make_creator(session)
    pool = [ready(session, creator, title=f"V{i}", duration_seconds=60 * (i + 1))
            for i in range(POOL)]

    class CourseBuilder(RuleBasedStateMachine):
        """The model: [(module id, [video index, ...]), ...] plus the last undo and which pool
        videos were deleted."""

        def __init__(self):
            super().__init__()
            self.savepoint = session.begin_nested()
            self.course = courses.create_course(session=session, actor=creator, title="P").id
            self.model: list[tuple[str, list[int]]] = []
            self.undo = None
            self.undo_model = None
            self.deleted: set[int] = set()

        def teardown(self):
            self.savepoint.rollback()

        def _draft(self):
            return courses.get_course(session=session, actor=creator, course_id=self.course)

        def _lesson_id(self, m, i):
            return self._draft().modules[m].lessons[i].id

        @initialize(start=st.lists(st.lists(st.integers(0, POOL - 1), unique=True, max_size=4),
                                   min_size=1, max_size=4))
        def start(self, start):
            for videos_ in start:
                self.add_module()
                for v in videos_:
                    self.add_lesson(len(self.model) - 1, v)

        @rule()
        def add_module(self):
            draft = courses.add_module(session=session, actor=creator, course_id=self.course,
                                       title="")
            self.model.append((draft.modules[-1].id, []))

        @precondition(lambda self: self.model)
        @rule(m=st.integers(0, 5), v=st.integers(0, POOL - 1))
        def add_lesson(self, m, v):
            if not self.model:
                return
            module_id, lessons = self.model[m % len(self.model)]
            call = lambda: courses.add_lesson(session=session, actor=creator,  # noqa: E731
                                              module_id=module_id, video_id=str(pool[v].id))
            if v in self.deleted:
                with pytest.raises(NotFound):
                    call()
            elif v in lessons:
                with pytest.raises(Conflict):
                    call()
            else:
                call()
                lessons.append(v)

        @precondition(lambda self: self.model)
        @rule(m=st.integers(0, 5), to=st.integers(-2, 7))
        def move_module(self, m, to):
            if not self.model:
                return
            entry = self.model[m % len(self.model)]
            courses.move_module(session=session, actor=creator, module_id=entry[0], to_index=to)
            self.model.remove(entry)
            self.model.insert(max(0, min(to, len(self.model))), entry)

        @precondition(lambda self: any(ls for _, ls in self.model))
        @rule(m=st.integers(0, 5), i=st.integers(0, 5), t=st.integers(0, 5),
              to=st.integers(-2, 7))
        def move_lesson(self, m, i, t, to):
            sources = [k for k, (_, ls) in enumerate(self.model) if ls]
            if not sources:
                return
            m = sources[m % len(sources)]
            source = self.model[m][1]
            i %= len(source)
            target_id, target = self.model[t % len(self.model)]
            lesson_id = self._lesson_id(m, i)
            call = lambda: courses.move_lesson(  # noqa: E731
                session=session, actor=creator, lesson_id=lesson_id, to_module_id=target_id,
                to_index=to)
            if target is not source and source[i] in target:
                with pytest.raises(Conflict):
                    call()
                return
            call()
            v = source.pop(i)
            target.insert(max(0, min(to, len(target))), v)

        @precondition(lambda self: self.model)
        @rule(m=st.integers(0, 5))
        def delete_module(self, m):
            if not self.model:
                return
            k = m % len(self.model)
            _, self.undo = courses.delete_module(session=session, actor=creator,
                                                 module_id=self.model[k][0])
            self.undo_model = ("module", k, self.model.pop(k))

        @precondition(lambda self: any(ls for _, ls in self.model))
        @rule(m=st.integers(0, 5), i=st.integers(0, 5))
        def delete_lesson(self, m, i):
            sources = [k for k, (_, ls) in enumerate(self.model) if ls]
            if not sources:
                return
            k = sources[m % len(sources)]
            module_id, lessons = self.model[k]
            i %= len(lessons)
            _, self.undo = courses.delete_lesson(session=session, actor=creator,
                                                 lesson_id=self._lesson_id(k, i))
            self.undo_model = ("lesson", module_id, i, lessons.pop(i))

        @rule(v=st.integers(0, POOL - 1))
        def delete_video(self, v):
            if v not in self.deleted:
                videos.delete_video(session=session, actor=creator, video_id=pool[v].id)
                self.deleted.add(v)

        @precondition(lambda self: self.undo is not None)
        @rule()
        def restore(self):
            if self.undo is None:
                return
            payload, self.undo = self.undo.payload, None
            call = lambda: courses.restore(session=session, actor=creator,  # noqa: E731
                                           undo_payload=payload)
            if self.undo_model[0] == "module":
                _, k, (module_id, lessons) = self.undo_model
                kept = [v for v in lessons if v not in self.deleted]
                call()
                self.model.insert(min(k, len(self.model)), (module_id, kept))
                return
            _, module_id, i, v = self.undo_model
            target = next((ls for mid, ls in self.model if mid == module_id), None)
            if target is None:
                with pytest.raises(NotFound):
                    call()
            elif v in self.deleted:
                call()
            elif v in target:
                with pytest.raises(Conflict):
                    call()
            else:
                call()
                target.insert(min(i, len(target)), v)

        @invariant()
        def matches_the_model_and_orders_are_dense(self):
            draft = self._draft()
            index = {str(video.id): n for n, video in enumerate(pool)}
            assert [(m.id, [index[ls.video_id] for ls in m.lessons])
                    for m in draft.modules] == self.model
            assert [m.order for m in draft.modules] == list(range(1, len(draft.modules) + 1))
            for m in draft.modules:
                assert [ls.order for ls in m.lessons] == list(range(1, len(m.lessons) + 1))
            db_orders_are_dense(session, self.course)
            assert draft.lesson_count == sum(len(ls) for _, ls in self.model)

    run_state_machine_as_test(CourseBuilder, settings=settings(
        max_examples=40, stateful_step_count=15, deadline=None, database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]))

"""The course builder: a creator arranges their library's videos into courses → modules →
lessons (`module_lessons`; the deprecated `course_modules.video_ids` is never used).

Every function takes the acting user; only the creator who owns a course may see or change it
here. Ids arrive as strings from the UI; an unknown, malformed, foreign or deleted id is
`NotFound`, an actor who is not a creator `Forbidden`.

Every mutation locks the course row (SELECT ... FOR UPDATE) first, so two tabs cannot
interleave, loads the course's layout, changes it in Python and saves it through `_save`,
which renumbers module and lesson orders densely 1..n (`_renumber`) and bumps
`courses.updated_at`. Nothing here commits: the caller's transaction does.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlmodel import Session, select

from chronos_app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chronos_app.models import (
    Course,
    CourseModule,
    Creator,
    ModuleLesson,
    Video,
    VideoAnalyticsEvent,
)
from chronos_app.pipeline.sources import format_clock
from chronos_app.pipeline.stages import NEEDS_TRANSCRIPT
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.courses import (
    CourseDraft,
    CourseSummary,
    LessonItem,
    ModuleItem,
    PickableVideo,
    Undo,
)

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_URL = 2000
MAX_MINUTES = 1440

COURSE_NOT_FOUND = "That course does not exist."
MODULE_NOT_FOUND = "That module does not exist."
LESSON_NOT_FOUND = "That lesson does not exist."
VIDEO_NOT_FOUND = "That video does not exist."
CANNOT_UNDO = "That can no longer be undone."
ALREADY_IN_MODULE = "This video is already a lesson in this module."

# A course's modules in order, each with its lessons in order.
Layout = list[tuple[CourseModule, list[ModuleLesson]]]


# --- access ------------------------------------------------------------------------------------

def _creator(session: Session, actor: Actor) -> Creator:
    if actor is None or actor.creator_id is None:
        raise Forbidden("Only a school's creator can build courses. Open a school first.")
    creator = session.get(Creator, actor.creator_id)
    if creator is None or creator.user_id != actor.user_id:
        raise Forbidden("Only a school's creator can build courses.")
    return creator


def _uuid(value: Any, message: str) -> uuid.UUID:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        raise NotFound(message) from None


def _own_course(session: Session, creator: Creator, course_id: Any, *, lock: bool) -> Course:
    cid = _uuid(course_id, COURSE_NOT_FOUND)
    stmt = select(Course).where(Course.id == cid).execution_options(populate_existing=True)
    if lock:
        stmt = stmt.with_for_update()
    course = session.exec(stmt).first()
    if course is None or course.is_deleted or course.creator_id != creator.id:
        raise NotFound(COURSE_NOT_FOUND)
    return course


def _module_course(session: Session, creator: Creator, module_id: Any) -> tuple[Course,
                                                                                CourseModule]:
    """The module and its course, the course locked; NotFound unless the creator owns both."""
    mid = _uuid(module_id, MODULE_NOT_FOUND)
    course_id = session.exec(select(CourseModule.course_id).where(CourseModule.id == mid)).first()
    if course_id is None:
        raise NotFound(MODULE_NOT_FOUND)
    try:
        course = _own_course(session, creator, course_id, lock=True)
    except NotFound:
        raise NotFound(MODULE_NOT_FOUND) from None
    module = session.exec(select(CourseModule).where(
        CourseModule.id == mid, CourseModule.course_id == course.id)
        .execution_options(populate_existing=True)).first()
    if module is None:  # deleted while we waited for the lock
        raise NotFound(MODULE_NOT_FOUND)
    return course, module


def _lesson_course(session: Session, creator: Creator, lesson_id: Any) -> tuple[Course,
                                                                                ModuleLesson]:
    """The lesson and its course, the course locked; NotFound unless the creator owns both."""
    lid = _uuid(lesson_id, LESSON_NOT_FOUND)
    course_id = session.exec(
        select(CourseModule.course_id).join(ModuleLesson, ModuleLesson.module_id == CourseModule.id)
        .where(ModuleLesson.id == lid)).first()
    if course_id is None:
        raise NotFound(LESSON_NOT_FOUND)
    try:
        course = _own_course(session, creator, course_id, lock=True)
    except NotFound:
        raise NotFound(LESSON_NOT_FOUND) from None
    lesson = session.exec(
        select(ModuleLesson).join(CourseModule, ModuleLesson.module_id == CourseModule.id)
        .where(ModuleLesson.id == lid, CourseModule.course_id == course.id)
        .execution_options(populate_existing=True)).first()
    if lesson is None:
        raise NotFound(LESSON_NOT_FOUND)
    return course, lesson


def _own_video(session: Session, creator: Creator, video_id: Any) -> Video | None:
    """The creator's video if it exists and is not deleted, else None."""
    try:
        vid = _uuid(video_id, VIDEO_NOT_FOUND)
    except NotFound:
        return None
    video = session.exec(select(Video).where(Video.id == vid)).first()
    if video is None or video.is_deleted or video.creator_id != creator.id:
        return None
    return video


# --- validation ----------------------------------------------------------------------------------

def _clean_title(value: Any) -> str:
    cleaned = " ".join(str(value or "").split())
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"Titles are at most {MAX_TITLE} characters.", field="title")
    return cleaned


def _required_title(value: Any, what: str) -> str:
    cleaned = _clean_title(value)
    if not cleaned:
        raise InvalidInput(f"A {what} needs a title.", field="title")
    return cleaned


def _clean_description(value: Any) -> str | None:
    text = str(value or "").strip()
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput(f"Descriptions are at most {MAX_DESCRIPTION} characters.",
                           field="description")
    return text or None


def _clean_thumbnail(value: Any) -> str | None:
    url = str(value or "").strip()
    if not url:
        return None
    message = "The thumbnail must be an http(s) link, like https://example.com/cover.jpg."
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        raise InvalidInput(message, field="thumbnail_url")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidInput(message, field="thumbnail_url") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise InvalidInput(message, field="thumbnail_url")
    return url


def _clean_minutes(value: Any) -> int | None:
    """0 → None (the default from the video); else a whole number of minutes 1..1440."""
    message = f"Minutes must be a whole number from 1 to {MAX_MINUTES}."
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise InvalidInput(message, field="minutes")
    try:
        minutes = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput(message, field="minutes") from None
    if minutes == 0:
        return None
    if not 1 <= minutes <= MAX_MINUTES:
        raise InvalidInput(message, field="minutes")
    return minutes


def _index(value: Any) -> int:
    if isinstance(value, bool):
        raise InvalidInput("The position must be a whole number.", field="to_index")
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInput("The position must be a whole number.", field="to_index") from None


def _clamp(index: int, size: int) -> int:
    """A 0-based insertion position into a list of `size` items."""
    return max(0, min(index, size))


# --- layout and orders ---------------------------------------------------------------------------

def _layout(session: Session, course: Course) -> Layout:
    modules = session.exec(
        select(CourseModule).where(CourseModule.course_id == course.id)
        .order_by(CourseModule.display_order, CourseModule.created_at, CourseModule.id)
        .execution_options(populate_existing=True)).all()
    lessons: dict[uuid.UUID, list[ModuleLesson]] = {m.id: [] for m in modules}
    if modules:
        for lesson in session.exec(
                select(ModuleLesson).where(ModuleLesson.module_id.in_(list(lessons)))
                .order_by(ModuleLesson.lesson_order, ModuleLesson.created_at, ModuleLesson.id)
                .execution_options(populate_existing=True)).all():
            lessons[lesson.module_id].append(lesson)
    return [(m, lessons[m.id]) for m in modules]


def _renumber(session: Session, rows: Iterable[Any], column: str) -> None:
    """Give `rows` the orders 1..n in the order given (the one way orders are ever written)."""
    for position, row in enumerate(rows, start=1):
        if getattr(row, column) != position:
            setattr(row, column, position)
            session.add(row)


def _touch(session: Session, course: Course) -> None:
    # The courses trigger stamps CURRENT_TIMESTAMP on any UPDATE; setting it makes one happen.
    course.updated_at = datetime.now(UTC)
    session.add(course)


def _save(session: Session, course: Course, layout: Layout) -> None:
    _renumber(session, (module for module, _ in layout), "display_order")
    for module, lessons in layout:
        for lesson in lessons:
            if lesson.module_id != module.id:
                lesson.module_id = module.id
                session.add(lesson)
        _renumber(session, lessons, "lesson_order")
    _touch(session, course)
    session.flush()


def _entry(layout: Layout, module_id: uuid.UUID) -> tuple[CourseModule, list[ModuleLesson]]:
    for module, lessons in layout:
        if module.id == module_id:
            return module, lessons
    raise NotFound(MODULE_NOT_FOUND)


def _videos(session: Session, layout: Layout) -> dict[uuid.UUID, Video]:
    ids = {lesson.video_id for _, lessons in layout for lesson in lessons}
    if not ids:
        return {}
    return {v.id: v for v in session.exec(select(Video).where(Video.id.in_(ids))).all()}


def _publish_ready(session: Session, videos: Iterable[Video]) -> None:
    """Students only see published videos: publish the processed ones of a published course."""
    now = datetime.now(UTC)
    for video in videos:
        if video.status == "completed" and not video.is_deleted and video.published_at is None:
            video.published_at = now
            session.add(video)


# --- reading -------------------------------------------------------------------------------------

def _date(value: datetime | None) -> str:
    return f"{value:%b} {value.day}, {value.year}" if value else ""


def _default_minutes(video: Video | None) -> int:
    seconds = (video.duration_seconds or 0) if video is not None else 0
    return max(1, math.ceil(seconds / 60))


def _video_status(video: Video | None) -> str:
    if video is None or video.is_deleted:
        return "deleted"
    if (video.meta or {}).get(NEEDS_TRANSCRIPT) and video.status == "pending":
        return NEEDS_TRANSCRIPT
    return video.status


def _lesson_item(lesson: ModuleLesson, video: Video | None) -> LessonItem:
    video_title = video.title if video is not None else ""
    return LessonItem(
        id=str(lesson.id), video_id=str(lesson.video_id), module_id=str(lesson.module_id),
        order=lesson.lesson_order, title=lesson.title or video_title,
        custom_title=lesson.title or "", description=lesson.description or "",
        required=bool(lesson.is_required),
        minutes=lesson.estimated_duration_minutes or _default_minutes(video),
        video_title=video_title, video_status=_video_status(video),
        video_ready=_video_status(video) == "completed",
        duration=format_clock(video.duration_seconds)
        if video is not None and video.duration_seconds else "")


def _blockers(course: Course, layout: Layout, videos: dict[uuid.UUID, Video]) -> list[str]:
    problems: list[str] = []
    if not " ".join((course.title or "").split()):
        problems.append("Add a title.")
    if not any(lessons for _, lessons in layout):
        problems.append("Add at least one lesson.")
    for module, lessons in layout:
        if not lessons:
            problems.append(f"Module “{module.title}” has no lessons.")
        for lesson in lessons:
            video = videos.get(lesson.video_id)
            name = lesson.title or (video.title if video is not None else "Untitled")
            status = _video_status(video)
            if status == "completed":
                continue
            if status == "deleted":
                problems.append(f"“{name}” was deleted from the library.")
            elif status in ("failed", "cancelled"):
                problems.append(f"“{name}” failed to process.")
            elif status == NEEDS_TRANSCRIPT:
                problems.append(f"“{name}” needs a transcript.")
            else:
                problems.append(f"“{name}” is still processing.")
    return problems


def _draft(session: Session, course: Course, layout: Layout | None = None) -> CourseDraft:
    layout = _layout(session, course) if layout is None else layout
    videos = _videos(session, layout)
    modules = []
    for module, lessons in layout:
        items = [_lesson_item(lesson, videos.get(lesson.video_id)) for lesson in lessons]
        modules.append(ModuleItem(id=str(module.id), title=module.title,
                                  description=module.description or "",
                                  order=module.display_order, lessons=items,
                                  minutes=sum(item.minutes for item in items)))
    return CourseDraft(
        id=str(course.id), title=course.title, description=course.description or "",
        thumbnail_url=course.thumbnail_url or "", published=bool(course.is_published),
        published_at=_date(course.published_at) if course.is_published else "",
        modules=modules, lesson_count=sum(len(m.lessons) for m in modules),
        minutes=sum(m.minutes for m in modules), blockers=_blockers(course, layout, videos),
        required_tier=str((course.meta or {}).get("required_tier") or ""))


def list_courses(*, session: Session, actor: Actor) -> list[CourseSummary]:
    """The creator's courses (not deleted), by display order then creation."""
    creator = _creator(session, actor)
    courses = session.exec(select(Course).where(Course.creator_id == creator.id,
                                                Course.is_deleted.is_(False))
                           .order_by(Course.display_order, Course.created_at, Course.id)).all()
    if not courses:
        return []
    ids = [c.id for c in courses]
    module_counts = dict(session.exec(
        select(CourseModule.course_id, func.count()).where(CourseModule.course_id.in_(ids))
        .group_by(CourseModule.course_id)).all())
    # The same per-lesson minutes as `_lesson_item`, summed in SQL.
    minutes = func.coalesce(ModuleLesson.estimated_duration_minutes, func.greatest(
        1, func.ceil(func.coalesce(Video.duration_seconds, 0) / 60.0)))
    lesson_stats = {cid: (int(n), int(m or 0)) for cid, n, m in session.exec(
        select(CourseModule.course_id, func.count(ModuleLesson.id), func.sum(minutes))
        .join(ModuleLesson, ModuleLesson.module_id == CourseModule.id)
        .join(Video, Video.id == ModuleLesson.video_id)
        .where(CourseModule.course_id.in_(ids)).group_by(CourseModule.course_id)).all()}
    return [CourseSummary(
        id=str(c.id), title=c.title, description=c.description or "",
        thumbnail_url=c.thumbnail_url or "", published=bool(c.is_published),
        module_count=int(module_counts.get(c.id, 0)),
        lesson_count=lesson_stats.get(c.id, (0, 0))[0],
        minutes=lesson_stats.get(c.id, (0, 0))[1], updated=_date(c.updated_at))
        for c in courses]


def get_course(*, session: Session, actor: Actor, course_id: str) -> CourseDraft:
    course = _own_course(session, _creator(session, actor), course_id, lock=False)
    return _draft(session, course)


def publish_blockers(*, session: Session, actor: Actor, course_id: str) -> list[str]:
    """Why the course cannot be published now, one sentence each; [] means it can."""
    course = _own_course(session, _creator(session, actor), course_id, lock=False)
    layout = _layout(session, course)
    return _blockers(course, layout, _videos(session, layout))


def library_picker(*, session: Session, actor: Actor, course_id: str,
                   search: str = "") -> list[PickableVideo]:
    """The creator's videos (newest first) to add as lessons; `in_course` marks those that are
    already a lesson somewhere in this course."""
    creator = _creator(session, actor)
    course = _own_course(session, creator, course_id, lock=False)
    in_course = set(session.exec(
        select(ModuleLesson.video_id).join(CourseModule, ModuleLesson.module_id == CourseModule.id)
        .where(CourseModule.course_id == course.id)).all())
    stmt = (select(Video).where(Video.creator_id == creator.id, Video.is_deleted.is_(False))
            .order_by(Video.created_at.desc(), Video.id.desc()))
    term = " ".join((search or "").split())[:MAX_TITLE]
    if term:
        stmt = stmt.where(Video.title.ilike(f"%{_escape_like(term)}%", escape="\\"))
    return [PickableVideo(id=str(v.id), title=v.title,
                          duration=format_clock(v.duration_seconds) if v.duration_seconds else "",
                          status=_video_status(v), ready=_video_status(v) == "completed",
                          in_course=v.id in in_course)
            for v in session.exec(stmt).all()]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- courses ------------------------------------------------------------------------------------

def create_course(*, session: Session, actor: Actor, title: str, description: str = "",
                  thumbnail_url: str = "") -> CourseDraft:
    """A new, unpublished course without modules, after the creator's other courses."""
    creator = _creator(session, actor)
    course = Course(creator_id=creator.id, title=_required_title(title, "course"),
                    description=_clean_description(description),
                    thumbnail_url=_clean_thumbnail(thumbnail_url), is_published=False)
    last = session.exec(select(func.max(Course.display_order)).where(
        Course.creator_id == creator.id, Course.is_deleted.is_(False))).one()
    course.display_order = (last or 0) + 1
    session.add(course)
    session.flush()
    return _draft(session, course, [])


def update_course(*, session: Session, actor: Actor, course_id: str, title: str | None = None,
                  description: str | None = None,
                  thumbnail_url: str | None = None) -> CourseDraft:
    """Change what is given (None leaves a field as it is)."""
    course = _own_course(session, _creator(session, actor), course_id, lock=True)
    changes: dict[str, Any] = {}  # all checked before any is applied
    if title is not None:
        changes["title"] = _required_title(title, "course")
    if description is not None:
        changes["description"] = _clean_description(description)
    if thumbnail_url is not None:
        changes["thumbnail_url"] = _clean_thumbnail(thumbnail_url)
    for name, value in changes.items():
        setattr(course, name, value)
    _touch(session, course)
    session.flush()
    return _draft(session, course)


def delete_course(*, session: Session, actor: Actor, course_id: str) -> None:
    """Soft delete: the course disappears and is unpublished; its rows stay."""
    course = _own_course(session, _creator(session, actor), course_id, lock=True)
    course.is_deleted = True
    course.is_published = False
    course.published_at = None
    _touch(session, course)
    session.flush()


def set_published(*, session: Session, actor: Actor, course_id: str,
                  published: bool) -> CourseDraft:
    """Publish (only without blockers; the lessons' processed videos are published too) or
    unpublish (the videos stay published)."""
    course = _own_course(session, _creator(session, actor), course_id, lock=True)
    layout = _layout(session, course)
    if published:
        videos = _videos(session, layout)
        blockers = _blockers(course, layout, videos)
        if blockers:
            raise InvalidInput("This course cannot be published yet.", details=blockers)
        _publish_ready(session, videos.values())
        course.is_published = True
        course.published_at = course.published_at or datetime.now(UTC)
    else:
        course.is_published = False
        course.published_at = None
    _save(session, course, layout)
    return _draft(session, course, layout)


# --- modules ------------------------------------------------------------------------------------

def add_module(*, session: Session, actor: Actor, course_id: str, title: str) -> CourseDraft:
    """A new module at the end; an empty title becomes "Module <n>"."""
    course = _own_course(session, _creator(session, actor), course_id, lock=True)
    layout = _layout(session, course)
    module = CourseModule(course_id=course.id,
                          title=_clean_title(title) or f"Module {len(layout) + 1}",
                          display_order=len(layout) + 1)
    session.add(module)
    layout.append((module, []))
    _save(session, course, layout)
    return _draft(session, course, layout)


def rename_module(*, session: Session, actor: Actor, module_id: str, title: str) -> CourseDraft:
    course, module = _module_course(session, _creator(session, actor), module_id)
    module.title = _required_title(title, "module")
    session.add(module)
    layout = _layout(session, course)
    _save(session, course, layout)
    return _draft(session, course, layout)


def move_module(*, session: Session, actor: Actor, module_id: str,
                to_index: int) -> CourseDraft:
    """Move the module to the 0-based position `to_index` (clamped to the course)."""
    course, module = _module_course(session, _creator(session, actor), module_id)
    index = _index(to_index)
    layout = _layout(session, course)
    entry = _entry(layout, module.id)
    layout.remove(entry)
    layout.insert(_clamp(index, len(layout)), entry)
    _save(session, course, layout)
    return _draft(session, course, layout)


def delete_module(*, session: Session, actor: Actor,
                  module_id: str) -> tuple[CourseDraft, Undo]:
    """Delete the module and its lessons; the Undo brings both back."""
    course, module = _module_course(session, _creator(session, actor), module_id)
    layout = _layout(session, course)
    entry = _entry(layout, module.id)
    _, lessons = entry
    payload = {"kind": "module", "course_id": str(course.id),
               "module": {"id": str(module.id), "title": module.title,
                          "description": module.description or "",
                          "order": layout.index(entry) + 1, "meta": module.meta or {}},
               "lessons": [_lesson_payload(lesson) for lesson in lessons]}
    for lesson in lessons:
        session.delete(lesson)
    session.flush()
    session.delete(module)
    session.flush()
    layout.remove(entry)
    _save(session, course, layout)
    undo = Undo(kind="module", label=f"module “{module.title}”", payload=json.dumps(payload))
    return _draft(session, course, layout), undo


# --- lessons ------------------------------------------------------------------------------------

def add_lesson(*, session: Session, actor: Actor, module_id: str, video_id: str) -> CourseDraft:
    """Append one of the creator's videos to the module as a lesson."""
    creator = _creator(session, actor)
    course, module = _module_course(session, creator, module_id)
    video = _own_video(session, creator, video_id)
    if video is None:
        raise NotFound(VIDEO_NOT_FOUND)
    layout = _layout(session, course)
    _, lessons = _entry(layout, module.id)
    if any(lesson.video_id == video.id for lesson in lessons):
        raise Conflict(ALREADY_IN_MODULE, field="video_id")
    lesson = ModuleLesson(module_id=module.id, video_id=video.id, lesson_order=len(lessons) + 1)
    session.add(lesson)
    lessons.append(lesson)
    if course.is_published:
        _publish_ready(session, [video])
    _save(session, course, layout)
    session.add(VideoAnalyticsEvent(
        event_type="video_added_to_course", video_id=video.id, creator_id=creator.id,
        course_id=course.id, module_id=module.id, meta={"lesson_id": str(lesson.id)}))
    session.flush()
    return _draft(session, course, layout)


def update_lesson(*, session: Session, actor: Actor, lesson_id: str, title: str | None = None,
                  description: str | None = None, required: bool | None = None,
                  minutes: int | None = None) -> CourseDraft:
    """Change what is given (None leaves a field as it is). An empty title shows the video's
    title; minutes 0 goes back to the video's length."""
    course, lesson = _lesson_course(session, _creator(session, actor), lesson_id)
    changes: dict[str, Any] = {}  # all checked before any is applied
    if title is not None:
        changes["title"] = _clean_title(title) or None
    if description is not None:
        changes["description"] = _clean_description(description)
    if required is not None:
        changes["is_required"] = bool(required)
    if minutes is not None:
        changes["estimated_duration_minutes"] = _clean_minutes(minutes)
    for name, value in changes.items():
        setattr(lesson, name, value)
    session.add(lesson)
    layout = _layout(session, course)
    _save(session, course, layout)
    return _draft(session, course, layout)


def move_lesson(*, session: Session, actor: Actor, lesson_id: str, to_module_id: str,
                to_index: int) -> CourseDraft:
    """Move the lesson to the 0-based position `to_index` (clamped) of a module of the same
    course (its own or another)."""
    course, lesson = _lesson_course(session, _creator(session, actor), lesson_id)
    index = _index(to_index)
    layout = _layout(session, course)
    _, target = _entry(layout, _uuid(to_module_id, MODULE_NOT_FOUND))
    _, source = _entry(layout, lesson.module_id)
    if target is not source and any(other.video_id == lesson.video_id for other in target):
        raise Conflict(ALREADY_IN_MODULE, field="video_id")
    moving = next(other for other in source if other.id == lesson.id)
    source.remove(moving)
    target.insert(_clamp(index, len(target)), moving)
    _save(session, course, layout)
    return _draft(session, course, layout)


def delete_lesson(*, session: Session, actor: Actor,
                  lesson_id: str) -> tuple[CourseDraft, Undo]:
    course, lesson = _lesson_course(session, _creator(session, actor), lesson_id)
    layout = _layout(session, course)
    _, lessons = _entry(layout, lesson.module_id)
    lesson = next(other for other in lessons if other.id == lesson.id)
    video = session.get(Video, lesson.video_id)
    name = lesson.title or (video.title if video is not None else "")
    payload = {"kind": "lesson", "course_id": str(course.id), "module_id": str(lesson.module_id),
               "lesson": _lesson_payload(lesson)}
    lessons.remove(lesson)
    session.delete(lesson)
    session.flush()
    _save(session, course, layout)
    undo = Undo(kind="lesson", label=f"lesson “{name}”", payload=json.dumps(payload))
    return _draft(session, course, layout), undo


def _lesson_payload(lesson: ModuleLesson) -> dict[str, Any]:
    return {"id": str(lesson.id), "video_id": str(lesson.video_id), "order": lesson.lesson_order,
            "title": lesson.title or "", "description": lesson.description or "",
            "required": bool(lesson.is_required), "minutes": lesson.estimated_duration_minutes,
            "meta": lesson.meta or {}}


# --- undo ----------------------------------------------------------------------------------------

def restore(*, session: Session, actor: Actor, undo_payload: str) -> CourseDraft:
    """Bring back the module (with its lessons) or the lesson an Undo describes, at its old
    position (clamped), with the same ids when they are still free. Lessons whose video was
    deleted since are left out."""
    creator = _creator(session, actor)
    try:
        data = json.loads(undo_payload)
        kind = data["kind"]
        course_id = data["course_id"]
    except (TypeError, ValueError, KeyError):
        raise InvalidInput(CANNOT_UNDO) from None
    if kind not in ("module", "lesson") or not isinstance(course_id, str):
        raise InvalidInput(CANNOT_UNDO)
    course = _own_course(session, creator, course_id, lock=True)
    layout = _layout(session, course)
    try:
        if kind == "module":
            restored = _restore_module(session, creator, course, layout, data)
        else:
            restored = _restore_lesson(session, creator, layout, data)
    except (TypeError, ValueError, KeyError, AttributeError):
        raise InvalidInput(CANNOT_UNDO) from None
    if restored is None:  # nothing left to bring back
        return _draft(session, course, layout)
    if course.is_published:
        _publish_ready(session, restored)
    _save(session, course, layout)
    return _draft(session, course, layout)


def _free_id(session: Session, model: type, wanted: Any) -> uuid.UUID:
    try:
        candidate = uuid.UUID(str(wanted))
    except ValueError:
        return uuid.uuid4()
    taken = session.exec(select(model.id).where(model.id == candidate)).first()
    return uuid.uuid4() if taken is not None else candidate


def _order(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("order")
    return value


def _restored_lesson(session: Session, creator: Creator, module_id: uuid.UUID,
                     data: dict[str, Any]) -> tuple[ModuleLesson, Video] | None:
    """A lesson row rebuilt from its payload (not added yet), or None if its video is gone."""
    video = _own_video(session, creator, data["video_id"])
    if video is None:
        return None
    minutes = data.get("minutes")
    try:
        minutes = _clean_minutes(minutes) if minutes is not None else None
    except InvalidInput:
        minutes = None
    meta = data.get("meta")
    lesson = ModuleLesson(
        id=_free_id(session, ModuleLesson, data.get("id")), module_id=module_id,
        video_id=video.id, lesson_order=1,
        title=" ".join(str(data.get("title") or "").split())[:MAX_TITLE] or None,
        description=str(data.get("description") or "").strip()[:MAX_DESCRIPTION] or None,
        is_required=bool(data.get("required", True)), estimated_duration_minutes=minutes,
        meta=meta if isinstance(meta, dict) else {})
    return lesson, video


def _restore_module(session: Session, creator: Creator, course: Course, layout: Layout,
                    data: dict[str, Any]) -> list[Video]:
    info = data["module"]
    order = _order(info["order"])
    title = " ".join(str(info.get("title") or "").split())[:MAX_TITLE]
    meta = info.get("meta")
    module_id = _free_id(session, CourseModule, info.get("id"))
    if str(module_id) != str(info.get("id")) and any(
            str(m.id) == str(info.get("id")) for m, _ in layout):
        raise Conflict("That module is already back.")  # a second click on the same undo
    module = CourseModule(
        id=module_id, course_id=course.id,
        title=title or f"Module {order}",
        description=str(info.get("description") or "").strip()[:MAX_DESCRIPTION] or None,
        display_order=max(1, order), meta=meta if isinstance(meta, dict) else {})
    lessons: list[ModuleLesson] = []
    videos: list[Video] = []
    for row in sorted(data["lessons"], key=lambda row: _order(row["order"])):
        rebuilt = _restored_lesson(session, creator, module.id, row)
        if rebuilt is None or any(other.video_id == rebuilt[0].video_id for other in lessons):
            continue
        if any(other.id == rebuilt[0].id for other in lessons):
            rebuilt[0].id = uuid.uuid4()
        lessons.append(rebuilt[0])
        videos.append(rebuilt[1])
    # Everything is read and checked: now write, the module before its lessons.
    session.add(module)
    session.flush()
    session.add_all(lessons)
    layout.insert(_clamp(order - 1, len(layout)), (module, lessons))
    return videos


def _restore_lesson(session: Session, creator: Creator, layout: Layout,
                    data: dict[str, Any]) -> list[Video] | None:
    info = data["lesson"]
    order = _order(info["order"])
    try:
        module_id = uuid.UUID(str(data["module_id"]))
        _, lessons = _entry(layout, module_id)
    except (ValueError, NotFound):
        raise NotFound("The module of that lesson was deleted.") from None
    rebuilt = _restored_lesson(session, creator, module_id, info)
    if rebuilt is None:
        return None
    lesson, video = rebuilt
    if any(other.video_id == video.id for other in lessons):
        raise Conflict(ALREADY_IN_MODULE, field="video_id")
    session.add(lesson)
    lessons.insert(_clamp(order - 1, len(lessons)), lesson)
    return [video]

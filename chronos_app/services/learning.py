"""The student side of courses: the catalog, the course viewer and progress, and the creator's
view of their students' progress on a course.

There is no enrolment table: a student is enrolled in every published, not deleted course of
each active school they are an active student of. A course is *started* once the student has a
watch session on one of its lesson videos. A lesson is *completed* when one of the student's
sessions of its video is `completed` (the trigger sets it at 90 %) — exactly what the SQL
function `has_student_completed_video` answers; here it is folded in Python from the same
column so that a page costs a fixed number of queries, whatever the number of courses,
lessons or students.

Students see only lessons whose video is published and not deleted (and belongs to the
course's school); the owning creator previews every lesson of their courses, published or not,
with no progress. Anything a student may not see is "not available", so existence is not
revealed.

Subscriber-only content (`services.subscriptions`): the catalog lists a gated course with
`required_tier` and `locked` (the student's tier does not reach it), and opening a locked
course raises `Gated`. Lessons whose video is gated stay in the course, flagged `locked`, and
count for progress as usual (the course is complete only with them); their watch page shows
the gate. A gated course does not gate its lesson videos.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import or_
from sqlmodel import Session, select

from chronos_app.core.errors import InvalidInput, NotFound
from chronos_app.models import (
    Course,
    CourseModule,
    Creator,
    ModuleLesson,
    Student,
    Subscription,
    User,
    Video,
    VideoWatchSession,
)
from chronos_app.pipeline.sources import format_clock
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.learning import (
    CatalogCourse,
    CourseView,
    StudentProgress,
    ViewerLesson,
    ViewerModule,
)
from chronos_app.services import subscriptions

COURSE_NOT_AVAILABLE = "That course is not available."

STATUSES = ("not_started", "in_progress", "completed")
STATUS_LABELS = {"not_started": "Not started", "in_progress": "In progress",
                 "completed": "Completed"}
CATALOG_STATUSES = ("all", *STATUSES)
CATALOG_SORTS = ("recent", "title", "progress", "activity")
SEARCH_MAX = 200


# --- pure rules ---------------------------------------------------------------------------------

def progress_of(lessons: Iterable[tuple[bool, bool]]) -> tuple[int, int, int]:
    """(completed, counted, percent) from (required, completed) pairs, one per lesson.

    Only required lessons count; when none is required, every lesson counts. The percent is
    floored, so 100 means every counted lesson is complete; 0 lessons give (0, 0, 0)."""
    pairs = [(bool(req), bool(done)) for req, done in lessons]
    counted = [done for req, done in pairs if req] if any(r for r, _ in pairs) \
        else [done for _, done in pairs]
    completed = sum(counted)
    total = len(counted)
    percent = completed * 100 // total if total else 0
    return completed, total, percent


def status_of(percent: int, started: bool) -> str:
    """"completed" at 100 %, "in_progress" once started (or with any progress), else
    "not_started"."""
    if percent >= 100:
        return "completed"
    if started or percent > 0:
        return "in_progress"
    return "not_started"


def lesson_minutes(estimated_minutes: int | None, duration_seconds: float | None) -> int:
    """The lesson's own estimate, else the video's length rounded up to the minute (0 if
    unknown)."""
    if estimated_minutes and estimated_minutes > 0:
        return int(estimated_minutes)
    if duration_seconds and duration_seconds > 0:
        return math.ceil(duration_seconds / 60)
    return 0


def lesson_neighbours(view: CourseView, lesson_id: str) -> tuple[str, str]:
    """The previous and next lesson ids of `lesson_id` across modules ("" at either end, and
    ("", "") for a lesson not in the view)."""
    ids = [lesson.id for module in view.modules for lesson in module.lessons]
    if lesson_id not in ids:
        return "", ""
    at = ids.index(lesson_id)
    return (ids[at - 1] if at > 0 else ""), (ids[at + 1] if at + 1 < len(ids) else "")


@dataclass
class VideoStat:
    """One student's sessions of one video, folded."""

    percent: int = 0                  # best percent_complete
    completed: bool = False           # any session completed (has_student_completed_video)
    watch_seconds: int = 0            # sum of watch_time_seconds
    last_at: datetime | None = None   # latest session_end, or session_start if never ended


StatKey = tuple[uuid.UUID, uuid.UUID]  # (student_id, video_id)


def fold_sessions(rows: Iterable[Sequence]) -> dict[StatKey, VideoStat]:
    """Fold (student_id, video_id, percent_complete, completed, watch_time_seconds,
    session_start, session_end) rows into one `VideoStat` per (student, video)."""
    stats: dict[StatKey, VideoStat] = {}
    for student_id, video_id, percent, completed, watch_seconds, start, end in rows:
        stat = stats.setdefault((student_id, video_id), VideoStat())
        stat.percent = max(stat.percent, int(percent or 0))
        stat.completed = stat.completed or bool(completed)
        stat.watch_seconds += int(watch_seconds or 0)
        moment = _aware(end or start)
        if moment is not None and (stat.last_at is None or moment > stat.last_at):
            stat.last_at = moment
    return stats


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _date(moment: datetime | None) -> str:
    return moment.strftime("%b %d, %Y") if moment else ""


def _parse_id(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _school_name(creator: Creator, owner_username: str) -> str:
    return creator.name or f"{owner_username}'s school"


# --- loading --------------------------------------------------------------------------------------

@dataclass
class _Lesson:
    id: uuid.UUID
    module_id: uuid.UUID
    course_id: uuid.UUID
    video_id: uuid.UUID
    title: str
    description: str
    required: bool
    minutes: int
    duration_seconds: float
    required_tier: str = ""   # the video's gate ("" when open)


def _lessons(session: Session, course_ids: Sequence[uuid.UUID], *, students: bool,
             video_id: uuid.UUID | None = None) -> list[_Lesson]:
    """The lessons of `course_ids` in course order (module, then lesson), in one query.
    `students`: only lessons whose video is published, not deleted and the course's school's."""
    if not course_ids:
        return []
    stmt = (select(ModuleLesson, CourseModule.course_id, Video.title, Video.description,
                   Video.duration_seconds, Video.meta)
            .join(CourseModule, CourseModule.id == ModuleLesson.module_id)
            .join(Video, Video.id == ModuleLesson.video_id)
            .where(CourseModule.course_id.in_(list(course_ids)))
            .order_by(CourseModule.course_id, CourseModule.display_order,
                      CourseModule.created_at, CourseModule.id, ModuleLesson.lesson_order,
                      ModuleLesson.id))
    if students:
        stmt = (stmt.join(Course, Course.id == CourseModule.course_id)
                .where(Video.published_at.is_not(None), Video.is_deleted.is_(False),
                       Video.creator_id == Course.creator_id))
    if video_id is not None:
        stmt = stmt.where(ModuleLesson.video_id == video_id)
    return [
        _Lesson(id=lesson.id, module_id=lesson.module_id, course_id=course_id,
                video_id=lesson.video_id, title=lesson.title or video_title or "",
                description=lesson.description or video_description or "",
                required=bool(lesson.is_required),
                minutes=lesson_minutes(lesson.estimated_duration_minutes, duration),
                duration_seconds=float(duration or 0),
                required_tier=subscriptions.required_tier(video_meta) or "")
        for lesson, course_id, video_title, video_description, duration, video_meta
        in session.exec(stmt).all()
    ]


def _stats(session: Session, student_ids: Iterable[uuid.UUID],
           video_ids: Iterable[uuid.UUID]) -> dict[StatKey, VideoStat]:
    """Every watch session of these students on these videos, folded, in one query."""
    students, videos = list(set(student_ids)), list(set(video_ids))
    if not students or not videos:
        return {}
    ws = VideoWatchSession
    rows = session.exec(
        select(ws.student_id, ws.video_id, ws.percent_complete, ws.completed,
               ws.watch_time_seconds, ws.session_start, ws.session_end)
        .where(ws.student_id.in_(students), ws.video_id.in_(videos))).all()
    return fold_sessions(rows)


def _membership(session: Session, actor: Actor,
                creator: Creator) -> tuple[uuid.UUID | None, str | None]:
    """The actor's active student id in the school and their tier there (None, None when not
    a member), in one query, read from the database (not the actor, which may be stale after
    leaving)."""
    row = session.exec(
        select(Student.id, Subscription)
        .outerjoin(Subscription, (Subscription.subscriber_id == Student.user_id)
                   & (Subscription.creator_id == creator.user_id))
        .where(Student.user_id == actor.user_id, Student.creator_id == creator.id,
               Student.is_active.is_(True))).first()
    if row is None:
        return None, None
    student_id, sub = row
    return student_id, subscriptions.effective_tier(sub, member=True, now=datetime.now(UTC))


@dataclass
class _Access:
    course: Course
    school_name: str
    is_owner: bool
    student_id: uuid.UUID | None   # None for the owner
    tier: str | None = None        # the student's tier in the school (None for the owner)


def _course_access(session: Session, actor: Actor | None,
                   course_id: uuid.UUID | str) -> _Access:
    """The course if the actor owns it (any state but deleted) or is an active student of its
    active school and it is published; `NotFound` otherwise."""
    cid = _parse_id(course_id)
    row = None
    if cid is not None and actor is not None:
        row = session.exec(select(Course, Creator, User.username)
                           .join(Creator, Creator.id == Course.creator_id)
                           .join(User, User.id == Creator.user_id)
                           .where(Course.id == cid)).first()
    if row is None:
        raise NotFound(COURSE_NOT_AVAILABLE)
    course, creator, owner_username = row
    if course.is_deleted:
        raise NotFound(COURSE_NOT_AVAILABLE)
    school = _school_name(creator, owner_username)
    if actor.creator_id is not None and actor.creator_id == course.creator_id:
        return _Access(course=course, school_name=school, is_owner=True, student_id=None)
    if not course.is_published or not creator.is_active:
        raise NotFound(COURSE_NOT_AVAILABLE)
    student_id, tier = _membership(session, actor, creator)
    if student_id is None:
        raise NotFound(COURSE_NOT_AVAILABLE)
    required = subscriptions.required_tier(course.meta)
    if not subscriptions.reaches(tier, required):
        raise subscriptions.gated_error(session, creator_id=course.creator_id, required=required,
                                        actor=actor, course_title=course.title)
    return _Access(course=course, school_name=school, is_owner=False, student_id=student_id,
                   tier=tier)


def _course_progress(lessons: Sequence[_Lesson], student_id: uuid.UUID | None,
                     stats: dict[StatKey, VideoStat]) -> tuple[int, int, int, bool,
                                                               datetime | None]:
    """(completed, counted, percent, started, last_at) of one student on one course."""
    pairs, started, last_at = [], False, None
    for lesson in lessons:
        stat = stats.get((student_id, lesson.video_id)) if student_id else None
        pairs.append((lesson.required, bool(stat and stat.completed)))
        if stat is not None:
            started = True
            if stat.last_at and (last_at is None or stat.last_at > last_at):
                last_at = stat.last_at
    completed, counted, percent = progress_of(pairs)
    return completed, counted, percent, started, last_at


# --- the catalog ----------------------------------------------------------------------------------

_CatalogRow = tuple[Course, datetime | None, CatalogCourse]


def catalog(*, session: Session, actor: Actor, search: str = "", status: str = "all",
            sort: str = "recent") -> list[CatalogCourse]:
    """The published courses of every active school the actor is an active student of, with
    their progress (a subscriber-only course the actor's tier does not reach is `locked`).
    Four queries whatever the number of courses and lessons."""
    if status not in CATALOG_STATUSES:
        raise InvalidInput("Choose a status of all, not started, in progress or completed.",
                           field="status", details=list(CATALOG_STATUSES))
    if sort not in CATALOG_SORTS:
        raise InvalidInput("Sort by recent, title, progress or activity.", field="sort",
                           details=list(CATALOG_SORTS))
    members = session.exec(
        select(Student.id, Creator, User.username, Subscription)
        .join(Creator, Creator.id == Student.creator_id)
        .join(User, User.id == Creator.user_id)
        .outerjoin(Subscription, (Subscription.subscriber_id == Student.user_id)
                   & (Subscription.creator_id == Creator.user_id))
        .where(Student.user_id == actor.user_id, Student.is_active.is_(True),
               Creator.is_active.is_(True))).all()
    if not members:
        return []
    student_of = {creator.id: student_id for student_id, creator, _, _ in members}
    schools = {creator.id: _school_name(creator, username)
               for _, creator, username, _ in members}
    now = datetime.now(UTC)
    tiers = {creator.id: subscriptions.effective_tier(sub, member=True, now=now)
             for _, creator, _, sub in members}
    stmt = select(Course).where(Course.creator_id.in_(list(student_of)),
                                Course.is_published.is_(True), Course.is_deleted.is_(False))
    term = " ".join((search or "").split())[:SEARCH_MAX]
    if term:
        like = f"%{_escape_like(term)}%"
        stmt = stmt.where(or_(Course.title.ilike(like, escape="\\"),
                              Course.description.ilike(like, escape="\\")))
    courses = session.exec(stmt).all()
    if not courses:
        return []
    lessons = _lessons(session, [c.id for c in courses], students=True)
    by_course: dict[uuid.UUID, list[_Lesson]] = {}
    for lesson in lessons:
        by_course.setdefault(lesson.course_id, []).append(lesson)
    stats = _stats(session, student_of.values(), (lesson.video_id for lesson in lessons))
    rows: list[_CatalogRow] = []
    for course in courses:
        mine = by_course.get(course.id, [])
        _, _, percent, started, last_at = _course_progress(
            mine, student_of[course.creator_id], stats)
        state = status_of(percent, started)
        if status != "all" and state != status:
            continue
        required = subscriptions.required_tier(course.meta)
        card = CatalogCourse(
            id=str(course.id), title=course.title, description=course.description or "",
            thumbnail_url=course.thumbnail_url or "", school_name=schools[course.creator_id],
            lesson_count=len(mine), minutes=sum(lesson.minutes for lesson in mine),
            percent=percent, status=state, status_label=STATUS_LABELS[state],
            published=_date(_aware(course.published_at)),
            last_activity=last_at.isoformat() if last_at else "",
            required_tier=required or "",
            locked=not subscriptions.reaches(tiers.get(course.creator_id), required))
        rows.append((course, last_at, card))
    return [card for _, _, card in sorted(rows, key=_catalog_key(sort))]


def _catalog_key(sort: str) -> Callable[[_CatalogRow], tuple]:
    def when(moment: datetime | None) -> tuple[bool, float]:
        moment = _aware(moment)
        return (moment is None, -moment.timestamp() if moment else 0.0)

    def key(row: _CatalogRow) -> tuple:
        course, last_at, card = row
        title = (card.title.casefold(), card.id)
        if sort == "title":
            return title
        if sort == "progress":
            return (-card.percent, *title)
        if sort == "activity":
            return (*when(last_at), *title)
        return (*when(course.published_at), *title)

    return key


# --- the course viewer ----------------------------------------------------------------------------

def course_view(*, session: Session, actor: Actor, course_id: uuid.UUID | str) -> CourseView:
    """A course with its modules, lessons and the student's progress; for the owning creator a
    preview of every lesson with no progress."""
    access = _course_access(session, actor, course_id)
    course = access.course
    modules = session.exec(select(CourseModule).where(CourseModule.course_id == course.id)
                           .order_by(CourseModule.display_order, CourseModule.created_at,
                                     CourseModule.id)).all()
    lessons = _lessons(session, [course.id], students=not access.is_owner)
    sid = access.student_id
    stats = _stats(session, [sid], (lesson.video_id for lesson in lessons)) if sid else {}
    by_module: dict[uuid.UUID, list[_Lesson]] = {}
    for lesson in lessons:
        by_module.setdefault(lesson.module_id, []).append(lesson)
    view_modules: list[ViewerModule] = []
    for m_number, module in enumerate(modules, start=1):
        items = []
        for l_number, lesson in enumerate(by_module.get(module.id, []), start=1):
            stat = stats.get((sid, lesson.video_id)) if sid else None
            items.append(ViewerLesson(
                id=str(lesson.id), video_id=str(lesson.video_id), module_id=str(module.id),
                title=lesson.title, description=lesson.description, required=lesson.required,
                minutes=lesson.minutes,
                duration=format_clock(lesson.duration_seconds) if lesson.duration_seconds else "",
                percent=stat.percent if stat else 0, completed=bool(stat and stat.completed),
                number=f"{m_number}.{l_number}", required_tier=lesson.required_tier,
                locked=not access.is_owner
                and not subscriptions.reaches(access.tier, lesson.required_tier or None)))
        done, counted, percent = progress_of((item.required, item.completed) for item in items)
        view_modules.append(ViewerModule(
            id=str(module.id), title=module.title, description=module.description or "",
            lessons=items, percent=percent, completed_count=done, required_count=counted))
    flat = [item for module in view_modules for item in module.lessons]
    done, counted, percent = progress_of((item.required, item.completed) for item in flat)
    return CourseView(
        id=str(course.id), title=course.title, description=course.description or "",
        school_name=access.school_name, modules=view_modules, percent=percent,
        completed_count=done, required_count=counted, completed=counted > 0 and done == counted,
        resume_lesson_id=_resume_lesson(flat, sid, stats), is_owner=access.is_owner,
        required_tier=subscriptions.required_tier(course.meta) or "")


def _resume_lesson(lessons: Sequence[ViewerLesson], student_id: uuid.UUID | None,
                   stats: dict[StatKey, VideoStat]) -> str:
    """The lesson of the latest watch session, else the first not completed, else the first."""
    if not lessons:
        return ""
    latest: tuple[datetime, str] | None = None
    for lesson in lessons:  # in course order, so a video in two lessons resolves to the first
        stat = stats.get((student_id, uuid.UUID(lesson.video_id))) if student_id else None
        if stat is not None and stat.last_at is not None \
                and (latest is None or stat.last_at > latest[0]):
            latest = (stat.last_at, lesson.id)
    if latest is not None:
        return latest[1]
    return next((lesson.id for lesson in lessons if not lesson.completed), lessons[0].id)


def lesson_for_video(*, session: Session, actor: Actor, course_id: uuid.UUID | str,
                     video_id: uuid.UUID | str) -> str:
    """The id of the first lesson (in course order) of the course that plays the video, as the
    actor sees the course; `NotFound` when there is none."""
    access = _course_access(session, actor, course_id)
    vid = _parse_id(video_id)
    found = _lessons(session, [access.course.id], students=not access.is_owner,
                     video_id=vid) if vid is not None else []
    if not found:
        raise NotFound("That video is not a lesson of this course.")
    return str(found[0].id)


# --- the creator's view ---------------------------------------------------------------------------

def course_students(*, session: Session, actor: Actor,
                    course_id: uuid.UUID | str) -> list[StudentProgress]:
    """Every active student of the school with their progress on the course (the lessons
    students see), best first; only the course's creator may see it. Four queries whatever
    the number of students and lessons."""
    cid = _parse_id(course_id)
    course = session.get(Course, cid) if cid is not None and actor is not None else None
    if course is None or course.is_deleted or actor.creator_id is None \
            or actor.creator_id != course.creator_id:
        raise NotFound(COURSE_NOT_AVAILABLE)
    members = session.exec(
        select(Student, User).join(User, User.id == Student.user_id)
        .where(Student.creator_id == course.creator_id, Student.is_active.is_(True))).all()
    if not members:
        return []
    lessons = _lessons(session, [course.id], students=True)
    video_ids = {lesson.video_id for lesson in lessons}
    stats = _stats(session, (student.id for student, _ in members), video_ids)
    rows = []
    for student, user in members:
        done, counted, percent, started, last_at = _course_progress(lessons, student.id, stats)
        state = status_of(percent, started)
        seconds = sum(stats[(student.id, v)].watch_seconds for v in video_ids
                      if (student.id, v) in stats)
        rows.append(StudentProgress(
            student_id=str(student.id), username=user.username,
            name=student.name or user.display_name or user.username, percent=percent,
            completed_count=done, required_count=counted, status=state,
            status_label=STATUS_LABELS[state], last_activity=_date(last_at),
            watch_minutes=seconds // 60))
    rows.sort(key=lambda r: (-r.percent, r.username.casefold(), r.student_id))
    return rows

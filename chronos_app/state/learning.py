"""The student's side of courses: the catalog, and the course viewer (outline with ticks, the
watch page of the current lesson, previous/next, auto-advance, completion)."""

from __future__ import annotations

import asyncio

import reflex as rx

from chronos_app import routes
from chronos_app.core.errors import ChronosError, Gated
from chronos_app.schemas.learning import CatalogCourse, CourseView, ViewerLesson
from chronos_app.services import learning
from chronos_app.state.auth import current_actor
from chronos_app.state.base import call
from chronos_app.state.chat import ChatState
from chronos_app.state.comments import CommentsState
from chronos_app.state.watch import WatchState

AUTO_ADVANCE_SECONDS = 5
STATUS_FILTERS = {"all": "All", "not_started": "Not started", "in_progress": "In progress",
                  "completed": "Completed"}
SORTS = {"recent": "Newest", "title": "Title", "progress": "Progress",
         "activity": "Recently watched"}




class CatalogState(rx.State):
    courses: list[CatalogCourse] = []
    loaded: bool = False
    search: str = ""
    status: str = "all"
    sort: str = "recent"

    async def _refresh(self) -> None:
        actor = await current_actor(self)
        if actor is None:
            return
        try:
            self.courses = await call(learning.catalog, actor=actor, search=self.search,
                                      status=self.status, sort=self.sort)
        except ChronosError:
            self.courses = []
        self.loaded = True

    @rx.event
    async def load(self):
        self.loaded = False
        await self._refresh()

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:200]
        await self._refresh()

    @rx.event
    async def set_status(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) and value else value
        self.status = value if value in STATUS_FILTERS else "all"
        await self._refresh()

    @rx.event
    async def set_sort(self, value: str):
        self.sort = value if value in SORTS else "recent"
        await self._refresh()

    @rx.var
    def filtered(self) -> bool:
        return bool(self.search.strip()) or self.status != "all"


class CourseViewerState(rx.State):
    course: CourseView = CourseView()
    loaded: bool = False
    not_found: bool = False
    lesson_id: str = ""
    gated: bool = False            # a subscriber-only course the student's tier doesn't reach
    gate_title: str = ""
    gate_school: str = ""
    gate_tier: str = ""
    gate_creator: str = ""
    up_next: str = ""              # title of the next lesson while auto-advance counts down
    countdown: int = 0
    _advance_token: int = 0

    @rx.var
    def lessons(self) -> list[ViewerLesson]:
        return [le for m in self.course.modules for le in m.lessons]

    @rx.var
    def current(self) -> ViewerLesson:
        return next((le for m in self.course.modules for le in m.lessons
                     if le.id == self.lesson_id), ViewerLesson())

    @rx.var
    def prev_id(self) -> str:
        return learning.lesson_neighbours(self.course, self.lesson_id)[0]

    @rx.var
    def next_id(self) -> str:
        return learning.lesson_neighbours(self.course, self.lesson_id)[1]

    async def _reload_course(self) -> bool:
        actor = await current_actor(self)
        if actor is None:
            return False
        try:
            self.course = await call(learning.course_view, actor=actor,
                                     course_id=self.course_id)  # the route's [course_id]
        except Gated as gate:
            self.course, self.gated = CourseView(), True
            self.gate_title, self.gate_school = gate.course_title, gate.school_name
            self.gate_tier, self.gate_creator = gate.required_tier.capitalize(), gate.creator_id
            return False
        except ChronosError:
            self.course, self.not_found = CourseView(), True
            return False
        return True

    async def _open(self, lesson_id: str):
        self.lesson_id = lesson_id
        self.up_next, self.countdown = "", 0
        self._advance_token += 1
        lesson = self.current
        if not lesson.video_id:
            return []
        watch = await self.get_state(WatchState)
        events = await watch.open_video(lesson.video_id, ref="course")
        comments = await self.get_state(CommentsState)
        await comments.open_video(lesson.video_id)
        if watch.view.tracked:
            tutor = await self.get_state(ChatState)
            await tutor.offer(video=lesson.video_id, course=self.course.id,
                              school=watch.view.creator_id, default="course")
        path = f"{routes.course(self.course.id)}?lesson={lesson_id}"
        return [rx.call_script(f"window.history.replaceState(null,'','{path}')"), *events]

    @rx.event
    async def load(self):
        self.loaded, self.not_found, self.lesson_id, self.gated = False, False, "", False
        if not await self._reload_course():
            self.loaded = True
            return None
        self.loaded = True
        asked = self.router.url.query_parameters.get("lesson", "")
        ids = {le.id for le in self.lessons}
        lesson_id = asked if asked in ids else self.course.resume_lesson_id
        if not lesson_id and self.lessons:
            lesson_id = self.lessons[0].id
        return await self._open(lesson_id) if lesson_id else None

    @rx.event
    async def open_lesson(self, lesson_id: str):
        if lesson_id not in {le.id for le in self.lessons}:
            return rx.toast.error("That lesson is not in this course.")
        return await self._open(lesson_id)

    @rx.event
    async def refresh_progress(self):
        """After a pause or the end of a lesson: ticks and bars from the watch sessions."""
        await self._reload_course()

    @rx.event
    async def lesson_ended(self):
        await self._reload_course()
        if not self.next_id:
            return None
        nxt = next(le for le in self.lessons if le.id == self.next_id)
        self.up_next, self.countdown = nxt.title, AUTO_ADVANCE_SECONDS
        self._advance_token += 1
        return CourseViewerState.auto_advance(self._advance_token)

    @rx.event(background=True)
    async def auto_advance(self, token: int):
        for _ in range(AUTO_ADVANCE_SECONDS):
            await asyncio.sleep(1)
            async with self:
                if self._advance_token != token or not self.up_next:
                    return
                self.countdown -= 1
        async with self:
            if self._advance_token != token or not self.up_next:
                return
            target = self.next_id
        return CourseViewerState.open_lesson(target)

    @rx.event
    def cancel_advance(self):
        self.up_next, self.countdown = "", 0
        self._advance_token += 1

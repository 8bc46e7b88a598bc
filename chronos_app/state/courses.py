"""The creator's courses: the list, and the builder (modules, lessons, drag and drop, publishing,
undo of the last delete, the students' progress)."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.core.errors import ChronosError
from chronos_app.schemas.courses import CourseDraft, CourseSummary, PickableVideo
from chronos_app.schemas.learning import StudentProgress
from chronos_app.services import courses, learning, videos
from chronos_app.state.auth import current_actor
from chronos_app.state.base import call


def _problem(err: ChronosError) -> str:
    return " ".join([err.message, *err.details])


class CoursesState(rx.State):
    courses: list[CourseSummary] = []
    loaded: bool = False
    new_title: str = ""
    new_description: str = ""
    create_error: str = ""
    creating: bool = False

    @rx.event
    async def load(self):
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        try:
            self.courses = await call(courses.list_courses, actor=actor)
        except ChronosError:
            self.courses = []
        self.loaded = True

    @rx.event
    def set_new_title(self, value: str):
        self.new_title, self.create_error = value, ""

    @rx.event
    def set_new_description(self, value: str):
        self.new_description = value

    @rx.event
    async def create(self):
        actor = await current_actor(self)
        if actor is None:
            return None
        self.creating = True
        try:
            draft = await call(courses.create_course, actor=actor, title=self.new_title,
                               description=self.new_description)
        except ChronosError as err:
            self.create_error = err.message
            return rx.toast.error(err.message)
        finally:
            self.creating = False
        self.new_title, self.new_description = "", ""
        return rx.redirect(routes.studio_course(draft.id))


class CourseBuilderState(rx.State):
    draft: CourseDraft = CourseDraft()
    loaded: bool = False
    not_found: bool = False
    tab: str = "outline"
    title: str = ""
    description: str = ""
    thumbnail_url: str = ""
    field_error: str = ""
    new_module: str = ""
    # the "add lessons" dialog
    picker_module: str = ""       # module id the dialog adds to ("" = closed)
    picker_search: str = ""
    picker: list[PickableVideo] = []
    import_url: str = ""
    import_error: str = ""
    importing: bool = False
    # the last delete, for undo
    undo_label: str = ""
    _undo_payload: str = ""
    # drag and drop: what is dragged, and where it would land
    drag_kind: str = ""           # "lesson" | "module" | ""
    drag_id: str = ""
    drop_module: str = ""
    drop_index: int = -1
    students: list[StudentProgress] = []
    notes_draft: str = ""

    @rx.var
    def can_publish(self) -> bool:
        return not self.draft.blockers

    @rx.var
    def module_options(self) -> list[list[str]]:
        return [[m.id, m.title] for m in self.draft.modules]

    def _set(self, draft: CourseDraft) -> None:
        self.draft = draft
        self.title, self.description = draft.title, draft.description
        self.thumbnail_url = draft.thumbnail_url

    async def _do(self, fn, /, success: str = "", **kwargs):  # noqa: ANN001
        """Call a builder service; show its result or its error. Returns the result or None."""
        actor = await current_actor(self)
        if actor is None:
            return None
        try:
            result = await call(fn, actor=actor, **kwargs)
        except ChronosError as err:
            self.field_error = _problem(err)
            return None
        self.field_error = ""
        draft, undo = result if isinstance(result, tuple) else (result, None)
        self._set(draft)
        if undo is not None:
            self._undo_payload, self.undo_label = undo.payload, undo.label
        return result

    def _feedback(self, result, success: str = ""):  # noqa: ANN001
        if result is None:
            return rx.toast.error(self.field_error)
        return rx.toast.success(success) if success else None

    @rx.event
    async def load(self):
        self.loaded, self.not_found, self.tab, self.field_error = False, False, "outline", ""
        self.undo_label, self._undo_payload, self.picker_module = "", "", ""
        self._clear_drag()
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        try:
            self._set(await call(courses.get_course, actor=actor,
                                 course_id=self.course_id))  # the route's [course_id]
        except ChronosError:
            self.not_found, self.loaded = True, True
            return
        self.loaded = True

    @rx.event
    async def set_tab(self, value: str):
        self.tab = value
        if value == "students":
            actor = await current_actor(self)
            try:
                self.students = await call(learning.course_students, actor=actor,
                                           course_id=self.draft.id)
            except ChronosError as err:
                self.students = []
                return rx.toast.error(err.message)
        return None

    # --- course fields (saved when the field loses focus) ---------------------------------
    @rx.event
    def set_title(self, value: str):
        self.title = value

    @rx.event
    def set_description(self, value: str):
        self.description = value

    @rx.event
    def set_thumbnail_url(self, value: str):
        self.thumbnail_url = value

    @rx.event
    async def save_details(self):
        d = self.draft
        if (self.title, self.description, self.thumbnail_url) == (d.title, d.description,
                                                                  d.thumbnail_url):
            return None
        result = await self._do(courses.update_course, course_id=d.id, title=self.title,
                                description=self.description, thumbnail_url=self.thumbnail_url)
        return self._feedback(result, "Saved.")

    @rx.event
    async def publish(self, published: bool):
        result = await self._do(courses.set_published, course_id=self.draft.id,
                                published=published)
        return self._feedback(result, "Published: students can find it now." if published
                              else "Unpublished: students no longer see it.")

    @rx.event
    async def set_tier(self, value: str):
        from chronos_app.services import subscriptions

        actor = await current_actor(self)
        tier = "" if value == "members" else value
        try:
            await call(subscriptions.set_course_tier, actor=actor, course_id=self.draft.id,
                       tier=tier)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.draft.required_tier = tier
        return rx.toast.success("Only " + tier.capitalize() + " subscribers can take it now."
                                if tier else "Every member can take it now.")

    @rx.event
    async def delete_course(self):
        actor = await current_actor(self)
        try:
            await call(courses.delete_course, actor=actor, course_id=self.draft.id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        return [rx.redirect(routes.STUDIO_COURSES), rx.toast.success("Course deleted.")]

    # --- modules -------------------------------------------------------------------------------
    @rx.event
    def set_new_module(self, value: str):
        self.new_module = value

    @rx.event
    async def add_module(self):
        result = await self._do(courses.add_module, course_id=self.draft.id,
                                title=self.new_module)
        if result is not None:
            self.new_module = ""
        return self._feedback(result)

    @rx.event
    async def rename_module(self, module_id: str, title: str):
        current = next((m.title for m in self.draft.modules if m.id == module_id), None)
        if current is None or current == title:
            return None
        return self._feedback(await self._do(courses.rename_module, module_id=module_id,
                                             title=title), "Module renamed.")

    @rx.event
    async def delete_module(self, module_id: str):
        return self._feedback(await self._do(courses.delete_module, module_id=module_id))

    @rx.event
    async def move_module(self, module_id: str, to_index: int):
        return self._feedback(await self._do(courses.move_module, module_id=module_id,
                                             to_index=max(to_index, 0)))

    # --- lessons ---------------------------------------------------------------------------------
    async def _update_lesson(self, lesson_id: str, field: str, value):  # noqa: ANN001
        lesson = next((le for m in self.draft.modules for le in m.lessons if le.id == lesson_id),
                      None)
        if lesson is None:
            return None
        kwargs: dict = {}
        if field == "title":
            if value == lesson.custom_title:
                return None
            kwargs["title"] = value
        elif field == "description":
            if value == lesson.description:
                return None
            kwargs["description"] = value
        elif field == "required":
            kwargs["required"] = bool(value)
        elif field == "minutes":
            text = str(value).strip()
            if not text.isdigit():
                self.field_error = "Estimated minutes must be a whole number (or empty)."
                return rx.toast.error(self.field_error)
            if int(text) == lesson.minutes:
                return None
            kwargs["minutes"] = int(text)
        else:
            return None
        return self._feedback(await self._do(courses.update_lesson, lesson_id=lesson_id,
                                             **kwargs))

    @rx.event
    async def set_lesson_title(self, lesson_id: str, value: str):
        return await self._update_lesson(lesson_id, "title", value)

    @rx.event
    def open_notes(self, description: str):
        self.notes_draft = description

    @rx.event
    def set_notes_draft(self, value: str):
        self.notes_draft = value

    @rx.event
    async def save_notes(self, lesson_id: str):
        # The draft as the server has it: every keystroke event was handled before this one.
        return await self._update_lesson(lesson_id, "description", self.notes_draft)

    @rx.event
    async def set_lesson_required(self, lesson_id: str, value: bool):
        return await self._update_lesson(lesson_id, "required", value)

    @rx.event
    async def set_lesson_minutes(self, lesson_id: str, value: str):
        return await self._update_lesson(lesson_id, "minutes", value)

    @rx.event
    async def delete_lesson(self, lesson_id: str):
        return self._feedback(await self._do(courses.delete_lesson, lesson_id=lesson_id))

    @rx.event
    async def move_lesson(self, lesson_id: str, module_id: str, to_index: int):
        return self._feedback(await self._do(courses.move_lesson, lesson_id=lesson_id,
                                             to_module_id=module_id, to_index=max(to_index, 0)))

    @rx.event
    async def move_lesson_to_module(self, lesson_id: str, module_id: str):
        target = next((m for m in self.draft.modules if m.id == module_id), None)
        if target is None:
            return None
        return self._feedback(await self._do(courses.move_lesson, lesson_id=lesson_id,
                                             to_module_id=module_id,
                                             to_index=len(target.lessons)),
                              f"Moved to “{target.title}”.")

    @rx.event
    async def undo(self):
        if not self._undo_payload:
            return None
        payload, label = self._undo_payload, self.undo_label
        self._undo_payload, self.undo_label = "", ""
        return self._feedback(await self._do(courses.restore, undo_payload=payload),
                              f"Restored {label}.")

    @rx.event
    def dismiss_undo(self):
        self._undo_payload, self.undo_label = "", ""

    # --- drag and drop (mouse: press a handle, move over a row, release) --------------------------
    def _clear_drag(self) -> None:
        self.drag_kind, self.drag_id, self.drop_module, self.drop_index = "", "", "", -1

    @rx.event
    def drag_lesson(self, lesson_id: str):
        self.drag_kind, self.drag_id, self.drop_module, self.drop_index = "lesson", lesson_id, "", -1

    @rx.event
    def drag_module(self, module_id: str):
        self.drag_kind, self.drag_id, self.drop_module, self.drop_index = "module", module_id, "", -1

    @rx.event
    def over_lesson(self, module_id: str, index: int):
        if self.drag_kind == "lesson":
            self.drop_module, self.drop_index = module_id, index

    @rx.event
    def over_module(self, module_id: str, index: int):
        """Over a module: lessons land at its end; modules take its place."""
        if self.drag_kind == "module":
            self.drop_module, self.drop_index = module_id, index
        elif self.drag_kind == "lesson":
            target = next((m for m in self.draft.modules if m.id == module_id), None)
            if target is not None and self.drop_module != module_id:
                self.drop_module, self.drop_index = module_id, len(target.lessons)

    @rx.event
    async def drop(self):
        kind, item, module_id, index = (self.drag_kind, self.drag_id, self.drop_module,
                                        self.drop_index)
        self._clear_drag()
        if not kind or not module_id or index < 0:
            return None
        if kind == "module":
            current = next((i for i, m in enumerate(self.draft.modules) if m.id == item), -1)
            if current == index:
                return None
            return self._feedback(await self._do(courses.move_module, module_id=item,
                                                 to_index=index))
        source = next((m for m in self.draft.modules if any(le.id == item for le in m.lessons)),
                      None)
        if source is None:
            return None
        position = next(i for i, le in enumerate(source.lessons) if le.id == item)
        if source.id == module_id and index in (position, position + 1):
            return None  # dropped where it was
        if source.id == module_id and index > position:
            index -= 1  # the lesson leaves its place before it is inserted
        return self._feedback(await self._do(courses.move_lesson, lesson_id=item,
                                             to_module_id=module_id, to_index=index))

    @rx.event
    def cancel_drag(self):
        self._clear_drag()

    # --- the "add lessons" dialog ------------------------------------------------------------------
    async def _search(self) -> None:
        actor = await current_actor(self)
        try:
            self.picker = await call(courses.library_picker, actor=actor,
                                     course_id=self.draft.id, search=self.picker_search)
        except ChronosError:
            self.picker = []

    @rx.event
    async def open_picker(self, module_id: str):
        self.picker_module, self.picker_search, self.import_url, self.import_error = (
            module_id, "", "", "")
        await self._search()

    @rx.event
    def close_picker(self, open_: bool = False):
        if not open_:
            self.picker_module = ""

    @rx.event
    async def set_picker_search(self, value: str):
        self.picker_search = value
        await self._search()

    @rx.event
    async def add_lesson(self, video_id: str):
        result = await self._do(courses.add_lesson, module_id=self.picker_module,
                                video_id=video_id)
        if result is not None:
            await self._search()
        return self._feedback(result, "Lesson added.")

    @rx.event
    def set_import_url(self, value: str):
        self.import_url, self.import_error = value, ""

    @rx.event
    async def import_and_add(self):
        actor = await current_actor(self)
        if actor is None:
            return None
        self.importing = True
        try:
            row = await call(videos.import_url, actor=actor, url=self.import_url)
        except ChronosError as err:
            self.import_error = err.message
            return rx.toast.error(err.message)
        finally:
            self.importing = False
        self.import_url = ""
        result = await self._do(courses.add_lesson, module_id=self.picker_module,
                                video_id=row.id)
        await self._search()
        return self._feedback(result, f"“{row.title}” imported and added; it is being "
                                      "processed.")

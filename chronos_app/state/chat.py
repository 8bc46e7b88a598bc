"""The AI tutor in the browser: a conversation, its scope, streaming, stop, citations, sessions.

A question runs as a background task: the database work (`chat.prepare_turn`, `finish_turn`)
and the model's stream happen outside `async with self`; the state is only touched in short
blocks to show the text streamed so far (at most every `PUSH_SECONDS`). The model client is
created per question by `get_tutor()` and never kept on the state.
"""

from __future__ import annotations

import time

import reflex as rx

from chronos_app import routes
from chronos_app.ai.tutor import TutorStreamError, get_tutor
from chronos_app.core.errors import ChronosError
from chronos_app.schemas.accounts import MembershipView
from chronos_app.schemas.chat import ChatSessionRow, MessageView
from chronos_app.services import chat, schools
from chronos_app.state.auth import current_actor
from chronos_app.state.base import call

PUSH_SECONDS = 0.05
SCOPE_LABELS = {"video": "This video", "course": "This course", "school": "Whole school"}




class ChatState(rx.State):
    chat_id: str = ""
    title: str = ""
    messages: list[MessageView] = []
    read_only: bool = False
    draft: str = ""
    partial: str = ""              # the answer streamed so far
    streaming: bool = False
    asking: str = ""               # the question being answered
    error: str = ""
    scope_kind: str = ""           # "video" | "course" | "school"
    scope_label: str = ""
    # What the page offers as scopes: kind -> id ("" when not available here).
    video_scope: str = ""
    course_scope: str = ""
    school_scope: str = ""
    quota_left: int = -1
    can_ask: bool = True
    cannot_ask: str = ""           # why not (the owner previewing, a visitor of a public video)
    _stop: bool = False

    @rx.var
    def scope_id(self) -> str:
        return {"video": self.video_scope, "course": self.course_scope,
                "school": self.school_scope}.get(self.scope_kind, "")

    @rx.var
    def scope_options(self) -> list[str]:
        return [label for kind, label in SCOPE_LABELS.items()
                if {"video": self.video_scope, "course": self.course_scope,
                    "school": self.school_scope}[kind]]

    @rx.var
    def scope_choice(self) -> str:
        return SCOPE_LABELS.get(self.scope_kind, "")

    @rx.var
    def draft_length(self) -> int:
        return len(self.draft)

    def _reset(self) -> None:
        self.chat_id, self.title, self.messages, self.read_only = "", "", [], False
        self.partial, self.asking, self.error, self.streaming = "", "", "", False

    async def offer(self, *, video: str = "", course: str = "", school: str = "",
                    default: str = "video", can_ask: bool = True, why_not: str = "") -> None:
        """Called by the page that hosts the panel: which scopes exist there; a new chat."""
        self._reset()
        self.can_ask, self.cannot_ask = can_ask, why_not
        self.video_scope, self.course_scope, self.school_scope = video, course, school
        available = {k for k, v in (("video", video), ("course", course), ("school", school)) if v}
        self.scope_kind = default if default in available else next(iter(sorted(available)), "")
        self.scope_label = SCOPE_LABELS.get(self.scope_kind, "")
        await self._load_quota()

    async def _load_quota(self) -> None:
        actor = await current_actor(self)
        creator = self.school_scope
        if actor is None or not creator:
            self.quota_left = -1
            return
        try:
            used, limit = await call(chat.monthly_quota, actor=actor, creator_id=creator)
            self.quota_left = max(limit - used, 0)
        except ChronosError:
            self.quota_left = -1

    @rx.event
    async def set_scope(self, label: str):
        kind = next((k for k, v in SCOPE_LABELS.items() if v == label), "")
        if not kind or kind == self.scope_kind:
            return None
        self.scope_kind, self.scope_label = kind, label
        if self.chat_id:
            actor = await current_actor(self)
            try:
                await call(chat.set_scope, actor=actor, chat_id=self.chat_id, scope_kind=kind,
                           scope_id=self.scope_id)
            except ChronosError as err:
                return rx.toast.error(err.message)
        return None

    @rx.event
    def set_draft(self, value: str):
        self.draft, self.error = value, ""

    @rx.event
    def new_chat(self):
        self._reset()

    @rx.event
    def stop(self):
        self._stop = True

    @rx.event
    async def open_chat(self, chat_id: str):
        actor = await current_actor(self)
        if actor is None:
            return None
        try:
            thread = await call(chat.get_chat, actor=actor, chat_id=chat_id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.chat_id, self.title = thread.session.id, thread.session.title
        self.messages, self.read_only = thread.messages, thread.read_only
        self.scope_kind = thread.session.scope_kind
        self.scope_label = thread.session.scope_label
        if self.scope_kind in SCOPE_LABELS:
            setattr(self, f"{self.scope_kind}_scope", thread.session.scope_id)
        self.partial, self.asking, self.error, self.streaming = "", "", "", False
        return None

    @rx.event(background=True)
    async def ask(self):
        async with self:
            question = self.draft.strip()
            if self.streaming or self.read_only:
                return
            if not question:
                self.error = "Ask a question first."
                return
            self.streaming, self.asking, self.partial, self.error = True, question, "", ""
            self._stop = False
            chat_id, kind, scope = self.chat_id, self.scope_kind, self.scope_id
            actor = await current_actor(self)
        try:
            if not chat_id:
                row: ChatSessionRow = await call(chat.start_chat, actor=actor, scope_kind=kind,
                                                 scope_id=scope)
                chat_id = row.id
            turn = await call(chat.prepare_turn, actor=actor, chat_id=chat_id,
                              question=question)
        except ChronosError as err:
            async with self:
                self.streaming, self.asking, self.error = False, "", err.message
                self.chat_id = chat_id
            yield rx.toast.error(err.message)
            return
        async with self:
            self.chat_id, self.draft = chat_id, ""
            self.messages = [*self.messages, MessageView(id=turn.user_message_id, role="user",
                                                         content=question, created="just now")]
        model = get_tutor()
        text, interrupted, problem = "", False, ""
        started = last_push = time.monotonic()
        try:
            async for delta in model.stream(question=turn.question, passages=turn.passages,
                                            history=turn.history):
                text += delta
                if time.monotonic() - last_push >= PUSH_SECONDS:
                    last_push = time.monotonic()
                    async with self:
                        self.partial = text
                        if self._stop:
                            interrupted = True
                            break
        except TutorStreamError as err:
            text = err.partial or text
            interrupted, problem = True, err.message
        latency = int((time.monotonic() - started) * 1000)
        try:
            message = await call(chat.finish_turn, actor=actor, chat_id=chat_id, answer=text,
                                 passages=turn.passages, model=model.name, usage=model.usage,
                                 latency_ms=latency, interrupted=interrupted, error=problem)
        except ChronosError as err:
            message = MessageView(role="assistant", content=text, interrupted=True)
            problem = problem or err.message
        async with self:
            self.messages = [*self.messages, message]
            self.streaming, self.partial, self.asking, self._stop = False, "", "", False
            if self.quota_left > 0:
                self.quota_left -= 1
        yield ChatPageState.refresh
        if problem:
            yield rx.toast.error(f"The tutor stopped: {problem}")

    @rx.event
    async def cite(self, video_id: str, start: float):
        """A citation chip: seek the player when that video is open, else open its watch page
        at that second."""
        from chronos_app.state.watch import WatchState

        watch = await self.get_state(WatchState)
        if watch.view.id == video_id and watch.controllable:
            return WatchState.seek(start)
        return rx.redirect(routes.watch(video_id, t=start, ref="chat"))


class ChatPageState(rx.State):
    chats: list[ChatSessionRow] = []
    schools: list[MembershipView] = []
    school: str = ""            # creator id of the school asked about
    search: str = ""
    loaded: bool = False
    renaming: str = ""          # chat id in the rename dialog
    new_title: str = ""
    creator_view: bool = False  # the creator reading students' chats

    async def _refresh(self) -> None:
        actor = await current_actor(self)
        if actor is None:
            return
        try:
            if self.creator_view:
                self.chats = await call(chat.student_chats, actor=actor, search=self.search)
            else:
                self.chats = await call(chat.list_chats, actor=actor, search=self.search)
        except ChronosError:
            self.chats = []

    @rx.event
    async def load(self):
        actor = await current_actor(self)
        if actor is None:
            return
        self.search, self.loaded = "", False
        self.creator_view = actor.is_creator and not actor.student_of
        if not self.creator_view:
            account = await call(schools.get_account, actor=actor)
            self.schools = account.memberships
            if self.school not in {m.creator_id for m in self.schools}:
                self.school = self.schools[0].creator_id if self.schools else ""
        await self._refresh()
        tutor = await self.get_state(ChatState)
        await tutor.offer(school=self.school, default="school", can_ask=bool(self.school),
                          why_not="Join a school to ask its tutor.")
        asked = self.router.url.query_parameters.get("id", "")
        self.loaded = True
        if asked:
            return ChatState.open_chat(asked)
        return None

    @rx.event
    async def set_school(self, creator_id: str):
        self.school = creator_id
        tutor = await self.get_state(ChatState)
        await tutor.offer(school=creator_id, default="school", can_ask=True)

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:200]
        await self._refresh()

    @rx.event
    async def refresh(self):
        await self._refresh()

    @rx.event
    def start_rename(self, chat_id: str, title: str):
        self.renaming, self.new_title = chat_id, title

    @rx.event
    def set_new_title(self, value: str):
        self.new_title = value

    @rx.event
    def close_rename(self, open_: bool = False):
        if not open_:
            self.renaming = ""

    @rx.event
    async def rename(self):
        actor = await current_actor(self)
        try:
            await call(chat.rename_chat, actor=actor, chat_id=self.renaming,
                       title=self.new_title)
        except ChronosError as err:
            return rx.toast.error(err.message)
        renamed, self.renaming = self.renaming, ""
        await self._refresh()
        tutor = await self.get_state(ChatState)
        if tutor.chat_id == renamed:
            tutor.title = self.new_title.strip()
        return rx.toast.success("Conversation renamed.")

    @rx.event
    async def delete(self, chat_id: str):
        actor = await current_actor(self)
        try:
            await call(chat.delete_chat, actor=actor, chat_id=chat_id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        await self._refresh()
        tutor = await self.get_state(ChatState)
        if tutor.chat_id == chat_id:
            await tutor.offer(school=self.school, default="school", can_ask=bool(self.school))
        return rx.toast.success("Conversation deleted.")

    @rx.event
    async def export(self, chat_id: str, fmt: str):
        actor = await current_actor(self)
        try:
            filename, content = await call(chat.export_chat, actor=actor, chat_id=chat_id,
                                           fmt=fmt)
        except ChronosError as err:
            return rx.toast.error(err.message)
        return rx.download(data=content, filename=filename)

"""Comments under a video: threads, replies, edits, soft deletes, likes, sort and chapter filter."""

from __future__ import annotations

import reflex as rx

from chronos_app.core.errors import ChronosError
from chronos_app.schemas.comments import ThreadView
from chronos_app.services import comments
from chronos_app.state.auth import current_actor
from chronos_app.state.base import call

MAX_CHARS = comments.COMMENT_MAX_CHARS
WHOLE_VIDEO = "whole"
ALL_CHAPTERS = "all"




class CommentsState(rx.State):
    vid: str = ""                        # the video under discussion
    threads: list[ThreadView] = []
    count: int = 0
    loaded: bool = False
    sort: str = "newest"
    chapter_filter: str = ALL_CHAPTERS   # "all" or a chapter id
    draft: str = ""
    draft_chapter: str = WHOLE_VIDEO     # "whole" or a chapter id
    draft_error: str = ""
    posting: bool = False
    reply_to: str = ""                   # comment id being replied to
    reply_draft: str = ""
    reply_error: str = ""
    editing: str = ""                    # comment id being edited
    edit_draft: str = ""
    edit_error: str = ""

    @rx.var
    def draft_length(self) -> int:
        return len(self.draft)

    @rx.var
    def draft_over(self) -> bool:
        return len(self.draft) > MAX_CHARS

    @rx.var
    def draft_blank(self) -> bool:
        return not self.draft.strip()

    @rx.var
    def reply_length(self) -> int:
        return len(self.reply_draft)

    @rx.var
    def edit_length(self) -> int:
        return len(self.edit_draft)

    async def _refresh(self) -> None:
        actor = await current_actor(self)
        if actor is None:
            return
        chapter = None if self.chapter_filter == ALL_CHAPTERS else self.chapter_filter
        try:
            self.threads = await call(comments.list_threads, actor=actor,
                                      video_id=self.vid, chapter_id=chapter, sort=self.sort)
            self.count = await call(comments.count_comments, actor=actor, video_id=self.vid)
        except ChronosError:
            self.threads, self.count = [], 0
        self.loaded = True

    @rx.event
    async def load(self):
        await self.open_video(self.video_id)  # the route's [video_id]

    async def open_video(self, video_id: str) -> None:
        self.vid = video_id
        self.loaded = False
        self.sort, self.chapter_filter = "newest", ALL_CHAPTERS
        self.draft, self.draft_chapter, self.draft_error = "", WHOLE_VIDEO, ""
        self._close_forms()
        await self._refresh()

    def _close_forms(self) -> None:
        self.reply_to, self.reply_draft, self.reply_error = "", "", ""
        self.editing, self.edit_draft, self.edit_error = "", "", ""

    @rx.event
    async def set_sort(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) and value else value
        self.sort = value if value in ("newest", "top") else "newest"
        await self._refresh()

    @rx.event
    async def set_chapter_filter(self, value: str):
        self.chapter_filter = value or ALL_CHAPTERS
        await self._refresh()

    @rx.event
    def set_draft(self, value: str):
        self.draft = value
        self.draft_error = ""

    @rx.event
    def set_draft_chapter(self, value: str):
        self.draft_chapter = value or WHOLE_VIDEO

    @rx.event
    async def post(self):
        actor = await current_actor(self)
        if actor is None:
            return None
        chapter = None if self.draft_chapter == WHOLE_VIDEO else self.draft_chapter
        self.posting = True
        try:
            await call(comments.post_comment, actor=actor, video_id=self.vid,
                       content=self.draft, chapter_id=chapter)
        except ChronosError as err:
            self.draft_error = err.message  # the draft stays: nothing typed is lost
            return rx.toast.error(err.message)
        finally:
            self.posting = False
        self.draft, self.draft_error = "", ""
        await self._refresh()
        return rx.toast.success("Comment posted.")

    # --- replies -------------------------------------------------------------------------------
    @rx.event
    def open_reply(self, comment_id: str):
        self._close_forms()
        self.reply_to = comment_id

    @rx.event
    def set_reply_draft(self, value: str):
        self.reply_draft = value
        self.reply_error = ""

    @rx.event
    def cancel_forms(self):
        self._close_forms()

    @rx.event
    async def send_reply(self):
        actor = await current_actor(self)
        if actor is None or not self.reply_to:
            return None
        try:
            await call(comments.post_comment, actor=actor, video_id=self.vid,
                       content=self.reply_draft, parent_id=self.reply_to)
        except ChronosError as err:
            self.reply_error = err.message
            return rx.toast.error(err.message)
        self._close_forms()
        await self._refresh()
        return rx.toast.success("Reply posted.")

    # --- edits and deletes -----------------------------------------------------------------------
    @rx.event
    def open_edit(self, comment_id: str, content: str):
        self._close_forms()
        self.editing, self.edit_draft = comment_id, content

    @rx.event
    def set_edit_draft(self, value: str):
        self.edit_draft = value
        self.edit_error = ""

    @rx.event
    async def save_edit(self):
        actor = await current_actor(self)
        if actor is None or not self.editing:
            return None
        try:
            await call(comments.edit_comment, actor=actor, comment_id=self.editing,
                       content=self.edit_draft)
        except ChronosError as err:
            self.edit_error = err.message
            return rx.toast.error(err.message)
        self._close_forms()
        await self._refresh()
        return rx.toast.success("Comment updated.")

    @rx.event
    async def delete(self, comment_id: str):
        actor = await current_actor(self)
        if actor is None:
            return None
        try:
            await call(comments.delete_comment, actor=actor, comment_id=comment_id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self._close_forms()
        await self._refresh()
        return rx.toast.success("Comment deleted.")

    @rx.event
    async def toggle_like(self, comment_id: str):
        actor = await current_actor(self)
        if actor is None:
            return None
        try:
            await call(comments.toggle_comment_like, actor=actor, comment_id=comment_id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        await self._refresh()
        return None

"""The creator's video library and one video's page (transcript, chapter editor, publishing)."""

from __future__ import annotations

import asyncio
import datetime as dt

import reflex as rx

from chronos_app.core.errors import ChronosError
from chronos_app.pipeline.captions import MAX_CAPTION_BYTES
from chronos_app.schemas.videos import (
    SOURCE_LABELS,
    ChapterRow,
    CueRow,
    ProgressRow,
    VideoDetail,
    VideoRow,
)
from chronos_app.services import videos
from chronos_app.state.auth import current_actor
from chronos_app.state.base import backend_url, call

POLL_SECONDS = 1.0
POLL_LIMIT = 60 * 60  # stop polling after an hour without a finished video
SINCE_DAYS = {"all": None, "7": 7, "30": 30, "365": 365}


def _merge(rows: list, updates: list[ProgressRow]) -> bool:
    """Apply progress rows to video rows in place; True when one finished."""
    by_id = {u.id: u for u in updates}
    finished = False
    for row in rows:
        u = by_id.get(row.id)
        if u is None:
            continue
        finished |= row.active and not u.active
        row.status, row.status_label, row.progress = u.status, u.status_label, u.progress
        row.active, row.error_message = u.active, u.error_message
    return finished




class LibraryState(rx.State):
    videos: list[VideoRow] = []
    loaded: bool = False
    status_filter: str = "all"
    source_filter: str = "all"
    since_filter: str = "all"
    search: str = ""

    import_error: str = ""
    importing: bool = False
    upload_error: str = ""
    uploading: bool = False
    upload_percent: int = 0
    upload_title: str = ""

    _polling: bool = False

    @rx.var
    def active_count(self) -> int:
        return sum(1 for v in self.videos if v.active)

    @rx.var
    def filtered(self) -> bool:
        return (self.status_filter, self.source_filter, self.since_filter, self.search) != (
            "all", "all", "all", "")

    async def _refresh(self) -> None:
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        days = SINCE_DAYS.get(self.since_filter)
        since = dt.date.today() - dt.timedelta(days=days) if days else None
        rows = await call(videos.list_videos, actor=actor, status=self.status_filter,
                          source=self.source_filter, since=since, search=self.search)
        for row in rows:
            row.thumbnail_url = backend_url(row.thumbnail_url)
        self.videos = rows
        self.loaded = True

    @rx.event
    async def load(self):
        self.import_error = self.upload_error = ""
        await self._refresh()
        if self.active_count:
            return LibraryState.poll

    @rx.event
    async def set_status_filter(self, value: str):
        self.status_filter = value if value in videos.STATUS_FILTERS else "all"
        await self._refresh()

    @rx.event
    async def set_source_filter(self, value: str):
        self.source_filter = value if value in (*SOURCE_LABELS, "all") else "all"
        await self._refresh()

    @rx.event
    async def set_since_filter(self, value: str):
        self.since_filter = value if value in SINCE_DAYS else "all"
        await self._refresh()

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:200]
        await self._refresh()

    @rx.event
    async def clear_filters(self):
        self.status_filter = self.source_filter = self.since_filter = "all"
        self.search = ""
        await self._refresh()

    @rx.event
    def set_upload_title(self, value: str):
        self.upload_title = value[:200]

    @rx.event
    async def import_video(self, form: dict):
        actor = await current_actor(self)
        self.import_error = ""
        self.importing = True
        yield
        try:
            row = await call(videos.import_url, actor=actor, url=form.get("url", ""),
                             title=form.get("title", ""))
        except ChronosError as err:
            self.import_error = err.message
            self.importing = False
            yield rx.toast.error(err.message)
            return
        self.importing = False
        await self._refresh()
        yield rx.toast.success(f"“{row.title}” was added and is being processed.")
        yield rx.set_value("import-url", "")
        yield rx.set_value("import-title", "")
        yield LibraryState.poll

    @rx.event
    def upload_progress(self, progress: dict):
        self.upload_percent = int(float(progress.get("progress", 0) or 0) * 100)

    @rx.event
    async def handle_upload(self, files: list[rx.UploadFile]):
        actor = await current_actor(self)
        self.upload_error = ""
        self.uploading = True
        yield
        added = []
        try:
            for f in files:
                row = await call(videos.upload_video, actor=actor, filename=f.name or "video",
                                 stream=f.file, size=f.size,
                                 title=self.upload_title if len(files) == 1 else "")
                added.append(row.title)
        except ChronosError as err:
            self.upload_error = err.message
            yield rx.toast.error(err.message)
        finally:
            self.uploading = False
            self.upload_percent = 0
        yield rx.clear_selected_files("video-upload")
        if added:
            self.upload_title = ""
            await self._refresh()
            yield rx.toast.success(f"Uploaded {', '.join(added)}; processing has started.")
            yield LibraryState.poll

    async def _act(self, fn, video_id: str, done: str):  # noqa: ANN001
        actor = await current_actor(self)
        try:
            await call(fn, actor=actor, video_id=video_id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        await self._refresh()
        return [rx.toast.success(done), LibraryState.poll]

    @rx.event
    async def retry(self, video_id: str):
        return await self._act(videos.retry, video_id, "Processing again.")

    @rx.event
    async def cancel(self, video_id: str):
        return await self._act(videos.cancel, video_id, "Processing cancelled.")

    @rx.event
    async def delete(self, video_id: str):
        return await self._act(videos.delete_video, video_id, "Video deleted.")

    @rx.event(background=True)
    async def poll(self):
        """Refresh the progress of videos in the pipeline until none is left."""
        async with self:
            if self._polling:
                return
            self._polling = True
        try:
            for _ in range(int(POLL_LIMIT / POLL_SECONDS)):
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    ids = [v.id for v in self.videos if v.active]
                    actor = await current_actor(self)
                if not ids or actor is None:
                    return
                updates = await call(videos.progress_of, actor=actor, video_ids=ids)
                async with self:
                    if _merge(self.videos, updates):
                        await self._refresh()
                    self.videos = list(self.videos)
        finally:
            async with self:
                self._polling = False


class VideoEditorState(rx.State):
    """One video: status, transcript viewer, chapter editor, publishing, who may watch."""

    detail: VideoDetail = VideoDetail()
    draft: list[ChapterRow] = []
    problems: list[str] = []
    chapter_message: str = ""
    caption_error: str = ""
    attaching: bool = False
    saving: bool = False
    not_found: bool = False
    loaded: bool = False
    cue_filter: str = ""
    _polling: bool = False

    @rx.var
    def active(self) -> bool:
        return self.detail.status in ("pending", "uploading", "transcribing", "processing",
                                      "embedding")

    @rx.var
    def shown_cues(self) -> list[CueRow]:
        term = self.cue_filter.strip().lower()
        if not term:
            return self.detail.cues
        return [c for c in self.detail.cues if term in c.text.lower()]

    @rx.var
    def dirty(self) -> bool:
        return [(c.start, c.title) for c in self.draft] != [
            (c.start, c.title) for c in self.detail.chapters]

    @rx.var
    def media_src(self) -> str:
        return backend_url(self.detail.media_url)

    def _set_detail(self, detail: VideoDetail) -> None:
        self.detail = detail
        self.draft = [ChapterRow(start=c.start, title=c.title, ai=c.ai, confidence=c.confidence)
                      for c in detail.chapters]

    async def _reload(self, keep_draft: bool = False) -> None:
        actor = await current_actor(self)
        try:
            detail = await call(videos.video_detail, actor=actor, video_id=self.video_id)  # the route's [video_id]
        except ChronosError:
            self.not_found = True
            self.loaded = True
            return
        if keep_draft:
            self.detail = detail
        else:
            self._set_detail(detail)
        self.not_found = False
        self.loaded = True

    @rx.event
    async def load(self):
        self.loaded = False
        self.problems, self.chapter_message, self.caption_error = [], "", ""
        self.cue_filter = ""
        await self._reload()
        if self.active:
            return VideoEditorState.poll

    @rx.event
    def set_cue_filter(self, value: str):
        self.cue_filter = value[:100]

    @rx.event(background=True)
    async def poll(self):
        async with self:
            if self._polling:
                return
            self._polling = True
        try:
            for _ in range(int(POLL_LIMIT / POLL_SECONDS)):
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    actor = await current_actor(self)
                    video_id = self.detail.id
                if actor is None or not video_id:
                    return
                rows = await call(videos.progress_of, actor=actor, video_ids=[video_id])
                async with self:
                    if not rows or self.detail.id != video_id:
                        return
                    row = rows[0]
                    self.detail.progress = row.progress
                    if not row.active:
                        # unsaved chapter edits survive; otherwise show the new chapters
                        await self._reload(keep_draft=self.dirty)
                        return
                    self.detail.status, self.detail.status_label = row.status, row.status_label
                    self.detail.error_message = row.error_message
                    self.detail = self.detail
        finally:
            async with self:
                self._polling = False

    @rx.event
    async def handle_captions(self, files: list[rx.UploadFile]):
        actor = await current_actor(self)
        self.caption_error = ""
        if not files:
            self.caption_error = "Choose a caption file first."
            return
        self.attaching = True
        yield
        f = files[0]
        try:
            data = f.file.read(MAX_CAPTION_BYTES + 1)
            await call(videos.attach_transcript, actor=actor, video_id=self.detail.id,
                       filename=f.name or "captions", data=data)
        except ChronosError as err:
            self.caption_error = err.message
            yield rx.toast.error(err.message)
            return
        finally:
            self.attaching = False
            yield rx.clear_selected_files("caption-upload")
        await self._reload()
        yield rx.toast.success("Transcript added: processing the video again.")
        yield VideoEditorState.poll

    @rx.event
    async def retry(self):
        actor = await current_actor(self)
        try:
            await call(videos.retry, actor=actor, video_id=self.detail.id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        await self._reload()
        return VideoEditorState.poll

    # --- the chapter editor ---------------------------------------------------------------
    @rx.event
    def set_chapter_start(self, index: int, value: str):
        if 0 <= index < len(self.draft):
            self.draft[index].start = value[:12]
            self.draft = list(self.draft)

    @rx.event
    def set_chapter_title(self, index: int, value: str):
        if 0 <= index < len(self.draft):
            self.draft[index].title = value[:255]
            self.draft = list(self.draft)

    @rx.event
    def add_chapter(self):
        self.draft = [*self.draft, ChapterRow(start="", title="", ai=False)]

    @rx.event
    def remove_chapter(self, index: int):
        if 0 <= index < len(self.draft):
            self.draft = self.draft[:index] + self.draft[index + 1:]

    @rx.event
    def reset_chapters(self):
        self._set_detail(self.detail)
        self.problems, self.chapter_message = [], ""

    @rx.event
    async def save_chapters(self):
        actor = await current_actor(self)
        self.problems, self.chapter_message = [], ""
        self.saving = True
        yield
        try:
            detail = await call(videos.save_chapters, actor=actor, video_id=self.detail.id,
                                chapters=[(c.start, c.title) for c in self.draft])
        except ChronosError as err:
            self.chapter_message = err.message
            self.problems = err.details
            self.saving = False
            yield rx.toast.error(err.message)
            return
        self._set_detail(detail)
        self.saving = False
        yield rx.toast.success("Chapters saved.")

    @rx.event
    async def set_published(self, published: bool):
        actor = await current_actor(self)
        self.problems, self.chapter_message = [], ""
        try:
            detail = await call(videos.set_published, actor=actor, video_id=self.detail.id,
                                published=published)
        except ChronosError as err:
            self.chapter_message = err.message
            self.problems = err.details
            return rx.toast.error(err.message)
        self.detail = detail
        return rx.toast.success("Published: students can watch it now." if published
                                else "Unpublished: students no longer see it.")

    @rx.event
    async def set_tier(self, value: str):
        """Who may watch: all members ("members"), or Premium / Pro subscribers."""
        from chronos_app.services import subscriptions

        actor = await current_actor(self)
        tier = "" if value == "members" else value
        try:
            await call(subscriptions.set_video_tier, actor=actor, video_id=self.detail.id,
                       tier=tier)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.detail.required_tier = tier
        return rx.toast.success("Only " + tier.capitalize() + " subscribers can watch it now."
                                if tier else "All members can watch it now.")

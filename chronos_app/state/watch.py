"""The watch page: player position, chapters, transcript, likes, speed and watch tracking.

The player reports its time about once a second (`on_time_update` throttled in the page). That
drives the highlighted chapter and cue here; the database hears of it at most every
`FLUSH_SECONDS` of playback, and at once on pause, seek and end, through
`watch.record_progress`, which credits only real playback (see the service).
"""

from __future__ import annotations

import time

import reflex as rx

from chronos_app.components.player import rate_script, seek_script, start_script
from chronos_app.core.errors import ChronosError, Gated
from chronos_app.pipeline.sources import format_clock, parse_timestamp
from chronos_app.schemas.watch import ChapterMark, CueLine, LessonCard, WatchView
from chronos_app.services import search, watch
from chronos_app.state.auth import current_actor
from chronos_app.state.base import backend_url, call
from chronos_app.state.chat import ChatState

FLUSH_SECONDS = 5.0
SPEED_LABELS = [f"{s:g}×" for s in watch.SPEEDS]




def _index_at(items: list, position: float) -> int:
    """Index of the item whose [start, end) holds `position`; -1 when none."""
    found = -1
    for i, item in enumerate(items):
        if item.start <= position + 0.05:
            found = i
        else:
            break
    if found >= 0 and position > items[found].end + 0.05:
        return -1 if found == len(items) - 1 else found
    return found


class WatchState(rx.State):
    view: WatchView = WatchView()
    loaded: bool = False
    not_found: bool = False
    position: float = 0.0
    rate: float = 1.0
    cue_filter: str = ""
    resumed_from: str = ""     # "2:31" when the page resumed where the student left off
    gated: bool = False        # subscriber-only: the title shows, the content does not
    gate_title: str = ""
    gate_school: str = ""
    gate_tier: str = ""
    gate_creator: str = ""
    side_tab: str = "chapters"

    _start_at: float = 0.0
    _ref: str = ""
    _session_id: str = ""
    _started: bool = False
    _last_flush: float = 0.0
    _last_cue: int = -1

    # --- what the page shows -------------------------------------------------------------
    @rx.var
    def media_src(self) -> str:
        return backend_url(self.view.src) if self.view.player == "file" else self.view.src

    @rx.var
    def poster(self) -> str:
        return backend_url(self.view.poster_url)

    @rx.var
    def controllable(self) -> bool:
        return self.view.player not in ("loom", "none")

    @rx.var
    def active_chapter(self) -> int:
        return _index_at(self.view.chapters, self.position)

    @rx.var
    def active_chapter_title(self) -> str:
        i = _index_at(self.view.chapters, self.position)
        return self.view.chapters[i].title if i >= 0 else ""

    @rx.var
    def active_cue(self) -> int:
        return _index_at(self.view.cues, self.position)

    @rx.var
    def shown_cues(self) -> list[CueLine]:
        term = self.cue_filter.strip().lower()
        if not term:
            return self.view.cues
        return [c for c in self.view.cues if term in c.text.lower()]

    @rx.var
    def played_pct(self) -> float:
        d = self.view.duration_seconds
        return round(min(self.position / d * 100, 100.0), 2) if d else 0.0

    @rx.var
    def description_parts(self) -> list[list[str]]:
        """The description as [text, tag] pieces: `#tag` links to the tag's feed."""
        return [[text, tag] for text, tag in search.tag_links(self.view.description)]

    @rx.var
    def clock(self) -> str:
        return format_clock(self.position)

    @rx.var
    def speed_label(self) -> str:
        return f"{self.rate:g}×"

    @rx.var
    def share_path(self) -> str:
        return f"/watch/{self.view.id}?t={int(self.position)}" if self.view.id else ""

    # --- loading ---------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """The watch page: the route's video, `?t=`, `?ref=`."""
        query = self.router.url.query_parameters
        return await self.open_video(self.video_id,  # the route's [video_id]
                                     ref=query.get("ref", ""), at=query.get("t", ""))

    async def open_video(self, video_id: str, *, ref: str = "", at: str = "") -> list:
        """Show `video_id` (the watch page, or a lesson of the course viewer); returns the
        browser events that start it at `at`, at `#t=`, or where the student left off."""
        self.loaded, self.not_found, self.gated = False, False, False
        self.position, self.cue_filter, self.resumed_from = 0.0, "", ""
        self._session_id, self._started, self._last_flush, self._last_cue = "", False, 0.0, -1
        self._ref = ref
        actor = await current_actor(self)
        if actor is None:
            return []
        try:
            view = await call(watch.watch_view, actor=actor, video_id=video_id)
        except Gated as gate:
            self.view, self.gated, self.loaded = WatchView(), True, True
            self.gate_title, self.gate_school = gate.video_title, gate.school_name
            self.gate_tier = gate.required_tier.capitalize()
            self.gate_creator = gate.creator_id
            return []
        except ChronosError:
            self.view, self.not_found, self.loaded = WatchView(), True, True
            return []
        self.view, self.rate = view, view.playback_rate or 1.0
        asked = parse_timestamp(at)
        if asked is not None and 0 <= asked < max(view.duration_seconds, 1):
            self._start_at = asked
        else:
            self._start_at = view.resume_at
            if view.resume_at > 0:
                self.resumed_from = format_clock(view.resume_at)
        self.position = self._start_at
        self.side_tab = "chapters" if view.chapters else "transcript"
        self.loaded = True
        tutor = await self.get_state(ChatState)
        await tutor.offer(video=view.id, school=view.creator_id, default="video",
                          can_ask=view.tracked,
                          why_not="You are the creator: students ask the tutor here. Try it "
                                  "from a student account." if view.is_owner else
                                  "Join this school to ask its tutor about the video.")
        # A #t= in the address (never sent to the server) is read in the browser and wins.
        events = [rx.call_script("window.location.hash", callback=WatchState.apply_hash)]
        if self._start_at > 0:
            events.append(rx.call_script(start_script(self._start_at)))
        return events

    @rx.event
    def apply_hash(self, hash_value: str):
        value = (hash_value or "").lstrip("#")
        if not value.startswith("t="):
            return None
        asked = parse_timestamp(value[2:])
        if asked is None or not 0 <= asked < max(self.view.duration_seconds, 1):
            return None
        self._start_at, self.position, self.resumed_from = asked, asked, ""
        return rx.call_script(start_script(asked))

    # --- player events -----------------------------------------------------------------------
    @rx.event
    async def started(self):
        """First play on this page visit: a view, and a watch session for students."""
        if self._started or not self.view.id:
            return
        self._started = True
        actor = await current_actor(self)
        if actor is None:
            return
        headers = self.router.headers
        try:
            self._session_id = await call(
                watch.start_watch, actor=actor, video_id=self.view.id,
                device=watch.device_type(headers.user_agent or ""),
                referrer=watch.referrer_type(self._ref),
                position=self.position)
        except ChronosError as err:
            self._session_id = ""
            yield rx.toast.error(err.message)
            return
        self._last_flush = time.time()
        self.view.view_count += 0 if self.view.is_owner else 1

    async def _flush(self, position: float, seek_to: float | None = None) -> None:
        if not self._session_id:
            return
        actor = await current_actor(self)
        if actor is None:
            return
        self._last_flush = time.time()
        try:
            await call(watch.record_progress, actor=actor, watch_session_id=self._session_id,
                       position=position, rate=self.rate, seek_to=seek_to)
        except ChronosError:
            self._session_id = ""  # the session is gone (video removed): stop tracking

    @rx.event
    async def time_update(self, seconds: float):
        if seconds is None or seconds < 0:
            return None
        self.position = float(seconds)
        if self._session_id and time.time() - self._last_flush >= FLUSH_SECONDS:
            await self._flush(self.position)
        cue = _index_at(self.view.cues, self.position)
        if cue != self._last_cue and cue >= 0 and not self.cue_filter:
            self._last_cue = cue
            return rx.call_script(
                "(()=>{const box=document.getElementById('transcript-scroll');"
                f"const el=document.getElementById('cue-{cue}');"
                "if(box&&el){box.scrollTo({top:el.offsetTop-box.offsetTop-box.clientHeight/3,"
                "behavior:'smooth'});}})()")
        return None

    @rx.event
    async def seeked(self, seconds: float):
        before = self.position
        self.position = max(float(seconds or 0), 0.0)
        await self._flush(before, seek_to=self.position)

    @rx.event
    async def paused(self, seconds: float):
        if seconds is not None and seconds >= 0:
            self.position = float(seconds)
        await self._flush(self.position)

    @rx.event
    async def ended(self):
        self.position = self.view.duration_seconds or self.position
        await self._flush(self.position)

    @rx.event
    async def rate_changed(self, rate: float):
        """The player's own menu (YouTube, Vimeo) changed the speed: remember it too."""
        if rate and abs(rate - self.rate) > 1e-6 and rate in watch.SPEEDS:
            await self._save_rate(rate)

    # --- controls ----------------------------------------------------------------------------
    @rx.event
    def seek(self, seconds: float):
        if not self.controllable:
            return rx.toast.info("Loom's player cannot be controlled from Chronos; "
                                 "use the time in Loom's own player.")
        self.position = max(float(seconds), 0.0)
        self.resumed_from = ""
        return rx.call_script(seek_script(self.position))

    @rx.event
    def start_over(self):
        self.resumed_from = ""
        self.position = 0.0
        return rx.call_script(seek_script(0, play=False))

    async def _save_rate(self, rate: float) -> None:
        self.rate = rate
        actor = await current_actor(self)
        if actor is not None:
            try:
                await call(watch.set_playback_rate, actor=actor, rate=rate)
            except ChronosError:
                pass

    @rx.event
    async def set_speed(self, label: str):
        try:
            rate = float(label.rstrip("×"))
        except ValueError:
            return rx.toast.error("Choose a speed from the list.")
        if rate not in watch.SPEEDS:
            return rx.toast.error("Choose a speed from the list.")
        await self._save_rate(rate)
        return rx.call_script(rate_script(rate))

    @rx.event
    async def toggle_like(self):
        actor = await current_actor(self)
        if actor is None:
            return None
        try:
            state = await call(watch.toggle_video_like, actor=actor, video_id=self.view.id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.view.liked, self.view.like_count = state.liked, state.like_count
        return None

    @rx.event
    def set_cue_filter(self, value: str):
        self.cue_filter = value[:200]

    @rx.event
    def set_side_tab(self, value: str):
        self.side_tab = value

    @rx.event
    def copy_link(self):
        """Copy a link to this moment (`?t=`), like YouTube's "Copy video URL at current time"."""
        path = self.share_path
        return [rx.call_script(f"navigator.clipboard.writeText(window.location.origin+'{path}')"),
                rx.toast.success(f"Link to {self.clock} copied.")]


class LessonsState(rx.State):
    """Home: what the student can watch in their schools, and where they left off."""

    lessons: list[LessonCard] = []

    @rx.var
    def continuing(self) -> list[LessonCard]:
        started = [c for c in self.lessons if c.resume_label]
        return sorted(started, key=lambda c: c.last_watched, reverse=True)

    @rx.event
    async def load(self):
        actor = await current_actor(self)
        if actor is None:
            self.lessons = []
            return
        try:
            lessons = await call(watch.lessons_for, actor=actor, limit=12)
        except ChronosError:
            lessons = []
        for card in lessons:
            card.poster_url = backend_url(card.poster_url)
        self.lessons = lessons


__all__ = ["WatchState", "LessonsState", "ChapterMark", "CueLine", "SPEED_LABELS"]

"""The creator's dashboard (/studio/analytics) and usage page (/studio/usage)."""

from __future__ import annotations

import dataclasses

import reflex as rx

from chronos_app.core.errors import ChronosError
from chronos_app.schemas.analytics import (
    DayPoint,
    DropoffRow,
    HeatCell,
    Metric,
    Overview,
    QuestionRow,
    Retention,
    TablePage,
    UsageItem,
    UsageView,
)
from chronos_app.services import analytics, courses, videos
from chronos_app.state.auth import current_actor
from chronos_app.state.base import call

PRESETS = {"7": 7, "28": 28, "90": 90}
VIDEO_COLUMNS = [("title", "Video"), ("views", "Views"), ("previous_views", "Views before"),
                 ("unique_viewers", "Unique viewers"), ("watch_minutes", "Watch minutes"),
                 ("avg_completion_pct", "Avg completion %"), ("likes", "Likes"),
                 ("comments", "Comments"), ("ai_interactions", "AI interactions")]
QUESTION_COLUMNS = [("question", "Question"), ("count", "Times asked"),
                    ("last_asked", "Last asked")]
DROPOFF_COLUMNS = [("position", "#"), ("module_title", "Module"), ("title", "Lesson"),
                   ("started", "Started"), ("completed", "Completed"), ("stopped", "Stopped here"),
                   ("stopped_pct", "Stopped here %"), ("completion_pct", "Completion %")]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]




class AnalyticsState(rx.State):
    start: str = ""
    end: str = ""
    preset: str = "28"
    error: str = ""
    loaded: bool = False
    overview: Overview = Overview()
    series: list[DayPoint] = []
    table: TablePage = TablePage()
    sort: str = "views"
    desc: bool = True
    page: int = 1
    heat: list[HeatCell] = []
    questions: list[QuestionRow] = []
    video_options: list[list[str]] = []      # [id, title]
    retention_video: str = ""
    retention: Retention = Retention()
    course_options: list[list[str]] = []
    dropoff_course: str = ""
    dropoff: list[DropoffRow] = []

    @rx.var
    def metrics(self) -> list[Metric]:
        o = self.overview
        return [o.views, o.unique_viewers, o.watch_minutes, o.avg_completion_pct, o.dau, o.wau,
                o.mau, o.new_students, o.ai_questions]

    @rx.var
    def heat_rows(self) -> list[list[int]]:
        """7 rows (Mon..Sun) of 24 hourly counts."""
        grid = [[0] * 24 for _ in range(7)]
        for cell in self.heat:
            if 0 <= cell.weekday < 7 and 0 <= cell.hour < 24:
                grid[cell.weekday][cell.hour] = cell.sessions
        return grid

    @rx.var
    def heat_max(self) -> int:
        return max((c.sessions for c in self.heat), default=0)

    @rx.var
    def series_chart(self) -> list[dict]:
        return [dataclasses.asdict(point) for point in self.series]

    @rx.var
    def retention_chart(self) -> list[dict]:
        return [{"at": round(p.percent, 1), "share": round(p.share * 100, 1)}
                for p in self.retention.points]

    async def _refresh(self) -> None:
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        args = dict(actor=actor, start=self.start, end=self.end)
        try:
            self.overview = await call(analytics.overview, **args)
            self.series = await call(analytics.timeseries, **args)
            self.table = await call(analytics.top_videos, **args, sort=self.sort,
                                    desc=self.desc, page=self.page)
            self.heat = await call(analytics.heatmap, **args)
            self.questions = await call(analytics.top_questions, **args)
        except ChronosError as err:
            self.error = err.message
            return
        self.error = ""

    @rx.event
    async def load(self):
        self.loaded = False
        start, end = analytics.last_days(int(self.preset or 28))
        self.start, self.end = start.isoformat(), end.isoformat()
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        rows = await call(videos.list_videos, actor=actor)
        self.video_options = [[r.id, r.title] for r in rows if r.published]
        course_rows = await call(courses.list_courses, actor=actor)
        self.course_options = [[c.id, c.title] for c in course_rows]
        await self._refresh()
        if self.video_options and self.retention_video not in {v[0] for v in self.video_options}:
            self.retention_video = self.video_options[0][0]
        if self.course_options and self.dropoff_course not in {c[0] for c in
                                                              self.course_options}:
            self.dropoff_course = self.course_options[0][0]
        await self._load_retention()
        await self._load_dropoff()
        self.loaded = True

    @rx.event
    async def set_preset(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) and value else value
        if value not in PRESETS:
            return
        self.preset = value
        start, end = analytics.last_days(PRESETS[value])
        self.start, self.end, self.page = start.isoformat(), end.isoformat(), 1
        await self._refresh()

    @rx.event
    async def set_start(self, value: str):
        self.start, self.preset, self.page = value, "", 1
        await self._refresh()

    @rx.event
    async def set_end(self, value: str):
        self.end, self.preset, self.page = value, "", 1
        await self._refresh()

    @rx.event
    async def sort_by(self, column: str):
        if column == self.sort:
            self.desc = not self.desc
        else:
            self.sort, self.desc = column, column != "title"
        self.page = 1
        await self._refresh()

    @rx.event
    async def go_page(self, page: int):
        self.page = max(1, page)
        await self._refresh()

    async def _load_retention(self) -> None:
        if not self.retention_video:
            self.retention = Retention()
            return
        actor = await current_actor(self)
        try:
            self.retention = await call(analytics.retention, actor=actor,
                                        video_id=self.retention_video)
        except ChronosError:
            self.retention = Retention()

    async def _load_dropoff(self) -> None:
        if not self.dropoff_course:
            self.dropoff = []
            return
        actor = await current_actor(self)
        try:
            self.dropoff = await call(analytics.course_dropoff, actor=actor,
                                      course_id=self.dropoff_course)
        except ChronosError:
            self.dropoff = []

    @rx.event
    async def set_retention_video(self, value: str):
        self.retention_video = value
        await self._load_retention()

    @rx.event
    async def set_dropoff_course(self, value: str):
        self.dropoff_course = value
        await self._load_dropoff()

    # --- CSV exports of the tables ----------------------------------------------------------
    @rx.event
    async def export_videos(self):
        actor = await current_actor(self)
        try:
            every = await call(analytics.top_videos, actor=actor, start=self.start, end=self.end,
                               sort=self.sort, desc=self.desc, page=1, per_page=10_000)
        except ChronosError as err:
            return rx.toast.error(err.message)
        return rx.download(data=analytics.csv_export(every.rows, VIDEO_COLUMNS),
                           filename=f"videos-{self.start}-{self.end}.csv")

    @rx.event
    def export_questions(self):
        return rx.download(data=analytics.csv_export(self.questions, QUESTION_COLUMNS),
                           filename=f"questions-{self.start}-{self.end}.csv")

    @rx.event
    def export_dropoff(self):
        return rx.download(data=analytics.csv_export(self.dropoff, DROPOFF_COLUMNS),
                           filename="course-dropoff.csv")

    @rx.event
    def export_series(self):
        columns = [("date", "Date"), ("views", "Views"), ("unique_viewers", "Unique viewers"),
                   ("watch_minutes", "Watch minutes"), ("ai_questions", "AI questions"),
                   ("active_students", "Active students")]
        return rx.download(data=analytics.csv_export(self.series, columns),
                           filename=f"daily-{self.start}-{self.end}.csv")


class UsageState(rx.State):
    usage: UsageView = UsageView()
    loaded: bool = False

    @rx.var
    def item_list(self) -> list[UsageItem]:
        return self.usage.items

    @rx.var
    def labels(self) -> list[str]:
        """"1.2 GB of 100 GB", "12 of 500 videos this month", one per item."""
        out = []
        for item in self.usage.items:
            if item.unit == "bytes":
                text = f"{item.used / 2**30:.2f} GB of {item.limit / 2**30:.0f} GB"
            else:
                text = f"{item.used:,} of {item.limit:,} {item.unit}"
            out.append(text + (" this month" if item.monthly else ""))
        return out

    @rx.event
    async def load(self):
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        try:
            self.usage = await call(analytics.usage, actor=actor)
        except ChronosError:
            self.usage = UsageView()
        self.loaded = True

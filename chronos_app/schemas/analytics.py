"""What the creator's analytics and usage pages show: plain dataclasses with defaults.

Dates are ISO strings (`YYYY-MM-DD`, UTC days), so state can hold them as they are.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Metric:
    """One headline number of a period, with the previous period's for comparison."""

    key: str = ""
    label: str = ""
    value: float = 0
    previous: float = 0
    change_pct: float | None = None  # None when the previous period had nothing to compare


@dataclasses.dataclass
class Overview:
    start: str = ""
    end: str = ""
    previous_start: str = ""
    previous_end: str = ""
    days: int = 0
    views: Metric = dataclasses.field(default_factory=Metric)
    unique_viewers: Metric = dataclasses.field(default_factory=Metric)
    watch_minutes: Metric = dataclasses.field(default_factory=Metric)
    avg_completion_pct: Metric = dataclasses.field(default_factory=Metric)
    dau: Metric = dataclasses.field(default_factory=Metric)   # mean daily active students
    wau: Metric = dataclasses.field(default_factory=Metric)   # the 7 days ending at `end`
    mau: Metric = dataclasses.field(default_factory=Metric)   # the 30 days ending at `end`
    new_students: Metric = dataclasses.field(default_factory=Metric)
    ai_questions: Metric = dataclasses.field(default_factory=Metric)

    @property
    def metrics(self) -> list[Metric]:
        return [self.views, self.unique_viewers, self.watch_minutes, self.avg_completion_pct,
                self.dau, self.wau, self.mau, self.new_students, self.ai_questions]


@dataclasses.dataclass
class DayPoint:
    """A day of the period and the day at the same offset of the previous period."""

    date: str = ""
    views: int = 0
    unique_viewers: int = 0
    watch_minutes: float = 0.0
    ai_questions: int = 0
    active_students: int = 0
    previous_date: str = ""
    previous_views: int = 0
    previous_unique_viewers: int = 0
    previous_watch_minutes: float = 0.0
    previous_ai_questions: int = 0
    previous_active_students: int = 0


@dataclasses.dataclass
class VideoStatsRow:
    video_id: str = ""
    title: str = ""
    views: int = 0
    previous_views: int = 0
    unique_viewers: int = 0
    watch_minutes: float = 0.0
    avg_completion_pct: float = 0.0
    likes: int = 0
    comments: int = 0
    ai_interactions: int = 0


@dataclasses.dataclass
class TablePage:
    rows: list[VideoStatsRow] = dataclasses.field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 10
    pages: int = 0
    sort: str = "views"
    desc: bool = True


@dataclasses.dataclass
class RetentionPoint:
    percent: float = 0.0   # position in the video, 0..100
    second: float = 0.0
    share: float = 0.0     # of the sessions, 0..1, whose watched intervals cover it


@dataclasses.dataclass
class ChapterMarker:
    start_pct: float = 0.0
    start_seconds: float = 0.0
    title: str = ""


@dataclasses.dataclass
class Retention:
    video_id: str = ""
    title: str = ""
    duration_seconds: float = 0.0
    sessions: int = 0
    points: list[RetentionPoint] = dataclasses.field(default_factory=list)
    chapters: list[ChapterMarker] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DropoffRow:
    position: int = 0            # 1-based, in course order
    lesson_id: str = ""
    video_id: str = ""
    module_title: str = ""
    title: str = ""
    started: int = 0             # students with a watch session of the lesson's video
    completed: int = 0           # ... with a completed one
    stopped: int = 0             # started the course and got no further than this lesson
    stopped_pct: float = 0.0     # of the students who started the course
    completion_pct: float = 0.0  # completed / started


@dataclasses.dataclass
class HeatCell:
    weekday: int = 0   # 0 = Monday
    hour: int = 0      # UTC
    sessions: int = 0


@dataclasses.dataclass
class QuestionRow:
    question: str = ""     # the most frequent wording (latest on a tie)
    normalized: str = ""
    count: int = 0
    last_asked: str = ""   # ISO timestamp (UTC)


@dataclasses.dataclass
class UsageItem:
    key: str = ""
    label: str = ""
    used: int = 0
    limit: int = 0
    percent: float = 0.0
    warning: str = ""      # "", "warning" (≥ 75 %), "critical" (≥ 90 %), "over" (≥ 100 %)
    unit: str = ""         # "bytes", "videos", "minutes", "credits", "messages", "students"
    monthly: bool = False  # counted over the calendar month (UTC), else current total


@dataclasses.dataclass
class UsageView:
    tier: str = "basic"
    plan_label: str = ""
    month_start: str = ""
    renews_on: str = ""
    items: list[UsageItem] = dataclasses.field(default_factory=list)
    warning: str = ""      # the worst level among the items

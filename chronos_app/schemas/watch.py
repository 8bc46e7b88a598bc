"""What the watch page shows: the player source, chapters, cues, likes and where to resume."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ChapterMark:
    id: str = ""
    title: str = ""
    start: float = 0.0
    end: float = 0.0
    label: str = ""          # "1:02"
    left_pct: float = 0.0    # start / duration * 100, for markers on a timeline
    width_pct: float = 0.0   # (end - start) / duration * 100


@dataclass
class CueLine:
    start: float = 0.0
    end: float = 0.0
    label: str = ""          # "1:02"
    text: str = ""


@dataclass
class WatchView:
    id: str = ""
    title: str = ""
    description: str = ""
    school_name: str = ""
    creator_username: str = ""
    creator_id: str = ""
    source_type: str = ""
    source_label: str = ""
    player: str = "file"     # "file" | "youtube" | "vimeo" | "wistia" | "mux" | "loom" | "none"
    # What react-player loads: a provider URL, or for uploads the backend path
    # "/media/videos/<id>" (the UI prefixes the backend URL); "" for loom / none.
    src: str = ""
    embed_url: str = ""      # loom only: https://www.loom.com/embed/<id>
    poster_url: str = ""     # "/media/thumbnails/<id>" for stored thumbnails, a URL, or ""
    duration_seconds: float = 0.0
    duration: str = ""       # "12:34"
    published: str = ""      # "Nov 22, 2026", or "" (unpublished: the owner's preview)
    is_owner: bool = False
    tracked: bool = False    # the actor is an active student of the school: sessions recorded
    view_count: int = 0
    like_count: int = 0
    liked: bool = False
    resume_at: float = 0.0       # where the actor left off (0 if never, or finished)
    playback_rate: float = 1.0   # the actor's remembered speed
    chapters: list[ChapterMark] = field(default_factory=list)
    cues: list[CueLine] = field(default_factory=list)


@dataclass
class ProgressResult:
    position: float = 0.0            # where the player is now (the seek target after a seek)
    watch_time_seconds: int = 0      # honest playback time of this session
    percent_complete: int = 0        # share of the video actually played (coverage)
    completed: bool = False
    new_milestones: list[int] = field(default_factory=list)


@dataclass
class LikeState:
    liked: bool = False
    like_count: int = 0


@dataclass
class LessonCard:
    """A published video a student can watch, with how far they got."""

    id: str = ""
    title: str = ""
    school_name: str = ""
    duration: str = ""
    poster_url: str = ""        # backend path for uploads, an https URL otherwise, or ""
    percent: int = 0            # best coverage over the student's sessions
    resume_at: float = 0.0
    resume_label: str = ""      # "2:31" when there is a place to go back to
    completed: bool = False
    published: str = ""
    last_watched: str = ""      # ISO time of the latest session, "" if never watched
    href: str = ""              # the watch page (it resumes by itself)

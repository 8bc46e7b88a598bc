"""What the course builder shows: courses, their modules and lessons, the library picker and the
undo of the last deletion. Plain dataclasses with defaults: the Reflex UI keeps them in state."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class LessonItem:
    id: str = ""
    video_id: str = ""
    module_id: str = ""
    order: int = 0            # 1-based, dense within the module
    title: str = ""           # the lesson's own title, else the video's title
    custom_title: str = ""    # module_lessons.title or ""
    description: str = ""
    required: bool = True
    minutes: int = 0          # estimated_duration_minutes, else ceil(video duration / 60), ≥ 1
    video_title: str = ""
    video_status: str = ""    # videos.status, "needs_transcript" or "deleted"
    video_ready: bool = False  # processed (completed) and not deleted
    duration: str = ""        # "12:34"


@dataclasses.dataclass
class ModuleItem:
    id: str = ""
    title: str = ""
    description: str = ""
    order: int = 0            # 1-based, dense within the course
    lessons: list[LessonItem] = dataclasses.field(default_factory=list)
    minutes: int = 0


@dataclasses.dataclass
class CourseSummary:
    id: str = ""
    title: str = ""
    description: str = ""
    thumbnail_url: str = ""
    published: bool = False
    module_count: int = 0
    lesson_count: int = 0
    minutes: int = 0
    updated: str = ""         # "Nov 22, 2026"


@dataclasses.dataclass
class CourseDraft:
    id: str = ""
    title: str = ""
    description: str = ""
    thumbnail_url: str = ""
    published: bool = False
    published_at: str = ""    # "Nov 22, 2026" or ""
    modules: list[ModuleItem] = dataclasses.field(default_factory=list)
    lesson_count: int = 0
    minutes: int = 0
    blockers: list[str] = dataclasses.field(default_factory=list)  # [] = can be published
    required_tier: str = ""   # "" (every member) | "premium" | "pro"


@dataclasses.dataclass
class PickableVideo:
    """One video of the creator's library in the lesson picker."""

    id: str = ""
    title: str = ""
    duration: str = ""
    status: str = ""          # videos.status, or "needs_transcript"
    ready: bool = False
    in_course: bool = False   # already a lesson in some module of this course


@dataclasses.dataclass
class Undo:
    """What `courses.restore` needs to bring back the last deleted module or lesson."""

    kind: str = ""            # "module" | "lesson" | ""
    label: str = ""           # "module “Basics”", for the toast
    payload: str = ""         # JSON of the deleted rows

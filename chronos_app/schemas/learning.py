"""What a student sees of courses (catalog, the course viewer, progress) and what the creator
sees of their students' progress on a course."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CatalogCourse:
    id: str = ""
    title: str = ""
    description: str = ""
    thumbnail_url: str = ""
    school_name: str = ""
    lesson_count: int = 0
    minutes: int = 0
    percent: int = 0              # completed / counted lessons * 100, floored (see progress_of)
    status: str = "not_started"   # "not_started" | "in_progress" | "completed"
    status_label: str = "Not started"
    published: str = ""           # "Nov 22, 2026"
    last_activity: str = ""       # ISO time of the latest watch session on its lessons, or ""
    required_tier: str = ""       # "premium" | "pro" for a subscriber-only course, else ""
    locked: bool = False          # the actor's tier does not reach it: opening it shows a gate


@dataclass
class ViewerLesson:
    id: str = ""
    video_id: str = ""
    module_id: str = ""
    title: str = ""
    description: str = ""
    required: bool = True
    minutes: int = 0
    duration: str = ""            # "12:34", or "" when the video's length is unknown
    percent: int = 0              # best percent_complete over the student's sessions of the video
    completed: bool = False       # has_student_completed_video (a session reached 90 %)
    number: str = ""              # "1.2": module 1, lesson 2
    required_tier: str = ""       # "premium" | "pro" when the lesson's video is subscriber-only
    locked: bool = False          # the actor's tier does not reach the video (watch shows a gate)


@dataclass
class ViewerModule:
    id: str = ""
    title: str = ""
    description: str = ""
    lessons: list[ViewerLesson] = field(default_factory=list)
    percent: int = 0
    completed_count: int = 0
    required_count: int = 0


@dataclass
class CourseView:
    id: str = ""
    title: str = ""
    description: str = ""
    school_name: str = ""
    modules: list[ViewerModule] = field(default_factory=list)
    percent: int = 0
    completed_count: int = 0
    required_count: int = 0
    completed: bool = False       # every required lesson (none required: every lesson) complete
    resume_lesson_id: str = ""    # latest watched lesson, else first not completed, else first
    is_owner: bool = False        # the creator previewing (no progress)
    required_tier: str = ""       # "premium" | "pro" for a subscriber-only course, else ""
    locked: bool = False          # always False when returned: a locked course raises Gated


@dataclass
class StudentProgress:
    student_id: str = ""
    username: str = ""
    name: str = ""
    percent: int = 0
    completed_count: int = 0
    required_count: int = 0
    status: str = "not_started"
    status_label: str = ""
    last_activity: str = ""       # "Nov 22, 2026", or "" if never watched
    watch_minutes: int = 0        # watch_time_seconds over the course's videos / 60, floored

"""Route constants and URL builders: pages and links use these, never literal paths."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

HOME = "/"
LOGIN = "/login"
SIGNUP = "/signup"
PROFILE = "/profile"
SCHOOLS = "/schools"
OPEN_SCHOOL = "/schools/new"
STUDIO = "/studio"
STUDIO_VIDEOS = "/studio/videos"
STUDIO_VIDEO = "/studio/videos/[video_id]"
WATCH = "/watch/[video_id]"
STUDIO_ANALYTICS = "/studio/analytics"
STUDIO_USAGE = "/studio/usage"
STUDIO_COURSES = "/studio/courses"
STUDIO_COURSE = "/studio/courses/[course_id]"
COURSES = "/courses"
COURSE = "/courses/[course_id]"
CHAT = "/chat"
PERSON = "/u/[username]"
FEED = "/feed"
SEARCH = "/search"
TAG = "/tags/[tag]"


def studio_video(video_id: str) -> str:
    return f"{STUDIO_VIDEOS}/{video_id}"


def studio_course(course_id: str) -> str:
    return f"{STUDIO_COURSES}/{course_id}"


def course(course_id: str) -> str:
    return f"{COURSES}/{course_id}"


def person(username: str) -> str:
    return f"/u/{quote(username)}"


def watch(video_id: str, *, t: float | None = None, ref: str = "") -> str:
    """The watch page of a video, optionally at second `t`, with where the viewer came from
    (`ref`: course, chat or search) for analytics."""
    params = []
    if t is not None and t > 0:
        params.append(f"t={int(t)}")
    if ref:
        params.append(f"ref={quote(ref)}")
    return f"/watch/{video_id}" + (f"?{'&'.join(params)}" if params else "")


def login_then(next_path: str) -> str:
    return f"{LOGIN}?next={quote(next_path, safe='/')}" if next_path and next_path != HOME else LOGIN


def safe_next(next_path: str | None) -> str:
    """Only same-site paths are followed after login (no open redirects)."""
    if not next_path:
        return HOME
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or not next_path.startswith("/") or next_path.startswith("//"):
        return HOME
    if parts.path in (LOGIN, SIGNUP):
        return HOME
    return next_path

"""Demo data for `make run`: a creator with a school, a few students and a video library,
created idempotently.

The lessons are short generated video files (ffmpeg) with transcripts written for the demo
(`demo_lessons`); they go through the real pipeline (`cli prepare` drains the queue) and are
published once processed. Two public YouTube videos are imported by link: with network access
their captions are fetched, without it they honestly wait for a transcript.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from chronos_app.core.errors import ChronosError
from chronos_app.models import User, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import accounts, schools, social, videos
from chronos_app.services.demo_lessons import DEMO_LESSONS, lesson_duration, lesson_vtt

DEMO_PASSWORD = "Chronos-demo1"


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    bio: str


DEMO_CREATOR = DemoUser("maya", "Maya Lin", "Teaches practical data science with Python.")
DEMO_SCHOOL = "Practical Data Science"
DEMO_STUDENTS = (
    DemoUser("sam", "Sam Carter", "Learning Python in the evenings."),
    DemoUser("priya", "Priya Nair", "Analyst moving into machine learning."),
    DemoUser("leo", "Leo Martins", "Student of statistics."),
)
DEMO_EMBEDS = (
    ("https://www.youtube.com/watch?v=aircAruvnKk", "But what is a neural network?"),
    ("https://www.youtube.com/watch?v=IHZwWFHWa-w", "Gradient descent, how neural networks learn"),
)


def _ensure_user(session: Session, demo: DemoUser):
    user = session.exec(select(User).where(func.lower(User.username) == demo.username)).first()
    if user is None:
        accounts.sign_up(session=session, username=demo.username,
                         email=f"{demo.username}@demo.chronos.test", password=DEMO_PASSWORD,
                         display_name=demo.display_name)
        user = session.exec(select(User).where(User.username == demo.username)).one()
        user.bio = demo.bio
        session.add(user)
        session.flush()
    return accounts.load_actor(session=session, user_id=user.id)


def seed(*, session: Session) -> list[str]:
    """Create what is missing; return the usernames that can log in."""
    creator = _ensure_user(session, DEMO_CREATOR)
    if not creator.is_creator:
        creator = schools.open_school(session=session, actor=creator, name=DEMO_SCHOOL, tier="pro")
    for demo in DEMO_STUDENTS:
        student = _ensure_user(session, demo)
        if creator.creator_id not in student.student_of:
            schools.join_school(session=session, actor=student, creator_id=creator.creator_id)
        if demo.username != "leo":  # leo has not followed anyone yet: his "Following" is empty
            social.follow(session=session, actor=student, username=DEMO_CREATOR.username)
    maya = session.get(User, creator.user_id)
    if not maya.is_verified:
        maya.is_verified = True
        session.add(maya)
    return [DEMO_CREATOR.username, *(d.username for d in DEMO_STUDENTS)]


def demo_creator(session: Session) -> Actor | None:
    user = session.exec(select(User).where(User.username == DEMO_CREATOR.username)).first()
    return None if user is None else accounts.load_actor(session=session, user_id=user.id)


def _demo_video(session: Session, creator: Actor, key: str) -> Video | None:
    return session.exec(select(Video).where(Video.creator_id == creator.creator_id,
                                            Video.meta["demo_key"].astext == key)).first()


def seed_videos(*, session: Session, storage=None) -> int:  # noqa: ANN001
    """Add the demo lessons (generated video + transcript) and embeds that are missing;
    returns how many were added. Processing happens in the worker."""
    from chronos_app.pipeline import media

    creator = demo_creator(session)
    if creator is None:
        return 0
    added = 0
    for lesson in DEMO_LESSONS:
        if _demo_video(session, creator, lesson.key) is not None:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            clip = media.make_demo_video(Path(tmp) / f"{lesson.key}.mp4",
                                         seconds=lesson_duration(lesson), color=lesson.color,
                                         tone_hz=lesson.tone_hz, fps=8)
            with clip.open("rb") as fh:
                row = videos.upload_video(session=session, actor=creator,
                                          filename=f"{lesson.key}.mp4", stream=fh,
                                          size=clip.stat().st_size, title=lesson.title,
                                          storage=storage)
        video = session.get(Video, uuid.UUID(row.id))
        video.description, video.tags = lesson.description, list(lesson.tags)
        video.meta = {**video.meta, "demo_key": lesson.key}
        session.add(video)
        videos.attach_transcript(session=session, actor=creator, video_id=video.id,
                                 filename=f"{lesson.key}.vtt", data=lesson_vtt(lesson))
        added += 1
    for url, title in DEMO_EMBEDS:
        try:
            row = videos.import_url(session=session, actor=creator, url=url, title=title)
        except ChronosError:  # already imported
            continue
        video = session.get(Video, uuid.UUID(row.id))
        video.meta = {**video.meta, "demo_key": url}
        session.add(video)
        added += 1
    return added


def publish_processed(*, session: Session) -> int:
    """Publish the demo lessons that finished processing (their chapters are valid)."""
    creator = demo_creator(session)
    if creator is None:
        return 0
    published = 0
    for lesson in DEMO_LESSONS:
        video = _demo_video(session, creator, lesson.key)
        if video is None or video.status != "completed" or video.published_at is not None:
            continue
        videos.set_published(session=session, actor=creator, video_id=video.id, published=True)
        published += 1
    return published



# (lesson key, student, comment, maya's reply or "")
DEMO_DISCUSSION = (
    ("cleaning-data", "sam",
     "The median trick at 0:55 for skewed income finally made sense to me. Thanks!",
     "Glad it helped! The same idea applies to any column with a few huge values."),
    ("cleaning-data", "priya",
     "Is it ever fine to drop rows with missing ages, or is filling always better?",
     "If only a handful are missing and there's no pattern to why, dropping is honest. "
     "Watch the part at 0:38 again for how I decide."),
    ("linear-regression", "leo",
     "Could you do a follow-up on regularisation? The residual plots part was great.", ""),
)


def seed_discussion(*, session: Session) -> int:
    """A few comments and replies on the published demo lessons, once (never duplicated)."""
    from chronos_app.models import Comment
    from chronos_app.services import comments

    creator = demo_creator(session)
    if creator is None:
        return 0
    added = 0
    for key, username, text, reply in DEMO_DISCUSSION:
        video = _demo_video(session, creator, key)
        if video is None or video.published_at is None:
            continue
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None or session.exec(select(Comment.id).where(
                Comment.video_id == video.id, Comment.author_id == user.id,
                Comment.content == text)).first():
            continue  # seeded before
        student = accounts.load_actor(session=session, user_id=user.id)
        try:
            posted = comments.post_comment(session=session, actor=student, video_id=video.id,
                                           content=text)
            if reply:
                comments.post_comment(session=session, actor=creator, video_id=video.id,
                                      content=reply, parent_id=posted.id)
        except ChronosError:
            continue
        added += 1
    return added


DEMO_COURSE = "Data science foundations"
DEMO_COURSE_MODULES = (
    ("Preparing data", ("cleaning-data", "feature-engineering")),
    ("Models and how to judge them", ("linear-regression", "evaluating-classifier")),
)


def seed_course(*, session: Session) -> bool:
    """One published course of the demo lessons, built through the course service, once."""
    from chronos_app.models import Course
    from chronos_app.services import courses

    creator = demo_creator(session)
    if creator is None or session.exec(select(Course.id).where(
            Course.creator_id == creator.creator_id, Course.title == DEMO_COURSE)).first():
        return False
    lessons = {key: _demo_video(session, creator, key) for _, keys in DEMO_COURSE_MODULES
               for key in keys}
    if any(v is None or v.status != "completed" for v in lessons.values()):
        return False  # processing has not finished: try again next time
    draft = courses.create_course(
        session=session, actor=creator, title=DEMO_COURSE,
        description="From a messy table to a model you can trust: cleaning, features, "
                    "regression and evaluation, in four short lessons.")
    for title, keys in DEMO_COURSE_MODULES:
        draft = courses.add_module(session=session, actor=creator, course_id=draft.id,
                                   title=title)
        module_id = draft.modules[-1].id
        for key in keys:
            draft = courses.add_lesson(session=session, actor=creator, module_id=module_id,
                                       video_id=str(lessons[key].id))
    courses.set_published(session=session, actor=creator, course_id=draft.id, published=True)
    return True

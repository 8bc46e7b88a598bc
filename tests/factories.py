"""One-line builders of valid rows for tests."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from chronos_app.models import Creator, Student, User, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import accounts, schools

PASSWORD = "Sup3r-secret"


def unique(prefix: str = "u") -> str:
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def make_user(session: Session, username: str | None = None, password: str = PASSWORD) -> Actor:
    username = username or unique()
    return accounts.sign_up(session=session, username=username,
                            email=f"{username}@example.com", password=password)


def make_creator(session: Session, tier: str = "pro", name: str | None = None) -> Actor:
    actor = make_user(session)
    return schools.open_school(session=session, actor=actor, name=name or f"School {actor.username}",
                               tier=tier)


def make_student(session: Session, creator: Actor) -> Actor:
    return schools.join_school(session=session, actor=make_user(session),
                               creator_id=creator.creator_id)


def make_video(session: Session, creator: Actor, **fields) -> Video:
    values = dict(creator_id=creator.creator_id, title="A lesson", source_type="youtube",
                  youtube_video_id="dQw4w9WgXcQ", embed_type="youtube", embed_id="dQw4w9WgXcQ",
                  duration_seconds=600)
    values.update(fields)
    video = Video(**values)
    session.add(video)
    session.flush()
    return video


def student_row(session: Session, actor: Actor, creator: Actor) -> Student:
    return session.get(Student, actor.student_of[creator.creator_id])


def creator_row(session: Session, creator: Actor) -> Creator:
    return session.get(Creator, creator.creator_id)


def user_row(session: Session, actor: Actor) -> User:
    return session.get(User, actor.user_id)

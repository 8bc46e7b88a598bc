"""Schools: a user opens one (becomes a creator), others join it (become its students).

Joining a school is an active subscription to its creator (dojo `subscriptions`) plus the
membership row (`students`); leaving deactivates both and keeps history.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func
from sqlmodel import Session, select

from chronos_app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chronos_app.models import Creator, Student, Subscription, User, Video
from chronos_app.models.base import utcnow
from chronos_app.models.roles import CREATOR_TIERS
from chronos_app.schemas.accounts import (
    AccountView,
    Actor,
    MembershipView,
    SchoolView,
    StudentRow,
)
from chronos_app.services.accounts import load_actor

SCHOOL_NAME_MAX = 100


def _date(value) -> str:  # noqa: ANN001
    return value.strftime("%b %d, %Y") if value else ""


def open_school(*, session: Session, actor: Actor, name: str, tier: str = "basic") -> Actor:
    name = name.strip()
    if not name:
        raise InvalidInput("Give your school a name.", field="name")
    if len(name) > SCHOOL_NAME_MAX:
        raise InvalidInput(f"School name must be at most {SCHOOL_NAME_MAX} characters.", field="name")
    if tier not in CREATOR_TIERS:
        raise InvalidInput(f"Unknown plan '{tier}'. Choose basic, pro or enterprise.", field="tier")
    if session.exec(select(Creator.id).where(Creator.user_id == actor.user_id)).first():
        raise Conflict("You already run a school.")
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    session.add(Creator(user_id=user.id, email=user.email, name=name, subscription_tier=tier,
                        last_login_at=user.last_login_at))
    session.flush()
    return load_actor(session=session, user_id=actor.user_id)


def join_school(*, session: Session, actor: Actor, creator_id: uuid.UUID) -> Actor:
    creator = session.get(Creator, creator_id)
    if creator is None or not creator.is_active:
        raise NotFound("That school does not exist.")
    if creator.user_id == actor.user_id:
        raise Forbidden("You run this school; you cannot join it as a student.")
    user = session.get(User, actor.user_id)
    subscription = session.exec(select(Subscription).where(
        Subscription.subscriber_id == actor.user_id,
        Subscription.creator_id == creator.user_id)).first()
    if subscription is None or not subscription.is_active:
        # A (re)started membership is the free basic tier; a running paid tier (see
        # services.subscriptions) is left as it is.
        subscription = subscription or Subscription(subscriber_id=actor.user_id,
                                                    creator_id=creator.user_id)
        subscription.subscription_type = "basic"
        subscription.is_active = True
        subscription.expires_at = None
        subscription.cancel_at_period_end = False
        subscription.price_cents = 0
        subscription.started_at = utcnow()
        session.add(subscription)
    student = session.exec(select(Student).where(
        Student.user_id == actor.user_id, Student.creator_id == creator.id)).first()
    if student is None:
        student = Student(user_id=actor.user_id, creator_id=creator.id, email=user.email,
                          name=user.display_name or user.username)
    student.is_active = True
    student.last_active_at = utcnow()
    session.add(student)
    session.flush()
    return load_actor(session=session, user_id=actor.user_id)


def leave_school(*, session: Session, actor: Actor, creator_id: uuid.UUID) -> Actor:
    creator = session.get(Creator, creator_id)
    student = session.exec(select(Student).where(
        Student.user_id == actor.user_id, Student.creator_id == creator_id)).first()
    if creator is None or student is None:
        raise NotFound("You are not a member of that school.")
    student.is_active = False
    session.add(student)
    subscription = session.exec(select(Subscription).where(
        Subscription.subscriber_id == actor.user_id,
        Subscription.creator_id == creator.user_id)).first()
    if subscription is not None:
        subscription.is_active = False
        session.add(subscription)
    session.flush()
    return load_actor(session=session, user_id=actor.user_id)


def list_schools(*, session: Session, actor: Actor | None, search: str = "",
                 creator_id: uuid.UUID | None = None) -> list[SchoolView]:
    """Every active school (or just `creator_id`'s), for the catalogue anyone may browse."""
    students = (select(Student.creator_id, func.count(Student.id).label("n"))
                .where(Student.is_active).group_by(Student.creator_id).subquery())
    videos = (select(Video.creator_id, func.count(Video.id).label("n"))
              .where(Video.is_deleted.is_(False), Video.published_at.is_not(None))
              .group_by(Video.creator_id).subquery())
    query = (select(Creator, User, students.c.n, videos.c.n)
             .join(User, User.id == Creator.user_id)
             .outerjoin(students, students.c.creator_id == Creator.id)
             .outerjoin(videos, videos.c.creator_id == Creator.id)
             .where(Creator.is_active)
             .order_by(Creator.created_at))
    if creator_id is not None:
        query = query.where(Creator.id == creator_id)
    if search.strip():
        pattern = f"%{search.strip()}%"
        query = query.where(Creator.name.ilike(pattern) | User.username.ilike(pattern))
    return [
        _school_view(creator, owner, n_students or 0, n_videos or 0, actor)
        for creator, owner, n_students, n_videos in session.exec(query).all()
    ]


def _school_view(creator: Creator, owner: User, n_students: int, n_videos: int,
                 actor: Actor | None) -> SchoolView:
    return SchoolView(
        creator_id=str(creator.id), name=creator.name or f"{owner.username}'s school",
        owner_username=owner.username, owner_display_name=owner.display_name or owner.username,
        plan=creator.subscription_tier, student_count=n_students, video_count=n_videos,
        is_member=bool(actor and creator.id in actor.student_of),
        is_owner=bool(actor and actor.creator_id == creator.id),
        created=_date(creator.created_at))


def get_account(*, session: Session, actor: Actor) -> AccountView:
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    school = None
    if actor.creator_id:
        found = list_schools(session=session, actor=actor, creator_id=actor.creator_id)
        school = found[0] if found else None
    rows = session.exec(
        select(Student, Creator, User, Subscription)
        .join(Creator, Creator.id == Student.creator_id)
        .join(User, User.id == Creator.user_id)
        .outerjoin(Subscription, (Subscription.subscriber_id == Student.user_id)
                   & (Subscription.creator_id == Creator.user_id))
        .where(Student.user_id == actor.user_id, Student.is_active)
        .order_by(Student.created_at)).all()
    memberships = [
        MembershipView(creator_id=str(creator.id),
                       school_name=creator.name or f"{owner.username}'s school",
                       owner_username=owner.username,
                       tier=sub.subscription_type if sub else "basic",
                       joined=_date(student.created_at))
        for student, creator, owner, sub in rows
    ]
    return AccountView(user_id=str(user.id), username=user.username, email=user.email,
                       display_name=user.display_name or "", bio=user.bio or "",
                       member_since=_date(user.created_at), last_login=_date(user.last_login_at),
                       school=school, memberships=memberships)


def update_profile(*, session: Session, actor: Actor, display_name: str, bio: str) -> None:
    display_name, bio = display_name.strip(), bio.strip()
    if len(display_name) > 100:
        raise InvalidInput("Display name must be at most 100 characters.", field="display_name")
    if len(bio) > 1000:
        raise InvalidInput("Bio must be at most 1000 characters.", field="bio")
    user = session.get(User, actor.user_id)
    if user is None:
        raise NotFound("Your account no longer exists.")
    user.display_name = display_name or None
    user.bio = bio or None
    session.add(user)


def list_students(*, session: Session, actor: Actor) -> list[StudentRow]:
    """The members of the actor's own school; only its creator may see them."""
    if actor.creator_id is None:
        raise Forbidden("Only a school's creator can see its students.")
    creator = session.get(Creator, actor.creator_id)
    rows = session.exec(
        select(Student, User, Subscription)
        .join(User, User.id == Student.user_id)
        .outerjoin(Subscription, (Subscription.subscriber_id == Student.user_id)
                   & (Subscription.creator_id == creator.user_id))
        .where(Student.creator_id == actor.creator_id, Student.is_active)
        .order_by(Student.created_at)).all()
    return [StudentRow(student_id=str(student.id), username=user.username,
                       display_name=user.display_name or user.username, email=user.email,
                       tier=sub.subscription_type if sub else "basic",
                       joined=_date(student.created_at))
            for student, user, sub in rows]

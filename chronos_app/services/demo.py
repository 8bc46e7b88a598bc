"""Demo data for `make run`: a creator with a school and a few students, created idempotently.

The logins are listed in the README. More demo content arrives with later features.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from chronos_app.models import User
from chronos_app.services import accounts, schools

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
    return [DEMO_CREATOR.username, *(d.username for d in DEMO_STUDENTS)]

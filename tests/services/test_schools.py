"""Opening, joining and leaving schools, and who may see what."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from chronos_app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chronos_app.models import Student, Subscription
from chronos_app.services import schools
from tests.factories import make_creator, make_student, make_user


def test_open_school_makes_the_user_a_creator(session):
    actor = make_user(session)
    actor = schools.open_school(session=session, actor=actor, name="  Data Dojo ", tier="pro")
    assert actor.is_creator
    account = schools.get_account(session=session, actor=actor)
    assert account.school.name == "Data Dojo"
    assert account.school.plan == "pro"
    assert account.school.is_owner


@pytest.mark.parametrize("name, tier, message", [
    ("", "basic", "name"),
    ("x" * 101, "basic", "at most 100"),
    ("Fine", "gold", "Unknown plan"),
])
def test_open_school_validates(session, name, tier, message):
    with pytest.raises(InvalidInput, match=message):
        schools.open_school(session=session, actor=make_user(session), name=name, tier=tier)


def test_one_school_per_user(session):
    creator = make_creator(session)
    with pytest.raises(Conflict):
        schools.open_school(session=session, actor=creator, name="Second")


def test_join_creates_membership_and_active_subscription(session):
    creator = make_creator(session)
    student = make_student(session, creator)
    assert creator.creator_id in student.student_of
    row = session.get(Student, student.student_of[creator.creator_id])
    assert row.is_active and row.user_id == student.user_id
    sub = session.exec(select(Subscription).where(Subscription.subscriber_id == student.user_id)).one()
    assert sub.is_active and sub.subscription_type == "basic"
    listed = {s.creator_id: s for s in schools.list_schools(session=session, actor=student)}
    assert listed[str(creator.creator_id)].is_member
    assert listed[str(creator.creator_id)].student_count == 1


def test_join_twice_is_idempotent_and_leave_keeps_history(session):
    creator = make_creator(session)
    student = make_student(session, creator)
    again = schools.join_school(session=session, actor=student, creator_id=creator.creator_id)
    assert again.student_of == student.student_of
    left = schools.leave_school(session=session, actor=student, creator_id=creator.creator_id)
    assert creator.creator_id not in left.student_of
    row = session.get(Student, student.student_of[creator.creator_id])
    assert row is not None and not row.is_active
    rejoined = schools.join_school(session=session, actor=left, creator_id=creator.creator_id)
    assert rejoined.student_of[creator.creator_id] == row.id


def test_cannot_join_own_or_unknown_school(session):
    creator = make_creator(session)
    with pytest.raises(Forbidden):
        schools.join_school(session=session, actor=creator, creator_id=creator.creator_id)
    with pytest.raises(NotFound):
        schools.join_school(session=session, actor=make_user(session), creator_id=uuid.uuid4())


def test_only_the_creator_sees_its_students(session):
    creator = make_creator(session)
    other = make_creator(session)
    student = make_student(session, creator)
    make_student(session, other)
    rows = schools.list_students(session=session, actor=creator)
    assert [r.username for r in rows] == [student.username]
    with pytest.raises(Forbidden):
        schools.list_students(session=session, actor=student)


def test_search_schools(session):
    creator = make_creator(session, name="Quantum Knitting Club")
    found = schools.list_schools(session=session, actor=None, search="quantum knit")
    assert [s.creator_id for s in found] == [str(creator.creator_id)]
    assert schools.list_schools(session=session, actor=None, search="zzz-no-such") == []


def test_update_profile(session):
    actor = make_user(session)
    schools.update_profile(session=session, actor=actor, display_name=" Ada ", bio="Hi")
    account = schools.get_account(session=session, actor=actor)
    assert (account.display_name, account.bio) == ("Ada", "Hi")
    with pytest.raises(InvalidInput):
        schools.update_profile(session=session, actor=actor, display_name="x" * 101, bio="")

"""The demo data `make run` loads: idempotent, and its logins work."""

from __future__ import annotations

from chronos_app.services import accounts, demo, schools


def test_seed_is_idempotent_and_logins_work(session):
    first = demo.seed(session=session)
    second = demo.seed(session=session)
    assert first == second == ["maya", "sam", "priya", "leo"]
    maya = accounts.log_in(session=session, login="maya", password=demo.DEMO_PASSWORD).actor
    assert maya.is_creator
    students = schools.list_students(session=session, actor=maya)
    assert sorted(s.username for s in students) == ["leo", "priya", "sam"]
    sam = accounts.log_in(session=session, login="sam", password=demo.DEMO_PASSWORD).actor
    assert maya.creator_id in sam.student_of

"""The tutor chat service: who may start, read, change and ask in a conversation, the question
limits (length, rate, monthly quota), the prepared turn (supported passages, history, title),
the stored answer (cited references, usage, analytics) and exports.

Retrieval is replaced by small fakes: `resolve_scope` by a rule of the same shape (a visible
video, or a school the actor belongs to) and `retrieve` by a `retrieve_fn` returning fixed hits,
so nothing here depends on embeddings. When `chronos_app.ai.tutor` or
`chronos_app.services.retrieval` cannot be imported yet, stand-ins are put in `sys.modules`."""

from __future__ import annotations

import importlib
import json
import re
import sys
import types
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from chronos_app.core.errors import Forbidden, InvalidInput, NotFound, RateLimited
from chronos_app.models import ChatMessage, ChatSession, Creator, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import chat, schools
from chronos_app.services.media import can_view_video
from chronos_app.services.rate_limit import SlidingWindowLimiter
from tests.factories import make_creator, make_student, make_user, make_video, student_row

PUBLISHED = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
NOT_FOUND = "That conversation does not exist."
DEFAULT_LIMITER = chat.STUDENT_LIMITER  # before the fixture below swaps it per test


# --- stand-ins for the modules written alongside this one ----------------------------------------

@dataclass
class FakeScope:
    kind: str
    id: str
    label: str
    creator_id: str
    video_ids: list[str] = field(default_factory=list)


@dataclass
class FakeHit:
    chunk_id: str
    video_id: str
    video_title: str
    start: float
    end: float
    text: str
    score: float
    similarity: float
    text_rank: float


def _parse(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def fake_resolve_scope(*, session, actor, kind, scope_id):
    """A video the actor may watch, or a school the actor runs or belongs to."""
    ident = _parse(scope_id)
    if kind == "video" and ident is not None:
        video = session.get(Video, ident)
        if video is not None and can_view_video(session=session, actor=actor, video=video):
            return FakeScope("video", str(video.id), "this video", str(video.creator_id),
                             [str(video.id)])
    if kind == "school" and ident is not None:
        creator = session.get(Creator, ident)
        if creator is not None and (actor.creator_id == ident or ident in actor.student_of):
            ids = session.exec(select(Video.id).where(Video.creator_id == ident,
                                                      Video.published_at.is_not(None))).all()
            return FakeScope("school", str(ident), f"School: {creator.name}", str(ident),
                             [str(i) for i in ids])
    raise NotFound("That is not available.")


def _fake_retrieval() -> types.ModuleType:
    module = types.ModuleType("chronos_app.services.retrieval")
    module.MIN_SIMILARITY = 0.3
    module.TOP_K = 8
    module.Scope, module.Hit = FakeScope, FakeHit
    module.resolve_scope = fake_resolve_scope

    def retrieve(**_kwargs):
        raise AssertionError("tests pass a retrieve_fn")

    module.retrieve = retrieve
    return module


def _fake_tutor() -> types.ModuleType:
    module = types.ModuleType("chronos_app.ai.tutor")

    @dataclass
    class Passage:
        n: int
        video_id: str
        video_title: str
        chunk_id: str
        start: float
        end: float
        text: str
        score: float

    @dataclass
    class Turn:
        role: str
        content: str

    @dataclass
    class Usage:
        input_tokens: int = 0
        output_tokens: int = 0

    def citations(answer, passages):
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
        return [p for p in passages if p.n in cited]

    module.Passage, module.Turn, module.Usage = Passage, Turn, Usage
    module.citations = citations
    module.NOT_FOUND_TEXT = "I can't find this in the videos."
    module.says_not_found = lambda answer: answer.startswith(module.NOT_FOUND_TEXT)
    module.cost_usd = lambda model, usage: (usage.input_tokens + 5 * usage.output_tokens) / 1e6
    return module


def _module(monkeypatch, name: str, fake) -> types.ModuleType:  # noqa: ANN001
    try:
        return importlib.import_module(name)
    except ImportError:
        module = fake()
        monkeypatch.setitem(sys.modules, name, module)
        return module


@pytest.fixture(autouse=True)
def retrieval(monkeypatch, request) -> types.ModuleType:
    module = _module(monkeypatch, "chronos_app.services.retrieval", _fake_retrieval)
    if "real_scopes" not in request.fixturenames:
        monkeypatch.setattr(module, "resolve_scope", fake_resolve_scope)
    return module


@pytest.fixture
def real_scopes(retrieval) -> None:
    """Use the real `retrieval.resolve_scope` (skipped while only the stand-in exists)."""
    if getattr(retrieval, "__file__", None) is None:
        pytest.skip("chronos_app.services.retrieval is not written yet")


@pytest.fixture(autouse=True)
def tutor(monkeypatch) -> types.ModuleType:
    return _module(monkeypatch, "chronos_app.ai.tutor", _fake_tutor)


@pytest.fixture(autouse=True)
def limiter(monkeypatch) -> SlidingWindowLimiter:
    fresh = SlidingWindowLimiter(max_events=20, window_seconds=60)
    monkeypatch.setattr(chat, "STUDENT_LIMITER", fresh)
    return fresh


# --- the world -----------------------------------------------------------------------------------

@dataclass
class World:
    owner: Actor        # runs "Calculus School" (basic plan)
    student: Actor      # active student of it
    classmate: Actor    # another student of it
    other_owner: Actor  # runs another school
    other: Actor        # student of the other school only
    stranger: Actor     # no memberships
    derivatives: Video  # published, members only
    integrals: Video    # published, members only
    public: Video       # published, public
    foreign: Video      # the other school's, published, public


@pytest.fixture
def world(session) -> World:
    owner = make_creator(session, tier="basic", name="Calculus School")
    other_owner = make_creator(session, name="Poetry School")
    video = dict(published_at=PUBLISHED, status="completed")
    return World(
        owner=owner, student=make_student(session, owner), classmate=make_student(session, owner),
        other_owner=other_owner, other=make_student(session, other_owner),
        stranger=make_user(session),
        derivatives=make_video(session, owner, title="Derivatives", is_public=False, **video),
        integrals=make_video(session, owner, title="Integrals", is_public=False, **video),
        public=make_video(session, owner, title="Limits", is_public=True, **video),
        foreign=make_video(session, other_owner, title="Sonnets", is_public=True, **video))


def hits(w: World) -> list[FakeHit]:
    """Four hits; the second is unsupported (low similarity, no text match)."""
    d, i = str(w.derivatives.id), str(w.integrals.id)
    return [
        FakeHit("c1", d, "Derivatives", 65.0, 80.0, "The slope of the tangent.", 0.9, 0.92, 0.0),
        FakeHit("c2", i, "Integrals", 10.0, 20.0, "Unrelated.", 0.1, -1.0, 0.0),
        FakeHit("c3", d, "Derivatives", 125.5, 140.0, "Chain rule.", 0.7, -1.0, 0.4),
        FakeHit("c4", i, "Integrals", 3725.0, 3740.0, "Area under a curve.", 0.8, 0.95, 0.0),
    ]


class Retriever:
    def __init__(self, result: list[FakeHit]):
        self.result, self.calls = result, []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        return self.result


def start(session, w: World, actor: Actor | None = None, video: Video | None = None):
    return chat.start_chat(session=session, actor=actor or w.student, scope_kind="video",
                           scope_id=str((video or w.derivatives).id))


def ask(session, w: World, chat_id: str, question: str = "What is a derivative?",
        actor: Actor | None = None, result: list[FakeHit] | None = None) -> chat.PreparedTurn:
    return chat.prepare_turn(session=session, actor=actor or w.student, chat_id=chat_id,
                             question=question,
                             retrieve_fn=Retriever(hits(w) if result is None else result))


def answer(session, w: World, chat_id: str, text_: str, passages: list, **kwargs):
    kwargs.setdefault("model", "test-model")
    return chat.finish_turn(session=session, actor=kwargs.pop("actor", w.student),
                            chat_id=chat_id, answer=text_, passages=passages, **kwargs)


def turn(session, w: World, chat_id: str, question: str, reply: str):
    prepared = ask(session, w, chat_id, question)
    return prepared, answer(session, w, chat_id, reply, prepared.passages)


def usage_today(session, creator_id) -> tuple[int, int]:
    row = session.execute(text(
        "SELECT chat_messages_sent, ai_credits_used FROM usage_metrics "
        "WHERE creator_id = :c AND date = CURRENT_DATE"), {"c": creator_id}).first()
    return (row[0], row[1]) if row else (0, 0)


def ai_interactions(session, video: Video) -> int:
    value = session.execute(text(
        "SELECT ai_interactions FROM video_analytics WHERE video_id = :v AND date = CURRENT_DATE"),
        {"v": video.id}).scalar()
    return value or 0


def outsiders(w: World) -> list[Actor]:
    """Everyone who may not even read a student's conversation in the owner's school."""
    return [w.classmate, w.other_owner, w.other, w.stranger]


BAD_IDS = ["nope", "", str(uuid.uuid4())]


# --- pure helpers --------------------------------------------------------------------------------

def test_auto_title_cuts_at_a_word_boundary():
    assert chat.auto_title("  What is   a derivative? ") == "What is a derivative?"
    long = ("How does the chain rule relate to the derivative of composite functions "
            "in several variables?")
    title = chat.auto_title(long)
    assert title == "How does the chain rule relate to the derivative of…"
    assert len(title) <= 61 and long.startswith(title[:-1])
    assert chat.auto_title("x" * 200) == "x" * 60 + "…"
    exactly = "a" * 55 + " bcde"  # 60 characters: kept whole
    assert chat.auto_title(exactly) == exactly


def test_month_bounds_roll_over_the_year():
    assert chat._month_bounds(date(2026, 11, 22)) == (date(2026, 11, 1), date(2026, 12, 1))
    assert chat._month_bounds(date(2026, 12, 31)) == (date(2026, 12, 1), date(2027, 1, 1))


def test_plans_carry_a_monthly_question_limit():
    from chronos_app.core.plans import PLANS

    assert {t: p.ai_messages_per_month for t, p in PLANS.items()} == {
        "basic": 500, "pro": 5000, "enterprise": 50000}
    assert all("tutor questions a month" in p.summary for p in PLANS.values())


# --- starting and scoping ------------------------------------------------------------------------

def test_student_starts_a_chat_about_a_video(session, world):
    row = start(session, world)
    assert row.title == "New conversation" and row.message_count == 0
    assert (row.scope_kind, row.scope_id, row.scope_label) == (
        "video", str(world.derivatives.id), "Video: Derivatives")
    assert row.last_message == "just now" and row.student_username == ""
    stored = session.get(ChatSession, uuid.UUID(row.id))
    assert stored.student_id == student_row(session, world.student, world.owner).id
    assert stored.creator_id == world.owner.creator_id
    assert stored.context_video_ids == [str(world.derivatives.id)]
    assert stored.meta == {"scope_kind": "video", "scope_id": str(world.derivatives.id),
                           "scope_label": "Video: Derivatives"}


def test_student_starts_a_chat_about_the_whole_school(session, world):
    row = chat.start_chat(session=session, actor=world.student, scope_kind="school",
                          scope_id=str(world.owner.creator_id))
    stored = session.get(ChatSession, uuid.UUID(row.id))
    assert row.scope_label == "School: Calculus School"
    assert sorted(stored.context_video_ids) == sorted(
        str(v.id) for v in (world.derivatives, world.integrals, world.public))


def test_the_creator_cannot_chat_with_their_own_tutor(session, world):
    with pytest.raises(Forbidden) as err:
        start(session, world, actor=world.owner)
    assert err.value.message == "Students chat with the tutor; preview it from a student account."


def test_only_students_of_the_school_may_start(session, world):
    # A public video is visible to everyone, but only members ask its school's tutor.
    for actor in (world.stranger, world.other, world.other_owner):
        with pytest.raises(Forbidden, match="Join Calculus School to ask its tutor"):
            start(session, world, actor=actor, video=world.public)
    # A members-only video does not exist for them.
    for actor in (world.stranger, world.other, world.other_owner):
        with pytest.raises(NotFound):
            start(session, world, actor=actor)
    for bad in BAD_IDS:
        with pytest.raises(NotFound):
            chat.start_chat(session=session, actor=world.student, scope_kind="video",
                            scope_id=bad)
    with pytest.raises(InvalidInput):
        chat.start_chat(session=session, actor=world.student, scope_kind="playlist",
                        scope_id=str(world.derivatives.id))


def test_a_former_student_cannot_start(session, world):
    left = schools.leave_school(session=session, actor=world.student,
                                creator_id=world.owner.creator_id)
    with pytest.raises(NotFound):
        start(session, world, actor=left)
    with pytest.raises(Forbidden):
        start(session, world, actor=left, video=world.public)


def test_set_scope_widens_and_narrows_within_the_school(session, world):
    row = start(session, world)
    wide = chat.set_scope(session=session, actor=world.student, chat_id=row.id,
                          scope_kind="school", scope_id=str(world.owner.creator_id))
    assert (wide.scope_kind, wide.scope_label) == ("school", "School: Calculus School")
    assert len(session.get(ChatSession, uuid.UUID(row.id)).context_video_ids) == 3
    narrow = chat.set_scope(session=session, actor=world.student, chat_id=row.id,
                            scope_kind="video", scope_id=str(world.integrals.id))
    assert (narrow.scope_kind, narrow.scope_id) == ("video", str(world.integrals.id))
    assert session.get(ChatSession, uuid.UUID(row.id)).context_video_ids == [
        str(world.integrals.id)]
    # Another school's public video is visible, but a conversation stays in its school.
    with pytest.raises(InvalidInput, match="one school"):
        chat.set_scope(session=session, actor=world.student, chat_id=row.id,
                       scope_kind="video", scope_id=str(world.foreign.id))
    with pytest.raises(NotFound):
        chat.set_scope(session=session, actor=world.student, chat_id=row.id,
                       scope_kind="school", scope_id=str(world.other_owner.creator_id))


def test_set_scope_access(session, world):
    row = start(session, world)
    kwargs = dict(scope_kind="video", scope_id=str(world.integrals.id))
    with pytest.raises(Forbidden):
        chat.set_scope(session=session, actor=world.owner, chat_id=row.id, **kwargs)
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.set_scope(session=session, actor=actor, chat_id=row.id, **kwargs)
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.set_scope(session=session, actor=world.student, chat_id=bad, **kwargs)


# --- reading -------------------------------------------------------------------------------------

def test_get_chat_for_the_student_and_read_only_for_the_creator(session, world):
    row = start(session, world)
    prepared, _reply = turn(session, world, row.id, "What is a derivative?", "The slope [1].")
    mine = chat.get_chat(session=session, actor=world.student, chat_id=row.id)
    assert not mine.read_only and mine.session.student_username == ""
    assert mine.session.message_count == 2
    assert [(m.role, m.content) for m in mine.messages] == [
        ("user", "What is a derivative?"), ("assistant", "The slope [1].")]
    assert mine.messages[0].id == prepared.user_message_id
    assert mine.messages[1].citations[0].label == "Derivatives @ 1:05"
    assert mine.messages[1].model == "test-model" and mine.messages[0].created == "just now"
    theirs = chat.get_chat(session=session, actor=world.owner, chat_id=row.id)
    assert theirs.read_only
    assert theirs.session.student_username == world.student.username
    assert [m.content for m in theirs.messages] == [m.content for m in mine.messages]


def test_get_chat_hides_it_from_everyone_else(session, world):
    row = start(session, world)
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.get_chat(session=session, actor=actor, chat_id=row.id)
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.get_chat(session=session, actor=world.student, chat_id=bad)


def test_a_former_student_still_reads_their_chats(session, world):
    row = start(session, world)
    left = schools.leave_school(session=session, actor=world.student,
                                creator_id=world.owner.creator_id)
    assert chat.get_chat(session=session, actor=left, chat_id=row.id).session.id == row.id
    assert [r.id for r in chat.list_chats(session=session, actor=left)] == [row.id]


def test_list_chats_own_only_newest_activity_first(session, world):
    first = start(session, world)
    second = start(session, world, video=world.integrals)
    classmates = start(session, world, actor=world.classmate)
    assert [r.id for r in chat.list_chats(session=session, actor=world.student)] == [
        second.id, first.id]
    turn(session, world, first.id, "What is a derivative?", "The slope [1].")
    rows = chat.list_chats(session=session, actor=world.student)
    assert [r.id for r in rows] == [first.id, second.id]
    assert (rows[0].title, rows[0].message_count) == ("What is a derivative?", 2)
    assert [r.id for r in chat.list_chats(session=session, actor=world.classmate)] == [
        classmates.id]
    assert chat.list_chats(session=session, actor=world.owner) == []
    assert chat.list_chats(session=session, actor=world.stranger) == []


def test_list_chats_searches_titles_and_messages(session, world):
    first = start(session, world)
    second = start(session, world, video=world.integrals)
    chat.rename_chat(session=session, actor=world.student, chat_id=first.id,
                     title="Exam prep 100%")
    turn(session, world, second.id, "Integrals by parts?", "Use u_dv twice [3].")

    def found(term: str) -> list[str]:
        return [r.id for r in chat.list_chats(session=session, actor=world.student, search=term)]

    assert found("exam") == [first.id]
    assert found("BY PARTS") == [second.id]          # a message, case-insensitively
    assert found("u_dv") == [second.id]              # an answer
    assert found("100%") == [first.id]
    assert found("%") == [first.id]                  # escaped: a literal percent sign
    assert found("_") == [second.id]                 # escaped: a literal underscore
    assert found("nothing like it") == []
    assert found("  ") == [second.id, first.id]


def test_student_chats_for_the_creator(session, world):
    mine = start(session, world)
    classmates = start(session, world, actor=world.classmate)
    elsewhere = start(session, world, actor=world.other, video=world.foreign)
    turn(session, world, mine.id, "What is a derivative?", "The slope [1].")
    rows = chat.student_chats(session=session, actor=world.owner)
    assert [(r.id, r.student_username) for r in rows] == [
        (mine.id, world.student.username), (classmates.id, world.classmate.username)]
    assert [r.id for r in chat.student_chats(session=session, actor=world.owner,
                                             search="derivative")] == [mine.id]
    assert [r.id for r in chat.student_chats(session=session, actor=world.other_owner)] == [
        elsewhere.id]
    for actor in (world.student, world.other, world.stranger):
        with pytest.raises(Forbidden):
            chat.student_chats(session=session, actor=actor)


# --- renaming and deleting -----------------------------------------------------------------------

def test_rename_chat_rules(session, world):
    row = start(session, world)
    renamed = chat.rename_chat(session=session, actor=world.student, chat_id=row.id,
                               title="  Chain   rule\n ")
    assert renamed.title == "Chain rule"
    assert chat.rename_chat(session=session, actor=world.student, chat_id=row.id,
                            title="x" * 120).title == "x" * 120
    for bad in ("", "   ", "x" * 121):
        with pytest.raises(InvalidInput):
            chat.rename_chat(session=session, actor=world.student, chat_id=row.id, title=bad)
    with pytest.raises(Forbidden):
        chat.rename_chat(session=session, actor=world.owner, chat_id=row.id, title="Mine")
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.rename_chat(session=session, actor=actor, chat_id=row.id, title="Mine")
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.rename_chat(session=session, actor=world.student, chat_id=bad, title="Mine")
    assert session.get(ChatSession, uuid.UUID(row.id)).title == "x" * 120


def test_delete_chat_rules(session, world):
    row = start(session, world)
    turn(session, world, row.id, "What is a derivative?", "The slope [1].")
    with pytest.raises(Forbidden):
        chat.delete_chat(session=session, actor=world.owner, chat_id=row.id)
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.delete_chat(session=session, actor=actor, chat_id=row.id)
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.delete_chat(session=session, actor=world.student, chat_id=bad)
    chat.delete_chat(session=session, actor=world.student, chat_id=row.id)
    session.expire_all()
    assert session.get(ChatSession, uuid.UUID(row.id)) is None
    assert session.exec(select(ChatMessage).where(
        ChatMessage.session_id == uuid.UUID(row.id))).all() == []
    with pytest.raises(NotFound):
        chat.get_chat(session=session, actor=world.student, chat_id=row.id)


# --- asking --------------------------------------------------------------------------------------

def test_prepare_turn_keeps_supported_hits_as_numbered_passages(session, world, tutor):
    row = start(session, world)
    retriever = Retriever(hits(world))
    prepared = chat.prepare_turn(session=session, actor=world.student, chat_id=row.id,
                                 question="  What is a derivative?  ", retrieve_fn=retriever)
    assert prepared.chat_id == row.id and prepared.question == "What is a derivative?"
    assert prepared.history == []
    assert [(p.n, p.chunk_id) for p in prepared.passages] == [(1, "c1"), (2, "c3"), (3, "c4")]
    assert all(isinstance(p, tutor.Passage) for p in prepared.passages)
    first = prepared.passages[0]
    assert (first.video_id, first.video_title, first.start, first.end, first.text) == (
        str(world.derivatives.id), "Derivatives", 65.0, 80.0, "The slope of the tangent.")
    (call,) = retriever.calls
    assert call["query"] == "What is a derivative?" and call["session"] is session
    assert call["actor"] == world.student and call["scope"].id == str(world.derivatives.id)
    stored = session.get(ChatMessage, uuid.UUID(prepared.user_message_id))
    assert (stored.role, stored.content) == ("user", "What is a derivative?")
    chat_row = session.get(ChatSession, uuid.UUID(row.id))
    assert chat_row.title == "What is a derivative?" and chat_row.last_message_at is not None


def test_prepare_turn_with_nothing_supported_has_no_passages(session, world):
    row = start(session, world)
    assert ask(session, world, row.id, result=[hits(world)[1]]).passages == []
    assert ask(session, world, row.id, result=[]).passages == []


def test_question_validation(session, world):
    row = start(session, world)
    for blank in ("", "   \n\t"):
        with pytest.raises(InvalidInput, match="Ask a question first."):
            ask(session, world, row.id, blank)
    with pytest.raises(InvalidInput, match="2,000 characters"):
        ask(session, world, row.id, "x" * 2001)
    assert ask(session, world, row.id, " " + "x" * 2000 + " ").question == "x" * 2000
    assert chat.get_chat(session=session, actor=world.student,
                         chat_id=row.id).session.message_count == 1


def test_prepare_turn_access(session, world):
    row = start(session, world)
    with pytest.raises(Forbidden):
        ask(session, world, row.id, actor=world.owner)
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            ask(session, world, row.id, actor=actor)
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            ask(session, world, bad)


def test_prepare_turn_after_access_was_lost(session, world):
    private = start(session, world)
    public = start(session, world, video=world.public)
    left = schools.leave_school(session=session, actor=world.student,
                                creator_id=world.owner.creator_id)
    with pytest.raises(NotFound):
        ask(session, world, private.id, actor=left)
    with pytest.raises(Forbidden, match="Join Calculus School"):
        ask(session, world, public.id, actor=left)
    # The scope itself may go away: an unpublished video is no longer there for students.
    row = start(session, world, actor=world.classmate, video=world.integrals)
    world.integrals.published_at = None
    session.add(world.integrals)
    session.flush()
    with pytest.raises(NotFound):
        ask(session, world, row.id, actor=world.classmate)
    assert chat.get_chat(session=session, actor=world.classmate,
                         chat_id=row.id).session.message_count == 0


def test_rate_limit(session, world, monkeypatch):
    monkeypatch.setattr(chat, "STUDENT_LIMITER", SlidingWindowLimiter(2, 60))
    row = start(session, world)
    with pytest.raises(InvalidInput):
        ask(session, world, row.id, "")  # a rejected question does not count
    ask(session, world, row.id, "One?")
    ask(session, world, row.id, "Two?")
    with pytest.raises(RateLimited, match="faster than the tutor can answer"):
        ask(session, world, row.id, "Three?")
    assert chat.get_chat(session=session, actor=world.student,
                         chat_id=row.id).session.message_count == 2
    # Per user: a classmate still asks.
    ask(session, world, start(session, world, actor=world.classmate).id, actor=world.classmate)


def test_limits():
    assert (DEFAULT_LIMITER.max_events, DEFAULT_LIMITER.window_seconds) == (20, 60)
    assert chat.QUESTION_MAX_CHARS == 2000 and chat.HISTORY_TURNS == 8


def insert_usage(session, creator_id, day: date, sent: int) -> None:
    session.execute(text(
        "INSERT INTO usage_metrics (creator_id, date, chat_messages_sent) VALUES (:c, :d, :n) "
        "ON CONFLICT (creator_id, date) DO UPDATE SET chat_messages_sent = :n"),
        {"c": creator_id, "d": day, "n": sent})


def test_monthly_quota_reached(session, world):
    row = start(session, world)
    today = datetime.now(UTC).date()
    start_of_month = today.replace(day=1)
    insert_usage(session, world.owner.creator_id, start_of_month - timedelta(days=1), 10_000)
    insert_usage(session, world.owner.creator_id, today, 499)
    assert chat.monthly_quota(session=session, actor=world.owner,
                              creator_id=world.owner.creator_id) == (499, 500)
    ask(session, world, row.id)  # last month's questions do not count
    insert_usage(session, world.owner.creator_id, today, 500)
    renew = chat._month_bounds(today)[1]
    expected = (f"Calculus School has used this month's 500 tutor questions; they renew on "
                f"{renew.strftime('%b')} {renew.day}, {renew.year}.")
    with pytest.raises(RateLimited) as err:
        ask(session, world, row.id)
    assert err.value.message == expected
    assert chat.monthly_quota(session=session, actor=world.student,
                              creator_id=str(world.owner.creator_id)) == (500, 500)


def test_quota_follows_the_plan(session, world):
    creator = session.get(Creator, world.owner.creator_id)
    creator.subscription_tier = "pro"
    session.add(creator)
    session.flush()
    insert_usage(session, world.owner.creator_id, datetime.now(UTC).date(), 500)
    ask(session, world, start(session, world).id)
    assert chat.monthly_quota(session=session, actor=world.owner,
                              creator_id=world.owner.creator_id) == (500, 5000)


def test_monthly_quota_access(session, world):
    for actor in (world.owner, world.student):
        assert chat.monthly_quota(session=session, actor=actor,
                                  creator_id=world.owner.creator_id) == (0, 500)
    for actor in (world.other, world.other_owner, world.stranger):
        with pytest.raises(NotFound):
            chat.monthly_quota(session=session, actor=actor, creator_id=world.owner.creator_id)
    for bad in BAD_IDS:
        with pytest.raises(NotFound):
            chat.monthly_quota(session=session, actor=world.student, creator_id=bad)


def test_auto_title_only_from_the_first_question(session, world):
    row = start(session, world)
    ask(session, world, row.id, "How does the chain rule relate to the derivative of composite "
                                "functions in several variables?")
    title = "How does the chain rule relate to the derivative of…"
    assert chat.get_chat(session=session, actor=world.student,
                         chat_id=row.id).session.title == title
    ask(session, world, row.id, "And the product rule?")
    assert session.get(ChatSession, uuid.UUID(row.id)).title == title
    renamed = start(session, world, video=world.integrals)
    chat.rename_chat(session=session, actor=world.student, chat_id=renamed.id, title="Mine")
    ask(session, world, renamed.id, "A first question")
    assert session.get(ChatSession, uuid.UUID(renamed.id)).title == "Mine"


def test_history_is_the_last_eight_turns_before_the_question(session, world, tutor):
    row = start(session, world)
    for i in range(1, 7):
        turn(session, world, row.id, f"Question {i}?", f"Answer {i} [1].")
    prepared = ask(session, world, row.id, "Question 7?")
    assert all(isinstance(t, tutor.Turn) for t in prepared.history)
    assert [(t.role, t.content) for t in prepared.history] == [
        ("user", "Question 3?"), ("assistant", "Answer 3 [1]."),
        ("user", "Question 4?"), ("assistant", "Answer 4 [1]."),
        ("user", "Question 5?"), ("assistant", "Answer 5 [1]."),
        ("user", "Question 6?"), ("assistant", "Answer 6 [1]."),
    ]


def test_history_leaves_out_failed_answers(session, world):
    row = start(session, world)
    turn(session, world, row.id, "Question 1?", "Answer 1.")
    prepared = ask(session, world, row.id, "Question 2?")
    answer(session, world, row.id, "", prepared.passages, error="The tutor is unavailable.")
    history = ask(session, world, row.id, "Question 3?").history
    assert [t.content for t in history] == ["Question 1?", "Answer 1.", "Question 2?"]


# --- answering -----------------------------------------------------------------------------------

def test_finish_turn_stores_cited_references_and_metadata(session, world, tutor):
    row = start(session, world)
    prepared = ask(session, world, row.id)
    before = session.get(ChatSession, uuid.UUID(row.id)).last_message_at
    usage = tutor.Usage(input_tokens=1200, output_tokens=300)
    view = answer(session, world, row.id, "The slope [1]; see also the area [3].",
                  prepared.passages, usage=usage, latency_ms=850, model="claude-3-5-haiku-latest")
    assert view.role == "assistant" and view.model == "claude-3-5-haiku-latest"
    assert not view.interrupted and not view.not_found
    assert [(c.n, c.label) for c in view.citations] == [
        (1, "Derivatives @ 1:05"), (3, "Integrals @ 1:02:05")]
    assert view.citations[0].video_id == str(world.derivatives.id)
    assert (view.citations[1].start, view.citations[1].end) == (3725.0, 3740.0)
    stored = session.get(ChatMessage, uuid.UUID(view.id))
    assert stored.content == "The slope [1]; see also the area [3]."
    assert stored.video_references == [
        {"video_id": str(world.derivatives.id), "chunk_id": "c1", "start_seconds": 65.0,
         "end_seconds": 80.0, "score": 0.9, "n": 1, "video_title": "Derivatives"},
        {"video_id": str(world.integrals.id), "chunk_id": "c4", "start_seconds": 3725.0,
         "end_seconds": 3740.0, "score": 0.8, "n": 3, "video_title": "Integrals"},
    ]
    assert stored.token_count == 1500 and stored.model == "claude-3-5-haiku-latest"
    assert stored.meta == {
        "latency_ms": 850, "input_tokens": 1200, "output_tokens": 300,
        "cost_usd": tutor.cost_usd("claude-3-5-haiku-latest", usage), "interrupted": False,
        "error": "",
        "not_found": False, "passages": 3}
    assert stored.meta["cost_usd"] > 0
    after = session.get(ChatSession, uuid.UUID(row.id)).last_message_at
    assert after is not None and after >= before


def test_finish_turn_counts_usage_and_ai_interactions(session, world, tutor):
    row = start(session, world)
    usage = tutor.Usage(input_tokens=100, output_tokens=40)
    for _ in range(2):
        prepared = ask(session, world, row.id)
        # Two passages of one video count it once per answer.
        answer(session, world, row.id, "Slope [1] and chain rule [2].", prepared.passages,
               usage=usage)
    assert usage_today(session, world.owner.creator_id) == (2, 80)
    assert ai_interactions(session, world.derivatives) == 2
    assert ai_interactions(session, world.integrals) == 0  # retrieved, not cited
    prepared = ask(session, world, row.id)
    answer(session, world, row.id, "Offline: the area [3].", prepared.passages)  # no usage
    assert usage_today(session, world.owner.creator_id) == (3, 80)
    assert ai_interactions(session, world.integrals) == 1
    assert chat.monthly_quota(session=session, actor=world.student,
                              creator_id=world.owner.creator_id) == (3, 500)


def test_finish_turn_ignores_references_to_other_schools_videos(session, world, tutor):
    row = start(session, world)
    stray = tutor.Passage(n=1, video_id=str(world.foreign.id), video_title="Sonnets",
                          chunk_id="x", start=0.0, end=1.0, text="", score=0.5)
    answer(session, world, row.id, "See [1].", [stray])
    assert ai_interactions(session, world.foreign) == 0


def test_finish_turn_flags_interrupted_failed_and_not_found(session, world, tutor):
    row = start(session, world)
    prepared = ask(session, world, row.id)
    partial = answer(session, world, row.id, "The slope of [1", prepared.passages,
                     interrupted=True)
    assert partial.interrupted and partial.content == "The slope of [1"
    assert session.get(ChatMessage, uuid.UUID(partial.id)).meta["interrupted"] is True

    failed = answer(session, world, row.id, "", prepared.passages,
                    error="The tutor is unavailable right now.")
    assert failed.content == "The tutor is unavailable right now." and failed.citations == []
    assert session.get(ChatMessage, uuid.UUID(failed.id)).meta["error"] == (
        "The tutor is unavailable right now.")

    missing = answer(session, world, row.id, f"{tutor.NOT_FOUND_TEXT} Try the chapters.", [])
    assert missing.not_found
    thread = chat.get_chat(session=session, actor=world.owner, chat_id=row.id)
    assert [(m.interrupted, m.not_found) for m in thread.messages[1:]] == [
        (True, False), (False, False), (False, True)]


def test_finish_turn_accepts_passages_as_dicts(session, world):
    row = start(session, world)
    prepared = ask(session, world, row.id)
    as_dicts = [dict(vars(p)) for p in prepared.passages]
    view = answer(session, world, row.id, "Slope [1].", as_dicts)
    assert [c.chunk_id for c in view.citations] == ["c1"]


def test_finish_turn_access(session, world):
    row = start(session, world)
    prepared = ask(session, world, row.id)
    with pytest.raises(Forbidden):
        answer(session, world, row.id, "x", prepared.passages, actor=world.owner)
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            answer(session, world, row.id, "x", prepared.passages, actor=actor)
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            answer(session, world, bad, "x", prepared.passages)
    assert usage_today(session, world.owner.creator_id) == (0, 0)


# --- export --------------------------------------------------------------------------------------

def test_export_markdown(session, world):
    row = start(session, world)
    chat.rename_chat(session=session, actor=world.student, chat_id=row.id, title="Slopes!")
    prepared = ask(session, world, row.id)
    answer(session, world, row.id, "The slope [1], the area [3].", prepared.passages)
    name, content = chat.export_chat(session=session, actor=world.student, chat_id=row.id,
                                     fmt="md")
    assert re.fullmatch(r"slopes-\d{4}-\d{2}-\d{2}\.md", name)
    assert content.startswith("# Slopes!\n")
    assert "- School: Calculus School" in content
    assert "- Asking about: Video: Derivatives" in content
    assert "## Student · " in content and "## Tutor · " in content
    assert "What is a derivative?" in content and "The slope [1], the area [3]." in content
    assert "- [1] Derivatives @ 1:05" in content
    assert "- [3] Integrals @ 1:02:05" in content
    assert "- Student:" not in content  # the student's own export
    assert content.index("## Student") < content.index("## Tutor")
    _name, theirs = chat.export_chat(session=session, actor=world.owner, chat_id=row.id,
                                     fmt="markdown")
    assert f"- Student: {world.student.username}" in theirs


def test_export_json(session, world):
    row = start(session, world)
    prepared = ask(session, world, row.id)
    answer(session, world, row.id, "The slope [1].", prepared.passages, interrupted=True)
    name, content = chat.export_chat(session=session, actor=world.owner, chat_id=row.id,
                                     fmt="JSON")
    assert name.startswith("what-is-a-derivative-") and name.endswith(".json")
    data = json.loads(content)
    assert data["id"] == row.id and data["title"] == "What is a derivative?"
    assert data["scope"] == {"kind": "video", "id": str(world.derivatives.id),
                             "label": "Video: Derivatives"}
    assert data["student"] == world.student.username and data["school"] == "Calculus School"
    assert [(m["role"], m["content"]) for m in data["messages"]] == [
        ("user", "What is a derivative?"), ("assistant", "The slope [1].")]
    reply = data["messages"][1]
    assert reply["interrupted"] is True and reply["model"] == "test-model"
    assert reply["references"] == [{
        "video_id": str(world.derivatives.id), "chunk_id": "c1", "start_seconds": 65.0,
        "end_seconds": 80.0, "score": 0.9, "n": 1, "video_title": "Derivatives",
        "label": "Derivatives @ 1:05"}]
    for stamp in (data["created_at"], data["last_message_at"], reply["created_at"]):
        assert datetime.fromisoformat(stamp).tzinfo is not None


def test_export_access_and_format(session, world):
    row = start(session, world)
    with pytest.raises(InvalidInput):
        chat.export_chat(session=session, actor=world.student, chat_id=row.id, fmt="pdf")
    for actor in outsiders(world):
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.export_chat(session=session, actor=actor, chat_id=row.id, fmt="md")
    for bad in BAD_IDS:
        with pytest.raises(NotFound, match=NOT_FOUND):
            chat.export_chat(session=session, actor=world.student, chat_id=bad, fmt="md")
    name, content = chat.export_chat(session=session, actor=world.student, chat_id=row.id,
                                     fmt="md")
    assert name.startswith("new-conversation-") and "# New conversation" in content


# --- with the real scopes ------------------------------------------------------------------------

def test_with_the_real_resolve_scope(session, world, real_scopes):
    row = start(session, world)
    assert row.scope_label == "Video: Derivatives"
    assert session.get(ChatSession, uuid.UUID(row.id)).context_video_ids == [
        str(world.derivatives.id)]
    prepared = ask(session, world, row.id)
    assert [p.n for p in prepared.passages] == [1, 2, 3]
    wide = chat.set_scope(session=session, actor=world.student, chat_id=row.id,
                          scope_kind="school", scope_id=str(world.owner.creator_id))
    assert wide.scope_label == "School: Calculus School"
    assert sorted(session.get(ChatSession, uuid.UUID(row.id)).context_video_ids) == sorted(
        str(v.id) for v in (world.derivatives, world.integrals, world.public))
    with pytest.raises(Forbidden, match="preview it from a student account"):
        start(session, world, actor=world.owner)
    with pytest.raises(NotFound):
        start(session, world, actor=world.other)
    with pytest.raises(Forbidden, match="Join Calculus School"):
        start(session, world, actor=world.stranger, video=world.public)
    for bad in BAD_IDS:
        with pytest.raises(NotFound):
            chat.start_chat(session=session, actor=world.student, scope_kind="course",
                            scope_id=bad)
    left = schools.leave_school(session=session, actor=world.student,
                                creator_id=world.owner.creator_id)
    with pytest.raises(NotFound):  # the school scope is gone with the membership
        ask(session, world, row.id, actor=left)

"""The AI tutor's conversations: a student's chats, their turns with citations, and exports.

A conversation belongs to one student row (one school) and asks about a scope of that school:
a video, a course or the whole school (`retrieval.resolve_scope`). Only the owning student may
change it or ask in it; the school's creator may read it (read-only). Anyone else gets "not
found", so a conversation's existence is not revealed.

A turn has two database steps around the model's stream, which runs outside any transaction:
`prepare_turn` checks limits, stores the question and picks the passages; `finish_turn` stores
the answer with the passages it cited and counts usage.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any

from sqlalchemy import and_, exists, func, not_, or_, text
from sqlmodel import Session, select

from chronos_app.core.errors import Forbidden, InvalidInput, NotFound, RateLimited
from chronos_app.core.plans import plan_for
from chronos_app.models import (
    ChatMessage,
    ChatSession,
    Creator,
    Student,
    UsageMetrics,
    User,
    Video,
)
from chronos_app.models.base import utcnow
from chronos_app.pipeline.sources import format_clock
from chronos_app.pipeline.tracking import add_usage
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.chat import (
    ChatSessionRow,
    ChatThread,
    Citation,
    MessageView,
    PreparedTurn,
)
from chronos_app.services.comments import relative_time
from chronos_app.services.rate_limit import SlidingWindowLimiter

__all__ = [
    "HISTORY_TURNS", "QUESTION_MAX_CHARS", "STUDENT_LIMITER", "TITLE_MAX_CHARS", "auto_title",
    "delete_chat", "export_chat", "finish_turn", "get_chat", "list_chats", "monthly_quota",
    "prepare_turn", "rename_chat", "set_scope", "start_chat", "student_chats",
]

QUESTION_MAX_CHARS = 2000
HISTORY_TURNS = 8
TITLE_MAX_CHARS = 120
AUTO_TITLE_CHARS = 60
LIST_LIMIT = 500
SCOPE_KINDS = ("video", "course", "school")
SCOPE_NAMES = {"video": "Video", "course": "Course", "school": "Whole school"}
UNTITLED = "New conversation"

CHAT_NOT_FOUND = "That conversation does not exist."
SCHOOL_NOT_FOUND = "That school does not exist."
OWNER_CANNOT_CHAT = "Students chat with the tutor; preview it from a student account."
READ_ONLY = "You can read your students' conversations but not change them."
TOO_FAST = "You are asking faster than the tutor can answer."

# At most 20 questions per user per minute (per process, like the other limiters).
STUDENT_LIMITER = SlidingWindowLimiter(max_events=20, window_seconds=60)

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- the modules the chat builds on -------------------------------------------------------------

def _retrieval() -> ModuleType:
    # Imported on use: retrieval loads the embedders, which listing chats does not need.
    return importlib.import_module("chronos_app.services.retrieval")


def _tutor() -> ModuleType:
    return importlib.import_module("chronos_app.ai.tutor")


# --- pure helpers -------------------------------------------------------------------------------

def auto_title(question: str) -> str:
    """The first ~60 characters of a question, cut at a word boundary and marked with "…"."""
    words = " ".join((question or "").split())
    if len(words) <= AUTO_TITLE_CHARS:
        return words
    head = words[:AUTO_TITLE_CHARS + 1]  # a word ending exactly at the limit stays whole
    space = head.rfind(" ")
    head = head[:space] if space > AUTO_TITLE_CHARS // 2 else words[:AUTO_TITLE_CHARS]
    return head.rstrip(" ,;:.-–—") + "…"


def citation_label(title: str, start: float) -> str:
    return f"{title} @ {format_clock(start)}"


def _parse_id(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _day(value: date) -> str:
    return f"{_MONTHS[value.month - 1]} {value.day}, {value.year}"


def _month_bounds(today: date) -> tuple[date, date]:
    """The first day of `today`'s month and of the next one (when the quota renews)."""
    start = today.replace(day=1)
    if start.month == 12:
        return start, date(start.year + 1, 1, 1)
    return start, start.replace(month=start.month + 1)


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _iso(value: datetime | None) -> str:
    value = _aware(value)
    return value.astimezone(UTC).isoformat() if value else ""


def _stamp(value: datetime | None) -> str:
    value = _aware(value)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def _slug(title: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50].strip("-")
    return slug or "conversation"


# --- access -------------------------------------------------------------------------------------

def _load(session: Session, chat_id: Any) -> tuple[ChatSession, Student, User] | None:
    cid = _parse_id(chat_id)
    if cid is None:
        return None
    return session.exec(
        select(ChatSession, Student, User)
        .join(Student, Student.id == ChatSession.student_id)
        .join(User, User.id == Student.user_id)
        .where(ChatSession.id == cid)).first()


def _readable(session: Session, actor: Actor,
              chat_id: Any) -> tuple[ChatSession, Student, User, bool]:
    """The conversation with its student and whether the actor reads it read-only (creator)."""
    found = _load(session, chat_id)
    if found is None:
        raise NotFound(CHAT_NOT_FOUND)
    chat, student, user = found
    if student.user_id == actor.user_id:
        return chat, student, user, False
    if actor.creator_id is not None and actor.creator_id == chat.creator_id:
        return chat, student, user, True
    raise NotFound(CHAT_NOT_FOUND)


def _owned(session: Session, actor: Actor, chat_id: Any) -> tuple[ChatSession, Student]:
    chat, student, _user, read_only = _readable(session, actor, chat_id)
    if read_only:
        raise Forbidden(READ_ONLY)
    return chat, student


def _active_student(session: Session, actor: Actor, creator_id: uuid.UUID | None) -> Student | None:
    if creator_id is None:
        return None
    return session.exec(select(Student).where(
        Student.user_id == actor.user_id, Student.creator_id == creator_id,
        Student.is_active.is_(True))).first()


def _school_name(session: Session, creator_id: uuid.UUID) -> str:
    found = session.exec(select(Creator, User).join(User, User.id == Creator.user_id)
                         .where(Creator.id == creator_id)).first()
    if found is None:
        return "This school"
    creator, owner = found
    return creator.name or f"{owner.username}'s school"


def _resolve(session: Session, actor: Actor, kind: Any, scope_id: Any) -> Any:
    kind = str(kind or "").strip().lower()
    if kind not in SCOPE_KINDS:
        raise InvalidInput("Ask about a video, a course or the whole school.", field="scope_kind")
    return _retrieval().resolve_scope(session=session, actor=actor, kind=kind,
                                      scope_id=str(scope_id or "").strip())


def _require_student(session: Session, actor: Actor, creator_id: uuid.UUID | None) -> Student:
    if creator_id is not None and actor.creator_id == creator_id:
        raise Forbidden(OWNER_CANNOT_CHAT)
    student = _active_student(session, actor, creator_id)
    if student is None:
        raise Forbidden(f"Join {_school_name(session, creator_id)} to ask its tutor.")
    return student


def _scope_label(session: Session, scope: Any) -> str:
    """The scope's label; a video's is "this video" (for the panel beside the player), so a
    conversation names it by title, like "Course: X" and "School: Y"."""
    if scope.kind == "video":
        vid = _parse_id(scope.id)
        video = session.get(Video, vid) if vid is not None else None
        if video is not None:
            return f"Video: {video.title}"
    return str(scope.label or "")


def _apply_scope(session: Session, chat: ChatSession, scope: Any) -> None:
    chat.meta = {**(chat.meta or {}), "scope_kind": str(scope.kind), "scope_id": str(scope.id),
                 "scope_label": _scope_label(session, scope)}  # a new dict: the JSONB is written
    chat.context_video_ids = [str(v) for v in scope.video_ids or []]


# --- views --------------------------------------------------------------------------------------

def _session_row(chat: ChatSession, *, message_count: int, now: datetime,
                 student_username: str = "") -> ChatSessionRow:
    meta = chat.meta or {}
    return ChatSessionRow(
        id=str(chat.id), title=chat.title or UNTITLED, scope_kind=str(meta.get("scope_kind", "")),
        scope_id=str(meta.get("scope_id", "")), scope_label=str(meta.get("scope_label", "")),
        last_message=relative_time(chat.last_message_at or chat.created_at, now),
        message_count=message_count, student_username=student_username)


def _citation(ref: dict[str, Any], position: int) -> Citation:
    title = str(ref.get("video_title") or "")
    start = _number(ref.get("start_seconds"))
    return Citation(n=int(ref.get("n") or position), video_id=str(ref.get("video_id") or ""),
                    video_title=title, chunk_id=str(ref.get("chunk_id") or ""), start=start,
                    end=_number(ref.get("end_seconds")), label=citation_label(title, start),
                    score=_number(ref.get("score")))


def _message_view(message: ChatMessage, now: datetime) -> MessageView:
    meta = message.meta or {}
    return MessageView(
        id=str(message.id), role=message.role, content=message.content,
        created=relative_time(message.created_at, now),
        citations=[_citation(ref, i) for i, ref in enumerate(message.video_references or [], 1)
                   if isinstance(ref, dict)],
        model=message.model or "", interrupted=bool(meta.get("interrupted")),
        not_found=bool(meta.get("not_found")))


def _messages(session: Session, chat_id: uuid.UUID) -> list[ChatMessage]:
    return list(session.exec(
        select(ChatMessage)
        .where(ChatMessage.session_id == chat_id, ChatMessage.role.in_(("user", "assistant")))
        .order_by(ChatMessage.created_at, ChatMessage.id)).all())


def _count_messages(session: Session, chat_id: uuid.UUID) -> int:
    return session.exec(select(func.count(ChatMessage.id))
                        .where(ChatMessage.session_id == chat_id)).one()


def _session_rows(session: Session, *conditions: Any, search: str,
                  with_username: bool) -> list[ChatSessionRow]:
    count = (select(func.count(ChatMessage.id)).where(ChatMessage.session_id == ChatSession.id)
             .correlate(ChatSession).scalar_subquery())
    stmt = (select(ChatSession, User.username, count)
            .join(Student, Student.id == ChatSession.student_id)
            .join(User, User.id == Student.user_id)
            .where(*conditions)
            .order_by(func.coalesce(ChatSession.last_message_at, ChatSession.created_at).desc(),
                      ChatSession.id)
            .limit(LIST_LIMIT))
    term = (search or "").strip()
    if term:
        like = f"%{_escape_like(term)}%"
        in_messages = exists().where(ChatMessage.session_id == ChatSession.id,
                                     ChatMessage.content.ilike(like, escape="\\"))
        stmt = stmt.where(or_(ChatSession.title.ilike(like, escape="\\"), in_messages))
    now = utcnow()
    return [_session_row(chat, message_count=n or 0, now=now,
                         student_username=username if with_username else "")
            for chat, username, n in session.exec(stmt).all()]


# --- conversations ------------------------------------------------------------------------------

def start_chat(*, session: Session, actor: Actor, scope_kind: str,
               scope_id: str) -> ChatSessionRow:
    """A new conversation of the actor's student row in the scope's school."""
    scope = _resolve(session, actor, scope_kind, scope_id)
    student = _require_student(session, actor, _parse_id(scope.creator_id))
    chat = ChatSession(student_id=student.id, creator_id=student.creator_id)
    _apply_scope(session, chat, scope)
    session.add(chat)
    session.flush()
    return _session_row(chat, message_count=0, now=utcnow())


def set_scope(*, session: Session, actor: Actor, chat_id: str, scope_kind: str,
              scope_id: str) -> ChatSessionRow:
    """Widen or narrow what the conversation asks about, within the same school."""
    chat, student = _owned(session, actor, chat_id)
    scope = _resolve(session, actor, scope_kind, scope_id)
    if _parse_id(scope.creator_id) != chat.creator_id:
        raise InvalidInput("A conversation stays within one school; start a new one to ask "
                           "another school's tutor.", field="scope_id")
    _require_student(session, actor, chat.creator_id)
    _apply_scope(session, chat, scope)
    session.add(chat)
    session.flush()
    return _session_row(chat, message_count=_count_messages(session, chat.id), now=utcnow())


def list_chats(*, session: Session, actor: Actor, search: str = "") -> list[ChatSessionRow]:
    """The actor's own conversations in every school, newest activity first."""
    return _session_rows(session, Student.user_id == actor.user_id, search=search,
                         with_username=False)


def student_chats(*, session: Session, actor: Actor, search: str = "") -> list[ChatSessionRow]:
    """The conversations of the creator's students, for reading (newest activity first)."""
    if actor.creator_id is None:
        raise Forbidden("Only a school's creator can read its students' conversations.")
    return _session_rows(session, ChatSession.creator_id == actor.creator_id, search=search,
                         with_username=True)


def get_chat(*, session: Session, actor: Actor, chat_id: str) -> ChatThread:
    chat, _student, user, read_only = _readable(session, actor, chat_id)
    now = utcnow()
    messages = _messages(session, chat.id)
    return ChatThread(
        session=_session_row(chat, message_count=len(messages), now=now,
                             student_username=user.username if read_only else ""),
        messages=[_message_view(m, now) for m in messages], read_only=read_only)


def rename_chat(*, session: Session, actor: Actor, chat_id: str, title: str) -> ChatSessionRow:
    chat, _student = _owned(session, actor, chat_id)
    title = " ".join((title or "").split())
    if not title:
        raise InvalidInput("Give the conversation a title.", field="title")
    if len(title) > TITLE_MAX_CHARS:
        raise InvalidInput(f"A title can be at most {TITLE_MAX_CHARS} characters.", field="title")
    chat.title = title
    session.add(chat)
    session.flush()
    return _session_row(chat, message_count=_count_messages(session, chat.id), now=utcnow())


def delete_chat(*, session: Session, actor: Actor, chat_id: str) -> None:
    """Delete the conversation and its messages for good (the owning student only)."""
    chat, _student = _owned(session, actor, chat_id)
    session.delete(chat)  # chat_messages go with it (ON DELETE CASCADE)
    session.flush()


# --- quota --------------------------------------------------------------------------------------

def _questions_used(session: Session, creator_id: uuid.UUID, today: date) -> int:
    start, renew = _month_bounds(today)
    used = session.exec(select(func.coalesce(func.sum(UsageMetrics.chat_messages_sent), 0))
                        .where(UsageMetrics.creator_id == creator_id,
                               UsageMetrics.date >= start, UsageMetrics.date < renew)).one()
    return int(used or 0)


def _question_limit(session: Session, creator_id: uuid.UUID) -> int:
    creator = session.get(Creator, creator_id)
    return plan_for(creator.subscription_tier if creator else "basic").ai_messages_per_month


def monthly_quota(*, session: Session, actor: Actor,
                  creator_id: uuid.UUID | str) -> tuple[int, int]:
    """(questions asked this calendar month (UTC), the plan's monthly limit) of a school, for
    its creator and its students."""
    cid = _parse_id(creator_id)
    if cid is None or session.get(Creator, cid) is None:
        raise NotFound(SCHOOL_NOT_FOUND)
    if actor.creator_id != cid and _active_student(session, actor, cid) is None:
        raise NotFound(SCHOOL_NOT_FOUND)
    return _questions_used(session, cid, utcnow().date()), _question_limit(session, cid)


def _check_quota(session: Session, creator_id: uuid.UUID) -> None:
    today = utcnow().date()
    limit = _question_limit(session, creator_id)
    if _questions_used(session, creator_id, today) >= limit:
        renew = _month_bounds(today)[1]
        raise RateLimited(f"{_school_name(session, creator_id)} has used this month's {limit:,} "
                          f"tutor questions; they renew on {_day(renew)}.")


# --- a turn -------------------------------------------------------------------------------------

def _supported(hit: Any, min_similarity: float) -> bool:
    return _number(hit.similarity) >= min_similarity or _number(hit.text_rank) > 0


def _history(session: Session, chat_id: uuid.UUID, tutor: ModuleType) -> list[Any]:
    """The last HISTORY_TURNS messages, oldest first; failed and empty answers left out (the
    model should not read an error text as something it said)."""
    error = ChatMessage.meta["error"].astext
    failed = and_(ChatMessage.role == "assistant", func.coalesce(error, "") != "",
                  ChatMessage.content == error)
    recent = session.exec(
        select(ChatMessage)
        .where(ChatMessage.session_id == chat_id, ChatMessage.role.in_(("user", "assistant")),
               ChatMessage.content != "", not_(failed))
        .order_by(ChatMessage.created_at.desc(), ChatMessage.id.desc())
        .limit(HISTORY_TURNS)).all()
    return [tutor.Turn(role=m.role, content=m.content) for m in reversed(recent)]


def prepare_turn(*, session: Session, actor: Actor, chat_id: str, question: str,
                 retrieve_fn: Callable[..., Sequence[Any]] | None = None) -> PreparedTurn:
    """Check the question and the limits, store it, and pick the passages the tutor may use.

    The database part only: the caller streams the answer outside any transaction and then
    calls `finish_turn`."""
    chat, _student = _owned(session, actor, chat_id)
    question = (question or "").strip()
    if not question:
        raise InvalidInput("Ask a question first.", field="question")
    if len(question) > QUESTION_MAX_CHARS:
        raise InvalidInput(f"A question can be at most {QUESTION_MAX_CHARS:,} characters "
                           f"(this one has {len(question):,}).", field="question")
    limiter_key = f"chat:{actor.user_id}"
    STUDENT_LIMITER.check(limiter_key, TOO_FAST)
    _check_quota(session, chat.creator_id)
    meta = chat.meta or {}
    scope = _resolve(session, actor, meta.get("scope_kind"), meta.get("scope_id"))
    if _parse_id(scope.creator_id) != chat.creator_id:
        raise NotFound(CHAT_NOT_FOUND)
    _require_student(session, actor, chat.creator_id)

    retrieval, tutor = _retrieval(), _tutor()
    hits = (retrieve_fn or retrieval.retrieve)(session=session, actor=actor, scope=scope,
                                               query=question)
    supported = [h for h in hits if _supported(h, retrieval.MIN_SIMILARITY)]
    passages = [tutor.Passage(n=n, video_id=str(h.video_id), video_title=str(h.video_title),
                              chunk_id=str(h.chunk_id), start=_number(h.start),
                              end=_number(h.end), text=h.text, score=_number(h.score))
                for n, h in enumerate(supported, 1)]
    history = _history(session, chat.id, tutor)

    message = ChatMessage(session_id=chat.id, role="user", content=question)
    session.add(message)
    if not chat.title:
        chat.title = auto_title(question)
    _apply_scope(session, chat, scope)  # the scope's videos may have changed since it was chosen
    chat.last_message_at = utcnow()
    session.add(chat)
    session.flush()
    STUDENT_LIMITER.hit(limiter_key)
    return PreparedTurn(chat_id=str(chat.id), question=question,
                        user_message_id=str(message.id), passages=passages, history=history)


def _as_passage(value: Any, tutor: ModuleType) -> Any:
    return tutor.Passage(**value) if isinstance(value, dict) else value


def _reference(passage: Any) -> dict[str, Any]:
    return {"video_id": str(passage.video_id), "chunk_id": str(passage.chunk_id),
            "start_seconds": _number(passage.start), "end_seconds": _number(passage.end),
            "score": _number(passage.score), "n": int(passage.n),
            "video_title": str(passage.video_title)}


def _add_ai_interactions(session: Session, *, creator_id: uuid.UUID,
                         video_ids: Iterable[Any]) -> None:
    """+1 `video_analytics.ai_interactions` today for each video (only the school's own)."""
    ids = sorted({vid for vid in (_parse_id(v) for v in video_ids) if vid is not None})
    if not ids:
        return
    session.execute(text("""
        INSERT INTO video_analytics (video_id, date, ai_interactions)
        SELECT id, CURRENT_DATE, 1 FROM videos WHERE id = ANY(:ids) AND creator_id = :creator_id
        ON CONFLICT (video_id, date)
        DO UPDATE SET ai_interactions = video_analytics.ai_interactions + 1"""),
        {"ids": ids, "creator_id": creator_id})


def finish_turn(*, session: Session, actor: Actor, chat_id: str, answer: str, passages: list,
                model: str, usage: Any = None, latency_ms: int = 0,
                interrupted: bool = False, error: str = "") -> MessageView:
    """Store the tutor's answer with the passages it cited, and count the question."""
    chat, _student = _owned(session, actor, chat_id)
    tutor = _tutor()
    answer = (answer or "").strip()
    error = (error or "").strip()
    passages = [_as_passage(p, tutor) for p in passages or []]
    cited = sorted(tutor.citations(answer, passages), key=lambda p: int(p.n)) if answer else []
    not_found = bool(answer) and bool(tutor.says_not_found(answer))
    input_tokens = int(getattr(usage, "input_tokens", 0) or 0)
    output_tokens = int(getattr(usage, "output_tokens", 0) or 0)
    cost = float(tutor.cost_usd(model, usage)) if usage is not None else 0.0
    message = ChatMessage(
        session_id=chat.id, role="assistant", content=answer or error,
        video_references=[_reference(p) for p in cited],
        token_count=input_tokens + output_tokens, model=model or None,
        meta={"latency_ms": int(latency_ms or 0), "input_tokens": input_tokens,
              "output_tokens": output_tokens, "cost_usd": cost, "interrupted": bool(interrupted),
              "error": error, "not_found": not_found, "passages": len(passages)})
    session.add(message)
    chat.last_message_at = utcnow()
    session.add(chat)
    add_usage(session, creator_id=chat.creator_id, chat_messages_sent=1,
              ai_credits_used=output_tokens)
    _add_ai_interactions(session, creator_id=chat.creator_id, video_ids=[p.video_id for p in cited])
    session.flush()
    return _message_view(message, utcnow())


# --- export -------------------------------------------------------------------------------------

def export_chat(*, session: Session, actor: Actor, chat_id: str, fmt: str) -> tuple[str, str]:
    """(filename, content) of the conversation as Markdown ("md") or JSON ("json")."""
    chat, _student, user, read_only = _readable(session, actor, chat_id)
    kind = (fmt or "").strip().lower().lstrip(".")
    if kind == "markdown":
        kind = "md"
    if kind not in ("md", "json"):
        raise InvalidInput("Export as Markdown (md) or JSON (json).", field="fmt")
    messages = _messages(session, chat.id)
    title = chat.title or UNTITLED
    meta = chat.meta or {}
    school = _school_name(session, chat.creator_id)
    filename = f"{_slug(title)}-{_aware(chat.created_at):%Y-%m-%d}.{kind}"
    if kind == "json":
        return filename, _export_json(chat, messages, title, school, user.username)
    about = meta.get("scope_label") or SCOPE_NAMES.get(meta.get("scope_kind"), "")
    lines = [f"# {title}", "", f"- School: {school}", f"- Asking about: {about}"]
    if read_only:
        lines.append(f"- Student: {user.username}")
    now = utcnow()
    lines += [f"- Started: {_stamp(chat.created_at)}", f"- Exported: {_stamp(now)}", ""]
    for m in messages:
        view = _message_view(m, now)
        heading = "Student" if m.role == "user" else "Tutor"
        lines += ["---", "", f"## {heading} · {_stamp(m.created_at)}", "", m.content or "", ""]
        if view.interrupted:
            lines += ["*(The answer was interrupted.)*", ""]
        if view.citations:
            lines += ["Sources:", ""]
            lines += [f"- [{c.n}] {c.label}" for c in view.citations]
            lines.append("")
    return filename, "\n".join(lines).rstrip() + "\n"


def _export_json(chat: ChatSession, messages: list[ChatMessage], title: str, school: str,
                 student_username: str) -> str:
    meta = chat.meta or {}
    data = {
        "id": str(chat.id), "title": title, "school": school, "student": student_username,
        "scope": {"kind": meta.get("scope_kind", ""), "id": meta.get("scope_id", ""),
                  "label": meta.get("scope_label", "")},
        "created_at": _iso(chat.created_at), "last_message_at": _iso(chat.last_message_at),
        "exported_at": _iso(utcnow()),
        "messages": [{
            "id": str(m.id), "role": m.role, "content": m.content,
            "created_at": _iso(m.created_at), "model": m.model or "",
            "interrupted": bool((m.meta or {}).get("interrupted")),
            "not_found": bool((m.meta or {}).get("not_found")),
            "references": [{**ref, "label": citation_label(str(ref.get("video_title") or ""),
                                                           _number(ref.get("start_seconds")))}
                           for ref in m.video_references or [] if isinstance(ref, dict)],
        } for m in messages],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

"""What the tutor chat shows: conversations, their messages with citations, and a prepared turn."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Citation:
    n: int = 0
    video_id: str = ""
    video_title: str = ""
    chunk_id: str = ""
    start: float = 0.0
    end: float = 0.0
    label: str = ""          # "Title @ 1:23"
    score: float = 0.0


@dataclass
class MessageView:
    id: str = ""
    role: str = ""           # "user" | "assistant"
    content: str = ""
    created: str = ""        # "just now", "5 minutes ago", "yesterday", "Nov 2, 2026"
    citations: list[Citation] = field(default_factory=list)
    model: str = ""
    interrupted: bool = False  # the stream broke or was stopped: partial answer kept and marked
    not_found: bool = False    # the tutor said the videos do not cover the question


@dataclass
class ChatSessionRow:
    id: str = ""
    title: str = ""
    scope_kind: str = ""     # "video" | "course" | "school"
    scope_id: str = ""
    scope_label: str = ""
    last_message: str = ""   # relative or date
    message_count: int = 0
    student_username: str = ""  # filled for the creator's read-only view


@dataclass
class ChatThread:
    session: ChatSessionRow = field(default_factory=ChatSessionRow)
    messages: list[MessageView] = field(default_factory=list)
    read_only: bool = False  # the creator reading a student's chat


@dataclass
class PreparedTurn:
    chat_id: str = ""
    question: str = ""
    user_message_id: str = ""
    passages: list = field(default_factory=list)  # list[tutor.Passage], numbered 1..k, supported
    history: list = field(default_factory=list)   # list[tutor.Turn], the last turns before this

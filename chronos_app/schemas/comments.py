"""What the watch page shows of the discussion: threads of comments, their text and likes."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TextPart:
    """One piece of a comment's text."""

    text: str = ""
    seconds: float = -1.0  # >= 0 when this piece is a timestamp that seeks the player


@dataclass
class CommentView:
    id: str = ""
    parent_id: str = ""
    author_username: str = ""
    author_name: str = ""      # display_name or username
    initials: str = ""         # 1-2 letters for an avatar
    content: str = ""          # "" when deleted
    parts: list[TextPart] = field(default_factory=list)   # [] when deleted
    created: str = ""          # "just now", "5 minutes ago", "yesterday", "3 days ago", "Nov 2, 2026"
    created_iso: str = ""
    edited: bool = False
    deleted: bool = False
    like_count: int = 0
    liked: bool = False        # the actor likes it
    can_edit: bool = False     # actor is the author and it is not deleted
    can_delete: bool = False   # actor is the author or owns the video; not deleted
    chapter_id: str = ""
    chapter_title: str = ""
    reply_to: str = ""         # username of the comment replied to, when replying to a reply
    is_creator: bool = False   # author is the video's creator (show a badge)


@dataclass
class ThreadView:
    comment: CommentView = field(default_factory=CommentView)
    replies: list[CommentView] = field(default_factory=list)   # every descendant, oldest first
    reply_count: int = 0       # non-deleted replies


@dataclass
class LikeState:
    liked: bool = False
    like_count: int = 0

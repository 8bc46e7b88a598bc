"""The discussion under a video on the watch page: threads, replies, edits, deletes and likes.

Whoever may watch a video (`can_view_video`) may read and join its discussion; everyone else
gets "not found", so a video's existence is not revealed. Authors edit and delete their own
comments; the creator who owns the video may also delete any comment on it (moderation).
Deletes are soft: a deleted comment keeps its thread readable as a placeholder.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, func, select

from chronos_app.core.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from chronos_app.models import Chapter, Comment, Creator, Like, User, Video
from chronos_app.models.discussion import COMMENT_MAX_CHARS
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.comments import CommentView, LikeState, TextPart, ThreadView
from chronos_app.services.media import can_view_video
from chronos_app.services.rate_limit import SlidingWindowLimiter

__all__ = [
    "COMMENT_LIMITER", "COMMENT_MAX_CHARS", "SORTS", "count_comments", "delete_comment",
    "edit_comment", "like_comment", "list_threads", "post_comment", "relative_time",
    "text_parts", "toggle_comment_like", "unlike_comment",
]

VIDEO_NOT_FOUND = "That video is not available."
COMMENT_NOT_FOUND = "That comment is not available."
PARENT_NOT_FOUND = "The comment you are replying to is not available."
SORTS = ("newest", "top")

# At most 10 comments per user per minute (per process, like the other limiters).
COMMENT_LIMITER = SlidingWindowLimiter(max_events=10, window_seconds=60)

# m:ss, mm:ss or h:mm:ss; not inside a longer number or word ("10:30:99", "a1:23", "1:23.5"),
# and not a ratio ("1:2", "16:9": the seconds always have two digits). A colon may follow
# ("12:34: the key step").
_TIMESTAMP = re.compile(
    r"(?<![\w:])(?<![0-9]\.)"
    r"(?:(?P<h>[0-9]{1,2}):(?P<hm>[0-5][0-9]):(?P<hs>[0-5][0-9])"
    r"|(?P<m>[0-9]{1,2}):(?P<s>[0-5][0-9]))"
    r"(?!\w)(?!:[0-9])(?!\.[0-9])"
)
_WORD = re.compile(r"[^\W_]+")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# --- pure helpers ---------------------------------------------------------------------------

def text_parts(text: str, duration_seconds: float | None = None) -> list[TextPart]:
    """Split a comment into plain text and timestamps that seek the player.

    A timestamp past `duration_seconds` (when given) stays plain text. Joining the parts'
    text gives back `text` exactly; nothing is interpreted as markup.
    """
    parts: list[TextPart] = []

    def plain(piece: str) -> None:
        if not piece:
            return
        if parts and parts[-1].seconds < 0:
            parts[-1].text += piece
        else:
            parts.append(TextPart(text=piece))

    pos = 0
    for match in _TIMESTAMP.finditer(text or ""):
        plain(text[pos:match.start()])
        if match.group("h") is not None:
            seconds = (int(match.group("h")) * 3600 + int(match.group("hm")) * 60
                       + int(match.group("hs")))
        else:
            seconds = int(match.group("m")) * 60 + int(match.group("s"))
        if duration_seconds is not None and seconds > duration_seconds:
            plain(match.group(0))
        else:
            parts.append(TextPart(text=match.group(0), seconds=float(seconds)))
        pos = match.end()
    plain((text or "")[pos:])
    return parts


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def relative_time(when: datetime, now: datetime) -> str:
    """"just now", "5 minutes ago", "3 hours ago", "yesterday", "3 days ago", else "Nov 2, 2026".

    Naive datetimes are taken as UTC; the calendar date is the UTC date.
    """
    when, now = _aware(when), _aware(now)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return "1 minute ago" if minutes == 1 else f"{minutes} minutes ago"
    hours = minutes // 60
    if hours < 24:
        return "1 hour ago" if hours == 1 else f"{hours} hours ago"
    days = hours // 24
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    day = when.astimezone(UTC)
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _initials(name: str) -> str:
    words = _WORD.findall(name or "")
    if not words:
        return (name or "?")[:1].upper()
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def _clean_content(content: str | None) -> str:
    cleaned = (content or "").replace("\x00", "").strip()  # Postgres text cannot hold NUL
    if not cleaned:
        raise InvalidInput("Write something before posting.", field="content")
    if len(cleaned) > COMMENT_MAX_CHARS:
        raise InvalidInput(f"Comments can be at most {COMMENT_MAX_CHARS} characters; this one "
                           f"has {len(cleaned)}.", field="content")
    return cleaned


def _uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _blank(value: uuid.UUID | str | None) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- access ---------------------------------------------------------------------------------

def _require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise Unauthenticated("Log in to join the discussion.")
    return actor


def _viewable(session: Session, actor: Actor | None,
              video: Video | None) -> tuple[Video, uuid.UUID] | None:
    """The video and its creator's user id if the actor may watch it, else None.

    A deleted video's discussion is gone for everyone, its owner included. The creator row is
    loaded here and held, so `can_view_video` finds it in the session instead of querying.
    """
    if video is None or video.is_deleted:
        return None
    creator = session.get(Creator, video.creator_id)
    if creator is None or not can_view_video(session=session, actor=actor, video=video):
        return None
    return video, creator.user_id


def _visible_video(session: Session, actor: Actor | None,
                   video_id: uuid.UUID | str) -> tuple[Video, uuid.UUID]:
    vid = _uuid(video_id)
    found = _viewable(session, actor, session.get(Video, vid) if vid is not None else None)
    if found is None:
        raise NotFound(VIDEO_NOT_FOUND)
    return found


def _visible_comment(session: Session, actor: Actor,
                     comment_id: uuid.UUID | str) -> tuple[Comment, Video, uuid.UUID]:
    cid = _uuid(comment_id)
    comment = session.get(Comment, cid) if cid is not None else None
    found = _viewable(session, actor, session.get(Video, comment.video_id)) \
        if comment is not None else None
    if comment is None or found is None:
        raise NotFound(COMMENT_NOT_FOUND)
    return comment, *found


def _owns_video(actor: Actor | None, video: Video) -> bool:
    return actor is not None and actor.creator_id is not None \
        and actor.creator_id == video.creator_id


# --- building views -------------------------------------------------------------------------

class _Context:
    """What every comment view of one video needs, loaded once."""

    def __init__(self, *, actor: Actor | None, video: Video, creator_user_id: uuid.UUID,
                 chapter_titles: dict[uuid.UUID, str], liked: set[uuid.UUID],
                 authors: dict[uuid.UUID, tuple[str, str | None]],
                 comments: dict[uuid.UUID, Comment], now: datetime):
        self.actor = actor
        self.video = video
        self.creator_user_id = creator_user_id
        self.chapter_titles = chapter_titles
        self.liked = liked
        self.authors = authors            # comment id -> (username, display_name)
        self.comments = comments          # comment id -> comment (for reply_to)
        self.now = now

    def view(self, comment: Comment) -> CommentView:
        chapter_id = str(comment.chapter_id) if comment.chapter_id else ""
        chapter_title = self.chapter_titles.get(comment.chapter_id, "") \
            if comment.chapter_id else ""
        base = CommentView(
            id=str(comment.id), parent_id=str(comment.parent_id) if comment.parent_id else "",
            created=relative_time(comment.created_at, self.now),
            created_iso=_aware(comment.created_at).isoformat(),
            chapter_id=chapter_id, chapter_title=chapter_title)
        if comment.is_deleted:  # a placeholder: no text, no author, no actions
            base.deleted = True
            return base
        username, display_name = self.authors.get(comment.id, ("", None))
        name = (display_name or "").strip() or username
        actor_id = self.actor.user_id if self.actor is not None else None
        is_author = actor_id is not None and comment.author_id == actor_id
        reply_to = ""
        parent = self.comments.get(comment.parent_id) if comment.parent_id else None
        if parent is not None and parent.parent_id is not None:
            reply_to = self.authors.get(parent.id, ("", None))[0]
        base.author_username = username
        base.author_name = name
        base.initials = _initials(name)
        base.content = comment.content
        base.parts = text_parts(comment.content, self.video.duration_seconds)
        base.edited = bool(comment.is_edited)
        base.like_count = int(comment.like_count or 0)
        base.liked = comment.id in self.liked
        base.can_edit = is_author
        base.can_delete = is_author or _owns_video(self.actor, self.video)
        base.reply_to = reply_to
        base.is_creator = comment.author_id == self.creator_user_id
        return base


def _liked_ids(session: Session, actor: Actor | None, video: Video,
               only: Iterable[uuid.UUID] | None = None) -> set[uuid.UUID]:
    if actor is None:
        return set()
    stmt = select(Like.comment_id).join(Comment, Comment.id == Like.comment_id).where(
        Like.user_id == actor.user_id, Comment.video_id == video.id)
    if only is not None:
        stmt = stmt.where(Comment.id.in_(list(only)))
    return {cid for cid in session.exec(stmt).all() if cid is not None}


def _single_view(session: Session, actor: Actor, video: Video, creator_user_id: uuid.UUID,
                 comment: Comment, now: datetime | None) -> CommentView:
    """The view of one comment (after posting or editing it): a handful of small queries."""
    ids = [comment.id] + ([comment.parent_id] if comment.parent_id else [])
    rows = session.exec(select(Comment, User.username, User.display_name)
                        .join(User, User.id == Comment.author_id)
                        .where(Comment.id.in_(ids))
                        .execution_options(populate_existing=True)).all()
    chapter_titles: dict[uuid.UUID, str] = {}
    if comment.chapter_id is not None:
        chapter = session.get(Chapter, comment.chapter_id)
        if chapter is not None:
            chapter_titles[chapter.id] = chapter.title
    ctx = _Context(actor=actor, video=video, creator_user_id=creator_user_id,
                   chapter_titles=chapter_titles,
                   liked=_liked_ids(session, actor, video, only=[comment.id]),
                   authors={c.id: (u, d) for c, u, d in rows},
                   comments={c.id: c for c, _, _ in rows},
                   now=now or datetime.now(UTC))
    return ctx.view(comment)


# --- reading --------------------------------------------------------------------------------

def list_threads(*, session: Session, actor: Actor | None, video_id: uuid.UUID | str,
                 chapter_id: str | None = None, sort: str = "newest",
                 now: datetime | None = None) -> list[ThreadView]:
    """The video's discussion: top-level comments, each with all its replies flattened.

    Queries: the video (and its school), its chapters, its comments with their authors, and
    the actor's likes among them, whatever the number of comments.
    """
    if sort not in SORTS:
        raise InvalidInput("Sort comments by newest or top.", field="sort")
    video, creator_user_id = _visible_video(session, actor, video_id)
    chapter_titles = {cid: title for cid, title in session.exec(
        select(Chapter.id, Chapter.title).where(Chapter.video_id == video.id)).all()}
    chapter_filter: uuid.UUID | None = None
    if not _blank(chapter_id):
        chapter_filter = _uuid(chapter_id)
        if chapter_filter not in chapter_titles:
            raise InvalidInput("That chapter is not part of this video.", field="chapter_id")

    rows = session.exec(select(Comment, User.username, User.display_name)
                        .join(User, User.id == Comment.author_id)
                        .where(Comment.video_id == video.id)
                        .order_by(Comment.created_at, Comment.id)
                        .execution_options(populate_existing=True)).all()  # fresh like counts
    comments = {c.id: c for c, _, _ in rows}
    ctx = _Context(actor=actor, video=video, creator_user_id=creator_user_id,
                   chapter_titles=chapter_titles, liked=_liked_ids(session, actor, video),
                   authors={c.id: (u, d) for c, u, d in rows}, comments=comments,
                   now=now or datetime.now(UTC))

    roots: dict[uuid.UUID, uuid.UUID] = {}

    def root_of(comment: Comment) -> uuid.UUID:
        seen: list[uuid.UUID] = []
        current = comment
        while current.id not in roots:
            seen.append(current.id)
            parent = comments.get(current.parent_id) if current.parent_id else None
            if parent is None or parent.id in seen:  # top level (or a broken chain)
                roots[current.id] = current.id
                break
            current = parent
        for cid in seen:
            roots[cid] = roots[current.id]
        return roots[comment.id]

    tops: list[Comment] = []
    replies: dict[uuid.UUID, list[Comment]] = defaultdict(list)
    for comment, _, _ in rows:  # oldest first
        root = root_of(comment)
        if root == comment.id:
            tops.append(comment)
        elif not comment.is_deleted:
            replies[root].append(comment)

    shown: list[tuple[Comment, list[Comment]]] = []
    for top in tops:
        live = replies.get(top.id, [])
        if top.is_deleted and not live:
            continue
        if chapter_filter is not None and top.chapter_id != chapter_filter:
            continue
        shown.append((top, live))
    shown.sort(key=lambda t: (_aware(t[0].created_at), str(t[0].id)), reverse=True)
    threads = [ThreadView(comment=ctx.view(top), replies=[ctx.view(r) for r in live],
                          reply_count=len(live)) for top, live in shown]
    if sort == "top":  # stable: equal likes and replies stay newest first
        threads.sort(key=lambda t: (t.comment.like_count, t.reply_count), reverse=True)
    return threads


def count_comments(*, session: Session, actor: Actor | None, video_id: uuid.UUID | str) -> int:
    """Live (not deleted) comments on the video, replies included."""
    video, _ = _visible_video(session, actor, video_id)
    return int(session.exec(select(func.count()).select_from(Comment).where(
        Comment.video_id == video.id, Comment.is_deleted.is_(False))).one())


# --- writing --------------------------------------------------------------------------------

def post_comment(*, session: Session, actor: Actor, video_id: uuid.UUID | str, content: str,
                 chapter_id: str | None = None, parent_id: str | None = None,
                 now: datetime | None = None) -> CommentView:
    """A new comment, or a reply when `parent_id` is given (a reply takes its parent's
    chapter). At most 10 per user per minute."""
    actor = _require_actor(actor)
    video, creator_user_id = _visible_video(session, actor, video_id)
    cleaned = _clean_content(content)
    chapter: uuid.UUID | None = None
    if not _blank(chapter_id):
        chapter = _uuid(chapter_id)
        found = session.get(Chapter, chapter) if chapter is not None else None
        if found is None or found.video_id != video.id:
            raise InvalidInput("That chapter is not part of this video.", field="chapter_id")
    parent: Comment | None = None
    if not _blank(parent_id):
        pid = _uuid(parent_id)
        parent = session.get(Comment, pid) if pid is not None else None
        if parent is None or parent.video_id != video.id:
            raise NotFound(PARENT_NOT_FOUND, field="parent_id")
        if parent.is_deleted:
            raise InvalidInput("That comment was deleted, so it cannot be answered.",
                               field="parent_id")
        chapter = parent.chapter_id
    key = f"comment:{actor.user_id}"
    COMMENT_LIMITER.check(key, "You are posting comments too quickly.")
    when = _aware(now) if now is not None else datetime.now(UTC)
    comment = Comment(video_id=video.id, chapter_id=chapter, author_id=actor.user_id,
                      parent_id=parent.id if parent is not None else None, content=cleaned,
                      created_at=when, updated_at=when)
    session.add(comment)
    session.flush()
    COMMENT_LIMITER.hit(key)
    return _single_view(session, actor, video, creator_user_id, comment, now)


def edit_comment(*, session: Session, actor: Actor, comment_id: uuid.UUID | str, content: str,
                 now: datetime | None = None) -> CommentView:
    """Change the text of one's own comment; marked edited only when the text changed."""
    actor = _require_actor(actor)
    comment, video, creator_user_id = _visible_comment(session, actor, comment_id)
    if comment.is_deleted:
        raise NotFound(COMMENT_NOT_FOUND)
    if comment.author_id != actor.user_id:
        raise Forbidden("Only the author can edit a comment.")
    cleaned = _clean_content(content)
    if cleaned != comment.content:
        comment.content = cleaned
        comment.is_edited = True
        session.add(comment)
        session.flush()
    return _single_view(session, actor, video, creator_user_id, comment, now)


def delete_comment(*, session: Session, actor: Actor, comment_id: uuid.UUID | str) -> None:
    """Soft delete, by the author or by the creator who owns the video. Twice is harmless."""
    actor = _require_actor(actor)
    comment, video, _ = _visible_comment(session, actor, comment_id)
    if comment.author_id != actor.user_id and not _owns_video(actor, video):
        raise Forbidden("Only the author or the video's creator can delete this comment.")
    if comment.is_deleted:
        return
    comment.is_deleted = True
    session.add(comment)
    session.flush()


# --- likes ----------------------------------------------------------------------------------

def _like_state(session: Session, comment: Comment, liked: bool) -> LikeState:
    session.refresh(comment, attribute_names=["like_count"])  # as the trigger left it
    return LikeState(liked=liked, like_count=int(comment.like_count or 0))


def _insert_like(session: Session, actor: Actor, comment: Comment) -> None:
    if comment.is_deleted:
        raise InvalidInput("A deleted comment cannot be liked.")
    session.flush()
    session.execute(pg_insert(Like.__table__)
                    .values(user_id=actor.user_id, comment_id=comment.id)
                    .on_conflict_do_nothing(constraint="likes_user_id_comment_id_key"))


def _delete_like(session: Session, actor: Actor, comment: Comment) -> None:
    session.flush()
    session.execute(delete(Like.__table__).where(Like.__table__.c.user_id == actor.user_id,
                                                 Like.__table__.c.comment_id == comment.id))


def like_comment(*, session: Session, actor: Actor, comment_id: uuid.UUID | str) -> LikeState:
    actor = _require_actor(actor)
    comment, _, _ = _visible_comment(session, actor, comment_id)
    _insert_like(session, actor, comment)
    return _like_state(session, comment, True)


def unlike_comment(*, session: Session, actor: Actor, comment_id: uuid.UUID | str) -> LikeState:
    """Remove the actor's like (also from a comment deleted since)."""
    actor = _require_actor(actor)
    comment, _, _ = _visible_comment(session, actor, comment_id)
    _delete_like(session, actor, comment)
    return _like_state(session, comment, False)


def toggle_comment_like(*, session: Session, actor: Actor,
                        comment_id: uuid.UUID | str) -> LikeState:
    actor = _require_actor(actor)
    comment, _, _ = _visible_comment(session, actor, comment_id)
    liked = session.exec(select(Like.id).where(Like.user_id == actor.user_id,
                                               Like.comment_id == comment.id)).first()
    if liked is not None:
        _delete_like(session, actor, comment)
        return _like_state(session, comment, False)
    _insert_like(session, actor, comment)
    return _like_state(session, comment, True)

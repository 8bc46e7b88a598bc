"""Profiles at /u/<username>, follows, and avatars.

Counts follow the definitions of the `user_stats` and `videos_with_stats` views exactly (the
tests check them against the views) but are computed with one correlated subquery per count:
the views join every follower x following x subscriber x video (and chapter x comment x like)
row before counting, which takes seconds for a modest profile. Video lists apply
`media.can_list_video`'s rule in SQL, so paging stays exact, and then check every row with
`can_list_video` itself: a video the actor may not see never shows up, not even through
someone else's likes. Subscriber-only videos show up with `locked` when the actor's tier does
not reach them (their watch page shows the gate). Inactive accounts are "not found" everywhere.

Avatars are public: PNG, JPEG, WebP or GIF (checked by extension *and* magic bytes), at most
2 MB, stored under ``avatars/<user_id>.<ext>``. `users.avatar_url` holds the media API path
``/media/avatars/<user_id>?v=<n>``; `n` grows with every change so browsers refetch.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import and_, delete, false, func, or_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, select

from chronos_app.core.errors import InvalidInput, NotFound, Unauthenticated
from chronos_app.core.storage import Storage, format_bytes, get_storage
from chronos_app.models import (
    Chapter,
    Comment,
    Creator,
    Follow,
    Like,
    Subscription,
    User,
    Video,
)
from chronos_app.models.base import utcnow
from chronos_app.pipeline.media import extension_of
from chronos_app.pipeline.sources import format_clock
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.social import PersonCard, ProfileView, VideoCard
from chronos_app.services import schools, subscriptions
from chronos_app.services.media import can_list_video, can_view_video, thumbnail_media_url

NO_ONE = "No one here goes by that name."
SELF_FOLLOW = "You can't follow yourself."
NO_ACCOUNT = "Your account no longer exists."
NO_AVATAR = "That avatar does not exist."

AVATAR_MAX_BYTES = 2 * 1024 * 1024
# Stored extension -> MIME type served. Order matters only for `avatar_file`'s lookup.
AVATAR_TYPES: dict[str, str] = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
}
AVATAR_LABELS = {"png": "PNG", "jpg": "JPEG", "webp": "WebP", "gif": "GIF"}
AVATAR_ACCEPTED = "Avatars must be PNG, JPEG, WebP or GIF images"
# The `accept` attribute for an avatar upload widget.
AVATAR_ACCEPT_ATTRIBUTE = ".png,.jpg,.jpeg,.webp,.gif," + ",".join(sorted(set(AVATAR_TYPES.values())))
_EXTENSION_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg"}
AVATAR_URL_PREFIX = "/media/avatars/"

VIDEO_PAGE_MAX = 100
PEOPLE_PAGE_MAX = 200

_WORD = re.compile(r"[^\W_]+")
# Control characters other than tab and newline (NUL cannot even be stored in a text column).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")



class AvatarFile(NamedTuple):
    key: str
    mime: str
    size: int


# --- small helpers ------------------------------------------------------------------------------

def _date(value: datetime | None) -> str:
    return value.strftime("%b %d, %Y") if value else ""


def initials(name: str) -> str:
    """'Ada Lovelace' -> 'AL', 'ada_l' -> 'AL', 'ada' -> 'A' (1-2 letters for an avatar)."""
    words = _WORD.findall(name or "")
    if not words:
        return (name or "?")[:1].upper()
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[-1][:1]).upper()


def _page(limit: int, offset: int, most: int) -> tuple[int, int]:
    return max(1, min(int(limit), most)), max(0, int(offset))


def avatar_key(user_id: uuid.UUID | str, ext: str) -> str:
    """Storage key of a user's avatar: ``avatars/<user_id>.<ext>``."""
    ext = _EXTENSION_ALIASES.get(ext.lower().lstrip("."), ext.lower().lstrip("."))
    if ext not in AVATAR_TYPES:
        raise InvalidInput(f"Unusable avatar extension: {ext!r}.")
    return f"avatars/{uuid.UUID(str(user_id))}.{ext}"


def avatar_media_url(user_id: uuid.UUID | str, version: int) -> str:
    """Path of a user's avatar on the media API (prefix it with the backend URL)."""
    return f"{AVATAR_URL_PREFIX}{uuid.UUID(str(user_id))}?v={int(version)}"


def _own_avatar_url(user: User) -> str:
    """The user's stored avatar path, or "" (anything else in the column is not ours)."""
    url = user.avatar_url or ""
    return url if url.startswith(f"{AVATAR_URL_PREFIX}{user.id}") else ""


def _avatar_version(url: str | None) -> int:
    try:
        return int(parse_qs(urlsplit(url or "").query).get("v", ["0"])[0])
    except ValueError:
        return 0


def _find_user(session: Session, username: str) -> User:
    name = (username or "").strip().lstrip("@")
    if not name:
        raise NotFound(NO_ONE)
    user = session.exec(select(User).where(func.lower(User.username) == name.lower(),
                                           User.is_active.is_(True))).first()
    if user is None:
        raise NotFound(NO_ONE)
    return user


def _me(session: Session, actor: Actor | None) -> User:
    if actor is None:
        raise Unauthenticated("Log in first.")
    user = session.get(User, actor.user_id)
    if user is None or not user.is_active:
        raise NotFound(NO_ACCOUNT)
    return user


# --- profiles -----------------------------------------------------------------------------------

def profile(*, session: Session, actor: Actor | None, username: str) -> ProfileView:
    """The profile of `username` (any case); `NotFound` for unknown or inactive accounts."""
    return _profile_view(session, actor, _find_user(session, username))


def user_counts(session: Session, user_ids: Sequence[uuid.UUID]
                ) -> dict[uuid.UUID, tuple[int, int, int, int]]:
    """user id -> (videos, followers, following, subscribers) of active users, as `user_stats`
    defines them: public undeleted videos of their school, follows both ways, and active
    subscriptions to them."""
    if not user_ids:
        return {}
    videos = (select(func.count(Video.id)).join(Creator, Creator.id == Video.creator_id)
              .where(Creator.user_id == User.id, Video.is_public.is_(True),
                     Video.is_deleted.is_(False)).scalar_subquery())
    followers_n = (select(func.count(Follow.id)).where(Follow.following_id == User.id)
                   .scalar_subquery())
    following_n = (select(func.count(Follow.id)).where(Follow.follower_id == User.id)
                   .scalar_subquery())
    subscribers = (select(func.count(func.distinct(Subscription.subscriber_id)))
                   .where(Subscription.creator_id == User.id, Subscription.is_active.is_(True))
                   .scalar_subquery())
    rows = session.exec(select(User.id, videos, followers_n, following_n, subscribers)
                        .where(User.id.in_(list(user_ids)), User.is_active.is_(True))).all()
    return {uid: (int(v or 0), int(fr or 0), int(fg or 0), int(s or 0))
            for uid, v, fr, fg, s in rows}


def _profile_view(session: Session, actor: Actor | None, user: User) -> ProfileView:
    videos, followers, following, subscribers = user_counts(session, [user.id]).get(
        user.id, (0, 0, 0, 0))
    is_me = actor is not None and actor.user_id == user.id
    is_following = follows_me = False
    if actor is not None and not is_me:
        pairs = set(session.exec(select(Follow.follower_id, Follow.following_id).where(or_(
            and_(Follow.follower_id == actor.user_id, Follow.following_id == user.id),
            and_(Follow.follower_id == user.id, Follow.following_id == actor.user_id)))).all())
        is_following = (actor.user_id, user.id) in pairs
        follows_me = (user.id, actor.user_id) in pairs
    school = session.exec(select(Creator).where(Creator.user_id == user.id,
                                                Creator.is_active.is_(True))).first()
    name = user.display_name or user.username
    return ProfileView(
        username=user.username, display_name=name, bio=user.bio or "",
        avatar_url=_own_avatar_url(user), initials=initials(name),
        is_verified=bool(user.is_verified), member_since=_date(user.created_at),
        video_count=int(videos or 0), followers_count=int(followers or 0),
        following_count=int(following or 0), subscribers_count=int(subscribers or 0),
        is_me=is_me, is_following=is_following, follows_me=follows_me,
        school_name=(school.name or f"{user.username}'s school") if school else "",
        school_id=str(school.id) if school else "")


# --- video tabs ---------------------------------------------------------------------------------

def _visible_to(actor: Actor | None) -> ColumnElement[bool]:
    """SQL for "published, not deleted, and `can_list_video` allows it" (Creator joined)."""
    member_of = list(actor.student_of) if actor is not None else []
    others = and_(Creator.is_active.is_(True),
                  or_(Video.is_public.is_(True),
                      Video.creator_id.in_(member_of) if member_of else false()))
    if actor is not None and actor.creator_id is not None:
        others = or_(Video.creator_id == actor.creator_id, others)
    return and_(Video.published_at.is_not(None), Video.is_deleted.is_(False), others)


def profile_videos(*, session: Session, actor: Actor | None, username: str, limit: int = 24,
                   offset: int = 0) -> list[VideoCard]:
    """The published videos of the user's school the actor may watch, newest first."""
    user = _find_user(session, username)
    limit, offset = _page(limit, offset, VIDEO_PAGE_MAX)
    rows = session.exec(
        select(Video, Creator, User, *_video_counts())
        .join(Creator, Creator.id == Video.creator_id)
        .join(User, User.id == Creator.user_id)
        .where(Creator.user_id == user.id, _visible_to(actor))
        .order_by(Video.published_at.desc(), Video.id)
        .limit(limit).offset(offset)).all()
    return _video_cards(session, actor, rows)


def liked_videos(*, session: Session, actor: Actor | None, username: str, limit: int = 24,
                 offset: int = 0) -> list[VideoCard]:
    """The videos the user liked, newest like first, as far as the *actor* may watch them."""
    user = _find_user(session, username)
    limit, offset = _page(limit, offset, VIDEO_PAGE_MAX)
    rows = session.exec(
        select(Video, Creator, User, *_video_counts())
        .select_from(Like)
        .join(Video, Video.id == Like.video_id)
        .join(Creator, Creator.id == Video.creator_id)
        .join(User, User.id == Creator.user_id)
        .where(Like.user_id == user.id, _visible_to(actor))
        .order_by(Like.created_at.desc(), Like.id.desc())
        .limit(limit).offset(offset)).all()
    return _video_cards(session, actor, rows)


def _video_counts() -> tuple[ColumnElement[int], ColumnElement[int]]:
    """Correlated (chapters, comments) of `Video`, as `videos_with_stats` counts them."""
    chapters = (select(func.count(Chapter.id)).where(Chapter.video_id == Video.id)
                .scalar_subquery())
    comments = (select(func.count(Comment.id))
                .where(Comment.video_id == Video.id, Comment.is_deleted.is_(False))
                .scalar_subquery())
    return chapters, comments


def _poster(video: Video) -> str:
    if video.source_type == "upload":
        return thumbnail_media_url(video.id) if video.thumbnail_url else ""
    return video.thumbnail_url or ""


def _video_cards(session: Session, actor: Actor | None,
                 rows: Iterable[tuple[Video, Creator, User, int, int]]) -> list[VideoCard]:
    cards = []
    for video, creator, owner, chapters, comments in rows:
        if not can_list_video(session=session, actor=actor, video=video):
            continue  # the SQL rule already left it out; this keeps the two from drifting
        gate = subscriptions.required_tier(video.meta)
        duration = float(video.duration_seconds or 0)
        cards.append(VideoCard(
            id=str(video.id), title=video.title, poster_url=_poster(video),
            duration=format_clock(duration) if duration else "",
            school_name=creator.name or f"{owner.username}'s school",
            creator_username=owner.username, views=int(video.view_count or 0),
            likes=int(video.like_count or 0), comments=int(comments or 0),
            chapters=int(chapters or 0),
            published=_date(video.published_at), required_tier=gate or "",
            locked=gate is not None
            and not can_view_video(session=session, actor=actor, video=video)))
    return cards


# --- follows ------------------------------------------------------------------------------------

def follow(*, session: Session, actor: Actor, username: str) -> ProfileView:
    """Follow `username`; following twice is not an error and adds nothing."""
    me = _me(session, actor)
    target = _find_user(session, username)
    if target.id == me.id:
        raise InvalidInput(SELF_FOLLOW)
    # created_at from the clock, not the transaction start, so lists order follows exactly.
    session.execute(pg_insert(Follow)
                    .values(follower_id=me.id, following_id=target.id, created_at=utcnow())
                    .on_conflict_do_nothing(constraint="follows_follower_id_following_id_key"))
    return _profile_view(session, actor, target)


def unfollow(*, session: Session, actor: Actor, username: str) -> ProfileView:
    """Stop following `username`; not following them already is not an error."""
    me = _me(session, actor)
    target = _find_user(session, username)
    session.execute(delete(Follow).where(Follow.follower_id == me.id,
                                         Follow.following_id == target.id)
                    .execution_options(synchronize_session=False))
    return _profile_view(session, actor, target)


def followers(*, session: Session, actor: Actor | None, username: str, limit: int = 50,
              offset: int = 0) -> list[PersonCard]:
    """Who follows `username`, newest first."""
    user = _find_user(session, username)
    return _people(session, actor, Follow.follower_id, Follow.following_id == user.id,
                   limit, offset)


def following(*, session: Session, actor: Actor | None, username: str, limit: int = 50,
              offset: int = 0) -> list[PersonCard]:
    """Whom `username` follows, newest first."""
    user = _find_user(session, username)
    return _people(session, actor, Follow.following_id, Follow.follower_id == user.id,
                   limit, offset)


def _people(session: Session, actor: Actor | None, person_column, condition,  # noqa: ANN001
            limit: int, offset: int) -> list[PersonCard]:
    limit, offset = _page(limit, offset, PEOPLE_PAGE_MAX)
    users = session.exec(
        select(User).join(Follow, person_column == User.id)
        .where(condition, User.is_active.is_(True))
        .order_by(Follow.created_at.desc(), Follow.id.desc())
        .limit(limit).offset(offset)).all()
    ids = [u.id for u in users]
    if not ids:
        return []
    counts = dict(session.exec(select(Follow.following_id, func.count(Follow.id))
                               .where(Follow.following_id.in_(ids))
                               .group_by(Follow.following_id)).all())
    followed = set(session.exec(select(Follow.following_id).where(
        Follow.follower_id == actor.user_id, Follow.following_id.in_(ids))).all()) \
        if actor is not None else set()
    creators = set(session.exec(select(Creator.user_id).where(
        Creator.user_id.in_(ids), Creator.is_active.is_(True))).all())
    cards = []
    for user in users:
        name = user.display_name or user.username
        cards.append(PersonCard(
            username=user.username, display_name=name, avatar_url=_own_avatar_url(user),
            initials=initials(name), is_verified=bool(user.is_verified), bio=user.bio or "",
            followers=int(counts.get(user.id) or 0), is_following=user.id in followed,
            is_creator=user.id in creators))
    return cards


# --- editing your own profile -------------------------------------------------------------------

def update_profile(*, session: Session, actor: Actor, display_name: str,
                   bio: str) -> ProfileView:
    """Set the actor's display name (one line) and bio (control characters removed), with the
    length rules of `schools.update_profile`; empty clears them."""
    me = _me(session, actor)
    display_name = " ".join(_CONTROL.sub(" ", display_name or "").split())
    bio = _CONTROL.sub("", (bio or "").replace("\r\n", "\n").replace("\r", "\n"))
    schools.update_profile(session=session, actor=actor, display_name=display_name, bio=bio)
    session.flush()
    return _profile_view(session, actor, me)


def _display_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip() or "This file"
    return name if len(name) <= 80 else name[:77] + "..."


def sniff_image(head: bytes) -> str | None:
    """The avatar extension whose magic bytes start `head` ("png", "jpg", "webp", "gif")."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def check_avatar(filename: str, data: bytes) -> str:
    """The extension to store an avatar under; `InvalidInput` unless its name *and* content
    are PNG, JPEG, WebP or GIF and it is at most `AVATAR_MAX_BYTES`."""
    name = _display_name(filename)
    raw_ext = extension_of(filename)
    ext = _EXTENSION_ALIASES.get(raw_ext, raw_ext)
    if ext not in AVATAR_TYPES:
        raise InvalidInput(f"{AVATAR_ACCEPTED}; {name} is not one.", field="avatar")
    if not data:
        raise InvalidInput(f"{name} is empty.", field="avatar")
    if len(data) > AVATAR_MAX_BYTES:
        limit, size = format_bytes(AVATAR_MAX_BYTES), format_bytes(len(data))
        if size == limit:  # "2 MB" twice would read as a contradiction
            size = f"{len(data):,} bytes"
            limit = f"{limit} ({AVATAR_MAX_BYTES:,} bytes)"
        raise InvalidInput(f"Avatars must be at most {limit}, this file is {size}.",
                           field="avatar")
    found = sniff_image(data[:16])
    if found is None:
        raise InvalidInput(f"{AVATAR_ACCEPTED}; {name} does not contain image data.",
                           field="avatar")
    if found != ext:
        raise InvalidInput(f"{AVATAR_ACCEPTED} whose name matches their content; {name} holds "
                           f"{AVATAR_LABELS[found]} data.", field="avatar")
    return ext


def set_avatar(*, session: Session, actor: Actor, filename: str, data: bytes,
               storage: Storage | None = None) -> ProfileView:
    """Store a new avatar for the actor and point `users.avatar_url` at it (a new version)."""
    ext = check_avatar(filename, data)
    me = _me(session, actor)
    storage = storage or get_storage()
    storage.save(avatar_key(me.id, ext), io.BytesIO(data), max_bytes=AVATAR_MAX_BYTES)
    for other in AVATAR_TYPES:  # the previous file, if it had another extension
        if other != ext:
            storage.delete(avatar_key(me.id, other))
    me.avatar_url = avatar_media_url(me.id, _avatar_version(_own_avatar_url(me)) + 1)
    session.add(me)
    session.flush()
    return _profile_view(session, actor, me)


def remove_avatar(*, session: Session, actor: Actor,
                  storage: Storage | None = None) -> ProfileView:
    """Delete the actor's avatar file(s) and clear `users.avatar_url`; fine when there is none."""
    me = _me(session, actor)
    storage = storage or get_storage()
    for ext in AVATAR_TYPES:
        storage.delete(avatar_key(me.id, ext))
    me.avatar_url = None
    session.add(me)
    session.flush()
    return _profile_view(session, actor, me)


def avatar_file(*, session: Session, user_id: uuid.UUID | str,
                storage: Storage | None = None) -> AvatarFile:
    """The stored avatar of an active user, for the media API; `NotFound` when there is none."""
    try:
        uid = uuid.UUID(str(user_id).strip())
    except ValueError:
        raise NotFound(NO_AVATAR) from None
    user = session.get(User, uid)
    if user is None or not user.is_active or not _own_avatar_url(user):
        raise NotFound(NO_AVATAR)
    storage = storage or get_storage()
    for ext, mime in AVATAR_TYPES.items():
        key = avatar_key(uid, ext)
        try:
            return AvatarFile(key=key, mime=mime, size=storage.size(key))
        except NotFound:
            continue
    raise NotFound(NO_AVATAR)

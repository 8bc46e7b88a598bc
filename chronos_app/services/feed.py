"""Feeds: videos of the creators you follow, a ranked "for you" feed and the feed of a tag.

Who sees what follows `media.can_view_video`, written as SQL so that paging stays correct: a
video is listed only when it is published, not deleted, of an active school, and public, or
of a school the actor is an active student of, or of the actor's own school. (The owner's
unpublished previews are not feed material.) Subscriber-only videos stay listed, so people
discover them: their cards carry `required_tier` and `locked` (the actor's tier does not reach
it, `subscriptions.REACHES_SQL`), and their watch page shows the gate.

Every page is two queries whatever its size: the cards (with their school, creator, live
comment count and chapter count) and the first chapters of all of them.

Cursors are opaque strings: base64url of a small JSON object, checked when read back; anything
else is `InvalidInput`. The newest-first feeds page on (published_at, id), so videos published
after the first page land before it and never shift later pages. "For you" freezes the moment
its scores are computed at (`as_of`) in the cursor and leaves out everything published after
it, so its pages neither repeat nor skip while new videos arrive. (Likes and views keep
counting meanwhile; a video whose score changes between two pages can move across the page
boundary.)
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from chronos_app.core.errors import InvalidInput
from chronos_app.models.base import utcnow
from chronos_app.pipeline.sources import format_clock
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.discover import ChapterLink, FeedCard, FeedPage
from chronos_app.services.media import thumbnail_media_url
from chronos_app.services.subscriptions import REACHES_SQL, required_tier

DEFAULT_LIMIT = 12
MAX_LIMIT = 50
CARD_CHAPTERS = 12
MAX_CURSOR_CHARS = 512
MAX_TAG_CHARS = 64

# "For you": score = ln(1 + likes) * W_LIKES + ln(1 + views) * W_VIEWS + FOLLOW_BOOST (when the
# actor follows the creator) - age_hours / HALF_LIFE_HOURS * ln 2. In multiplicative terms
# e^score = (1 + likes)^W_LIKES * (1 + views)^W_VIEWS * e^boost * 2^(-age / half-life):
# a week of age halves a video's weight, following its creator multiplies it by e^2.
W_LIKES = 1.0
W_VIEWS = 0.5
FOLLOW_BOOST = 2.0
HALF_LIFE_HOURS = 7 * 24
SCORE_DECIMALS = 9  # scores are compared as exact numerics, so a cursor round-trips exactly

BAD_CURSOR = "That page link is not valid any more. Start again from the first page."

TAG_PATTERN = re.compile(r"[\w-]+")

# Which videos an actor may see in a list (`v` = videos, `cr` = creators), bound to
# :actor_user and :actor_creator (both NULL for an anonymous visitor).
VISIBLE_SQL = """
    v.is_deleted = false AND v.published_at IS NOT NULL AND cr.is_active
    AND (v.is_public
         OR cr.id = CAST(:actor_creator AS uuid)
         OR EXISTS (SELECT 1 FROM students st
                    WHERE st.creator_id = v.creator_id AND st.is_active
                      AND st.user_id = CAST(:actor_user AS uuid)))
"""

CARD_COLUMNS_SQL = f"""
    v.id, v.title, v.description, v.tags, v.source_type, v.thumbnail_url,
    v.duration_seconds, v.view_count, v.like_count, v.published_at,
    cr.name AS school_name, u.username, u.display_name,
    (SELECT count(*) FROM comments cm
     WHERE cm.video_id = v.id AND cm.is_deleted = false) AS comment_count,
    (SELECT count(*) FROM chapters ch WHERE ch.video_id = v.id) AS chapter_count,
    v.metadata->>'required_tier' AS required_tier, NOT {REACHES_SQL} AS locked
"""

CARD_FROM_SQL = """
    FROM videos v
    JOIN creators cr ON cr.id = v.creator_id
    JOIN users u ON u.id = cr.user_id
"""

_CHAPTERS_SQL = text(f"""
    SELECT video_id, title, start_time_seconds FROM (
        SELECT ch.video_id, ch.title, ch.start_time_seconds,
               row_number() OVER (PARTITION BY ch.video_id
                                  ORDER BY ch.chapter_order, ch.start_time_seconds) AS n
        FROM chapters ch WHERE ch.video_id IN :ids) numbered
    WHERE n <= {CARD_CHAPTERS}
    ORDER BY video_id, n
""").bindparams(bindparam("ids", expanding=True))


# --- pure helpers -------------------------------------------------------------------------------

def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """"just now", "5 minutes ago", "1 day ago", "3 weeks ago", "2 years ago"; "" for None."""
    if moment is None:
        return ""
    now = _aware(now or utcnow())
    seconds = (now - _aware(moment)).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400),
                       ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'' if count == 1 else 's'} ago"
    return "just now"  # pragma: no cover - the loop always returns from a minute on


def normalize_tag(tag: str) -> str:
    """A tag as stored and linked: trimmed, lowercase, without leading '#'."""
    return (tag or "").strip().lstrip("#").strip().lower()


def poster_url(source_type: str, video_id: uuid.UUID | str, thumbnail_url: str | None) -> str:
    """Like `watch._poster`: uploads with a thumbnail are served by the media API."""
    if source_type == "upload":
        return thumbnail_media_url(video_id) if thumbnail_url else ""
    return thumbnail_url or ""


def clamp_limit(limit: Any, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    try:
        value = int(limit)
    except (TypeError, ValueError):
        return default
    return max(1, min(value, maximum))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- cursors ------------------------------------------------------------------------------------

def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> dict[str, Any] | None:
    """The cursor's JSON object (None for ""), or `InvalidInput` if it is not one of ours."""
    if not cursor:
        return None
    if not isinstance(cursor, str) or len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidInput(BAD_CURSOR, field="cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidInput(BAD_CURSOR, field="cursor") from None
    if not isinstance(payload, dict) or payload.get("k") != kind:
        raise InvalidInput(BAD_CURSOR, field="cursor")
    return payload


def _cursor_time(payload: dict[str, Any], key: str) -> datetime:
    value = payload.get(key)
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(BAD_CURSOR, field="cursor")
    return moment


def _cursor_id(payload: dict[str, Any]) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload.get("i")))
    except ValueError:
        raise InvalidInput(BAD_CURSOR, field="cursor") from None


def _cursor_score(payload: dict[str, Any]) -> Decimal:
    value = payload.get("s")
    try:
        score = Decimal(value) if isinstance(value, str) and len(value) <= 40 else None
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite():
        raise InvalidInput(BAD_CURSOR, field="cursor")
    return score


# --- cards --------------------------------------------------------------------------------------

def actor_params(actor: Actor | None) -> dict[str, Any]:
    """The bind parameters of `VISIBLE_SQL`."""
    return {"actor_user": actor.user_id if actor else None,
            "actor_creator": actor.creator_id if actor else None}


def cards_from_rows(session: Session, rows: Sequence[Any],
                    now: datetime | None = None) -> list[FeedCard]:
    """FeedCards of rows selected with `CARD_COLUMNS_SQL`, chapters loaded in one query."""
    if not rows:
        return []
    chapters: dict[uuid.UUID, list[ChapterLink]] = {}
    for video_id, title, start in session.execute(_CHAPTERS_SQL,
                                                  {"ids": [r.id for r in rows]}):
        start = float(start)
        chapters.setdefault(video_id, []).append(
            ChapterLink(title=title, start=start, label=format_clock(start)))
    now = now or utcnow()
    cards = []
    for r in rows:
        duration = float(r.duration_seconds or 0)
        cards.append(FeedCard(
            id=str(r.id), title=r.title, poster_url=poster_url(r.source_type, r.id,
                                                               r.thumbnail_url),
            duration=format_clock(duration) if duration else "",
            school_name=r.school_name or f"{r.username}'s school",
            creator_username=r.username, creator_display_name=r.display_name or r.username,
            published=relative_time(r.published_at, now),
            views=int(r.view_count or 0), likes=int(r.like_count or 0),
            comments=int(r.comment_count or 0), chapter_count=int(r.chapter_count or 0),
            chapters=chapters.get(r.id, []), description=r.description or "",
            tags=list(r.tags or []),
            required_tier=required_tier({"required_tier": r.required_tier}) or "",
            locked=bool(r.locked)))
    return cards


def cards_by_id(*, session: Session, actor: Actor | None,
                ids: Sequence[uuid.UUID]) -> dict[str, FeedCard]:
    """Cards of the visible videos among `ids` (two queries), keyed by id."""
    if not ids:
        return {}
    sql = text(f"SELECT {CARD_COLUMNS_SQL} {CARD_FROM_SQL} "
               f"WHERE v.id IN :ids AND {VISIBLE_SQL}").bindparams(
        bindparam("ids", expanding=True))
    rows = session.execute(sql, {"ids": list(ids), **actor_params(actor)}).all()
    return {card.id: card for card in cards_from_rows(session, rows)}


# --- newest first ------------------------------------------------------------------------------

def _newest_page(session: Session, actor: Actor | None, *, kind: str, where: str,
                 params: dict[str, Any], cursor: str, limit: int) -> FeedPage:
    limit = clamp_limit(limit)
    payload = decode_cursor(cursor, kind)
    after = ""
    values = {**params, **actor_params(actor), "n": limit + 1}
    if payload is not None:
        values["c_at"], values["c_id"] = _cursor_time(payload, "p"), _cursor_id(payload)
        after = ("AND (v.published_at, v.id) < "
                 "(CAST(:c_at AS timestamptz), CAST(:c_id AS uuid))")
    sql = text(f"""
        SELECT {CARD_COLUMNS_SQL} {CARD_FROM_SQL}
        WHERE {VISIBLE_SQL} AND {where} {after}
        ORDER BY v.published_at DESC, v.id DESC
        LIMIT :n""")
    rows = session.execute(sql, values).all()
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = ""
    if more:
        last = rows[-1]
        next_cursor = encode_cursor({"k": kind, "p": _aware(last.published_at).isoformat(),
                                     "i": str(last.id)})
    return FeedPage(cards=cards_from_rows(session, rows), next_cursor=next_cursor)


def following_feed(*, session: Session, actor: Actor | None, cursor: str = "",
                   limit: int = DEFAULT_LIMIT) -> FeedPage:
    """Newest public videos of the creators the actor follows (follows.following_id is the
    creator's user). Members-only videos stay in the school's own pages."""
    if actor is None:
        decode_cursor(cursor, "following")
        return FeedPage()
    where = """v.is_public AND EXISTS (
        SELECT 1 FROM follows fo
        WHERE fo.follower_id = CAST(:actor_user AS uuid) AND fo.following_id = cr.user_id)"""
    return _newest_page(session, actor, kind="following", where=where, params={},
                        cursor=cursor, limit=limit)


def tag_feed(*, session: Session, actor: Actor | None, tag: str, cursor: str = "",
             limit: int = DEFAULT_LIMIT) -> FeedPage:
    """Newest videos carrying `tag` (case-insensitive; "#Python" is "python")."""
    name = normalize_tag(tag)
    if not name or len(name) > MAX_TAG_CHARS or not TAG_PATTERN.fullmatch(name):
        raise InvalidInput("That is not a tag.", field="tag")
    where = ("EXISTS (SELECT 1 FROM unnest(v.tags) AS t(tag) "
             "WHERE lower(ltrim(btrim(t.tag), '#')) = :tag)")
    return _newest_page(session, actor, kind="tag", where=where, params={"tag": name},
                        cursor=cursor, limit=limit)


# --- for you ------------------------------------------------------------------------------------

_SCORE_SQL = f"""
    round(CAST(
        ln(1.0 + CAST(greatest(v.like_count, 0) AS float8)) * {W_LIKES}
      + ln(1.0 + CAST(greatest(v.view_count, 0) AS float8)) * {W_VIEWS}
      + CASE WHEN EXISTS (SELECT 1 FROM follows fo
                          WHERE fo.follower_id = CAST(:actor_user AS uuid)
                            AND fo.following_id = cr.user_id)
             THEN {FOLLOW_BOOST} ELSE 0.0 END
      - CAST(extract(epoch FROM (CAST(:as_of AS timestamptz) - v.published_at)) AS float8)
        / 3600.0 / {HALF_LIFE_HOURS} * ln(CAST(2.0 AS float8))
    AS numeric), {SCORE_DECIMALS})
"""


def for_you(*, session: Session, actor: Actor | None, cursor: str = "",
            limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> FeedPage:
    """Visible videos ranked by likes, views, recency (half-life a week) and whether the actor
    follows the creator; see `_SCORE_SQL`. `now` fixes the ranking time of a first page
    (tests); later pages use the `as_of` their cursor carries."""
    limit = clamp_limit(limit)
    payload = decode_cursor(cursor, "for_you")
    values: dict[str, Any] = {**actor_params(actor), "n": limit + 1}
    after = ""
    if payload is None:
        as_of = _aware(now or utcnow())
    else:
        as_of = _cursor_time(payload, "a")
        values["c_score"], values["c_id"] = _cursor_score(payload), _cursor_id(payload)
        after = "WHERE (score, id) < (CAST(:c_score AS numeric), CAST(:c_id AS uuid))"
    values["as_of"] = as_of
    sql = text(f"""
        SELECT * FROM (
            SELECT {CARD_COLUMNS_SQL}, {_SCORE_SQL} AS score {CARD_FROM_SQL}
            WHERE {VISIBLE_SQL} AND v.published_at <= CAST(:as_of AS timestamptz)
        ) ranked
        {after}
        ORDER BY score DESC, id DESC
        LIMIT :n""")
    rows = session.execute(sql, values).all()
    more, rows = len(rows) > limit, rows[:limit]
    next_cursor = ""
    if more:
        last = rows[-1]
        next_cursor = encode_cursor({"k": "for_you", "a": as_of.isoformat(),
                                     "s": str(last.score), "i": str(last.id)})
    return FeedPage(cards=cards_from_rows(session, rows), next_cursor=next_cursor)


def score(*, likes: int, views: int, age_hours: float, followed: bool = False) -> float:
    """The "for you" score in Python (documentation and tests; the feed computes it in SQL)."""
    return (math.log1p(max(likes, 0)) * W_LIKES + math.log1p(max(views, 0)) * W_VIEWS
            + (FOLLOW_BOOST if followed else 0.0)
            - age_hours / HALF_LIFE_HOURS * math.log(2))

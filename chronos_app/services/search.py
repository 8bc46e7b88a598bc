"""Search videos and creators, trending tags, and the `#tag` links of a description.

Video search is PostgreSQL full text (`websearch_to_tsquery('english', ...)`, so "quoted
phrases", `or` and `-word` work) over the title and tags (weight A), the description (B) and
the timed transcript segments (C). Only videos the actor may see are searched (the rule of
`feed.VISIBLE_SQL`); a subscriber-only video the actor's tier does not reach is found by its
title, tags and description (its card shows the lock) but never by its transcript, so no
snippet quotes gated content. A hit's rank is 1 + 0.75 x the title/tags/description rank when those
matched, plus 0.25 x the best transcript segment's rank (each `ts_rank_cd` normalised into
[0, 1)), so every title, tag or description match ranks above every transcript-only match.

Snippets come from `ts_headline` with the matched words wrapped as «word»: from the best
matching transcript segment when there is one (and then `at` is that segment's start), else
from the description. They are plain text: « and » in the source become quotes first, and any
HTML-like tags are removed.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from chronos_app.core.errors import InvalidInput
from chronos_app.models.base import utcnow
from chronos_app.pipeline.sources import format_clock
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.discover import CreatorHit, SearchHit, TagCount
from chronos_app.services.feed import (
    MAX_TAG_CHARS,
    VISIBLE_SQL,
    actor_params,
    cards_by_id,
    clamp_limit,
)
from chronos_app.services.subscriptions import REACHES_SQL

MAX_QUERY_CHARS = 200
TOO_LONG = f"Search for at most {MAX_QUERY_CHARS} characters."

# One passage (not fragments: those drop the first word and the punctuation of a short cue).
HEADLINE_OPTIONS = "StartSel=«, StopSel=», MaxWords=35, MinWords=15, ShortWord=3"

_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>")
_SPACE = re.compile(r"\s+")

_SEARCH_SQL = text(f"""
    WITH q AS (SELECT websearch_to_tsquery('english', :q) AS query),
    vis AS (
        SELECT v.id, v.title, v.description, v.published_at,
               setweight(to_tsvector('english', v.title), 'A')
               || setweight(to_tsvector('english', array_to_string(v.tags, ' ')), 'A')
               || setweight(to_tsvector('english', coalesce(v.description, '')), 'B') AS doc,
               {REACHES_SQL} AS reached
        FROM videos v JOIN creators cr ON cr.id = v.creator_id
        WHERE {VISIBLE_SQL}
    ),
    seg AS (
        SELECT DISTINCT ON (s.video_id) s.video_id, s.start_seconds, s.text,
               ts_rank_cd(setweight(to_tsvector('english', s.text), 'C'), q.query, 32)
                   AS seg_rank
        FROM video_segments s CROSS JOIN q
        WHERE to_tsvector('english', s.text) @@ q.query
          AND s.video_id IN (SELECT id FROM vis WHERE vis.reached)
        ORDER BY s.video_id, seg_rank DESC, s.start_seconds
    ),
    ranked AS (
        SELECT vis.id, vis.title, vis.description, vis.published_at,
               seg.start_seconds, seg.text AS seg_text,
               CAST(CASE WHEN vis.doc @@ q.query
                         THEN 1.0 + 0.75 * ts_rank_cd(vis.doc, q.query, 32)
                         ELSE 0.0 END
                    + 0.25 * coalesce(seg.seg_rank, 0) AS float8) AS rank
        FROM vis CROSS JOIN q LEFT JOIN seg ON seg.video_id = vis.id
        WHERE vis.doc @@ q.query OR seg.video_id IS NOT NULL
        ORDER BY rank DESC, vis.published_at DESC, vis.id DESC
        LIMIT :n
    )
    SELECT r.id, r.rank, r.start_seconds,
           ts_headline('english',
                       translate(coalesce(r.seg_text, nullif(r.description, ''), r.title),
                                 '«»', '""'),
                       q.query, :opts) AS snippet
    FROM ranked r CROSS JOIN q
    ORDER BY r.rank DESC, r.published_at DESC, r.id DESC
""")


def _query_text(query: Any) -> str:
    q = query.strip() if isinstance(query, str) else ""
    if len(q) > MAX_QUERY_CHARS:
        raise InvalidInput(TOO_LONG, field="query")
    return q


def clean_snippet(snippet: str) -> str:
    """Plain text: HTML-like tags removed, whitespace collapsed."""
    return _SPACE.sub(" ", _MARKUP.sub("", snippet or "")).strip()


def search_videos(*, session: Session, actor: Actor | None, query: str,
                  limit: int = 20) -> list[SearchHit]:
    """Videos matching `query`, best first (three queries). Blank query → []."""
    q = _query_text(query)
    if not q:
        return []
    rows = session.execute(_SEARCH_SQL, {"q": q, "n": clamp_limit(limit, 20),
                                         "opts": HEADLINE_OPTIONS,
                                         **actor_params(actor)}).all()
    cards = cards_by_id(session=session, actor=actor, ids=[r.id for r in rows])
    hits = []
    for r in rows:
        card = cards.get(str(r.id))
        if card is None:  # hidden between the two queries
            continue
        at = float(r.start_seconds) if r.start_seconds is not None else -1.0
        hits.append(SearchHit(card=card, snippet=clean_snippet(r.snippet), at=at,
                              at_label=format_clock(at) if at >= 0 else "",
                              rank=round(float(r.rank), 6)))
    return hits


def _like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_CREATORS_SQL = text(r"""
    SELECT u.username, u.display_name, cr.name AS school_name, u.avatar_url,
           (SELECT count(*) FROM follows f WHERE f.following_id = u.id) AS followers,
           CASE WHEN lower(u.username) = :exact THEN 0
                WHEN u.username ILIKE :prefix ESCAPE '\'
                  OR coalesce(u.display_name, '') ILIKE :prefix ESCAPE '\'
                  OR coalesce(cr.name, '') ILIKE :prefix ESCAPE '\' THEN 1
                ELSE 2 END AS tier
    FROM creators cr JOIN users u ON u.id = cr.user_id
    WHERE cr.is_active AND u.is_active
      AND (u.username ILIKE :contains ESCAPE '\'
           OR coalesce(u.display_name, '') ILIKE :contains ESCAPE '\'
           OR coalesce(cr.name, '') ILIKE :contains ESCAPE '\')
    ORDER BY tier, followers DESC, u.username
    LIMIT :n
""")


def search_creators(*, session: Session, actor: Actor | None, query: str,
                    limit: int = 10) -> list[CreatorHit]:
    """Active creators whose username, display name or school name contains `query`
    (case-insensitive, literally: % and _ are no wildcards). Exact usernames first, then
    prefixes, then the rest; most followed first within each. Blank query → []."""
    q = _query_text(query).lstrip("@").strip()
    if not q:
        return []
    pattern = _like_escape(q)
    rows = session.execute(_CREATORS_SQL, {
        "exact": q.lower(), "prefix": f"{pattern}%", "contains": f"%{pattern}%",
        "n": clamp_limit(limit, 10)}).all()
    return [CreatorHit(username=r.username, display_name=r.display_name or r.username,
                       school_name=r.school_name or f"{r.username}'s school",
                       avatar_url=r.avatar_url or "", followers=int(r.followers))
            for r in rows]


_TRENDING_SQL = text(f"""
    SELECT tag, count(DISTINCT id) AS videos, sum(weight) AS weight FROM (
        SELECT v.id, lower(ltrim(btrim(t.tag), '#')) AS tag,
               greatest(v.view_count, 0) + greatest(v.like_count, 0) AS weight
        FROM videos v JOIN creators cr ON cr.id = v.creator_id
        CROSS JOIN LATERAL unnest(v.tags) AS t(tag)
        WHERE {VISIBLE_SQL}
          AND v.published_at >= CAST(:since AS timestamptz)
          AND v.published_at <= CAST(:now AS timestamptz)
    ) tagged
    WHERE tag <> ''
    GROUP BY tag
    ORDER BY videos DESC, weight DESC, tag
    LIMIT :n
""")


def trending_tags(*, session: Session, actor: Actor | None, days: int = 14,
                  limit: int = 12) -> list[TagCount]:
    """Tags of the videos the actor may watch published in the last `days` (1..365).

    Weighted by COUNT: `TagCount.count` is the number of such videos carrying the tag (tags
    compared lowercase without '#'); ties go to the tag whose videos have more views + likes,
    then alphabetically."""
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise InvalidInput("Choose a number of days.", field="days") from None
    if not 1 <= days <= 365:
        raise InvalidInput("Choose between 1 and 365 days.", field="days")
    now = utcnow()
    rows = session.execute(_TRENDING_SQL, {"since": now - timedelta(days=days), "now": now,
                                           "n": clamp_limit(limit, 12),
                                           **actor_params(actor)}).all()
    return [TagCount(tag=r.tag, count=int(r.videos)) for r in rows]


# A '#tag' at the start or after a space or opening punctuation (so not "page#anchor",
# "/#route" or "&#39;"), of letters, digits, '_' and '-', starting and ending with a letter,
# digit or '_'.
_TAG_LINK = re.compile(r"(?<![^\s(\[{\"'“‘,;!])#(\w(?:[\w-]*\w)?)")


def tag_links(text: str) -> list[tuple[str, str]]:
    """Split a description into (text, tag) parts: plain text is (text, ""), a hashtag is
    ("#Original", "original") with the tag normalised for the link `/tags/<tag>`. A hashtag
    needs a letter ("#1" is text) and at most 64 characters."""
    parts: list[tuple[str, str]] = []
    pending = ""
    position = 0
    source = text or ""
    for match in _TAG_LINK.finditer(source):
        name = match.group(1)
        if len(name) > MAX_TAG_CHARS or not any(c.isalpha() for c in name):
            continue
        pending += source[position:match.start()]
        if pending:
            parts.append((pending, ""))
            pending = ""
        parts.append((match.group(0), name.lower()))
        position = match.end()
    pending += source[position:]
    if pending:
        parts.append((pending, ""))
    return parts

"""What the tutor may quote: the passages of the videos an actor may see in one scope (a video,
a course, a school), ranked by pgvector cosine and Postgres full text fused by reciprocal rank.

`resolve_scope` turns what the UI asks about into a `Scope` (access-checked: anything the actor
may not see is `NotFound`, so existence is not revealed); `retrieve` returns the supported
passages of that scope only. The SQL filter is built from the scope's video ids and re-checks
the videos' school, deletion and publication, so a scope cannot leak another tenant's chunks;
only chunks embedded by the query's embedder (`video_chunks.embedding_model`) are compared.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, select

from chronos_app.ai.base import Embedder
from chronos_app.ai.local_embedder import STOPWORDS
from chronos_app.core.errors import NotFound
from chronos_app.models import Course, CourseModule, Creator, ModuleLesson, Student, User, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import subscriptions
from chronos_app.services.media import can_view_video

__all__ = ["EXACT_LIMIT", "HNSW_EF_SEARCH", "MIN_SIMILARITY", "MODES", "RRF_K", "SCOPE_KINDS",
           "TOP_K", "Hit", "Scope", "candidate_count", "or_tsquery", "resolve_scope", "retrieve",
           "rrf", "school_scopes", "search", "supported"]

SCOPE_KINDS = ("video", "course", "school")
MODES = ("vector", "text", "hybrid")
SCOPE_NOT_FOUND = "There is nothing you can ask about there."

# Chosen by the tutor-retrieval evaluation (`python -m chronos_app.evaluation`): the 76
# TutorialVQA transcripts as one school (499 chunks of 120/18 words, LocalEmbedder
# `local-hash-v1`, pgvector 0.6.2), its 300 questions plus 36 unanswerable ones of ours
# (evaluation/unanswerable.json), school scope, a hit counts only in the question's own video
# (figures move by ~0.003 between runs: ties break by random chunk ids):
#   mode     R@1    R@5    MRR    cite±5s         threshold  answerable  answered  unanswerable
#   vector  0.300  0.567  0.422  0.127                        kept     (window)    rejected
#   text    0.313  0.610  0.443  0.110              0.15      0.977     0.667       0.278
#   hybrid  0.340  0.603  0.461  0.130              0.20      0.917     0.620       0.722
#                                                   0.22      0.893     0.607       0.833 <-
#   k  recall@k (no threshold / 0.22)              0.24      0.853     0.550       0.889
#   5       0.603 / 0.550                           0.26      0.807     0.470       0.917
#   6       0.637 / 0.573                           0.30      0.627     0.350       0.972
#   8       0.680 / 0.607  <- TOP_K             ("answered": the answer window is among the
#  10       0.700 / 0.613                         k supported passages; TOP_K = 8)
# MIN_SIMILARITY = 0.22 is the knee: up to it each step rejects many more off-topic questions
# while losing few answers (0.677 answered with no threshold -> 0.607); past it the answers
# lost grow faster than the rejections gained (0.24: -5.7 points answered for +5.6 rejected;
# 36 negatives make one question 2.8 points). TOP_K = 8: each passage up to 8 still adds ~2
# points of recall, past 8 about 1 (school scope; inside one video R@5 is already 0.99). The
# cosine scale is the embedder's: another model (OpenAI) needs its own threshold measured.
TOP_K = 8
MIN_SIMILARITY = 0.22
RRF_K = 60  # the usual constant (Cormack et al. 2009); the chunking grid used it too
CANDIDATES_MIN = 40  # each ranking contributes max(4 k, 40) candidates to the fusion

# Below this many chunks in scope the vector ranking is exact (a sequential scan of the scope's
# chunks, which the planner cannot turn into an HNSW scan that filters recall away afterwards);
# at or above it the HNSW index answers with a raised ef_search (iterative scan from pgvector
# 0.8), and a short answer (pgvector < 0.8 filters the index's ef_search nearest neighbours
# after the scan) falls back to exact. Measured on pgvector 0.6.2, 40,000 chunks of 1536-d
# random vectors in 400 videos, ranking 40 candidates, median of 5:
#   scope chunks   1,000   5,000   10,000   20,000   40,000
#   exact (ms)        19      59      135      211      450
#   HNSW (ms)         35      29       58       30       35   rows: 2, 25, 40, 40, 40 of 40
# Exact stays under ~0.2 s (small next to an LLM answer) up to 20,000 chunks; the HNSW scan
# came back short for scopes of 12.5 % of the table or less (then exact answers anyway).
EXACT_LIMIT = 20000
HNSW_EF_SEARCH = 200
QUERY_MAX_CHARS = 2000
BM25_K1 = 1.2
_TSQUERY_TERMS_MAX = 32
_WORD = re.compile(r"[^\W_]+")


@dataclass
class Scope:
    """A resolved, access-checked scope: the published videos the actor may see in it."""

    kind: str
    id: str
    label: str            # "this video", "Course: X", "School: Y"
    creator_id: str
    video_ids: list[str]


@dataclass
class Hit:
    chunk_id: str
    video_id: str
    video_title: str
    start: float
    end: float
    text: str
    score: float          # fused RRF score
    similarity: float     # cosine similarity (1 - distance), 0 if only a text hit
    text_rank: float      # BM25-style sum of idf x ts_rank_cd, 0 if only a vector hit


# --- pure rules ---------------------------------------------------------------------------------

def rrf(rankings: list[list[str]], k: int = RRF_K) -> dict[str, float]:
    """Reciprocal rank fusion: each id scores the sum of 1 / (k + rank) over the rankings it is
    in (rank 1 = best)."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return scores


def or_tsquery(question: str) -> str:
    """`to_tsquery` text matching any content word of the question ("w1 | w2 ..."), built only
    from alphanumeric words (no operator can get in); "" when there is none."""
    words: list[str] = []
    for word in _WORD.findall((question or "").lower()):
        if len(word) < 2 or word in STOPWORDS or word in words:
            continue
        words.append(word)
        if len(words) == _TSQUERY_TERMS_MAX:
            break
    return " | ".join(words)


def supported(hits: Iterable[Hit], k: int = TOP_K,
              min_similarity: float = MIN_SIMILARITY) -> list[Hit]:
    """The first `k` hits (in ranking order) similar enough to the question to support an
    answer; [] means the scope does not answer it. A passage found only by full text
    (similarity 0: not among the vector candidates) never supports an answer on its own."""
    return [hit for hit in hits if hit.similarity >= min_similarity][:max(k, 0)]


def candidate_count(k: int) -> int:
    return max(4 * k, CANDIDATES_MIN)


# --- scopes -----------------------------------------------------------------------------------------

def _parse_id(value: object) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _active_member(session: Session, actor: Actor, creator_id: uuid.UUID) -> bool:
    """From the database, not the actor (which may be stale after leaving the school)."""
    return session.exec(select(Student.id).where(
        Student.user_id == actor.user_id, Student.creator_id == creator_id,
        Student.is_active.is_(True))).first() is not None


def _school_label(session: Session, creator: Creator) -> str:
    if creator.name:
        return f"School: {creator.name}"
    username = session.exec(select(User.username).where(User.id == creator.user_id)).first()
    return f"School: {username}'s school"


def _ids(values: Iterable[uuid.UUID]) -> list[str]:
    return [str(v) for v in dict.fromkeys(values)]


def resolve_scope(*, session: Session, actor: Actor | None, kind: str, scope_id: str) -> Scope:
    """The scope the actor asks about, with the published videos they may see in it.

    - video: a video the actor may watch (`can_view_video`: the owner's, or published and
      public or of a school the actor is an active student of), not deleted;
    - course: a published, not deleted course of an active school the actor is an active
      student of (its lessons' published videos); the owner: any own course not deleted (its
      lessons' videos not deleted);
    - school: an active school the actor is an active student of (its published videos); the
      owner: every own video not deleted that has chunks.
    Subscriber-only videos above the actor's tier (`services.subscriptions`) are in no scope
    of theirs (a gated video or course of its own is `NotFound`).
    Anything else — unknown kind, malformed id, another tenant — is `NotFound`."""
    target = _parse_id(scope_id)
    if actor is None or target is None or kind not in SCOPE_KINDS:
        raise NotFound(SCOPE_NOT_FOUND)
    if kind == "video":
        return _video_scope(session, actor, target)
    if kind == "course":
        return _course_scope(session, actor, target)
    return _school_scope(session, actor, target)


def _video_scope(session: Session, actor: Actor, video_id: uuid.UUID) -> Scope:
    video = session.get(Video, video_id)
    if video is None or video.is_deleted \
            or not can_view_video(session=session, actor=actor, video=video):
        raise NotFound(SCOPE_NOT_FOUND)
    owner = actor.creator_id is not None and actor.creator_id == video.creator_id
    if not owner and not video.is_public and not _active_member(session, actor,
                                                                 video.creator_id):
        raise NotFound(SCOPE_NOT_FOUND)  # a members-only video, and the actor has left
    return Scope(kind="video", id=str(video.id), label="this video",
                 creator_id=str(video.creator_id), video_ids=[str(video.id)])


def _course_scope(session: Session, actor: Actor, course_id: uuid.UUID) -> Scope:
    row = session.exec(select(Course, Creator).join(Creator, Creator.id == Course.creator_id)
                       .where(Course.id == course_id)).first()
    if row is None or row[0].is_deleted:
        raise NotFound(SCOPE_NOT_FOUND)
    course, creator = row
    owner = actor.creator_id is not None and actor.creator_id == course.creator_id
    if not owner and (not course.is_published or not creator.is_active
                      or not _active_member(session, actor, course.creator_id)
                      or subscriptions.course_gate(session=session, actor=actor, course=course)):
        raise NotFound(SCOPE_NOT_FOUND)
    stmt = (select(ModuleLesson.video_id)
            .join(CourseModule, CourseModule.id == ModuleLesson.module_id)
            .join(Video, Video.id == ModuleLesson.video_id)
            .where(CourseModule.course_id == course.id, Video.creator_id == course.creator_id,
                   Video.is_deleted.is_(False))
            .order_by(CourseModule.display_order, CourseModule.created_at, CourseModule.id,
                      ModuleLesson.lesson_order, ModuleLesson.id))
    if not owner:
        stmt = stmt.where(Video.published_at.is_not(None), _tier_reached(session, actor, creator))
    return Scope(kind="course", id=str(course.id), label=f"Course: {course.title}",
                 creator_id=str(course.creator_id), video_ids=_ids(session.exec(stmt).all()))


def _tier_reached(session: Session, actor: Actor, creator: Creator):  # noqa: ANN202
    """`Video` is not subscriber-only above the actor's tier in the school."""
    locked = subscriptions.locked_tiers(session=session, actor=actor, creator_id=creator.id)
    return func.coalesce(Video.meta["required_tier"].astext, "").not_in(locked)


def _school_scope(session: Session, actor: Actor, creator_id: uuid.UUID) -> Scope:
    creator = session.get(Creator, creator_id)
    if creator is None:
        raise NotFound(SCOPE_NOT_FOUND)
    owner = actor.creator_id is not None and actor.creator_id == creator.id
    if not owner and (not creator.is_active or not _active_member(session, actor, creator.id)):
        raise NotFound(SCOPE_NOT_FOUND)
    stmt = select(Video.id).where(Video.creator_id == creator.id, Video.is_deleted.is_(False))
    if owner:
        stmt = stmt.where(text("EXISTS (SELECT 1 FROM video_chunks c "
                               "WHERE c.video_id = videos.id)"))
    else:
        stmt = stmt.where(Video.published_at.is_not(None), _tier_reached(session, actor, creator))
    ids = session.exec(stmt.order_by(Video.created_at, Video.id)).all()
    return Scope(kind="school", id=str(creator.id), label=_school_label(session, creator),
                 creator_id=str(creator.id), video_ids=_ids(ids))


def school_scopes(*, session: Session, actor: Actor | None) -> list[Scope]:
    """The schools the actor may ask about: their own first, then every active school they are
    an active student of, by label."""
    if actor is None:
        return []
    out = []
    if actor.creator_id is not None:
        out.append(_school_scope(session, actor, actor.creator_id))
    memberships = session.exec(
        select(Creator.id).join(Student, Student.creator_id == Creator.id)
        .where(Student.user_id == actor.user_id, Student.is_active.is_(True),
               Creator.is_active.is_(True))).all()
    schools = [_school_scope(session, actor, cid) for cid in set(memberships)
               if cid != actor.creator_id]
    return out + sorted(schools, key=lambda s: (s.label.casefold(), s.id))


# --- retrieval --------------------------------------------------------------------------------------

_HIT_COLUMNS = ("c.id AS chunk_id, c.video_id, v.title AS video_title, "
                "c.start_time_seconds AS start, c.end_time_seconds AS \"end\", "
                "c.chunk_text AS text")


def _visible(scope: Scope, actor: Actor | None) -> tuple[str, dict[str, Any]]:
    """The WHERE clause (on `c` video_chunks joined to `v` videos) of the scope's chunks the
    actor may see, rebuilt from the scope: its videos, of its school, not deleted, and unless
    the actor owns the school published, of an active school, public or the actor's school,
    and not subscriber-only above the actor's tier (`subscriptions.reaches_sql`)."""
    creator = _parse_id(scope.creator_id)
    video_ids = [v for v in (_parse_id(i) for i in scope.video_ids) if v is not None]
    params: dict[str, Any] = {"video_ids": video_ids, "creator_id": creator}
    where = ("c.video_id = ANY(:video_ids) AND v.creator_id = :creator_id "
             "AND v.is_deleted = false AND c.embedding_model = :model")
    owner = actor is not None and actor.creator_id is not None and actor.creator_id == creator
    if not owner:
        params["member"] = actor is not None and creator in actor.student_of
        params["actor_user"] = actor.user_id if actor is not None else None
        params["actor_creator"] = actor.creator_id if actor is not None else None
        where += (" AND v.published_at IS NOT NULL AND (v.is_public OR :member) AND EXISTS "
                  "(SELECT 1 FROM creators cr WHERE cr.id = v.creator_id AND cr.is_active) AND "
                  + subscriptions.reaches_sql(
                      "(SELECT cr.user_id FROM creators cr WHERE cr.id = v.creator_id)"))
    return where, params


def _vector_literal(vector: Sequence[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def _pgvector_version(session: Session) -> tuple[int, ...]:
    raw = session.execute(text(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'")).scalar() or "0"
    return tuple(int(p) for p in re.findall(r"\d+", raw)[:3])


def _vector_ranking(session: Session, where: str, params: dict[str, Any], n: int,
                    path: str | None) -> list[Any]:
    scoped = session.execute(text(
        f"SELECT count(*) FROM (SELECT 1 FROM video_chunks c JOIN videos v ON v.id = c.video_id "
        f"WHERE {where} AND c.embedding IS NOT NULL LIMIT :limit) s"),
        {**params, "limit": max(EXACT_LIMIT, n)}).scalar()
    if path == "exact" or (path is None and scoped < EXACT_LIMIT):
        return _exact_vector(session, where, params, n)
    rows = _hnsw_vector(session, where, params, n)
    if len(rows) < min(n, scoped):
        # pgvector < 0.8 filters the index's ef_search nearest neighbours: a scope that is a
        # small part of a big table can come back short. Exact is slower, never wrong.
        return _exact_vector(session, where, params, n)
    return rows


def _exact_vector(session: Session, where: str, params: dict[str, Any], n: int) -> list[Any]:
    # MATERIALIZED: the planner must filter first, then rank every scoped chunk exactly.
    return session.execute(text(
        f"WITH scoped AS MATERIALIZED (SELECT {_HIT_COLUMNS}, c.embedding "
        f"FROM video_chunks c JOIN videos v ON v.id = c.video_id "
        f"WHERE {where} AND c.embedding IS NOT NULL) "
        f"SELECT chunk_id, video_id, video_title, start, \"end\", text, "
        f"1 - (embedding <=> CAST(:q AS vector)) AS similarity FROM scoped "
        f"ORDER BY embedding <=> CAST(:q AS vector), chunk_id LIMIT :n"),
        {**params, "n": n}).all()


def _hnsw_vector(session: Session, where: str, params: dict[str, Any], n: int) -> list[Any]:
    settings = {"hnsw.ef_search": str(max(HNSW_EF_SEARCH, n))}
    if _pgvector_version(session) >= (0, 8):
        settings["hnsw.iterative_scan"] = "strict_order"
    previous = {name: session.execute(text("SELECT current_setting(:name, true)"),
                                      {"name": name}).scalar() for name in settings}
    try:
        for name, value in settings.items():
            session.execute(text("SELECT set_config(:name, :value, true)"),
                            {"name": name, "value": value})
        # The inner ORDER BY ... LIMIT on video_chunks alone is what the HNSW index serves.
        return session.execute(text(
            f"WITH nearest AS (SELECT c.id, c.embedding <=> CAST(:q AS vector) AS distance "
            f"FROM video_chunks c WHERE c.video_id = ANY(:video_ids) "
            f"AND c.embedding_model = :model "
            f"ORDER BY c.embedding <=> CAST(:q AS vector) LIMIT :n) "
            f"SELECT {_HIT_COLUMNS}, 1 - nearest.distance AS similarity "
            f"FROM nearest JOIN video_chunks c ON c.id = nearest.id "
            f"JOIN videos v ON v.id = c.video_id "
            f"WHERE {where} AND nearest.distance IS NOT NULL "
            f"ORDER BY nearest.distance, c.id"),
            {**params, "n": n}).all()
    finally:
        for name, value in previous.items():
            if value is not None:
                session.execute(text("SELECT set_config(:name, :value, true)"),
                                {"name": name, "value": value})


def _text_ranking(session: Session, where: str, params: dict[str, Any], tsquery: str,
                  n: int) -> list[Any]:
    """The scope's chunks matching any content word, ranked BM25-style: the sum over the words
    of idf (from the scope: ln(1 + (N - df + 0.5) / (df + 0.5))) times the word's ts_rank_cd
    saturated like BM25's term frequency (k1 = 1.2; ts_rank_cd gives 0.1 per occurrence).
    Plain ts_rank_cd of the OR query has no idf: "photoshop" or "layer" then outweigh the
    rare word that names the answer (evaluation, school scope, text only: R@1 0.15 -> 0.31)."""
    return session.execute(text(
        f"WITH matched AS MATERIALIZED (SELECT {_HIT_COLUMNS}, c.search_vector AS sv "
        f"FROM video_chunks c JOIN videos v ON v.id = c.video_id "
        f"WHERE {where} AND c.search_vector @@ to_tsquery('english', :tsquery)), "
        f"total AS MATERIALIZED (SELECT count(*) AS n FROM video_chunks c "
        f"JOIN videos v ON v.id = c.video_id WHERE {where}), "
        f"terms AS MATERIALIZED (SELECT DISTINCT to_tsquery('english', w) AS q "
        f"FROM unnest(CAST(:words AS text[])) AS w), "
        f"df AS MATERIALIZED (SELECT t.q, ln(1 + (total.n - count(m.chunk_id) + 0.5) "
        f"/ (count(m.chunk_id) + 0.5)) AS idf FROM terms t CROSS JOIN total "
        f"JOIN matched m ON m.sv @@ t.q WHERE numnode(t.q) > 0 GROUP BY t.q, total.n) "
        f"SELECT m.chunk_id, m.video_id, m.video_title, m.start, m.\"end\", m.text, "
        f"sum(df.idf * ts_rank_cd(m.sv, df.q) * {BM25_K1 + 1} "
        f"/ (ts_rank_cd(m.sv, df.q) + {0.1 * BM25_K1:.4f})) AS text_rank "
        f"FROM matched m JOIN df ON m.sv @@ df.q "
        f"GROUP BY m.chunk_id, m.video_id, m.video_title, m.start, m.\"end\", m.text "
        f"ORDER BY text_rank DESC, m.chunk_id LIMIT :n"),
        {**params, "tsquery": tsquery, "words": tsquery.split(" | "), "n": n}).all()


def search(*, session: Session, actor: Actor | None, scope: Scope, query: str,
           k: int = TOP_K, embedder: Embedder | None = None, mode: str = "hybrid",
           vector_path: str | None = None) -> list[Hit]:
    """Every candidate of the scope for the question, best first, before any threshold: up to
    max(4 k, 40) per ranking (`mode`: "vector", "text" or "hybrid" = both fused by RRF).
    `vector_path` forces "exact" or "hnsw" (None: by the scope's size). Shared by `retrieve`
    and the evaluation."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    query = " ".join((query or "").split())[:QUERY_MAX_CHARS]
    if not query or not scope.video_ids:
        return []
    if embedder is None:
        from chronos_app.ai.providers import get_embedder

        embedder = get_embedder()
    where, params = _visible(scope, actor)
    params["model"] = embedder.model
    n = candidate_count(k)
    rows: dict[str, Any] = {}
    rankings: list[list[str]] = []
    similarity: dict[str, float] = {}
    text_rank: dict[str, float] = {}
    if mode in ("vector", "hybrid"):
        params["q"] = _vector_literal(embedder.embed([query])[0])
        found = _vector_ranking(session, where, params, n, vector_path)
        for row in found:
            rows[str(row.chunk_id)] = row
            similarity[str(row.chunk_id)] = float(row.similarity)
        rankings.append([str(row.chunk_id) for row in found])
    tsquery = or_tsquery(query)
    if mode in ("text", "hybrid") and tsquery:
        found = _text_ranking(session, where, params, tsquery, n)
        for row in found:
            rows.setdefault(str(row.chunk_id), row)
            text_rank[str(row.chunk_id)] = float(row.text_rank)
        rankings.append([str(row.chunk_id) for row in found])
    fused = rrf(rankings)
    order = sorted(fused, key=lambda cid: (-fused[cid], -similarity.get(cid, 0.0),
                                           -text_rank.get(cid, 0.0), cid))
    return [Hit(chunk_id=cid, video_id=str(rows[cid].video_id),
                video_title=rows[cid].video_title, start=float(rows[cid].start),
                end=float(rows[cid].end), text=rows[cid].text, score=fused[cid],
                similarity=similarity.get(cid, 0.0), text_rank=text_rank.get(cid, 0.0))
            for cid in order]


def retrieve(*, session: Session, actor: Actor | None, scope: Scope, query: str,
             k: int = TOP_K, embedder: Embedder | None = None) -> list[Hit]:
    """The passages of the scope that support an answer to `query`, best first, at most `k`;
    [] when nothing in the scope is similar enough (the tutor then says it does not know)."""
    return supported(search(session=session, actor=actor, scope=scope, query=query, k=k,
                            embedder=embedder, mode="hybrid"), k, MIN_SIMILARITY)

"""`python -m chronos_app.evaluation.bench_retrieval` (also part of `make bench`): latency and
recall of the tutor's scoped retrieval (`chronos_app.services.retrieval.search`) on synthetic
libraries of 10k, 100k and 1M chunks, in a throwaway database on a private embedded server.

Data (generated, loaded with binary COPY): schools of 25 videos of 100 chunks (2,500 chunks per
school at every size, so the scopes are the same size everywhere and only the table grows:
10k = 4 schools, 100k = 40, 1M = 400). Vectors are unit 1536-d, clustered: a school centroid,
a video centroid and a slowly drifting topic along the video (AR(1)) plus noise, so that a
query's nearest neighbours are the neighbouring chunks of one video, not an arbitrary tie among
equidistant random points. Texts are 24 words: the video's topic words, stopwords and random
words of a 600-word vocabulary. `embedding_model` is the LocalEmbedder's.

Queries: a random chunk's vector plus noise (cosine ~0.89 to it), and three of its topic words
as the question text, asked at three scopes that all contain that chunk: its video (100
chunks), a course of 10 videos around it (1,000), its whole school (2,500). Each (size, scope,
mode, path) runs WARMUP queries first, then QUERIES timed calls of `search` (the query vector
is handed over by a stub embedder, so embedding time is not counted; session per request).

Paths: "exact" is what the product does for these scopes (every scope is under EXACT_LIMIT:
exact cosine ranking of the scope's chunks). "hnsw" forces the HNSW branch by setting
EXACT_LIMIT to 0 (only where the index was built); its fallback to exact, when the filtered
index scan comes back short, is counted, and "hnsw_query" is the recall and time of that
branch's own query before the fallback (EXPLAIN ANALYZE of one query per scope and path shows
whether the planner served it with the HNSW index: for small scopes it may not). recall@10 is
measured against a brute-force top 10 of the scope (vector) or the exact path's fused top 10
(hybrid). The HNSW index (m=16, ef_construction=64 as in the schema) is built after loading and
timed; at a size where the build is estimated (from the largest build of this run, n log n) to
exceed BENCH_RETRIEVAL_HNSW_CAP seconds (default 1200) it is skipped: the product path there
is the exact one anyway.

Environment: BENCH_RETRIEVAL_SIZES=10000,100000,1000000 (default; "none" skips),
BENCH_RETRIEVAL_QUERIES (100), BENCH_RETRIEVAL_HNSW_CAP (1200). Figures -> the "retrieval" key
of bench-results.json at the repository root.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import struct
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from chronos_app.ai.base import EMBEDDING_DIM
from chronos_app.ai.local_embedder import MODEL, STOPWORDS
from chronos_app.core.settings import REPO_ROOT

DEFAULT_SIZES = (10_000, 100_000, 1_000_000)
CHUNKS_PER_VIDEO = 100
VIDEOS_PER_SCHOOL = 25
COURSE_VIDEOS = 10
SCOPES = ("video", "course", "school")
MODES = ("vector", "hybrid")
K = 10
WARMUP = 10
QUERIES = 100
HNSW_CAP_SECONDS = 1200.0
WORDS_PER_CHUNK = 24
TOPIC_WORDS = 8
VOCABULARY = 600
VIDEOS_PER_BATCH = 40
# Vector model (each term a random direction of norm ~1): school, video, drifting topic, noise.
W_SCHOOL, W_VIDEO, W_TOPIC, W_NOISE, RHO = 0.5, 0.7, 0.8, 0.35, 0.9
QUERY_NOISE = 0.5
FILLERS = ("the", "and", "we", "is", "so", "this", "of", "a", "to", "it", "that", "in")

_COPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
_COPY_TRAILER = struct.pack(">h", -1)
_VECTOR_LITERAL = re.compile(r"'\[[-+0-9.e,]+\]'::vector")


def sizes_from_env(value: str | None = None) -> list[int]:
    raw = os.environ.get("BENCH_RETRIEVAL_SIZES") if value is None else value
    if raw is None or not raw.strip():
        return list(DEFAULT_SIZES)
    if raw.strip().lower() in ("0", "none", "off", "skip"):
        return []
    sizes = sorted({int(float(part)) for part in raw.replace(" ", "").split(",") if part})
    if any(s < CHUNKS_PER_VIDEO for s in sizes):
        raise ValueError(f"BENCH_RETRIEVAL_SIZES: each size must be >= {CHUNKS_PER_VIDEO}")
    return sizes


# --- the throwaway server and database ------------------------------------------------------

@contextlib.contextmanager
def private_server() -> Iterator[str]:
    """A private embedded PostgreSQL (pgserver) in a temp folder; yields the admin URI. The
    server is stopped and the folder removed afterwards, also on failure."""
    import pgserver

    root = Path(tempfile.mkdtemp(prefix="chronos-bench-"))
    server = None
    try:
        server = pgserver.get_server(root / "pg", cleanup_mode="delete")
        yield server.get_uri("postgres")
    finally:
        if server is not None:
            with contextlib.suppress(Exception):
                server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def throwaway_database(admin_uri: str) -> Iterator[str]:
    """A migrated database, dropped afterwards (also on failure); yields its SQLAlchemy URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    from chronos_app.core import migrate

    name = f"chronos_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin_uri.replace("postgresql://", "postgresql+psycopg://"))
        url = url.set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin_uri, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _psycopg_uri(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- synthetic library ----------------------------------------------------------------------

@dataclass
class Library:
    chunks: int
    creator_ids: list[uuid.UUID]
    video_ids: list[uuid.UUID]
    video_creator: list[int]                     # video index -> creator index
    video_chunks: list[int]                      # video index -> chunk count
    creator_videos: dict[int, list[int]] = field(default_factory=dict)
    video_index: dict[str, int] = field(default_factory=dict)   # str(video id) -> index

    def scope_chunks(self, scope: Any) -> int:
        return sum(self.video_chunks[self.video_index[v]] for v in scope.video_ids)

    def course_of(self, video: int) -> list[int]:
        """The COURSE_VIDEOS consecutive videos of the video's school around it."""
        videos = self.creator_videos[self.video_creator[video]]
        pos = videos.index(video)
        start = max(0, min(pos // COURSE_VIDEOS * COURSE_VIDEOS, len(videos) - COURSE_VIDEOS))
        return videos[start:start + COURSE_VIDEOS]


def vocabulary(n: int = VOCABULARY) -> list[str]:
    """`n` distinct pronounceable non-words (no stopword, no stemming collisions to speak of)."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    rng = np.random.default_rng(11)
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < n:
        word = "".join(syllables[i] for i in rng.integers(0, len(syllables), 3))
        if word not in seen and word not in STOPWORDS:
            seen.add(word)
            words.append(word)
    return words


def _unit(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Random directions of norm ~1 (N(0, 1/d) coordinates), float32."""
    out = rng.standard_normal(shape, dtype=np.float32)
    out *= 1.0 / math.sqrt(EMBEDDING_DIM)
    return out


def _video_vectors(rng: np.random.Generator, school: np.ndarray, n_chunks: int) -> np.ndarray:
    """(videos, n_chunks, d) unit vectors for a batch of videos with these school centroids."""
    videos = school.shape[0]
    base = W_SCHOOL * school + W_VIDEO * _unit(rng, videos, EMBEDDING_DIM)
    topic = _unit(rng, videos, EMBEDDING_DIM)
    out = np.empty((videos, n_chunks, EMBEDDING_DIM), dtype=np.float32)
    step = math.sqrt(1.0 - RHO * RHO)
    for i in range(n_chunks):
        topic = RHO * topic + step * _unit(rng, videos, EMBEDDING_DIM)
        out[:, i] = base + W_TOPIC * topic
    out += W_NOISE * _unit(rng, videos, n_chunks, EMBEDDING_DIM)
    out /= np.linalg.norm(out, axis=2, keepdims=True)
    return out


def _texts(rng: np.random.Generator, words: np.ndarray, videos: int, n_chunks: int) -> list[str]:
    topics = np.stack([rng.choice(len(words), TOPIC_WORDS, replace=False) for _ in range(videos)])
    shape = (videos, n_chunks, WORDS_PER_CHUNK)
    kind = rng.random(shape)
    pick = np.where(
        kind < 0.45,
        np.take_along_axis(topics[:, None, :].repeat(n_chunks, 1),
                           rng.integers(0, TOPIC_WORDS, shape), axis=2),
        np.where(kind < 0.8, len(words) + rng.integers(0, len(FILLERS), shape),
                 rng.integers(0, len(words), shape)))
    lexicon = np.concatenate([words, np.array(FILLERS, dtype=object)])
    return [" ".join(row) for row in lexicon[pick.reshape(-1, WORDS_PER_CHUNK)].tolist()]


def _uuids(rng: np.random.Generator, n: int) -> list[bytes]:
    raw = rng.integers(0, 256, (n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # RFC 4122 version 4 / variant bits
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    flat = raw.tobytes()
    return [flat[16 * i:16 * i + 16] for i in range(n)]


def _copy_rows(ids: list[bytes], video_id: list[bytes], index: list[int], texts: list[str],
               vectors: np.ndarray) -> bytes:
    """Binary COPY rows for (id, video_id, chunk_index, chunk_text, embedding, embedding_model,
    start_time_seconds, end_time_seconds, word_count); pgvector's binary format is int16 dim,
    int16 unused, dim float4 big-endian."""
    dim = vectors.shape[1]
    raw = memoryview(vectors.astype(">f4").tobytes())
    width = 4 * dim
    vec_head = struct.pack(">ihh", 4 + width, dim, 0)
    model = MODEL.encode()
    model_field = struct.pack(">i", len(model)) + model
    head = struct.Struct(">hi16si16sii")
    tail = struct.Struct(">idid" + "ii")
    parts: list[Any] = []
    for i, text in enumerate(texts):
        body = text.encode()
        start = 30.0 * index[i]
        parts += (head.pack(9, 16, ids[i], 16, video_id[i], 4, index[i]),
                  struct.pack(">i", len(body)), body, vec_head, raw[i * width:(i + 1) * width],
                  model_field, tail.pack(8, start, 8, start + 30.0, 4, WORDS_PER_CHUNK))
    return b"".join(parts)


def load_library(uri: str, size: int, seed: int = 7) -> Library:
    """Users, creators (schools), published public videos and `size` chunks with vectors."""
    import psycopg

    rng = np.random.default_rng(seed + size)
    n_videos = math.ceil(size / CHUNKS_PER_VIDEO)
    n_creators = math.ceil(n_videos / VIDEOS_PER_SCHOOL)
    creator_ids = [uuid.UUID(bytes=b) for b in _uuids(rng, n_creators)]
    user_ids = [uuid.UUID(bytes=b) for b in _uuids(rng, n_creators)]
    video_ids = [uuid.UUID(bytes=b) for b in _uuids(rng, n_videos)]
    video_creator = [v // VIDEOS_PER_SCHOOL for v in range(n_videos)]
    video_chunks = [min(CHUNKS_PER_VIDEO, size - v * CHUNKS_PER_VIDEO) for v in range(n_videos)]
    library = Library(size, creator_ids, video_ids, video_creator, video_chunks)
    for v, c in enumerate(video_creator):
        library.creator_videos.setdefault(c, []).append(v)
        library.video_index[str(video_ids[v])] = v
    words = np.array(vocabulary(), dtype=object)
    schools = _unit(rng, n_creators, EMBEDDING_DIM)
    with psycopg.connect(uri) as conn:
        with conn.cursor() as cur:
            with cur.copy("COPY users (id, username, email, password_hash) FROM STDIN") as cp:
                for i, uid in enumerate(user_ids):
                    cp.write_row((uid, f"bench{i:05d}", f"bench{i}@example.com", "x"))
            with cur.copy("COPY creators (id, user_id, email, name) FROM STDIN") as cp:
                for i, (cid, uid) in enumerate(zip(creator_ids, user_ids, strict=True)):
                    cp.write_row((cid, uid, f"bench{i}@example.com", f"School {i}"))
            with cur.copy("COPY videos (id, creator_id, title, source_type, youtube_video_id, "
                          "status, duration_seconds, is_public, published_at) "
                          "FROM STDIN") as cp:
                for v, vid in enumerate(video_ids):
                    cp.write_row((vid, creator_ids[video_creator[v]], f"Video {v}", "youtube",
                                  f"yt{v:07d}", "completed", 3000, True, "2026-01-01 00:00+00"))
            # COPY FREEZE into the table truncated in the same transaction: hint bits and the
            # visibility map are set while loading, so no first-read rewrite or vacuum pass.
            cur.execute("TRUNCATE video_chunks")
            with cur.copy("COPY video_chunks (id, video_id, chunk_index, chunk_text, embedding, "
                          "embedding_model, start_time_seconds, end_time_seconds, word_count) "
                          "FROM STDIN (FORMAT BINARY, FREEZE)") as cp:
                cp.write(_COPY_HEADER)
                for first in range(0, n_videos, VIDEOS_PER_BATCH):
                    batch = range(first, min(n_videos, first + VIDEOS_PER_BATCH))
                    vectors = _video_vectors(
                        rng, schools[[video_creator[v] for v in batch]], CHUNKS_PER_VIDEO)
                    texts = _texts(rng, words, len(batch), CHUNKS_PER_VIDEO)
                    keep = [(v, i) for v in batch for i in range(video_chunks[v])]
                    rows = [(v - first) * CHUNKS_PER_VIDEO + i for v, i in keep]
                    cp.write(_copy_rows(_uuids(rng, len(keep)),
                                        [video_ids[v].bytes for v, _ in keep],
                                        [i for _, i in keep], [texts[r] for r in rows],
                                        vectors.reshape(-1, EMBEDDING_DIM)[rows]))
                cp.write(_COPY_TRAILER)
        conn.commit()
    return library


def _memory_budget(size: int) -> str:
    """maintenance_work_mem for the HNSW build: the whole graph (~7 kB a 1536-d element, 8 kB
    allowed) if that fits in 40 % of the machine's memory, which keeps the build in memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        total = 8 << 30
    want = size * 8 * 1024 + (256 << 20)
    return f"{max(64, min(want, int(total * 0.4)) >> 20)}MB"


def build_indexes(uri: str) -> dict[str, float]:
    """The schema's btree and GIN indexes on video_chunks (dropped before loading), then
    VACUUM ANALYZE; seconds per step."""
    import psycopg

    seconds = {}
    with psycopg.connect(uri, autocommit=True) as conn:
        t = time.perf_counter()
        conn.execute("CREATE INDEX IF NOT EXISTS idx_video_chunks_video_id "
                     "ON video_chunks (video_id)")
        conn.execute("CREATE INDEX IF NOT EXISTS idx_video_chunks_search "
                     "ON video_chunks USING gin (search_vector)")
        seconds["btree_gin_indexes"] = time.perf_counter() - t
        t = time.perf_counter()
        conn.execute("VACUUM (ANALYZE) video_chunks")
        conn.execute("ANALYZE videos")
        conn.execute("ANALYZE creators")
        seconds["vacuum_analyze"] = time.perf_counter() - t
    return seconds


def drop_chunk_indexes(uri: str) -> None:
    import psycopg

    with psycopg.connect(uri, autocommit=True) as conn:
        for name in ("idx_video_chunks_embedding", "idx_video_chunks_search",
                     "idx_video_chunks_video_id"):
            conn.execute(f"DROP INDEX IF EXISTS {name}")


def build_hnsw(uri: str, size: int) -> dict[str, Any]:
    import psycopg

    memory = _memory_budget(size)
    workers = max(0, min(2, (os.cpu_count() or 1)) - 1)
    notices: list[str] = []
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
        conn.execute(f"SET maintenance_work_mem = '{memory}'")
        conn.execute(f"SET max_parallel_maintenance_workers = {workers}")
        t = time.perf_counter()
        conn.execute("CREATE INDEX idx_video_chunks_embedding ON video_chunks "
                     "USING hnsw (embedding vector_cosine_ops) "
                     "WITH (m = 16, ef_construction = 64)")
        seconds = time.perf_counter() - t
        index_bytes = conn.execute(
            "SELECT pg_relation_size('idx_video_chunks_embedding')").fetchone()[0]
    return {"built": True, "seconds": round(seconds, 1), "maintenance_work_mem": memory,
            "parallel_workers": workers, "index_bytes": index_bytes, "notices": notices}


def estimate_build_seconds(built: dict[int, float], size: int) -> float | None:
    """From the largest build of this run, scaled by n log n."""
    if not built:
        return None
    base = max(built)
    return built[base] * (size / base) * (math.log(size) / math.log(base))


# --- queries ----------------------------------------------------------------------------------

@dataclass
class Query:
    video: int
    vector: list[float]
    text: str


class _StubEmbedder:
    """Hands `search` the query vector chosen by the benchmark (embedding is not measured)."""

    model = MODEL
    dimensions = EMBEDDING_DIM

    def __init__(self) -> None:
        self.vector: list[float] = []

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        return [self.vector for _ in texts]


def pick_queries(uri: str, library: Library, count: int, seed: int = 13) -> list[Query]:
    """`count` random chunks -> (their vector + noise, three of their topic words)."""
    import psycopg

    rng = np.random.default_rng(seed + library.chunks)
    filler = set(FILLERS)
    out = []
    with psycopg.connect(uri) as conn:
        while len(out) < count:
            video = int(rng.integers(0, len(library.video_ids)))
            index = int(rng.integers(0, library.video_chunks[video]))
            text, raw = conn.execute(
                "SELECT chunk_text, embedding::text FROM video_chunks "
                "WHERE video_id = %s AND chunk_index = %s",
                (library.video_ids[video], index)).fetchone()
            vector = np.array(raw.strip("[]").split(","), dtype=np.float64)
            vector += QUERY_NOISE * rng.standard_normal(EMBEDDING_DIM) / math.sqrt(EMBEDDING_DIM)
            vector /= np.linalg.norm(vector)
            words = list(dict.fromkeys(w for w in text.split() if w not in filler))
            chosen = [words[i] for i in rng.permutation(len(words))[:3]]
            out.append(Query(video, vector.tolist(), " ".join(chosen)))
    return out


def scope_for(library: Library, kind: str, video: int):  # noqa: ANN201 - retrieval.Scope
    from chronos_app.services.retrieval import Scope

    creator = library.video_creator[video]
    if kind == "video":
        videos = [video]
    elif kind == "course":
        videos = library.course_of(video)
    else:
        videos = library.creator_videos[creator]
    return Scope(kind=kind, id=str(library.video_ids[videos[0]]), label=kind,
                 creator_id=str(library.creator_ids[creator]),
                 video_ids=[str(library.video_ids[v]) for v in videos])


def brute_force_top(conn: Any, scope: Any, vector: list[float], k: int = K) -> list[str]:
    """The scope's k nearest chunks by cosine distance, with index scans off (exact)."""
    with conn.transaction():
        conn.execute("SET LOCAL enable_indexscan = off")
        rows = conn.execute(
            "SELECT id FROM video_chunks WHERE video_id = ANY(%s::uuid[]) "
            "AND embedding_model = %s ORDER BY embedding <=> %s::vector, id LIMIT %s",
            (scope.video_ids, MODEL, "[" + ",".join(map(repr, vector)) + "]", k)).fetchall()
    return [str(r[0]) for r in rows]


class _Probe:
    """Counts which vector path `search` took (wraps retrieval's private functions when they
    exist) and keeps the HNSW scan's own rows."""

    def __init__(self) -> None:
        self.available = False
        self.reset()

    def reset(self) -> None:
        self.exact = 0
        self.hnsw = 0
        self.hnsw_rows: list[str] | None = None
        self.hnsw_seconds = 0.0


@contextlib.contextmanager
def probe_paths(exact_limit: int | None) -> Iterator[_Probe]:
    from chronos_app.services import retrieval

    probe = _Probe()
    saved = {name: getattr(retrieval, name) for name in ("_exact_vector", "_hnsw_vector",
                                                         "EXACT_LIMIT")
             if hasattr(retrieval, name)}
    probe.available = "_exact_vector" in saved and "_hnsw_vector" in saved

    def exact(*args: Any, **kwargs: Any) -> Any:
        probe.exact += 1
        return saved["_exact_vector"](*args, **kwargs)

    def hnsw(*args: Any, **kwargs: Any) -> Any:
        probe.hnsw += 1
        t = time.perf_counter()
        rows = saved["_hnsw_vector"](*args, **kwargs)
        probe.hnsw_seconds += time.perf_counter() - t
        probe.hnsw_rows = [str(r.chunk_id) for r in rows]
        return rows

    try:
        if probe.available:
            retrieval._exact_vector = exact
            retrieval._hnsw_vector = hnsw
        if exact_limit is not None:
            retrieval.EXACT_LIMIT = exact_limit
        yield probe
    finally:
        for name, value in saved.items():
            setattr(retrieval, name, value)


def _recall(found: Sequence[str], truth: Sequence[str]) -> float:
    return len(set(found[:K]) & set(truth[:K])) / max(1, min(K, len(truth)))


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def off_topic(library: Library, queries: list[Query]) -> list[Query]:
    """Each query's school paired with the vector of the next query from another school: the
    scope's chunks are then not the query's nearest neighbours (the filtered index scan's hard
    case). Kept: the original query's video (which picks the scope)."""
    out = []
    for i, query in enumerate(queries):
        school = library.video_creator[query.video]
        other = next((q for q in queries[i + 1:] + queries[:i]
                      if library.video_creator[q.video] != school), query)
        out.append(Query(query.video, other.vector, other.text))
    return out


def measure(engine: Any, uri: str, library: Library, queries: list[Query], hnsw: bool,
            warmup: int) -> list[dict[str, Any]]:
    """Every (scope, mode, path) cell: warm-up, then one timed `search` per query. The cell
    "school/off-topic" asks each school about another school's chunk (vector mode)."""
    import psycopg
    from sqlmodel import Session

    from chronos_app.schemas.accounts import Actor
    from chronos_app.services.retrieval import search

    embedder = _StubEmbedder()
    student = Actor(user_id=uuid.uuid4(), username="benchstudent",
                    student_of={c: uuid.uuid4() for c in library.creator_ids})
    cells = [(kind, kind, queries, MODES) for kind in SCOPES]
    if len(library.creator_ids) > 1:
        cells.append(("school/off-topic", "school", off_topic(library, queries), ("vector",)))
    results = []
    with psycopg.connect(uri, autocommit=True) as raw, Session(engine) as session:
        for label, kind, asked, modes in cells:
            scopes = [scope_for(library, kind, q.video) for q in asked]
            truth_vector = [brute_force_top(raw, s, q.vector)
                            for s, q in zip(scopes, asked, strict=True)]
            reference: dict[str, list[list[str]]] = {}
            for mode in modes:
                for path in ("exact", "hnsw") if hnsw else ("exact",):
                    latencies, branch_recalls, branch_ms = [], [], []
                    taken = {"exact": 0, "hnsw": 0, "hnsw_then_exact": 0}
                    top: list[list[str]] = []
                    with probe_paths(0 if path == "hnsw" else None) as probe:
                        for n, (scope, query) in enumerate(zip(scopes, asked, strict=True)):
                            embedder.vector = query.vector
                            probe.reset()
                            t = time.perf_counter()
                            hits = search(session=session, actor=student, scope=scope,
                                          query=query.text, k=K, embedder=embedder, mode=mode)
                            elapsed = time.perf_counter() - t
                            session.rollback()
                            if n < warmup:
                                continue
                            top.append([h.chunk_id for h in hits[:K]])
                            latencies.append(elapsed * 1000)
                            if probe.available:
                                key = ("hnsw_then_exact" if probe.hnsw and probe.exact
                                       else "hnsw" if probe.hnsw else "exact")
                                taken[key] += 1
                            if probe.hnsw_rows is not None:
                                branch_recalls.append(_recall(probe.hnsw_rows, truth_vector[n]))
                                branch_ms.append(probe.hnsw_seconds * 1000)
                    truths = truth_vector[warmup:] if mode == "vector" \
                        else reference.get(mode, top)
                    if path == "exact" and mode != "vector":
                        reference[mode] = top
                    recall = statistics.fmean(_recall(f, t) for f, t in
                                              zip(top, truths, strict=True))
                    results.append({
                        "scope": label,
                        "scope_chunks": round(statistics.fmean(
                            library.scope_chunks(s) for s in scopes[warmup:])),
                        "mode": mode, "path": path, "queries": len(latencies),
                        "p50_ms": round(_percentile(latencies, 50), 2),
                        "p95_ms": round(_percentile(latencies, 95), 2),
                        "recall_at_10": round(recall, 4),
                        "recall_reference": ("brute force" if mode == "vector"
                                             else "exact path (itself)" if path == "exact"
                                             else "exact path"),
                        "paths_taken": taken if probe.available else None,
                        "hnsw_query_recall_at_10": (round(statistics.fmean(branch_recalls), 4)
                                                  if branch_recalls else None),
                        "hnsw_query_p50_ms": (round(_percentile(branch_ms, 50), 2)
                                            if branch_ms else None),
                    })
    return results


# --- query plans ------------------------------------------------------------------------------

def explain(engine: Any, library: Library, query: Query, kind: str, path: str) -> dict[str, Any]:
    """Runs one vector-mode `search` while recording its SQL, then replays the statements in
    one transaction with EXPLAIN (ANALYZE, BUFFERS) on the ranking ones (those with `<=>`)."""
    from sqlalchemy import event
    from sqlmodel import Session

    from chronos_app.schemas.accounts import Actor
    from chronos_app.services.retrieval import search

    statements: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        statements.append((statement, parameters))

    embedder = _StubEmbedder()
    embedder.vector = query.vector
    scope = scope_for(library, kind, query.video)
    actor = Actor(user_id=uuid.uuid4(), username="benchstudent")
    with probe_paths(0 if path == "hnsw" else None), Session(engine) as session:
        search(session=session, actor=actor, scope=scope, query=query.text, k=K,
               embedder=embedder, mode="vector")  # warm
        session.rollback()
        event.listen(engine, "before_cursor_execute", record)
        try:
            search(session=session, actor=actor, scope=scope, query=query.text, k=K,
                   embedder=embedder, mode="vector")
        finally:
            event.remove(engine, "before_cursor_execute", record)
        session.rollback()
    plans = []
    with engine.connect() as conn, conn.begin():
        for statement, parameters in statements:
            if "<=>" in statement and "ORDER BY" in statement:
                rows = conn.exec_driver_sql(
                    "EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
                plans.append(_VECTOR_LITERAL.sub("'[...]'::vector",
                                                 "\n".join(r[0] for r in rows)))
            else:
                conn.exec_driver_sql(statement, parameters)
    return {"scope": kind, "scope_chunks": library.scope_chunks(scope), "path": path,
            "ranking_queries": len(plans),
            "uses_hnsw_index": ["idx_video_chunks_embedding" in p for p in plans],
            "jit": any("JIT:" in p for p in plans), "plans": plans}


def _plan_summary(plan: str) -> str:
    lines = [line.strip().lstrip("-> ").strip() for line in plan.splitlines()]
    nodes = [line.split("  (")[0] for line in lines
             if " on " in line and ("Scan" in line or "Seq" in line)]
    total = next((line for line in lines if line.startswith("Execution Time")), "")
    return f"{'; '.join(dict.fromkeys(nodes))} | {total}"


# --- the run ----------------------------------------------------------------------------------

def _disk(uri: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(uri) as conn:
        row = conn.execute(
            "SELECT pg_database_size(current_database()), pg_table_size('video_chunks'), "
            "pg_indexes_size('video_chunks'), (SELECT sum(size) FROM pg_ls_waldir())").fetchone()
    return {"database_bytes": row[0], "video_chunks_table_bytes": row[1],
            "video_chunks_indexes_bytes": row[2], "wal_bytes": int(row[3] or 0)}


def _versions(uri: str) -> dict[str, str]:
    import psycopg

    with psycopg.connect(uri) as conn:
        return {
            "postgres": conn.execute("SHOW server_version").fetchone()[0],
            "pgvector": conn.execute("SELECT extversion FROM pg_extension "
                                     "WHERE extname = 'vector'").fetchone()[0],
            "shared_buffers": conn.execute("SHOW shared_buffers").fetchone()[0],
            "jit": conn.execute("SHOW jit").fetchone()[0],
        }


def _gb(n: int) -> str:
    return f"{n / 1e9:.2f} GB"


def run_size(admin_uri: str, size: int, built: dict[int, float], queries_n: int,
             hnsw_cap: float) -> dict[str, Any]:
    from sqlalchemy import create_engine

    from chronos_app.services import retrieval

    started = time.perf_counter()
    seconds: dict[str, float] = {}
    with throwaway_database(admin_uri) as url:
        uri = _psycopg_uri(url)
        drop_chunk_indexes(uri)
        t = time.perf_counter()
        library = load_library(uri, size)
        seconds["generate_and_copy"] = time.perf_counter() - t
        print(f"  loaded {size:,} chunks ({len(library.creator_ids)} schools, "
              f"{len(library.video_ids)} videos) in {seconds['generate_and_copy']:.1f} s",
              flush=True)
        seconds.update(build_indexes(uri))
        estimate = estimate_build_seconds(built, size)
        if estimate is not None and estimate > hnsw_cap:
            hnsw = {"built": False, "estimated_seconds": round(estimate),
                    "reason": f"HNSW build estimated at {estimate / 60:.0f} min from the "
                              f"{max(built):,}-chunk build (n log n) > cap "
                              f"{hnsw_cap / 60:.0f} min; every scope here is under "
                              f"EXACT_LIMIT={retrieval.EXACT_LIMIT}, so the product path is "
                              f"the exact one, measured without the index"}
            print(f"  HNSW index skipped: {hnsw['reason']}", flush=True)
        else:
            hnsw = build_hnsw(uri, size)
            built[size] = hnsw["seconds"]
            seconds["hnsw_build"] = hnsw["seconds"]
            print(f"  HNSW index built in {hnsw['seconds']:.1f} s "
                  f"(maintenance_work_mem {hnsw['maintenance_work_mem']}, "
                  f"{hnsw['parallel_workers']} parallel worker(s), "
                  f"{_gb(hnsw['index_bytes'])})"
                  + "".join(f"; notice: {n}" for n in hnsw["notices"]), flush=True)
        disk = _disk(uri)
        versions = _versions(uri)
        engine = create_engine(url, pool_size=2)
        try:
            t = time.perf_counter()
            queries = pick_queries(uri, library, queries_n + WARMUP)
            results = measure(engine, uri, library, queries, hnsw["built"], WARMUP)
            seconds["queries"] = time.perf_counter() - t
            plans = [explain(engine, library, queries[0], kind, path) for kind in SCOPES
                     for path in (("exact", "hnsw") if hnsw["built"] else ("exact",))]
        finally:
            engine.dispose()
    seconds["total"] = time.perf_counter() - started
    return {"chunks": size, "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "schools": len(library.creator_ids),
            "videos": len(library.video_ids), "hnsw": hnsw, "disk": disk,
            "versions": versions, "seconds": {k: round(v, 1) for k, v in seconds.items()},
            "results": results, "plans": plans}


def print_table(sizes: list[dict[str, Any]]) -> None:
    """One row per (size, scope, mode, path); "plan" says whether EXPLAIN ANALYZE of one such
    vector query used idx_video_chunks_embedding."""
    print(f"\n{'chunks':>9} {'scope':<17}{'in scope':>9} {'mode':<7}{'path':<6}{'p50 ms':>8}"
          f"{'p95 ms':>8}{'recall@10':>10} {'plan':<9} notes")
    for size in sizes:
        used = {(p["scope"], p["path"]): any(p["uses_hnsw_index"]) for p in size["plans"]}
        for r in size["results"]:
            notes = []
            if r["path"] == "hnsw":
                if r["paths_taken"]:
                    fell = r["paths_taken"]["hnsw_then_exact"]
                    notes.append(f"fell back to exact {fell}/{r['queries']}")
                if r["hnsw_query_recall_at_10"] is not None and r["mode"] == "vector":
                    notes.append(f"HNSW-branch query alone: recall "
                                 f"{r['hnsw_query_recall_at_10']:.3f}, "
                                 f"p50 {r['hnsw_query_p50_ms']:.1f} ms")
            else:
                if r["paths_taken"] and r["paths_taken"]["exact"] != r["queries"]:
                    notes.append(f"NOT all exact: {r['paths_taken']}")
                if r["mode"] == "hybrid":
                    notes.append("reference for hybrid")
            plan = used.get((r["scope"], r["path"]))
            plan_text = "" if plan is None or r["mode"] != "vector" \
                else "HNSW idx" if plan else "no HNSW"
            print(f"{size['chunks']:>9,} {r['scope']:<17}{r['scope_chunks']:>9,} {r['mode']:<7}"
                  f"{r['path']:<6}{r['p50_ms']:>8.2f}{r['p95_ms']:>8.2f}"
                  f"{r['recall_at_10']:>10.3f} {plan_text:<9} {'; '.join(notes)}")


def run(sizes: Sequence[int] | None = None, queries: int | None = None) -> dict[str, Any]:
    """The whole retrieval benchmark; returns the figures (printed as it goes)."""
    sizes = sizes_from_env() if sizes is None else list(sizes)
    queries = int(os.environ.get("BENCH_RETRIEVAL_QUERIES", QUERIES)) if queries is None \
        else queries
    hnsw_cap = float(os.environ.get("BENCH_RETRIEVAL_HNSW_CAP", HNSW_CAP_SECONDS))
    started = time.perf_counter()
    out: list[dict[str, Any]] = []
    built: dict[int, float] = {}
    print(f"Retrieval benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; {queries} "
          f"queries (+{WARMUP} warm-up) per scope, mode and path.", flush=True)
    with private_server() as admin_uri:
        for size in sizes:
            print(f"\n{size:,} chunks:", flush=True)
            out.append(run_size(admin_uri, size, built, queries, hnsw_cap))
            s = out[-1]
            print(f"  {size:,} chunks done in {s['seconds']['total']:.0f} s; database "
                  f"{_gb(s['disk']['database_bytes'])} (video_chunks "
                  f"{_gb(s['disk']['video_chunks_table_bytes'])} + indexes "
                  f"{_gb(s['disk']['video_chunks_indexes_bytes'])}; WAL "
                  f"{_gb(s['disk']['wal_bytes'])}), dropped; load average "
                  f"{s['load_average_at_end'][0]}.", flush=True)
            for plan in s["plans"]:
                for i, text in enumerate(plan["plans"]):
                    print(f"  plan {plan['path']} {plan['scope']} #{i + 1} "
                          f"(HNSW index: {'yes' if plan['uses_hnsw_index'][i] else 'no'}): "
                          f"{_plan_summary(text)}", flush=True)
    print_table(out)
    total = time.perf_counter() - started
    print(f"\nRetrieval benchmark: {total:.0f} s in all.", flush=True)
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "platform": platform.platform()},
        "design": {"chunks_per_video": CHUNKS_PER_VIDEO, "videos_per_school": VIDEOS_PER_SCHOOL,
                   "course_videos": COURSE_VIDEOS, "dimensions": EMBEDDING_DIM, "k": K,
                   "queries": queries, "warmup": WARMUP, "embedding_model": MODEL,
                   "hnsw_cap_seconds": hnsw_cap},
        "sizes": out,
        "seconds": round(total, 1),
    }


def write_results(result: dict[str, Any], path: Path, key: str = "retrieval") -> None:
    """Sets `key` of the JSON file at `path`, keeping its other keys."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict) or ("pipeline" not in data and "seconds_per_hour" in data):
        data = {"pipeline": data} if isinstance(data, dict) else {}
    data[key] = result
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m chronos_app.evaluation.bench_retrieval",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "bench-results.json")
    args = parser.parse_args(argv)
    sizes = sizes_from_env()
    if not sizes:
        print("BENCH_RETRIEVAL_SIZES=none: retrieval benchmark skipped.")
        return 0
    write_results(run(sizes), args.output)
    print(f"Wrote the \"retrieval\" figures to {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

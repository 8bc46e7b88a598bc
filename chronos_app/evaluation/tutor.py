"""The tutor's retrieval measured end to end on PostgreSQL: the QA transcripts become the
published videos of one school in a throwaway database on the embedded server (real chunking,
LocalEmbedder, the migrations' indexes), and every question is asked with school scope through
`services.retrieval` — vector only, full text only, hybrid (exact and HNSW paths) — as a
student of that school. A hit counts only in the question's own video.

Then the "not found" rule: how many answerable questions keep at least one supported passage,
and how many of our unanswerable questions (`unanswerable.json`) are rejected, for a sweep of
similarity thresholds; and recall of the supported passages for a sweep of TOP_K.

Inputs: ``EVAL_QA_FILE`` (the questions, default ``<EVAL_QA_DIR>/tutorialvqa-dev-300.json``)
and ``EVAL_TRANSCRIPTS_DIR`` (default ``<EVAL_QA_DIR>/tutorialvqa-transcripts``).
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from chronos_app.ai.base import Embedder
from chronos_app.evaluation import data
from chronos_app.evaluation.metrics import mean_metrics, overlaps, retrieval_metrics
from chronos_app.pipeline.captions import Cue
from chronos_app.schemas.accounts import Actor

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = ["THRESHOLDS", "TOP_KS", "UNANSWERABLE_FILE", "evaluate_tutor", "load_qa",
           "print_tutor", "qa_paths"]

UNANSWERABLE_FILE = Path(__file__).with_name("unanswerable.json")
THRESHOLDS = (0.10, 0.15, 0.18, 0.20, 0.22, 0.24, 0.26, 0.30)
TOP_KS = (3, 5, 6, 8, 10)
_NOWHERE = (-math.inf, -math.inf)  # the span of a hit in another video: overlaps no answer
COLUMNS = ("recall@1", "recall@5", "mrr", "citation@5s", "video@1")


@dataclass(frozen=True)
class QASet:
    items: list[data.QAItem]
    transcripts: dict[str, list[Cue]]
    titles: dict[str, str]
    questions_file: Path
    transcripts_dir: Path


def qa_paths() -> tuple[Path, Path]:
    """(questions file, transcripts folder): EVAL_QA_FILE / EVAL_TRANSCRIPTS_DIR, else the
    files of EVAL_QA_DIR (data.qa_dir)."""
    root = data.qa_dir()
    return (Path(os.environ.get("EVAL_QA_FILE") or root / "tutorialvqa-dev-300.json"),
            Path(os.environ.get("EVAL_TRANSCRIPTS_DIR") or root / "tutorialvqa-transcripts"))


def load_qa() -> QASet:
    """The QA set from `qa_paths()` (empty when missing), with the transcripts' titles."""
    questions_file, transcripts_dir = qa_paths()
    if not os.environ.get("EVAL_QA_FILE") and not os.environ.get("EVAL_TRANSCRIPTS_DIR"):
        items, transcripts = data.load_qa()
        titles = _titles(transcripts_dir) if transcripts else {}
        return QASet(items, transcripts, titles, questions_file, transcripts_dir)
    if not questions_file.is_file() or not transcripts_dir.is_dir():
        return QASet([], {}, {}, questions_file, transcripts_dir)
    transcripts: dict[str, list[Cue]] = {}
    titles: dict[str, str] = {}
    for path in sorted(transcripts_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        video_id = str(doc.get("video_id") or path.stem)
        transcripts[video_id] = data._cues(doc.get("segments") or [])
        titles[video_id] = str(doc.get("title") or video_id)
    items = [data.QAItem(str(raw["video_id"]), str(raw["question"]),
                         float(raw["answer_start_s"]), float(raw["answer_end_s"]))
             for raw in json.loads(questions_file.read_text(encoding="utf-8"))
             if transcripts.get(str(raw["video_id"]))]
    return QASet(items, transcripts, titles, questions_file, transcripts_dir)


def _titles(transcripts_dir: Path) -> dict[str, str]:
    titles = {}
    for path in sorted(transcripts_dir.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        titles[str(doc.get("video_id") or path.stem)] = str(doc.get("title") or path.stem)
    return titles


def load_unanswerable(path: Path = UNANSWERABLE_FILE) -> list[str]:
    return [str(q) for q in json.loads(path.read_text(encoding="utf-8"))["questions"]]


# --- the throwaway database -----------------------------------------------------------------

@contextmanager
def throwaway_database() -> Iterator[str]:
    """A freshly created and migrated database on a private embedded server (like the tests'),
    dropped afterwards; yields its SQLAlchemy URL."""
    import pgserver
    import psycopg
    from sqlalchemy.engine import make_url

    from chronos_app.core import migrate

    pgdata = Path(tempfile.mkdtemp(prefix="chronos-eval-")) / "pg"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    admin = server.get_uri("postgres")
    name = f"chronos_eval_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = make_url(admin.replace("postgresql://", "postgresql+psycopg://"))
        url = url.set(database=name).render_as_string(hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        server.cleanup()  # stop the private server and delete its folder now, not at exit
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def _ingest(session: Session, qa: QASet,
            embedder: Embedder) -> tuple[Actor, dict[str, str], int]:
    """One school with every transcript as a published video; (student actor, {QA video id:
    database video id}, chunk count)."""
    from chronos_app.models import Video, VideoChunk
    from chronos_app.pipeline.chunking import build_chunks
    from chronos_app.services import accounts, schools

    def user(name: str) -> Actor:
        return accounts.sign_up(session=session, username=name, email=f"{name}@example.com",
                                password="Eval-only-1")

    owner = schools.open_school(session=session, actor=user("evalowner"),
                                name="TutorialVQA school", tier="pro")
    student = schools.join_school(session=session, actor=user("evalstudent"),
                                  creator_id=owner.creator_id)
    ids: dict[str, str] = {}
    chunks = 0
    now = datetime.now(UTC)
    for qa_id, cues in qa.transcripts.items():
        drafts = build_chunks(cues)
        if not drafts:
            continue
        video = Video(creator_id=owner.creator_id, title=qa.titles.get(qa_id, qa_id),
                      source_type="upload", storage_path=f"eval/{qa_id}.mp4",
                      duration_seconds=max(1, math.ceil(max(c.end for c in cues))),
                      status="completed", published_at=now)
        session.add(video)
        session.flush()
        vectors = embedder.embed([d.text for d in drafts])
        session.add_all(VideoChunk(video_id=video.id, chunk_index=d.index, chunk_text=d.text,
                                   start_time_seconds=d.start, end_time_seconds=d.end,
                                   word_count=d.word_count, embedding=vector,
                                   embedding_model=embedder.model)
                        for d, vector in zip(drafts, vectors, strict=True))
        ids[qa_id] = str(video.id)
        chunks += len(drafts)
    session.commit()
    return student, ids, chunks


# --- measuring ------------------------------------------------------------------------------

def _spans(hits: Sequence, video_id: str) -> list[tuple[float, float]]:
    return [(h.start, h.end) if h.video_id == video_id else _NOWHERE for h in hits]


def _row(hits: Sequence, video_id: str, answer: tuple[float, float]) -> dict[str, float]:
    row = retrieval_metrics(_spans(hits, video_id), answer)
    row["video@1"] = float(bool(hits) and hits[0].video_id == video_id)
    return row


def _answered(hits: Sequence, video_id: str, answer: tuple[float, float]) -> bool:
    return any(overlaps(span, answer) for span in _spans(hits, video_id))


def evaluate_tutor(qa: QASet, unanswerable: Sequence[str] | None = None) -> dict:
    from sqlalchemy import create_engine, text
    from sqlmodel import Session

    from chronos_app.ai.local_embedder import LocalEmbedder
    from chronos_app.services import retrieval

    unanswerable = list(unanswerable if unanswerable is not None else load_unanswerable())
    embedder = LocalEmbedder()
    k_max = max(*TOP_KS, retrieval.TOP_K)  # candidates for every k of the sweep
    started = time.perf_counter()
    with throwaway_database() as url:
        engine = create_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                student, ids, chunk_count = _ingest(session, qa, embedder)
                pgvector = session.execute(text(
                    "SELECT extversion FROM pg_extension WHERE extname = 'vector'")).scalar()
                scope = retrieval.resolve_scope(session=session, actor=student, kind="school",
                                                scope_id=_school_of(student))
                ingest_seconds = time.perf_counter() - started

                def ask(question: str, mode: str = "hybrid", path: str | None = None) -> list:
                    return retrieval.search(session=session, actor=student, scope=scope,
                                            query=question, k=k_max, embedder=embedder,
                                            mode=mode, vector_path=path)

                runs = {"vector": ("vector", None), "text": ("text", None),
                        "hybrid": ("hybrid", None), "hybrid (hnsw)": ("hybrid", "hnsw")}
                per_mode: dict[str, list[dict[str, float]]] = {m: [] for m in runs}
                seconds: dict[str, float] = {}
                hybrid_hits = []
                for name, (mode, path) in runs.items():
                    if path == "hnsw":
                        # On 499 chunks the planner rightly prefers a video_id index and a
                        # sort (exact); to measure the HNSW index itself, take those away for
                        # this run (the transaction is rolled back).
                        session.execute(text("DROP INDEX idx_video_chunks_video_id"))
                        session.execute(text("ALTER TABLE video_chunks "
                                             "DROP CONSTRAINT video_chunks_video_index_key"))
                        session.execute(text("SET LOCAL enable_seqscan = off"))
                    t0 = time.perf_counter()
                    for item in qa.items:
                        hits = ask(item.question, mode, path)
                        answer = (item.answer_start, item.answer_end)
                        per_mode[name].append(_row(hits, ids[item.video_id], answer))
                        if name == "hybrid":
                            hybrid_hits.append((hits, ids[item.video_id], answer))
                    seconds[name] = time.perf_counter() - t0
                negative_hits = [ask(q) for q in unanswerable]
                # Did the planner use the HNSW index for the HNSW path (a small table may be
                # scanned instead)? Counted in this transaction.
                index_scans = session.execute(text(
                    "SELECT pg_stat_get_xact_numscans("
                    "'idx_video_chunks_embedding'::regclass)")).scalar()
                session.rollback()
        finally:
            engine.dispose()

    sweep = []
    for threshold in THRESHOLDS:
        kept = [bool(retrieval.supported(h, retrieval.TOP_K, threshold))
                for h, _, _ in hybrid_hits]
        answered = [_answered(retrieval.supported(h, retrieval.TOP_K, threshold), vid, ans)
                    for h, vid, ans in hybrid_hits]
        rejected = [not retrieval.supported(h, retrieval.TOP_K, threshold) for h in negative_hits]
        sweep.append({"threshold": threshold,
                      "answerable_kept": _mean(kept),
                      "answerable_answered": _mean(answered),
                      "unanswerable_rejected": _mean(rejected)})
    top_k = []
    for k in TOP_KS:
        top_k.append({"k": k, **{
            f"recall@k (t={t:.2f})": _mean([
                _answered(retrieval.supported(h, k, t), vid, ans) for h, vid, ans in hybrid_hits])
            for t in (0.0, retrieval.MIN_SIMILARITY)}})
    return {
        "questions": len(qa.items),
        "unanswerable": len(unanswerable),
        "videos": len(ids),
        "chunks": chunk_count,
        "embedder": embedder.model,
        "pgvector": pgvector,
        "scope": "school",
        "candidates_per_ranking": retrieval.candidate_count(k_max),
        "hnsw_index_scans": index_scans,
        "hnsw_ef_search": retrieval.HNSW_EF_SEARCH,
        "modes": {name: mean_metrics(rows) for name, rows in per_mode.items()},
        "ms_per_question": {name: round(1000 * s / max(len(qa.items), 1), 1)
                            for name, s in seconds.items()},
        "thresholds": sweep,
        "top_k": top_k,
        "chosen": {"top_k": retrieval.TOP_K, "min_similarity": retrieval.MIN_SIMILARITY,
                   "rrf_k": retrieval.RRF_K, "exact_limit": retrieval.EXACT_LIMIT},
        "ingest_seconds": round(ingest_seconds, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "questions_file": str(qa.questions_file),
        "transcripts_dir": str(qa.transcripts_dir),
    }


def _school_of(student: Actor) -> str:
    return str(next(iter(student.student_of)))


def _mean(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def print_tutor(result: dict) -> None:
    from chronos_app.evaluation.report import table

    print(f"\nTutor retrieval: {result['questions']} questions, {result['videos']} videos "
          f"({result['chunks']} chunks) as one school, school scope, {result['embedder']}, "
          f"pgvector {result['pgvector']}; a hit counts only in the question's own video")
    rows = [[name, *(m[c] for c in COLUMNS), result["ms_per_question"][name]]
            for name, m in result["modes"].items()]
    print(table(["mode", "R@1", "R@5", "MRR", "cite±5s", "video@1", "ms/q"], rows))
    print(f"(hnsw: the HNSW path with the index forced, ef_search "
          f"{result['hnsw_ef_search']}; {result['hnsw_index_scans']} index scans for "
          f"{result['questions']} questions)")
    chosen = result["chosen"]
    print(f"\n'Not found' by similarity threshold (hybrid, TOP_K={chosen['top_k']}; "
          f"{result['unanswerable']} unanswerable questions):")
    print(table(["threshold", "answerable kept", "answered (window in kept)",
                 "unanswerable rejected"],
                [[f"{r['threshold']:.2f}" + (" <-" if r["threshold"] == chosen["min_similarity"]
                                             else ""),
                  r["answerable_kept"], r["answerable_answered"], r["unanswerable_rejected"]]
                 for r in result["thresholds"]]))
    headers = [key for key in result["top_k"][0] if key != "k"]
    print("\nRecall of the supported passages by TOP_K (hybrid):")
    print(table(["k", *headers],
                [[f"{r['k']}" + (" <-" if r["k"] == chosen["top_k"] else ""),
                  *(r[h] for h in headers)] for r in result["top_k"]]))
    print(f"Chosen: TOP_K={chosen['top_k']}, MIN_SIMILARITY={chosen['min_similarity']} "
          f"(services/retrieval.py); {result['seconds']} s.")

"""The stages of one `video_processing` job, each in its own short transaction.

import → transcript (stored segments | YouTube captions | Whisper) → processing (chunks,
chapters, thumbnail) → embedding → completed. Every stage rewrites only its own output, so a
retried job (after a crash or an error) redoes the work without losing anything stored before:
an uploaded transcript and chapters a creator edited are kept.
"""

from __future__ import annotations

import logging
import math
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text
from sqlmodel import Session, select

from chronos_app.ai.base import (
    Chapterer,
    Cue,
    Embedder,
    Transcriber,
    TranscriptUnavailable,
)
from chronos_app.core.db import session_scope
from chronos_app.models import Chapter, Video, VideoChunk, VideoSegment
from chronos_app.pipeline import tracking
from chronos_app.pipeline.captions import normalize
from chronos_app.pipeline.chunking import build_chunks

log = logging.getLogger(__name__)

EMBED_BATCH = 64
THUMBNAIL_AT = 0.10  # fraction of the duration
NEEDS_TRANSCRIPT = "needs_transcript"

# Progress (0–100) at the start of each stage.
P_IMPORT, P_TRANSCRIPT, P_CHUNKS, P_CHAPTERS, P_THUMBNAIL, P_EMBED, P_DONE = (
    2, 5, 25, 30, 35, 40, 100)


@dataclass
class Providers:
    embedder: Embedder
    chapterer: Chapterer
    transcriber: Transcriber | None = None
    youtube_captions: Callable[[str], list[Cue]] | None = None


@dataclass
class VideoFacts:
    id: uuid.UUID
    creator_id: uuid.UUID
    source_type: str
    youtube_video_id: str | None
    storage_path: str | None
    duration_seconds: int | None
    meta: dict[str, Any] = field(default_factory=dict)


Progress = Callable[[int, str | None], None]
"""Writes (progress, new video status or None); raises JobLost when the job was taken away."""


def set_video(session: Session, video_id: uuid.UUID, **values: Any) -> None:
    video = session.get(Video, video_id)
    if video is None:
        return
    for key, value in values.items():
        setattr(video, key, value)
    session.add(video)


def load_facts(video_id: uuid.UUID) -> VideoFacts | None:
    with session_scope() as session:
        v = session.get(Video, video_id)
        if v is None or v.is_deleted:
            return None
        return VideoFacts(v.id, v.creator_id, v.source_type, v.youtube_video_id, v.storage_path,
                          v.duration_seconds, dict(v.meta or {}))


def stored_cues(session: Session, video_id: uuid.UUID) -> list[Cue]:
    rows = session.exec(select(VideoSegment).where(VideoSegment.video_id == video_id)
                        .order_by(VideoSegment.segment_index)).all()
    return [Cue(r.start_seconds, r.end_seconds, r.text) for r in rows]


def replace_segments(session: Session, video_id: uuid.UUID, cues: Sequence[Cue]) -> None:
    session.execute(delete(VideoSegment).where(VideoSegment.video_id == video_id))
    session.add_all(VideoSegment(video_id=video_id, segment_index=i, start_seconds=c.start,
                                 end_seconds=max(c.end, c.start), text=c.text)
                    for i, c in enumerate(cues))
    session.flush()


def transcript_text(cues: Sequence[Cue]) -> str:
    return " ".join(c.text for c in cues)


def run_pipeline(video_id: uuid.UUID, *, providers: Providers, progress: Progress,
                 storage: Any = None) -> str:
    """Process one video; returns the outcome ("completed" or "needs_transcript")."""
    facts = load_facts(video_id)
    if facts is None:
        return "gone"
    progress(P_IMPORT, "pending")
    _import(facts, storage)

    progress(P_TRANSCRIPT, "transcribing")
    cues = _transcript(facts, providers, storage)
    if cues is None:
        with session_scope() as session:
            video = session.get(Video, video_id)
            video.meta = {**(video.meta or {}), NEEDS_TRANSCRIPT: True}
            video.status, video.processing_progress = "pending", 0
            session.add(video)
        return NEEDS_TRANSCRIPT
    duration = float(facts.duration_seconds or math.ceil(max(c.end for c in cues)))

    progress(P_CHUNKS, "processing")
    chunk_count = _chunks(video_id, cues)
    progress(P_CHAPTERS, None)
    _chapters(video_id, cues, duration, providers.chapterer)
    if facts.source_type == "upload" and storage is not None:
        progress(P_THUMBNAIL, None)
        _thumbnail(facts, duration, storage)

    progress(P_EMBED, "embedding")
    _embed(facts, providers.embedder, chunk_count, progress)

    with session_scope() as session:
        video = session.get(Video, video_id)
        first_time = not (video.meta or {}).get("usage_counted")
        video.meta = {k: v for k, v in (video.meta or {}).items() if k != NEEDS_TRANSCRIPT}
        if first_time:
            video.meta["usage_counted"] = True
            tracking.add_usage(session, creator_id=facts.creator_id,
                               total_video_duration_seconds=int(duration))
        video.status, video.processing_progress, video.error_message = "completed", 100, None
        video.processing_completed_at = _now(session)
        session.add(video)
    progress(P_DONE, None)
    return "completed"


def _now(session: Session):
    return session.execute(text("SELECT now()")).scalar_one()


def _import(facts: VideoFacts, storage: Any) -> None:
    """Learn what the source tells (an upload's duration) and record the import once."""
    duration = facts.duration_seconds
    if facts.source_type == "upload" and storage is not None and not duration:
        from chronos_app.pipeline import media

        with storage.local_path(facts.storage_path) as path:
            seconds = media.probe_duration(Path(path))
        if seconds:
            duration = max(1, math.ceil(seconds))
    with session_scope() as session:
        video = session.get(Video, facts.id)
        if duration and duration != video.duration_seconds:
            video.duration_seconds = facts.duration_seconds = duration
        if video.processing_started_at is None:
            video.processing_started_at = _now(session)
        if not (video.meta or {}).get("import_recorded"):
            video.meta = {**(video.meta or {}), "import_recorded": True}
            tracking.add_event(session, video_id=facts.id, creator_id=facts.creator_id,
                               event_type="video_imported",
                               meta={"source_type": facts.source_type})
        session.add(video)


def _transcript(facts: VideoFacts, providers: Providers, storage: Any) -> list[Cue] | None:
    """The video's timed cues, from what is stored or from the source; None if none exist."""
    with session_scope() as session:
        cues = stored_cues(session, facts.id)
    if cues:
        return cues
    source = None
    if facts.source_type == "youtube" and facts.youtube_video_id and providers.youtube_captions:
        try:
            cues = providers.youtube_captions(facts.youtube_video_id)
            source = "youtube"
        except TranscriptUnavailable as exc:
            log.info("video %s: %s", facts.id, exc.message)
    elif (facts.source_type == "upload" and providers.transcriber is not None
          and storage is not None):
        with storage.local_path(facts.storage_path) as path:
            cues = providers.transcriber.transcribe(str(path))
        source = providers.transcriber.model
    cues = normalize(list(cues or []))
    if not cues:
        return None
    with session_scope() as session:
        replace_segments(session, facts.id, cues)
        video = session.get(Video, facts.id)
        video.transcript = transcript_text(cues)
        video.meta = {**(video.meta or {}), "transcript_source": source}
        if not video.duration_seconds:
            video.duration_seconds = facts.duration_seconds = max(1, math.ceil(cues[-1].end))
        session.add(video)
        tracking.add_event(session, video_id=facts.id, creator_id=facts.creator_id,
                           event_type="video_transcribed",
                           meta={"source": source, "segments": len(cues)})
        if source and source != "youtube":
            tracking.add_usage(session, creator_id=facts.creator_id,
                               transcription_minutes=math.ceil(cues[-1].end / 60))
    return cues


def _chunks(video_id: uuid.UUID, cues: Sequence[Cue]) -> int:
    drafts = build_chunks(cues)
    with session_scope() as session:
        session.execute(delete(VideoChunk).where(VideoChunk.video_id == video_id))
        session.add_all(VideoChunk(video_id=video_id, chunk_index=d.index, chunk_text=d.text,
                                   start_time_seconds=d.start, end_time_seconds=d.end,
                                   word_count=d.word_count) for d in drafts)
    return len(drafts)


def _chapters(video_id: uuid.UUID, cues: Sequence[Cue], duration: float,
              chapterer: Chapterer) -> None:
    """Generate chapters unless the creator has reviewed or edited them (then theirs stay)."""
    with session_scope() as session:
        video = session.get(Video, video_id)
        existing = session.exec(select(Chapter).where(Chapter.video_id == video_id)).all()
        if (video.meta or {}).get("chapters_reviewed") or any(
                not c.is_ai_generated for c in existing):
            return
    drafts = chapterer.chapters(list(cues), duration)
    with session_scope() as session:
        session.execute(delete(Chapter).where(Chapter.video_id == video_id))
        session.add_all(Chapter(video_id=video_id, title=d.title, chapter_order=i + 1,
                                start_time_seconds=round(d.start, 3),
                                end_time_seconds=round(min(d.end, duration), 3),
                                is_ai_generated=True,
                                confidence_score=round(max(0.0, min(d.confidence, 1.0)), 2))
                        for i, d in enumerate(drafts))


def _thumbnail(facts: VideoFacts, duration: float, storage: Any) -> None:
    from chronos_app.core.storage import thumbnail_key
    from chronos_app.pipeline import media

    key = thumbnail_key(facts.id)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "thumbnail.jpg"
        with storage.local_path(facts.storage_path) as path:
            media.extract_thumbnail(Path(path), out, at_seconds=duration * THUMBNAIL_AT)
        with out.open("rb") as fh:
            storage.save(key, fh)
    with session_scope() as session:
        set_video(session, facts.id, thumbnail_url=f"/media/thumbnails/{facts.id}")


def _embed(facts: VideoFacts, embedder: Embedder, chunk_count: int, progress: Progress) -> None:
    with session_scope() as session:
        rows = session.execute(text(
            "SELECT id, chunk_text FROM video_chunks WHERE video_id = :v ORDER BY chunk_index"),
            {"v": facts.id}).all()
    done = 0
    for start in range(0, len(rows), EMBED_BATCH):
        batch = rows[start:start + EMBED_BATCH]
        vectors = embedder.embed([r.chunk_text for r in batch])
        with session_scope() as session:
            for row, vector in zip(batch, vectors, strict=True):
                chunk = session.get(VideoChunk, row.id)
                chunk.embedding, chunk.embedding_model = vector, embedder.model
                session.add(chunk)
        done += len(batch)
        progress(P_EMBED + (P_DONE - P_EMBED - 1) * done // max(len(rows), 1), None)
    with session_scope() as session:
        tracking.add_event(session, video_id=facts.id, creator_id=facts.creator_id,
                           event_type="video_embedded",
                           meta={"chunks": chunk_count, "model": embedder.model})
        if not embedder.model.startswith("local"):
            tracking.add_usage(session, creator_id=facts.creator_id,
                               ai_credits_used=math.ceil(len(rows) / EMBED_BATCH))

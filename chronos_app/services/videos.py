"""The creator's video library: import, upload, transcripts, the queue, chapters, publishing.

Every function takes the acting user; only the creator who owns a video may see or change it
here (students reach published videos through the watch page).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from typing import BinaryIO

from sqlalchemy import delete, func, or_, text
from sqlmodel import Session, select

from chronos_app.ai.chapters import chapter_problems
from chronos_app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chronos_app.core.plans import plan_for
from chronos_app.models import Chapter, Creator, Video, VideoSegment
from chronos_app.pipeline import queue, tracking
from chronos_app.pipeline.captions import parse_captions, spread_over
from chronos_app.pipeline.sources import (
    InvalidVideoUrl,
    VideoSource,
    format_clock,
    parse_mux_playback_id,
    parse_timestamp,
    parse_video_url,
)
from chronos_app.pipeline.stages import NEEDS_TRANSCRIPT, replace_segments, transcript_text
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.videos import (
    ACTIVE_STATUSES,
    SOURCE_LABELS,
    STATUS_LABELS,
    ChapterRow,
    CueRow,
    ProgressRow,
    VideoDetail,
    VideoRow,
)

MAX_TITLE = 200
WORDS_PER_MINUTE = 150  # to time a plain-text transcript when the video's length is unknown
STATUS_FILTERS = ("all", "active", "completed", "failed", "cancelled", NEEDS_TRANSCRIPT)


# --- access -------------------------------------------------------------------------------

def _creator(session: Session, actor: Actor) -> Creator:
    if actor is None or actor.creator_id is None:
        raise Forbidden("Only a school's creator can manage its videos. Open a school first.")
    creator = session.get(Creator, actor.creator_id)
    if creator is None or creator.user_id != actor.user_id:
        raise Forbidden("Only a school's creator can manage its videos.")
    return creator


def _own_video(session: Session, actor: Actor, video_id: uuid.UUID | str,
               *, lock: bool = False) -> Video:
    creator = _creator(session, actor)
    try:
        vid = video_id if isinstance(video_id, uuid.UUID) else uuid.UUID(str(video_id))
    except ValueError:
        raise NotFound("That video does not exist.") from None
    stmt = select(Video).where(Video.id == vid)
    if lock:
        stmt = stmt.with_for_update()
    video = session.exec(stmt).first()
    if video is None or video.is_deleted or video.creator_id != creator.id:
        raise NotFound("That video does not exist.")
    return video


def _clean_title(title: str, fallback: str) -> str:
    cleaned = " ".join((title or "").split())
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"Titles are at most {MAX_TITLE} characters.", field="title")
    return cleaned or fallback


def _check_video_quota(session: Session, creator: Creator) -> None:
    plan = plan_for(creator.subscription_tier)
    count = session.exec(select(func.count()).select_from(Video).where(
        Video.creator_id == creator.id, Video.is_deleted.is_(False))).one()
    if count >= plan.max_videos:
        raise InvalidInput(f"Your {plan.label} plan holds up to {plan.max_videos} videos. "
                           "Delete some or upgrade the plan.")


def storage_used(session: Session, creator_id: uuid.UUID) -> int:
    return int(session.exec(select(func.coalesce(func.sum(Video.file_size_bytes), 0)).where(
        Video.creator_id == creator_id, Video.is_deleted.is_(False))).one())


# --- bringing videos in ---------------------------------------------------------------------

def parse_import(raw: str) -> VideoSource:
    """A pasted link of any supported source, or a bare Mux playback id."""
    text_ = (raw or "").strip()
    if not text_:
        raise InvalidVideoUrl("Paste a video link first.")
    if "/" not in text_ and "." not in text_:
        return parse_mux_playback_id(text_)
    return parse_video_url(text_)


def import_url(*, session: Session, actor: Actor, url: str, title: str = "") -> VideoRow:
    creator = _creator(session, actor)
    source = parse_import(url)
    _check_video_quota(session, creator)
    provider = SOURCE_LABELS[source.source_type]
    ident = source.youtube_video_id or source.mux_playback_id or source.embed_id
    duplicate = session.exec(select(Video.id).where(
        Video.creator_id == creator.id, Video.is_deleted.is_(False),
        Video.source_type == source.source_type,
        or_(Video.youtube_video_id == ident, Video.mux_playback_id == ident,
            Video.embed_id == ident))).first()
    if duplicate is not None:
        raise Conflict(f"This {provider} video is already in your library.", field="url")
    meta = {k: v for k, v in (("start_seconds", source.start_seconds),
                              ("playlist_id", source.playlist_id),
                              ("vimeo_hash", source.vimeo_hash)) if v is not None}
    video = Video(creator_id=creator.id, title=_clean_title(title, f"{provider} video {ident}"),
                  url=source.url, source_type=source.source_type,
                  youtube_video_id=source.youtube_video_id,
                  mux_playback_id=source.mux_playback_id, embed_type=source.embed_type,
                  embed_id=source.embed_id, meta=meta)
    return _admit(session, creator, video)


def upload_video(*, session: Session, actor: Actor, filename: str, stream: BinaryIO,
                 size: int | None, title: str = "", storage=None) -> VideoRow:  # noqa: ANN001
    """Check the file against the creator's plan, store it, queue it for processing."""
    from chronos_app.core.storage import get_storage, video_key
    from chronos_app.pipeline import media

    creator = _creator(session, actor)
    plan = plan_for(creator.subscription_tier)
    head = stream.read(64)
    stream.seek(0)
    mime = media.check_upload(filename, size, head, tier=creator.subscription_tier)
    _check_video_quota(session, creator)
    used = storage_used(session, creator.id)
    if size and used + size > plan.storage_bytes:
        raise InvalidInput(f"This upload would exceed the {plan.label} plan's "
                           f"{plan.storage_bytes // 1024 ** 3} GB of storage.", field="file")
    storage = storage or get_storage()
    video_id = uuid.uuid4()
    ext = media.extension_for(mime)
    key = video_key(video_id, ext)
    written = storage.save(key, stream, max_bytes=plan.max_upload_bytes)
    stem = filename.rsplit("/", 1)[-1].rsplit(".", 1)[0].replace("_", " ").replace("-", " ")
    video = Video(id=video_id, creator_id=creator.id, title=_clean_title(title, stem or "Upload"),
                  source_type="upload", storage_path=key, mime_type=mime,
                  file_size_bytes=written, meta={"original_filename": filename[:255]})
    try:
        return _admit(session, creator, video, stored_bytes=written)
    except Exception:
        storage.delete(key)
        raise


def _admit(session: Session, creator: Creator, video: Video, stored_bytes: int = 0) -> VideoRow:
    session.add(video)
    session.flush()
    queue.enqueue(session, video_id=video.id)
    tracking.add_usage(session, creator_id=creator.id, videos_uploaded=1,
                       storage_used_bytes=stored_bytes)
    return _row(video, chapter_count=0, has_transcript=False)


def attach_transcript(*, session: Session, actor: Actor, video_id: uuid.UUID | str,
                      filename: str, data: bytes) -> VideoRow:
    """Attach or replace the video's transcript and process the video again."""
    video = _own_video(session, actor, video_id, lock=True)
    parsed = parse_captions(data, filename)
    cues = parsed.cues
    meta = dict(video.meta or {})
    if not parsed.timed:
        duration = video.duration_seconds
        if not duration:
            words = sum(len(c.text.split()) for c in cues)
            duration = max(10, math.ceil(words / WORDS_PER_MINUTE * 60))
            meta["timing"] = "estimated"
        cues = spread_over(cues, float(duration))
    elif video.duration_seconds and cues[-1].end > video.duration_seconds + 1:
        raise InvalidInput(
            f"This transcript runs to {format_clock(cues[-1].end)}, but the video is only "
            f"{format_clock(video.duration_seconds)} long. Is it the right file?",
            field="captions")
    replace_segments(session, video.id, cues)
    if not video.duration_seconds:
        video.duration_seconds = max(1, math.ceil(cues[-1].end))
    meta.pop(NEEDS_TRANSCRIPT, None)
    meta["transcript_source"] = f"file {filename[:120]}"
    video.meta = meta
    video.transcript = transcript_text(cues)
    video.status, video.processing_progress, video.error_message = "pending", 0, None
    session.add(video)
    tracking.add_event(session, video_id=video.id, creator_id=video.creator_id,
                       event_type="video_transcribed",
                       meta={"source": "file", "segments": len(cues)})
    _restart(session, video)
    return _row(video, chapter_count=_chapter_count(session, video.id), has_transcript=True)


def _restart(session: Session, video: Video) -> None:
    """Cancel live work on the video and queue it afresh (a running worker stops at its
    next heartbeat)."""
    queue.cancel(session, video_id=video.id)
    session.flush()
    queue.enqueue(session, video_id=video.id, priority=1)


# --- the queue from the library --------------------------------------------------------------

def retry(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> VideoRow:
    """Process the video again (after a failure, a cancel, or to fetch its transcript anew)."""
    video = _own_video(session, actor, video_id, lock=True)
    job = queue.latest_job(session, video_id=video.id)
    if job is not None and job.status in ("pending", "running"):
        raise Conflict("This video is already being processed.")
    video.status, video.processing_progress, video.error_message = "pending", 0, None
    session.add(video)
    _restart(session, video)
    return _row(video, chapter_count=_chapter_count(session, video.id),
                has_transcript=bool(video.transcript))


def cancel(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> VideoRow:
    video = _own_video(session, actor, video_id, lock=True)
    if video.status not in ACTIVE_STATUSES:
        raise Conflict("Only a video that is being processed can be cancelled.")
    queue.cancel(session, video_id=video.id)
    video.status, video.error_message = "cancelled", "Cancelled by you."
    session.add(video)
    return _row(video, chapter_count=_chapter_count(session, video.id),
                has_transcript=bool(video.transcript))


def delete_video(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> None:
    """Soft delete: the video disappears everywhere; its rows stay for the records."""
    video = _own_video(session, actor, video_id, lock=True)
    queue.cancel(session, video_id=video.id)
    video.is_deleted = True
    video.published_at = None
    session.add(video)


# --- reading -----------------------------------------------------------------------------------

def _row(video: Video, *, chapter_count: int, has_transcript: bool) -> VideoRow:
    status = video.status
    if (video.meta or {}).get(NEEDS_TRANSCRIPT) and status == "pending":
        status = NEEDS_TRANSCRIPT
    active = status in ACTIVE_STATUSES
    return VideoRow(
        id=str(video.id), title=video.title, source_type=video.source_type,
        source_label=SOURCE_LABELS.get(video.source_type, video.source_type),
        status=status, status_label=STATUS_LABELS.get(status, status),
        progress=video.processing_progress or 0, active=active,
        error_message=video.error_message or "",
        duration=format_clock(video.duration_seconds) if video.duration_seconds else "",
        created=video.created_at.date().isoformat() if video.created_at else "",
        thumbnail_url=video.thumbnail_url or "", published=video.published_at is not None,
        chapter_count=chapter_count, has_transcript=has_transcript)


def _chapter_count(session: Session, video_id: uuid.UUID) -> int:
    return session.exec(select(func.count()).select_from(Chapter)
                        .where(Chapter.video_id == video_id)).one()


def list_videos(*, session: Session, actor: Actor, status: str = "all", source: str = "all",
                since: date | None = None, search: str = "") -> list[VideoRow]:
    """The creator's library, newest first, filtered; search covers titles and transcripts."""
    creator = _creator(session, actor)
    chapters = (select(func.count()).select_from(Chapter)
                .where(Chapter.video_id == Video.id).scalar_subquery())
    stmt = (select(Video, chapters).where(Video.creator_id == creator.id,
                                          Video.is_deleted.is_(False))
            .order_by(Video.created_at.desc()))
    needs = Video.meta[NEEDS_TRANSCRIPT].astext == "true"
    if status == "active":
        stmt = stmt.where(Video.status.in_(ACTIVE_STATUSES), or_(~needs, needs.is_(None)))
    elif status == NEEDS_TRANSCRIPT:
        stmt = stmt.where(needs, Video.status == "pending")
    elif status in ("completed", "failed", "cancelled"):
        stmt = stmt.where(Video.status == status)
    if source != "all":
        stmt = stmt.where(Video.source_type == source)
    if since is not None:
        stmt = stmt.where(Video.created_at >= datetime.combine(since, time.min, tzinfo=UTC))
    term = " ".join((search or "").split())[:200]
    if term:
        like = f"%{_escape_like(term)}%"
        stmt = stmt.where(or_(Video.title.ilike(like, escape="\\"),
                              Video.transcript.ilike(like, escape="\\")))
    return [_row(v, chapter_count=n, has_transcript=bool(v.transcript))
            for v, n in session.exec(stmt).all()]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def progress_of(*, session: Session, actor: Actor,
                video_ids: Sequence[str]) -> list[ProgressRow]:
    """Status and progress of some of the creator's videos (the library polls this)."""
    creator = _creator(session, actor)
    ids = []
    for vid in video_ids:
        try:
            ids.append(uuid.UUID(vid))
        except ValueError:
            continue
    if not ids:
        return []
    videos = session.exec(select(Video).where(Video.id.in_(ids),
                                              Video.creator_id == creator.id)).all()
    out = []
    for v in videos:
        row = _row(v, chapter_count=0, has_transcript=False)
        out.append(ProgressRow(id=row.id, status=row.status, status_label=row.status_label,
                               progress=row.progress, active=row.active,
                               error_message=row.error_message))
    return out


def video_detail(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> VideoDetail:
    video = _own_video(session, actor, video_id)
    segments = session.exec(select(VideoSegment).where(VideoSegment.video_id == video.id)
                            .order_by(VideoSegment.segment_index)).all()
    chapters = session.exec(select(Chapter).where(Chapter.video_id == video.id)
                            .order_by(Chapter.chapter_order)).all()
    chunk_count, model = session.execute(text(
        "SELECT count(*), max(embedding_model) FROM video_chunks WHERE video_id = :v"),
        {"v": video.id}).one()
    row = _row(video, chapter_count=len(chapters), has_transcript=bool(segments))
    return VideoDetail(
        id=row.id, title=video.title, source_type=video.source_type,
        source_label=row.source_label, url=video.url or "", status=row.status,
        status_label=row.status_label, error_message=row.error_message, progress=row.progress,
        duration_seconds=video.duration_seconds or 0, duration=row.duration,
        published=row.published,
        required_tier=str((video.meta or {}).get("required_tier") or ""),
        media_url=f"/media/videos/{video.id}" if video.storage_path else "",
        transcript_source=_source_label(str((video.meta or {}).get("transcript_source") or "")),
        cues=[CueRow(start=s.start_seconds, label=format_clock(s.start_seconds), text=s.text)
              for s in segments],
        chapters=[ChapterRow(start=format_clock(float(c.start_time_seconds)), title=c.title,
                             ai=c.is_ai_generated,
                             confidence="" if c.confidence_score is None
                             else f"{round(float(c.confidence_score) * 100)} %")
                  for c in chapters],
        chunk_count=chunk_count, embedding_model=model or "")


def _source_label(source: str) -> str:
    if source.startswith("file "):
        return source[5:]
    if source == "youtube":
        return "YouTube captions"
    return "Whisper transcription" if "whisper" in source else source


# --- chapters and publishing ------------------------------------------------------------------

def save_chapters(*, session: Session, actor: Actor, video_id: uuid.UUID | str,
                  chapters: Sequence[tuple[str, str]]) -> VideoDetail:
    """Replace the video's chapters with the creator's list of ("m:ss", title).

    Raises InvalidInput with every broken chapter rule in `details`; nothing is changed then.
    """
    video = _own_video(session, actor, video_id, lock=True)
    if not video.duration_seconds:
        raise InvalidInput("Chapters need the video's length: add a transcript first.")
    parsed: list[tuple[float, str]] = []
    problems: list[str] = []
    for n, (start, title) in enumerate(chapters, start=1):
        seconds = parse_timestamp(start)
        if seconds is None:
            problems.append(f"Chapter {n}: “{start}” is not a time; write it like 1:05.")
            continue
        parsed.append((seconds, " ".join((title or "").split())))
    if not problems:
        problems = chapter_problems(parsed, float(video.duration_seconds))
    if problems:
        raise InvalidInput("The chapters break some rules; nothing was saved.", details=problems)
    old = {(round(float(c.start_time_seconds), 3), c.title): c for c in session.exec(
        select(Chapter).where(Chapter.video_id == video.id)).all()}
    session.execute(delete(Chapter).where(Chapter.video_id == video.id))
    for i, (start, title) in enumerate(parsed):
        end = parsed[i + 1][0] if i + 1 < len(parsed) else float(video.duration_seconds)
        kept = old.get((round(start, 3), title))
        session.add(Chapter(video_id=video.id, title=title, chapter_order=i + 1,
                            start_time_seconds=round(start, 3), end_time_seconds=round(end, 3),
                            is_ai_generated=bool(kept and kept.is_ai_generated),
                            confidence_score=kept.confidence_score if kept else None))
    video.meta = {**(video.meta or {}), "chapters_reviewed": True}
    session.add(video)
    return video_detail(session=session, actor=actor, video_id=video.id)


def set_published(*, session: Session, actor: Actor, video_id: uuid.UUID | str,
                  published: bool) -> VideoDetail:
    video = _own_video(session, actor, video_id, lock=True)
    if published:
        if video.status != "completed":
            raise InvalidInput("Only a processed video can be published: wait until it is ready.")
        chapters = session.exec(select(Chapter).where(Chapter.video_id == video.id)
                                .order_by(Chapter.chapter_order)).all()
        problems = chapter_problems([(float(c.start_time_seconds), c.title) for c in chapters],
                                    float(video.duration_seconds or 0))
        if problems:
            raise InvalidInput("Fix the chapters before publishing.", details=problems)
        video.published_at = video.published_at or datetime.now(UTC)
    else:
        video.published_at = None
    session.add(video)
    session.flush()
    return video_detail(session=session, actor=actor, video_id=video.id)


def rename(*, session: Session, actor: Actor, video_id: uuid.UUID | str, title: str) -> None:
    video = _own_video(session, actor, video_id, lock=True)
    cleaned = _clean_title(title, "")
    if not cleaned:
        raise InvalidInput("A video needs a title.", field="title")
    video.title = cleaned
    session.add(video)


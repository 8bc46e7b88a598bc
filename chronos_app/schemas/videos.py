"""What the video library shows: rows, progress, transcript cues and chapters."""

from __future__ import annotations

import dataclasses

STATUS_LABELS = {
    "pending": "Queued",
    "uploading": "Uploading",
    "transcribing": "Transcribing",
    "processing": "Processing",
    "embedding": "Embedding",
    "completed": "Ready",
    "failed": "Failed",
    "cancelled": "Cancelled",
    "needs_transcript": "Needs a transcript",
}
ACTIVE_STATUSES = ("pending", "uploading", "transcribing", "processing", "embedding")
SOURCE_LABELS = {"youtube": "YouTube", "loom": "Loom", "vimeo": "Vimeo", "wistia": "Wistia",
                 "mux": "Mux", "upload": "Upload"}


@dataclasses.dataclass
class VideoRow:
    id: str = ""
    title: str = ""
    source_type: str = ""
    source_label: str = ""
    status: str = ""          # videos.status, or "needs_transcript"
    status_label: str = ""
    progress: int = 0
    active: bool = False      # the pipeline is working on it (progress bar shown)
    error_message: str = ""
    duration: str = ""        # "12:34"
    created: str = ""         # "2026-11-22"
    thumbnail_url: str = ""   # path on the backend ("/media/thumbnails/<id>") or ""
    published: bool = False
    chapter_count: int = 0
    has_transcript: bool = False


@dataclasses.dataclass
class ProgressRow:
    id: str = ""
    status: str = ""
    status_label: str = ""
    progress: int = 0
    active: bool = False
    error_message: str = ""


@dataclasses.dataclass
class CueRow:
    start: float = 0.0
    label: str = ""   # "1:02"
    text: str = ""


@dataclasses.dataclass
class ChapterRow:
    start: str = ""          # editable "m:ss"
    title: str = ""
    ai: bool = True
    confidence: str = ""     # "82 %" or ""


@dataclasses.dataclass
class VideoDetail:
    id: str = ""
    title: str = ""
    source_type: str = ""
    source_label: str = ""
    url: str = ""
    status: str = ""
    status_label: str = ""
    error_message: str = ""
    progress: int = 0
    duration_seconds: int = 0
    duration: str = ""
    published: bool = False
    media_url: str = ""       # uploads: the range-streamed file on the backend
    transcript_source: str = ""
    cues: list[CueRow] = dataclasses.field(default_factory=list)
    chapters: list[ChapterRow] = dataclasses.field(default_factory=list)
    chunk_count: int = 0
    embedding_model: str = ""
    required_tier: str = ""   # "" (members / public) | "premium" | "pro"

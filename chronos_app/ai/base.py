"""The interfaces the pipeline and the tutor program against; providers implement them.

Pipeline code is synchronous (it runs in worker threads), so these methods are too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from chronos_app.core.errors import ChronosError
from chronos_app.pipeline.captions import Cue

EMBEDDING_DIM = 1536

__all__ = [
    "EMBEDDING_DIM", "AIProviderError", "ChapterDraft", "Chapterer", "Cue", "Embedder",
    "TextLLM", "TranscriptUnavailable", "Transcriber", "api_error_detail",
]


class AIProviderError(ChronosError):
    """A provider (OpenAI, Anthropic, Whisper, ...) failed; `message` is safe to show."""


class TranscriptUnavailable(ChronosError):
    """No transcript can be obtained from the source (no captions, no key, no network)."""


def api_error_detail(body: object) -> str:
    """The human part of a provider's error body ({"error": {"message": ...}}), shortened."""
    detail: object = body
    if isinstance(detail, dict):
        detail = detail.get("error", detail)
    if isinstance(detail, dict):
        detail = detail.get("message") or ""
    text = " ".join(str(detail or "").split())
    return text[:200] + ("…" if len(text) > 200 else "")


@runtime_checkable
class Embedder(Protocol):
    model: str        # recorded on every chunk (video_chunks.embedding_model)
    dimensions: int   # always EMBEDDING_DIM so every vector fits the column

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit-length vector per text, in order."""
        ...


@runtime_checkable
class TextLLM(Protocol):
    name: str  # e.g. "anthropic:claude-haiku-4-5"

    def complete(self, *, system: str, prompt: str, max_tokens: int = 1024) -> str:
        """The model's whole text answer to one user prompt."""
        ...


@runtime_checkable
class Transcriber(Protocol):
    model: str

    def transcribe(self, media_path: str) -> list[Cue]:
        """Timed cues of a local audio/video file."""
        ...


@dataclass(frozen=True)
class ChapterDraft:
    start: float
    end: float
    title: str
    confidence: float  # 0..1, stored in chapters.confidence_score


@runtime_checkable
class Chapterer(Protocol):
    name: str

    def chapters(self, cues: Sequence[Cue], duration: float) -> list[ChapterDraft]:
        """Chapters that satisfy the chapter rules (see ai.chapters.chapter_problems)."""
        ...

"""Loading the evaluation data (never copied into the repository: read where it lies).

- Chapter set: ``EVAL_DATA_DIR`` (default ``<repo>/../shared/data/normalized``), searched
  recursively for ``*.json`` files ``{video_id, title, segments: [{start, end, text}],
  chapters: [{start_s, title}]}``; the source is the first folder below EVAL_DATA_DIR. Duration:
  from ``manifest.json`` next to that folder (``duration_s``, else ``approx_duration_s``) when
  present, else the end of the last segment.
- QA set: ``EVAL_QA_DIR`` (default ``<repo>/../shared/eval``) with ``tutorialvqa-dev-300.json``
  and ``tutorialvqa-transcripts/<video_id>.json``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from chronos_app.core.settings import REPO_ROOT
from chronos_app.pipeline.captions import Cue, normalize

__all__ = ["ChapterVideo", "QAItem", "data_dir", "load_chapter_videos", "load_qa", "qa_dir"]


@dataclass(frozen=True)
class ChapterVideo:
    video_id: str
    source: str
    title: str
    cues: list[Cue]
    duration: float
    reference_starts: list[float]


@dataclass(frozen=True)
class QAItem:
    video_id: str
    question: str
    answer_start: float
    answer_end: float


def data_dir() -> Path:
    return Path(os.environ.get("EVAL_DATA_DIR") or REPO_ROOT.parent / "shared" / "data"
                / "normalized")


def qa_dir() -> Path:
    return Path(os.environ.get("EVAL_QA_DIR") or REPO_ROOT.parent / "shared" / "eval")


def _cues(segments: list[dict]) -> list[Cue]:
    """The segments as the pipeline would store them (captions.normalize: sorted, trimmed)."""
    raw = []
    for seg in segments:
        try:
            start = float(seg["start"])
            raw.append(Cue(start, float(seg.get("end", start) or start), str(seg["text"])))
        except (KeyError, TypeError, ValueError):
            continue
    return normalize(raw)


def _manifest(root: Path) -> dict:
    for candidate in (root / "manifest.json", root.parent / "manifest.json"):
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def load_chapter_videos(root: Path | None = None) -> list[ChapterVideo]:
    """Every video with a transcript and reference chapters under ``root``; [] if none."""
    root = root or data_dir()
    if not root.is_dir():
        return []
    manifest = _manifest(root)
    videos = []
    for path in sorted(root.rglob("*.json")):
        if path.name == "manifest.json":
            continue
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if not isinstance(doc, dict) or not doc.get("segments") or not doc.get("chapters"):
            continue
        cues = _cues(doc["segments"])
        if not cues:
            continue
        video_id = str(doc.get("video_id") or path.stem)
        meta = manifest.get(video_id) or {}
        duration = (doc.get("duration") or meta.get("duration_s")
                    or meta.get("approx_duration_s") or max(c.end for c in cues))
        relative = path.relative_to(root).parts
        source = relative[0] if len(relative) > 1 else str(doc.get("source") or "data")
        starts = sorted(float(c["start_s"]) for c in doc["chapters"] if "start_s" in c)
        videos.append(ChapterVideo(video_id, source, str(doc.get("title") or video_id), cues,
                                   float(duration), starts))
    return videos


def load_qa(root: Path | None = None) -> tuple[list[QAItem], dict[str, list[Cue]]]:
    """(questions, {video_id: cues}) of the QA set; ([], {}) when it is not there."""
    root = root or qa_dir()
    questions_file = root / "tutorialvqa-dev-300.json"
    transcripts = root / "tutorialvqa-transcripts"
    if not questions_file.is_file() or not transcripts.is_dir():
        return [], {}
    cues: dict[str, list[Cue]] = {}
    for path in sorted(transcripts.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        cues[str(doc.get("video_id") or path.stem)] = _cues(doc.get("segments") or [])
    items = []
    for raw in json.loads(questions_file.read_text(encoding="utf-8")):
        video_id = str(raw["video_id"])
        if cues.get(video_id):
            items.append(QAItem(video_id, str(raw["question"]), float(raw["answer_start_s"]),
                                float(raw["answer_end_s"])))
    return items, cues

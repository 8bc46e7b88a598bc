"""Caption files → timed cues: WebVTT and SRT (through pysubs2), a JSON list of
{start, end, text} segments, or plain text (timed later by spreading it over the video)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePath

import pysubs2
from charset_normalizer import from_bytes

from chronos_app.core.errors import InvalidInput

MAX_CAPTION_BYTES = 20 * 1024 * 1024
CAPTION_EXTENSIONS = (".vtt", ".srt", ".json", ".txt")
_TAG = re.compile(r"<[^>]*>|\{\\[^}]*\}")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


class InvalidCaptions(InvalidInput):
    """A caption file that cannot be read; the message says why, for the uploader."""


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class ParsedCaptions:
    cues: list[Cue]
    timed: bool  # False for plain text: the cues still need times (see spread_over)


def decode(data: bytes, filename: str = "file") -> str:
    """Text of a caption file: BOMs honoured, UTF-8 first, then the most likely charset."""
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InvalidCaptions(f"{filename} is a binary file, not captions.", field="captions")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(data).best()
        if best is None:
            raise InvalidCaptions(f"{filename} is not readable text.", field="captions") from None
        return str(best)


def parse_captions(data: bytes, filename: str) -> ParsedCaptions:
    name = PurePath(filename or "captions").name
    ext = PurePath(name).suffix.lower()
    if ext not in CAPTION_EXTENSIONS:
        raise InvalidCaptions(f"{name}: use a WebVTT (.vtt), SRT (.srt), JSON (.json) or "
                              "plain text (.txt) file.", field="captions")
    if not data.strip():
        raise InvalidCaptions(f"{name} is empty.", field="captions")
    if len(data) > MAX_CAPTION_BYTES:
        raise InvalidCaptions(f"{name} is larger than {MAX_CAPTION_BYTES // (1024 * 1024)} MB.",
                              field="captions")
    text = decode(data, name)
    if ext == ".txt":
        cues = [Cue(0.0, 0.0, s) for s in _sentences(text)]
        if not cues:
            raise InvalidCaptions(f"{name} has no text.", field="captions")
        return ParsedCaptions(cues, timed=False)
    cues = _json_cues(text, name) if ext == ".json" else _subtitle_cues(text, ext, name)
    cues = normalize(cues)
    if not cues:
        raise InvalidCaptions(f"No captions found in {name}: is it a valid "
                              f"{'JSON segment list' if ext == '.json' else ext[1:].upper()} file?",
                              field="captions")
    return ParsedCaptions(cues, timed=True)


def _subtitle_cues(text: str, ext: str, name: str) -> list[Cue]:
    fmt = "vtt" if ext == ".vtt" else "srt"
    if fmt == "vtt" and not text.lstrip().startswith("WEBVTT"):
        raise InvalidCaptions(f"{name} does not start with WEBVTT, so it is not a WebVTT file.",
                              field="captions")
    if fmt == "vtt":
        text = _drop_cue_identifiers(text)
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except Exception as err:  # pysubs2 raises several types for malformed input
        raise InvalidCaptions(f"{name} could not be read as {fmt.upper()}: {err}",
                              field="captions") from err
    return [Cue(e.start / 1000, e.end / 1000, e.plaintext) for e in subs if not e.is_comment]


def _drop_cue_identifiers(text: str) -> str:
    """pysubs2 reads a WebVTT cue's optional identifier line as caption text; drop it."""
    lines = text.splitlines()
    keep = [line for i, line in enumerate(lines)
            if not (line.strip() and "-->" not in line and i + 1 < len(lines)
                    and "-->" in lines[i + 1] and (i == 0 or not lines[i - 1].strip()))]
    return "\n".join(keep)


def _json_cues(text: str, name: str) -> list[Cue]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidCaptions(f"{name} is not valid JSON (line {err.lineno}).",
                              field="captions") from err
    items = doc.get("segments") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise InvalidCaptions(f"{name} must hold a list of {{start, end, text}} segments.",
                              field="captions")
    cues = []
    for i, item in enumerate(items, 1):
        try:
            start, end = float(item["start"]), float(item.get("end", item["start"]))
            cues.append(Cue(start, end, str(item["text"])))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise InvalidCaptions(f"{name}: segment {i} needs a numeric start, an end and a text.",
                                  field="captions") from None
    return cues


def clean_text(text: str) -> str:
    return _SPACE.sub(" ", _TAG.sub(" ", text.replace("\\N", " "))).strip()


def normalize(cues: list[Cue]) -> list[Cue]:
    """Tags stripped, empty and repeated cues dropped, sorted, overlaps trimmed, no negatives.

    A cue without an end (end <= start) runs until the next one starts.
    """
    cleaned = sorted(
        (Cue(max(c.start, 0.0), max(c.end, 0.0), clean_text(c.text)) for c in cues),
        key=lambda c: c.start)
    out: list[Cue] = []
    for i, cue in enumerate(cleaned):
        if not cue.text or (out and out[-1].text == cue.text and cue.start <= out[-1].end + 0.5):
            if cue.text and out:  # rolling captions repeat a line: extend it instead
                out[-1] = Cue(out[-1].start, max(out[-1].end, cue.end), out[-1].text)
            continue
        next_start = next((c.start for c in cleaned[i + 1:] if c.start > cue.start), None)
        end = cue.end
        if end <= cue.start:
            end = next_start if next_start is not None else cue.start + 2.0
        if next_start is not None and end > next_start:
            end = next_start
        out.append(Cue(round(cue.start, 3), round(end, 3), cue.text))
    return out


def _sentences(text: str) -> list[str]:
    return [s for s in (clean_text(p) for p in _SENTENCE.split(text)) if s]


def spread_over(cues: list[Cue], duration: float) -> list[Cue]:
    """Give untimed cues times across `duration`, in proportion to their word counts."""
    if duration <= 0:
        raise InvalidCaptions("A plain-text transcript needs the video's duration.",
                              field="captions")
    words = [max(len(c.text.split()), 1) for c in cues]
    total, t, out = sum(words), 0.0, []
    for cue, n in zip(cues, words, strict=True):
        length = duration * n / total
        out.append(Cue(round(t, 3), round(min(t + length, duration), 3), cue.text))
        t += length
    return out

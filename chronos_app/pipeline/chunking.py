"""Timed cues → overlapping retrieval chunks that keep the transcript's true timestamps.

A chunk is a run of whole cues (segment-aligned): its start is its first cue's start and its end
the latest end among its cues, in the cues' own fractional seconds, so a citation of a chunk
seeks the player to where the passage is actually spoken. Consecutive chunks share about
``overlap_words`` worth of whole cues so that an answer straddling a chunk border is still found
in one piece.

A single cue longer than ``target_words`` (a caption file that is one giant block, or plain
text spread over the video) is first cut into sentence-aligned pieces (about a quarter of the
target, or the overlap if larger, so that the overlap still works); each piece's times are interpolated in proportion to word position inside the
cue (the only information there is).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chronos_app.pipeline.captions import Cue

__all__ = ["CHUNK_OVERLAP_WORDS", "CHUNK_TARGET_WORDS", "ChunkDraft", "build_chunks"]

# Chosen by the retrieval evaluation (`python -m chronos_app.evaluation`; TutorialVQA dev-300:
# 300 questions over 76 timed tutorial transcripts; each question ranks the chunks of its own
# video by LocalEmbedder cosine + BM25 fused with RRF; a hit = the chunk overlaps the answer
# window). Grid: 60/80/120/160/200 words x 0/15%/25% overlap; chosen by the unweighted mean of
# R@1, R@5, MRR and "first citation within the answer window ± 5 s" (hybrid):
#   target/overlap   R@1    R@5    MRR    cite±5s  mean   (≈ seconds per chunk)
#    60/15          0.607  0.920  0.739  0.393    0.665  (22 s)
#    80/12          0.663  0.960  0.782  0.340    0.686  (28 s)
#   120/0           0.657  0.983  0.787  0.287    0.678  (41 s)
#   120/18          0.700  0.987  0.813  0.293    0.698  (41 s)  <- chosen
#   120/30          0.680  0.970  0.798  0.247    0.674
#   160/0           0.707  0.993  0.827  0.227    0.689  (53 s)
#   200/0           0.713  0.997  0.834  0.183    0.682  (66 s)
# Bigger chunks rank better, smaller ones cite closer to the answer; 120/18 is the best
# balance (differences under ~0.01 are within noise for 300 questions).
CHUNK_TARGET_WORDS = 120
CHUNK_OVERLAP_WORDS = 18

# The last chunk of a transcript is folded into the one before when it would add fewer new
# words than this fraction of the target (no stub chunks made of a closing "thanks!").
_TAIL_FRACTION = 0.3
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")


@dataclass(frozen=True)
class ChunkDraft:
    index: int
    text: str
    start: float
    end: float
    word_count: int


def build_chunks(cues: Sequence[Cue], *, target_words: int = CHUNK_TARGET_WORDS,
                 overlap_words: int = CHUNK_OVERLAP_WORDS) -> list[ChunkDraft]:
    """Chunks of about ``target_words`` words made of whole cues, overlapping by whole cues
    worth at most ``overlap_words`` words (0 = no overlap). Cues without words are skipped;
    no cues → ``[]``.

    Raises ValueError when the cues carry no timing at all (every time 0: plain text that was
    never spread over the video — see ``captions.spread_over``), since a chunk at 0:00–0:00
    would cite the wrong moment.
    """
    if target_words < 1:
        raise ValueError("target_words must be at least 1")
    overlap_words = max(0, min(overlap_words, target_words - 1))
    # Pieces of a cut-up long cue are small enough for the overlap to work on whole pieces.
    piece_words = max(overlap_words, target_words // 4, 1)
    units = _units(cues, target_words, piece_words)
    if not units:
        return []
    if all(c.start == 0 and c.end == 0 for c in units):
        raise ValueError("The cues have no timestamps: time them (spread_over) before chunking.")
    words = [len(c.text.split()) for c in units]
    suffix = [0] * (len(units) + 1)  # suffix[i] = words in units[i:]
    for i in range(len(units) - 1, -1, -1):
        suffix[i] = suffix[i + 1] + words[i]

    chunks: list[ChunkDraft] = []
    first = 0
    while True:
        last, count = first, words[first]
        while last + 1 < len(units) and count < target_words:
            last += 1
            count += words[last]
        if 0 < suffix[last + 1] < _TAIL_FRACTION * target_words:
            last, count = len(units) - 1, count + suffix[last + 1]  # fold a stub tail in
        run = units[first:last + 1]
        chunks.append(ChunkDraft(
            index=len(chunks),
            text=" ".join(c.text for c in run),
            start=round(min(c.start for c in run), 3),
            end=round(max(c.end for c in run), 3),
            word_count=count,
        ))
        if last + 1 >= len(units):
            return chunks
        # The next chunk starts with the whole trailing cues of this one that fit in the
        # overlap budget, and always moves forward by at least one cue.
        next_first, shared = last + 1, 0
        while next_first - 1 > first and shared + words[next_first - 1] <= overlap_words:
            next_first -= 1
            shared += words[next_first]
        first = next_first


def _units(cues: Sequence[Cue], target_words: int, piece_words: int) -> list[Cue]:
    """Cues with words, in time order, any cue longer than the target cut into pieces."""
    units: list[Cue] = []
    ordered = sorted((c for c in cues if c.text and c.text.strip()), key=lambda c: c.start)
    for cue in ordered:
        text = " ".join(cue.text.split())
        start = max(0.0, float(cue.start))
        end = max(start, float(cue.end))
        if len(text.split()) <= target_words:
            units.append(Cue(start, end, text))
        else:
            units.extend(_split_long(Cue(start, end, text), piece_words))
    return units


def _split_long(cue: Cue, piece_words: int) -> list[Cue]:
    """One long cue → sentence-aligned pieces of at most ``piece_words`` words (longer
    sentences cut by words), with times interpolated by word position."""
    pieces: list[list[str]] = []
    current: list[str] = []
    for sentence in _SENTENCE_END.split(cue.text):
        tokens = sentence.split()
        while len(tokens) > piece_words:  # a run-on "sentence": cut it by words
            if current:
                pieces.append(current)
                current = []
            pieces.append(tokens[:piece_words])
            tokens = tokens[piece_words:]
        if current and len(current) + len(tokens) > piece_words:
            pieces.append(current)
            current = []
        current.extend(tokens)
    if current:
        pieces.append(current)
    total = sum(len(p) for p in pieces)
    span = cue.end - cue.start
    out, done = [], 0
    for piece in pieces:
        start = cue.start + span * done / total
        done += len(piece)
        out.append(Cue(round(start, 3), round(cue.start + span * done / total, 3), " ".join(piece)))
    return out

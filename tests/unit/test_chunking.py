"""Chunking: whole cues, true fractional timestamps, overlap, word counts, edge cases."""

from __future__ import annotations

import pytest

from chronos_app.pipeline.captions import Cue
from chronos_app.pipeline.chunking import (
    CHUNK_OVERLAP_WORDS,
    CHUNK_TARGET_WORDS,
    ChunkDraft,
    build_chunks,
)


def _cues(n: int, words: int = 7, step: float = 2.75, offset: float = 0.35) -> list[Cue]:
    return [Cue(round(offset + i * step, 3), round(offset + i * step + step - 0.2, 3),
                " ".join(f"c{i}w{j}" for j in range(words))) for i in range(n)]


def _cue_indices(chunk: ChunkDraft) -> list[int]:
    return sorted({int(w[1:].split("w")[0]) for w in chunk.text.split()})


def test_zero_cues_and_wordless_cues():
    assert build_chunks([]) == []
    assert build_chunks([Cue(1.0, 2.0, "   "), Cue(2.0, 3.0, "")]) == []


def test_defaults_are_sane():
    assert 40 <= CHUNK_TARGET_WORDS <= 400
    assert 0 <= CHUNK_OVERLAP_WORDS < CHUNK_TARGET_WORDS


def test_chunks_are_runs_of_whole_cues_with_true_fractional_times():
    cues = _cues(60)
    chunks = build_chunks(cues, target_words=40, overlap_words=0)
    assert [c.index for c in chunks] == list(range(len(chunks)))
    covered = []
    for chunk in chunks:
        indices = _cue_indices(chunk)
        assert indices == list(range(indices[0], indices[-1] + 1))  # contiguous whole cues
        assert chunk.text == " ".join(cues[i].text for i in indices)
        assert chunk.start == cues[indices[0]].start
        assert chunk.end == cues[indices[-1]].end
        assert chunk.start != int(chunk.start)  # fractional seconds kept
        assert chunk.word_count == len(chunk.text.split()) == 7 * len(indices)
        assert chunk.end > chunk.start
        covered += indices
    assert covered == list(range(60))  # no overlap requested: each cue exactly once
    assert all(40 <= c.word_count < 47 for c in chunks[:-1])


def test_overlap_is_whole_trailing_cues_within_budget():
    chunks = build_chunks(_cues(60), target_words=42, overlap_words=15)
    assert len(chunks) > 3
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        shared = set(_cue_indices(prev)) & set(_cue_indices(nxt))
        assert len(shared) == 2  # 2 cues x 7 words = 14 <= 15
        assert max(shared) == _cue_indices(prev)[-1]
        assert nxt.start < prev.end
        assert nxt.start > prev.start
    every = sorted({i for c in chunks for i in _cue_indices(c)})
    assert every == list(range(60))


def test_overlap_always_makes_progress_with_big_cues():
    # every cue is larger than the overlap budget: no overlap possible, but no loop either
    chunks = build_chunks(_cues(10, words=30), target_words=50, overlap_words=20)
    assert [len(_cue_indices(c)) for c in chunks] == [2, 2, 2, 2, 2]


def test_stub_tail_is_folded_into_the_last_chunk():
    cues = _cues(13)  # 91 words: 42 + 42 + 7 -> the 7-word stub is folded in
    chunks = build_chunks(cues, target_words=42, overlap_words=0)
    assert len(chunks) == 2
    assert chunks[-1].end == cues[-1].end
    assert chunks[-1].word_count == 49


def test_single_huge_cue_is_split_with_interpolated_times():
    sentence = "Gradient descent moves downhill one small step at a time."  # 10 words
    cue = Cue(12.5, 612.5, " ".join([sentence] * 100))  # 1000 words over 600 s
    chunks = build_chunks([cue], target_words=100, overlap_words=25)
    assert len(chunks) > 5
    assert chunks[0].start == 12.5
    assert chunks[-1].end == 612.5
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        assert prev.start < nxt.start < prev.end  # overlapping, moving forward
    for chunk in chunks:
        assert chunk.text.endswith(".")  # sentence-aligned pieces
        assert 12.5 <= chunk.start < chunk.end <= 612.5
        # times proportional to word position: ~0.6 s per word
        assert chunk.end - chunk.start == pytest.approx(chunk.word_count * 0.6, rel=0.01)
        assert chunk.word_count <= 130


def test_single_short_cue_and_one_word():
    (chunk,) = build_chunks([Cue(3.25, 4.5, "Hello")])
    assert (chunk.index, chunk.text, chunk.start, chunk.end, chunk.word_count) == (
        0, "Hello", 3.25, 4.5, 1)


def test_unsorted_and_overlapping_cues():
    cues = [Cue(10.0, 14.0, "c2w0 c2w1"), Cue(0.5, 6.0, "c0w0 c0w1"), Cue(5.0, 11.0, "c1w0 c1w1")]
    (chunk,) = build_chunks(cues, target_words=100)
    assert chunk.text == "c0w0 c0w1 c1w0 c1w1 c2w0 c2w1"
    assert (chunk.start, chunk.end) == (0.5, 14.0)


def test_never_all_zero_timestamps():
    with pytest.raises(ValueError, match="timestamps"):
        build_chunks([Cue(0.0, 0.0, "untimed text"), Cue(0.0, 0.0, "more")])
    chunks = build_chunks([Cue(0.0, 1.5, "starts at zero"), Cue(1.5, 3.0, "then more")])
    assert chunks[0].start == 0.0 and chunks[0].end == 3.0


def test_rejects_nonsense_target():
    with pytest.raises(ValueError):
        build_chunks(_cues(3), target_words=0)

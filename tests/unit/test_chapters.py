"""Chapter rules, the offline topic segmenter, and the LLM chapterer with a fake LLM."""

from __future__ import annotations

import random

import pytest

from chronos_app.ai.base import AIProviderError, ChapterDraft, Chapterer, Cue
from chronos_app.ai.chapters import (
    MIN_CHAPTER_SECONDS,
    RULES_TEXT,
    EqualSpacingChapterer,
    LLMChapterer,
    OfflineChapterer,
    chapter_count,
    chapter_problems,
    format_time,
    get_chapterer,
    make_titles,
    parse_llm_chapters,
    repair_chapters,
    title_words,
    to_drafts,
    transcript_for_prompt,
)

TOPICS = {
    "baking": "flour butter oven dough yeast knead bread crust sourdough loaf starter rye",
    "astronomy": "planet orbit telescope galaxy comet nebula asteroid jupiter saturn eclipse",
    "guitar": "chord fret strum melody tuning plectrum rhythm amplifier arpeggio capo",
    "gardening": "compost tomato seedling soil mulch pruning watering greenhouse basil weeds",
    "chess": "pawn bishop knight rook castling checkmate gambit endgame opening queen",
}
FILLER = "so the we and is this of a to it you can now here then that with just really".split()


def synthetic(plan: list[tuple[str, float]], *, cue_seconds: float = 3.0, seed: int = 1
              ) -> list[Cue]:
    """Cues of ~9 words every ``cue_seconds``, each plan item (topic, seconds) in turn."""
    rng = random.Random(seed)
    cues, t = [], 0.0
    for topic, seconds in plan:
        vocab = TOPICS[topic].split()
        end_of_topic = t + seconds
        while t < end_of_topic - 1e-9:
            words = [rng.choice(vocab) if rng.random() < 0.45 else rng.choice(FILLER)
                     for _ in range(9)]
            end = min(t + cue_seconds, end_of_topic)
            cues.append(Cue(round(t + 0.13, 3), round(end - 0.07, 3),
                            " ".join(words).capitalize() + "."))
            t = end
    return cues


def valid(drafts: list[ChapterDraft], duration: float) -> list[str]:
    return chapter_problems([(d.start, d.title) for d in drafts], duration)


# ---- rules ---------------------------------------------------------------------------------

def test_valid_chapters_have_no_problems():
    assert chapter_problems([(0, "Getting Started"), (40, "Kneading the Dough"),
                             (200, "Baking and Cooling")], 400) == []
    assert chapter_problems([(0, "Whole Short Clip")], 6) == []  # < 10 s video: one chapter
    assert chapter_problems([(0, "Only One Chapter")], 180) == []  # <= 3 min: one is fine
    assert len(RULES_TEXT) == 5 and all(isinstance(r, str) for r in RULES_TEXT)


def test_first_chapter_must_start_at_zero():
    (problem,) = chapter_problems([(5, "Late Start Here"), (60, "Second Part"),
                                   (120, "Third Part")], 200)
    assert problem == ("Chapter 1 “Late Start Here”: the first chapter must start at 0:00 "
                       "(it starts at 0:05).")


def test_long_video_needs_three_chapters():
    (problem,) = chapter_problems([(0, "First Half"), (100, "Second Half")], 181)
    assert problem == "Videos longer than 3 minutes need at least 3 chapters (there are 2)."
    assert chapter_problems([(0, "First Half"), (100, "Second Half")], 180) == []


def test_starts_strictly_ascending():
    problems = chapter_problems([(0, "Intro to Bread"), (60, "Mixing the Dough"),
                                 (60, "Same Time Again"), (30, "Going Backwards")], 300)
    assert "Chapter 3 “Same Time Again”: must start after chapter 2 (1:00 is not after 1:00)." \
        in problems
    assert "Chapter 4 “Going Backwards”: must start after chapter 3 (0:30 is not after 1:00)." \
        in problems


def test_minimum_length():
    (problem,) = chapter_problems([(0, "Intro to Bread"), (4, "Intro Part Two"),
                                   (100, "Baking It")], 170)
    assert problem == "Chapter 1 “Intro to Bread”: must be at least 10 s long (it is 4 s)."
    (last,) = chapter_problems([(0, "Intro to Bread"), (100, "Baking It")], 106)
    assert last == "Chapter 2 “Baking It”: must be at least 10 s long (it is 6 s)."
    assert MIN_CHAPTER_SECONDS == 10


def test_start_after_the_end_and_negative():
    problems = chapter_problems([(0, "Intro to Bread"), (50, "Past the End")], 40)
    assert problems == ["Chapter 2 “Past the End”: starts at 0:50, after the end of the video "
                        "(0:40)."]
    assert any("cannot be negative" in p for p in chapter_problems([(-3, "Negative Start")], 40))


def test_title_rules():
    problems = chapter_problems([(0, "Intro"), (60, "one two three four five six seven eight "
                                 "nine"), (120, "  ")], 200)
    assert problems == [
        "Chapter 1 “Intro”: the title must have 2–8 words (it has 1).",
        "Chapter 2 “one two three four five six seven eight…”: the title must have 2–8 "
        "words (it has 9).",
        "Chapter 3: needs a title.",
    ]
    long_title = "Word " + "x" * 300
    assert chapter_problems([(0, long_title)], 100) == [
        f"Chapter 1 “{long_title[:39]}…”: the title must be at most 255 characters "
        f"(it has {len(long_title)})."]
    assert title_words("Q&A — Part 2") == ["Q&A", "Part", "2"]


def test_no_chapters_and_unknown_duration():
    assert chapter_problems([], 100) == ["Add at least one chapter."]
    assert chapter_problems([(0, "First Part"), (30, "Second Part")], 0) == []


def test_to_drafts_and_format_time():
    drafts = to_drafts([(0, "First  Part"), (30.5, "Second Part")], 90.25, [0.5, 1.5])
    assert drafts == [ChapterDraft(0.0, 30.5, "First Part", 0.5),
                      ChapterDraft(30.5, 90.25, "Second Part", 1.0)]
    assert to_drafts([(0, "Only Part")], 12, 0.8)[0].confidence == 0.8
    assert [format_time(s) for s in (0, 5.9, 754, 3723)] == ["0:00", "0:05", "12:34", "1:02:03"]


def test_chapter_count():
    assert chapter_count(5) == chapter_count(60) == 1
    assert chapter_count(120) == 2
    assert chapter_count(181) >= 3
    assert chapter_count(600) < chapter_count(1500) < chapter_count(3600)


# ---- offline chapterer ---------------------------------------------------------------------

@pytest.mark.parametrize("plan", [
    [("baking", 5)],
    [("baking", 30)],
    [("baking", 60), ("astronomy", 60)],
    [("guitar", 100), ("chess", 100)],
    [("baking", 300), ("astronomy", 300), ("guitar", 300), ("gardening", 300)],
    [("chess", 900), ("baking", 500), ("astronomy", 1200)],
])
def test_offline_output_always_follows_the_rules(plan):
    cues = synthetic(plan)
    duration = sum(s for _, s in plan)
    drafts = OfflineChapterer().chapters(cues, duration)
    assert drafts and valid(drafts, duration) == []
    assert drafts[0].start == 0 and drafts[-1].end == duration
    assert all(a.end == b.start for a, b in zip(drafts, drafts[1:], strict=False))
    assert all(0 <= d.confidence <= 1 for d in drafts)
    assert all(2 <= len(d.title.split()) <= 8 for d in drafts)
    assert len({d.title.lower() for d in drafts}) == len(drafts)


def test_offline_five_second_video_is_one_chapter():
    drafts = OfflineChapterer().chapters(synthetic([("baking", 5)], cue_seconds=2.5), 5)
    assert len(drafts) == 1
    assert (drafts[0].start, drafts[0].end) == (0.0, 5.0)


def test_offline_two_minute_video_finds_the_topic_change():
    drafts = OfflineChapterer().chapters(synthetic([("baking", 70), ("astronomy", 50)]), 120)
    assert len(drafts) == 2
    assert abs(drafts[1].start - 70) <= 6


def test_offline_twenty_minute_video_finds_every_topic_change():
    plan = [("baking", 300), ("astronomy", 280), ("guitar", 320), ("gardening", 300)]
    drafts = OfflineChapterer().chapters(synthetic(plan, seed=5), 1200)
    starts = [d.start for d in drafts]
    for change in (300, 580, 900):
        assert min(abs(s - change) for s in starts) <= 10, (change, starts)
    # chapters at real topic changes are the confident ones
    strong = sorted(drafts[1:], key=lambda d: -d.confidence)[:3]
    assert sorted(round(d.start / 10) * 10 for d in strong) == [300, 580, 900]


def test_offline_titles_name_the_topic():
    drafts = OfflineChapterer().chapters(
        synthetic([("baking", 240), ("astronomy", 240), ("guitar", 240)], seed=3), 720)
    vocab = {w for t in TOPICS.values() for w in t.split()}
    for draft in drafts:
        assert any(w.lower() in vocab for w in draft.title.split()), draft.title


def test_offline_edge_cases():
    offline = OfflineChapterer()
    assert offline.chapters([], 100) == []
    assert offline.chapters([Cue(0, 1, "   ")], 100) == []
    # overlapping, unsorted cue times and no duration given
    cues = synthetic([("baking", 200), ("chess", 200)])
    messy = [Cue(c.start, c.end + 4.0, c.text) for c in reversed(cues)]
    drafts = offline.chapters(messy, 0)
    assert valid(drafts, drafts[-1].end) == []
    # a long video with very few cues still gets the chapters the rules require
    sparse = [Cue(0, 2, "Welcome to the bread course."), Cue(590, 600, "Goodbye.")]
    drafts = offline.chapters(sparse, 600)
    assert len(drafts) >= 3 and valid(drafts, 600) == []


def test_equal_spacing_baseline():
    drafts = EqualSpacingChapterer().chapters(synthetic([("baking", 600)]), 600)
    assert len(drafts) == chapter_count(600)
    assert valid(drafts, 600) == []
    assert all(d.end - d.start == pytest.approx(600 / len(drafts), abs=0.01) for d in drafts)
    assert [d.title for d in drafts[:2]] == ["Part 1", "Part 2"]


def test_make_titles_are_distinct_and_sized():
    titles = make_titles(["", "bread bread bread flour", "bread bread bread flour", "!!!"])
    assert len(titles) == 4
    assert len({t.lower() for t in titles}) == 4
    assert all(2 <= len(title_words(t)) <= 8 for t in titles)
    assert titles[0] == "Part 1" and titles[3] == "Part 4"


# ---- LLM chapterer -------------------------------------------------------------------------

class FakeLLM:
    name = "fake:model"

    def __init__(self, answer: str | Exception) -> None:
        self.answer = answer
        self.prompts: list[tuple[str, str]] = []

    def complete(self, *, system: str, prompt: str, max_tokens: int = 1024) -> str:
        self.prompts.append((system, prompt))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class RecordingFallback:
    name = "recording"

    def __init__(self) -> None:
        self.calls = 0

    def chapters(self, cues, duration):
        self.calls += 1
        return EqualSpacingChapterer().chapters(cues, duration)


CUES = synthetic([("baking", 200), ("astronomy", 200), ("guitar", 200)])
GOOD = ('[{"start": 0, "title": "Baking Sourdough Bread"}, '
        '{"start": 200.13, "title": "Looking at the Planets"}, '
        '{"start": 400.13, "title": "Guitar Chords and Rhythm"}]')


def test_llm_good_json():
    llm, fallback = FakeLLM(GOOD), RecordingFallback()
    chapterer = LLMChapterer(llm, fallback)
    assert chapterer.name == "llm:fake:model"
    assert isinstance(chapterer, Chapterer)
    drafts = chapterer.chapters(CUES, 600)
    assert fallback.calls == 0
    assert [(d.start, d.end, d.title) for d in drafts] == [
        (0.0, 200.13, "Baking Sourdough Bread"), (200.13, 400.13, "Looking at the Planets"),
        (400.13, 600.0, "Guitar Chords and Rhythm")]
    assert {d.confidence for d in drafts} == {0.8}
    system, prompt = llm.prompts[0]
    assert "JSON" in system and "(600 seconds)" in prompt
    lines = [line for line in prompt.splitlines() if line.startswith("[")]
    assert lines[0].startswith("[0:00] ") and len(lines) > 20 and lines[-1].startswith("[9:")


def test_llm_json_in_code_fences_with_prose_and_clock_times():
    answer = ("Sure! Here are the chapters:\n```json\n"
              '{"chapters": [{"start": "0:00", "title": "Baking Sourdough Bread"}, '
              '{"start": "3:20", "title": "Looking at the Planets"}, '
              '{"start": "6:40", "title": "Guitar Chords and Rhythm"}]}\n```\nEnjoy.')
    fallback = RecordingFallback()
    drafts = LLMChapterer(FakeLLM(answer), fallback).chapters(CUES, 600)
    assert fallback.calls == 0
    # snapped to the nearest cue start (within 3 s)
    assert [d.start for d in drafts] == [0.0, 200.13, 400.13]


@pytest.mark.parametrize("answer", [
    "I cannot help with that.",
    "[not json at all",
    '[{"start": 0, "title": "Only One Chapter"}]',  # too few for a 10-minute video
    AIProviderError("The model is overloaded."),
    RuntimeError("connection reset"),
])
def test_llm_failures_use_the_fallback(answer):
    fallback = RecordingFallback()
    drafts = LLMChapterer(FakeLLM(answer), fallback).chapters(CUES, 600)
    assert fallback.calls == 1
    assert valid(drafts, 600) == []


def test_llm_rule_violations_are_repaired():
    answer = (
        '[{"start": 12, "title": "Baking Sourdough Bread At Home With Flour And Yeast Today"},'
        ' {"start": 205, "title": "Planets"},'
        ' {"start": 207, "title": "Too Close To The Previous"},'
        ' {"start": 401, "title": "Guitar Chords and Rhythm"},'
        ' {"start": 595, "title": "Far Too Short Ending"},'
        ' {"start": 9999, "title": "After The End"}]')
    fallback = RecordingFallback()
    drafts = LLMChapterer(FakeLLM(answer), fallback).chapters(CUES, 600)
    assert fallback.calls == 0
    assert valid(drafts, 600) == []
    # 205 and 207 both snap to the cue at 206.13 (the later one is dropped); 595 would leave a
    # 5-s chapter and 9999 is past the end: both dropped
    assert [d.start for d in drafts] == [0.0, 206.13, 400.13]
    assert drafts[0].title == "Baking Sourdough Bread At Home With Flour And"  # 8 words
    assert drafts[1].title.startswith("Planets: ")  # one word + the chapter's keyphrase


def test_parse_and_repair_helpers():
    assert parse_llm_chapters('[{"start": "1:02:03", "title": "A B"}]') == [(3723.0, "A B")]
    assert parse_llm_chapters('{"start": 5}') == []
    prose = ('Notes [see below]: {"ok": true}\n[{"start": 0, "title": "Intro to Bread"}, '
             '{"start": "75s", "title": "Mixing the Dough"}] Hope this helps [1].')
    assert parse_llm_chapters(prose) == [(0.0, "Intro to Bread"), (75.0, "Mixing the Dough")]
    assert repair_chapters([(50, "Second Part"), (3, "First Part")], 100) == [
        (0.0, "First Part"), (50.0, "Second Part")]
    assert repair_chapters([], 100) == []


def test_prompt_transcript_is_capped():
    long_cues = synthetic([("baking", 3600), ("chess", 3600)], cue_seconds=2.0)
    text = transcript_for_prompt(long_cues, max_chars=8000)
    assert len(text) <= 8000
    assert text.startswith("[0:00] ")
    assert "[1:" in text  # still spans the whole video (hours)


def test_llm_empty_cues():
    fallback = RecordingFallback()
    assert LLMChapterer(FakeLLM(GOOD), fallback).chapters([], 600) == []


def test_get_chapterer():
    assert isinstance(get_chapterer(None), OfflineChapterer)
    chapterer = get_chapterer(FakeLLM(GOOD))
    assert isinstance(chapterer, LLMChapterer)
    assert isinstance(chapterer.fallback, OfflineChapterer)

"""Demo lessons: shape of the content, cue timing, durations and a WebVTT round trip."""

from __future__ import annotations

import re

import pytest

from chronos_app.pipeline.captions import parse_captions
from chronos_app.services.demo_lessons import (
    DEMO_LESSONS,
    WORDS_PER_SECOND,
    DemoLesson,
    lesson_cues,
    lesson_duration,
    lesson_vtt,
)

LESSON_IDS = [lesson.key for lesson in DEMO_LESSONS]
TIMESTAMP_LINE = re.compile(r"^\d{2}:\d{2}:\d{2}\.\d{3} --> \d{2}:\d{2}:\d{2}\.\d{3}$")


def _tiny_lesson() -> DemoLesson:
    return DemoLesson(
        key="tiny", title="Tiny", description="A test lesson.", tags=("test", "tiny"),
        color="#000000", tone_hz=440.0,
        sections=(
            ("First part", ("Hi.", " ".join(["word"] * 13))),
            ("Second part", ("One two three four five six seven.",)),
        ),
    )


def test_four_lessons_with_unique_keys_titles_colors_and_tones():
    assert len(DEMO_LESSONS) == 4
    assert len({lesson.key for lesson in DEMO_LESSONS}) == 4
    assert len({lesson.title for lesson in DEMO_LESSONS}) == 4
    assert len({lesson.color.lower() for lesson in DEMO_LESSONS}) == 4
    assert len({lesson.tone_hz for lesson in DEMO_LESSONS}) == 4


@pytest.mark.parametrize("lesson", DEMO_LESSONS, ids=LESSON_IDS)
def test_lesson_metadata(lesson: DemoLesson):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", lesson.key)
    assert lesson.title.strip() and lesson.description.strip()
    assert 1 <= len(re.findall(r"[.!?](\s|$)", lesson.description)) <= 2
    assert 2 <= len(lesson.tags) <= 4
    assert all(tag == tag.lower() and tag.strip() for tag in lesson.tags)
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", lesson.color)
    assert 220 <= lesson.tone_hz <= 660


@pytest.mark.parametrize("lesson", DEMO_LESSONS, ids=LESSON_IDS)
def test_sections_and_sentences(lesson: DemoLesson):
    assert 3 <= len(lesson.sections) <= 5
    titles = [title for title, _ in lesson.sections]
    assert len(set(titles)) == len(titles)
    for title, sentences in lesson.sections:
        assert 2 <= len(title.split()) <= 6, title
        assert 8 <= len(sentences) <= 14, title
        for sentence in sentences:
            assert sentence.strip(), title
            assert len(sentence.split()) <= 40, sentence
            # Kept safe for WebVTT: one line, no cue arrow, nothing that reads as a tag.
            assert "\n" not in sentence and "-->" not in sentence
            assert not re.search(r"[<>{}\\]", sentence), sentence
    everything = [s for _, sentences in lesson.sections for s in sentences]
    assert len(set(everything)) == len(everything)


@pytest.mark.parametrize("lesson", DEMO_LESSONS, ids=LESSON_IDS)
def test_duration_is_three_to_six_minutes(lesson: DemoLesson):
    duration = lesson_duration(lesson)
    assert 180 <= duration <= 360
    assert duration == int(duration)
    assert lesson_cues(lesson)[-1].end + 2.0 <= duration < lesson_cues(lesson)[-1].end + 3.0


@pytest.mark.parametrize("lesson", DEMO_LESSONS, ids=LESSON_IDS)
def test_cues_increase_without_overlap(lesson: DemoLesson):
    cues = lesson_cues(lesson)
    sentences = [s for _, section in lesson.sections for s in section]
    assert [c.text for c in cues] == sentences
    assert cues[0].start == 0.0
    for cue in cues:
        assert cue.end > cue.start
        assert cue.end - cue.start >= 1.5 - 1e-9
        assert round(cue.start, 3) == cue.start and round(cue.end, 3) == cue.end
    for before, after in zip(cues, cues[1:], strict=False):
        assert after.start > before.start
        assert after.start >= before.end + 0.4 - 0.002
    assert any(cue.start != int(cue.start) for cue in cues[1:])


def test_cue_timing_rules_on_a_tiny_lesson():
    cues = lesson_cues(_tiny_lesson())
    # "Hi." is one word: the 1.5 s minimum applies.
    assert (cues[0].start, cues[0].end) == (0.0, 1.5)
    # 13 words at 2.6 words/s = 5 s, after a 0.4 s pause.
    assert cues[1].start == 1.9
    assert cues[1].end == pytest.approx(1.9 + 13 / WORDS_PER_SECOND, abs=0.001)
    # Between sections: the 0.4 s sentence pause plus the 1.2 s section pause.
    assert cues[2].start == pytest.approx(6.9 + 0.4 + 1.2, abs=0.001)
    assert cues[2].end == pytest.approx(8.5 + 7 / WORDS_PER_SECOND, abs=0.001)
    assert cues[2].end == 11.192  # rounded to 3 decimals, a true fraction
    assert lesson_duration(_tiny_lesson()) == 14.0  # 11.192 + 2 = 13.192, rounded up


@pytest.mark.parametrize("lesson", DEMO_LESSONS, ids=LESSON_IDS)
def test_vtt_is_well_formed(lesson: DemoLesson):
    data = lesson_vtt(lesson)
    text = data.decode("utf-8")
    assert text.startswith("WEBVTT\n")
    stamps = [line for line in text.splitlines() if "-->" in line]
    assert len(stamps) == len(lesson_cues(lesson))
    assert all(TIMESTAMP_LINE.match(line) for line in stamps)


@pytest.mark.parametrize("lesson", [*DEMO_LESSONS, _tiny_lesson()],
                         ids=[*LESSON_IDS, "tiny"])
def test_vtt_round_trips_through_the_caption_parser(lesson: DemoLesson):
    parsed = parse_captions(lesson_vtt(lesson), "x.vtt")
    cues = lesson_cues(lesson)
    assert parsed.timed
    assert [c.text for c in parsed.cues] == [c.text for c in cues]
    for got, want in zip(parsed.cues, cues, strict=True):
        assert got.start == pytest.approx(want.start, abs=0.001)
        assert got.end == pytest.approx(want.end, abs=0.001)

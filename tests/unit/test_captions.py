"""Caption parsing: VTT, SRT, JSON and plain text, and every kind of bad file."""

from __future__ import annotations

import json

import pytest

from chronos_app.pipeline.captions import (
    Cue,
    InvalidCaptions,
    normalize,
    parse_captions,
    spread_over,
)

VTT = """WEBVTT

00:00:00.000 --> 00:00:02.500
Welcome to the <b>course</b>.

intro-2
00:00:02.500 --> 00:00:05.250 align:start
Today we look at
two-line cues.

00:01:05.100 --> 00:01:07.900
<v Speaker>Later in the video.</v>
"""

SRT = """1
00:00:01,000 --> 00:00:03,200
First line

2
00:00:03,200 --> 00:00:06,000
Second line
continues here

3
00:00:06,500 --> 00:00:08,000
Third
"""


def test_vtt_cues_keep_fractional_times_and_strip_tags():
    parsed = parse_captions(VTT.encode(), "lesson.vtt")
    assert parsed.timed
    assert parsed.cues == [
        Cue(0.0, 2.5, "Welcome to the course."),
        Cue(2.5, 5.25, "Today we look at two-line cues."),
        Cue(65.1, 67.9, "Later in the video."),
    ]


def test_srt_multiline_cues():
    cues = parse_captions(SRT.encode(), "lesson.SRT").cues
    assert [c.text for c in cues] == ["First line", "Second line continues here", "Third"]
    assert (cues[1].start, cues[1].end) == (3.2, 6.0)


def test_bom_and_utf16_and_latin1_are_decoded():
    assert parse_captions(b"\xef\xbb\xbf" + SRT.encode(), "a.srt").cues[0].text == "First line"
    assert parse_captions(SRT.encode("utf-16"), "a.srt").cues[2].text == "Third"
    latin = SRT.replace("Third", "Café crème brûlée déjà vu").encode("latin-1")
    assert "Café" in parse_captions(latin, "a.srt").cues[2].text


def test_json_segments_list_or_object():
    segments = [{"start": 0, "end": 1.5, "text": "a"}, {"start": 1.5, "end": 3, "text": "b"}]
    assert len(parse_captions(json.dumps(segments).encode(), "t.json").cues) == 2
    wrapped = json.dumps({"segments": segments}).encode()
    assert parse_captions(wrapped, "t.json").cues[1] == Cue(1.5, 3.0, "b")


def test_plain_text_is_untimed_then_spread_over_the_duration():
    parsed = parse_captions(b"One two three. Four five six seven eight nine!  Ten?", "t.txt")
    assert not parsed.timed
    timed = spread_over(parsed.cues, 100.0)
    assert timed[0].start == 0.0 and timed[-1].end == 100.0
    assert [round(c.end - c.start) for c in timed] == [30, 60, 10]
    assert all(a.end == pytest.approx(b.start) for a, b in zip(timed, timed[1:], strict=False))


def test_overlaps_are_trimmed_and_open_ended_cues_closed():
    cues = normalize([Cue(0, 10, "a"), Cue(4, 6, "b"), Cue(8, 8, "c")])
    assert cues == [Cue(0, 4, "a"), Cue(4, 6, "b"), Cue(8, 10.0, "c")]


def test_rolling_duplicates_are_merged_and_unsorted_input_sorted():
    cues = normalize([Cue(5, 6, "x"), Cue(0, 2, "hello"), Cue(2, 4, "hello")])
    assert cues == [Cue(0, 4, "hello"), Cue(5, 6, "x")]


@pytest.mark.parametrize("data, name, message", [
    (b"", "a.vtt", "is empty"),
    (b"   \n", "a.srt", "is empty"),
    (b"hello", "a.docx", "use a WebVTT"),
    (b"00:00:01.000 --> 00:00:02.000\nhi\n", "a.vtt", "does not start with WEBVTT"),
    (b"this is not an srt file at all", "a.srt", "No captions found"),
    (b"WEBVTT\n\nNOTE nothing here\n", "a.vtt", "No captions found"),
    (b"{not json", "a.json", "not valid JSON"),
    (b'{"foo": 1}', "a.json", "list of"),
    (b'[{"start": "x", "end": 1, "text": "a"}]', "a.json", "segment 1"),
    (b'[{"end": 1, "text": "a"}]', "a.json", "segment 1"),
    (b"\x00\x01\x02binary\x00", "a.srt", "binary"),
])
def test_bad_files_get_a_clear_message(data, name, message):
    with pytest.raises(InvalidCaptions, match=message):
        parse_captions(data, name)


def test_huge_file_is_refused_but_a_long_one_parses():
    long = "WEBVTT\n\n" + "".join(
        f"{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.000 --> "
        f"{i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}.900\nline {i}\n\n"
        for i in range(20000))
    assert len(parse_captions(long.encode(), "long.vtt").cues) == 20000
    with pytest.raises(InvalidCaptions, match="larger than"):
        parse_captions(b"x" * (21 * 1024 * 1024), "big.srt")


def test_plain_text_needs_a_duration():
    with pytest.raises(InvalidCaptions, match="duration"):
        spread_over([Cue(0, 0, "a")], 0)

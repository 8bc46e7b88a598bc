"""Comment text: timestamps that seek the player, everything else plain text; relative times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chronos_app.schemas.comments import TextPart
from chronos_app.services.comments import relative_time, text_parts


def stamps(text: str, duration: float | None = None) -> list[tuple[str, float]]:
    return [(p.text, p.seconds) for p in text_parts(text, duration) if p.seconds >= 0]


@pytest.mark.parametrize("text, seconds", [
    ("0:05", 5.0),
    ("12:34", 754.0),
    ("1:02:03", 3723.0),
    ("09:59", 599.0),
    ("00:00", 0.0),
])
def test_a_timestamp_alone_becomes_one_seeking_part(text, seconds):
    assert text_parts(text) == [TextPart(text=text, seconds=seconds)]


def test_timestamps_inside_a_sentence():
    parts = text_parts("See 0:05, then (12:34) and 1:02:03.")
    assert parts == [TextPart("See "), TextPart("0:05", 5.0), TextPart(", then ("),
                     TextPart("12:34", 754.0), TextPart(") and "), TextPart("1:02:03", 3723.0),
                     TextPart(".")]


def test_several_timestamps_of_both_forms():
    assert stamps("10:30 and 1:05:00") == [("10:30", 630.0), ("1:05:00", 3900.0)]


def test_punctuation_around_a_timestamp_is_fine():
    assert stamps("12:34: the key step") == [("12:34", 754.0)]
    assert stamps("[0:05] -1:10 '2:20' 3:30... 4:40?") == [
        ("0:05", 5.0), ("1:10", 70.0), ("2:20", 140.0), ("3:30", 210.0), ("4:40", 280.0)]


def test_a_timestamp_beyond_the_video_stays_plain_text():
    parts = text_parts("at 9:59 and at 10:01 and at 1:05:00", duration_seconds=600)
    assert [(p.text, p.seconds) for p in parts] == [
        ("at ", -1.0), ("9:59", 599.0), (" and at 10:01 and at 1:05:00", -1.0)]
    assert stamps("10:00", 600) == [("10:00", 600.0)]  # the very end is still in the video
    assert stamps("10:30 and 1:05:00", 3600) == [("10:30", 630.0)]


@pytest.mark.parametrize("text", [
    "99:99", "1:60", "12:345", "10:30:99", "1:2", "16:9", "a1:23", "1:23b", "x12:34",
    "1:23.5", "3.1:23", "1:2:03", "12:34:56:78", "1:60:00", "123:45", "v1:23:45",
    "it's 1:23pm", "time:12:34", "12:34:5",
])
def test_things_that_are_not_timestamps_stay_plain(text):
    assert stamps(text) == [], text
    assert text_parts(text) == [TextPart(text=text)]


@pytest.mark.parametrize("text", [
    "", "plain", "  leading and trailing  ", "0:05", "a 0:05 b 1:00:00 c 99:99 d",
    "line one\nline two 3:21\n\n\t4:20!", "émoji 😀 1:23 ünïcödé", "10:30:99 then 0:01",
    "<b>1:23</b>", "1:23 1:23 1:23",
])
def test_joining_the_parts_gives_back_the_text_exactly(text):
    parts = text_parts(text, 3600)
    assert "".join(p.text for p in parts) == text
    for left, right in zip(parts, parts[1:], strict=False):  # adjacent plain text is merged
        assert not (left.seconds < 0 and right.seconds < 0)


def test_empty_text_has_no_parts():
    assert text_parts("") == []


def test_html_looking_text_is_kept_verbatim_as_plain_text():
    text = '<script>alert(1)</script> <img src=x onerror="alert(2)"> &amp;'
    assert text_parts(text) == [TextPart(text=text)]
    parts = text_parts("<i>see</i> 0:42")
    assert parts == [TextPart("<i>see</i> "), TextPart("0:42", 42.0)]


NOW = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("ago, label", [
    (timedelta(0), "just now"),
    (timedelta(seconds=59), "just now"),
    (timedelta(seconds=-30), "just now"),  # a clock a little ahead
    (timedelta(minutes=1), "1 minute ago"),
    (timedelta(minutes=5, seconds=40), "5 minutes ago"),
    (timedelta(minutes=59), "59 minutes ago"),
    (timedelta(hours=1), "1 hour ago"),
    (timedelta(hours=23, minutes=59), "23 hours ago"),
    (timedelta(hours=24), "yesterday"),
    (timedelta(hours=47), "yesterday"),
    (timedelta(days=3), "3 days ago"),
    (timedelta(days=6, hours=23), "6 days ago"),
    (timedelta(days=7), "Nov 15, 2026"),
    (timedelta(days=20), "Nov 2, 2026"),
    (timedelta(days=365), "Nov 22, 2025"),
])
def test_relative_time(ago, label):
    assert relative_time(NOW - ago, NOW) == label


def test_relative_time_takes_naive_datetimes_as_utc():
    naive = datetime(2026, 11, 22, 14, 55)
    assert relative_time(naive, NOW) == "5 minutes ago"
    assert relative_time(datetime(2026, 1, 5, 9, 0), NOW.replace(tzinfo=None)) == "Jan 5, 2026"

"""Pure watch rules: device and referrer types, completion, interval merging, crediting."""

from __future__ import annotations

import uuid

import pytest

from chronos_app.models import Video
from chronos_app.services.watch import (
    MILESTONES,
    SPEEDS,
    advance,
    clamp_rate,
    coverage_percent,
    covered_seconds,
    device_type,
    is_complete,
    merge_intervals,
    played_seconds,
    player_source,
    referrer_type,
)

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
          "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1")
IPAD = ("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1")
ANDROID_PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                 "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36")
ANDROID_TABLET = ("Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/120.0 Safari/537.36")
FIREFOX_MOBI = "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0"
FIREFOX_TABLET = "Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0"
WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Chrome/120.0 Safari/537.36")
MAC = ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 "
       "(KHTML, like Gecko) Version/17.1 Safari/605.1.15")


@pytest.mark.parametrize("ua, expected", [
    (IPHONE, "mobile"), (ANDROID_PHONE, "mobile"), (FIREFOX_MOBI, "mobile"),
    ("Opera/9.80 (J2ME/MIDP; Opera Mini/9.80) Presto/2.12 Version/12.16 Mobi", "mobile"),
    (IPAD, "tablet"), (ANDROID_TABLET, "tablet"), (FIREFOX_TABLET, "tablet"),
    (WINDOWS, "desktop"), (MAC, "desktop"), ("", "desktop"), ("curl/8.4.0", "desktop"),
])
def test_device_type_from_the_user_agent(ua, expected):
    assert device_type(ua) == expected


@pytest.mark.parametrize("ref, expected", [
    ("course", "course_page"), ("chat", "chat_reference"), ("search", "search"),
    (" Course ", "course_page"), ("course_page", "course_page"), ("", "direct_link"),
    ("twitter", "direct_link"), ("https://example.com", "direct_link"),
])
def test_referrer_type(ref, expected):
    assert referrer_type(ref) == expected


@pytest.mark.parametrize("percent, watch_time, duration, expected", [
    (90, 45, 100, True),     # 90 % covered at 2x: the fastest honest completion
    (100, 100, 100, True),
    (89, 100, 100, False),   # not enough of the video played
    (100, 44.9, 100, False),  # covered too fast to be real
    (90, 270, 600, True),
    (0, 0, 0, False),        # unknown length never completes
    (100, 100, 0, False),
])
def test_is_complete(percent, watch_time, duration, expected):
    assert is_complete(percent, watch_time, duration) is expected


def test_constants():
    assert SPEEDS == (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
    assert MILESTONES == (10, 25, 50, 75, 90)


@pytest.mark.parametrize("given, expected", [
    ([], []),
    ([[0, 5], [5, 10]], [[0, 10]]),                  # touching intervals join
    ([[10, 20], [0, 5], [3, 8]], [[0, 8], [10, 20]]),
    ([[0, 10], [2, 3]], [[0, 10]]),                  # contained
    ([[5, 5], [7, 6], ["x", 1], [1], None, [0, 1]], [[0, 1]]),  # broken entries dropped
    ([(0.1, 0.2), (0.2, 0.3)], [[0.1, 0.3]]),
])
def test_merge_intervals(given, expected):
    assert merge_intervals(given) == expected


def test_coverage_counts_each_second_once_and_floors():
    assert covered_seconds([[0, 10], [5, 15], [20, 21]]) == 16
    assert coverage_percent([[0, 10], [5, 15], [20, 21]], 100) == 16
    assert coverage_percent([[0, 89.99]], 100) == 89
    assert coverage_percent([[0, 100]], 100) == 100
    assert coverage_percent([[0, 150]], 100) == 100
    assert coverage_percent([[0, 10]], 0) == 0


@pytest.mark.parametrize("rate, expected", [
    (1, 1.0), (2, 2.0), (16, 2.0), (0.1, 0.5), (0, 1.0), (-1, 1.0), (float("nan"), 1.0),
    (float("inf"), 1.0), ("fast", 1.0), (None, 1.0), (1.25, 1.25),
])
def test_clamp_rate(rate, expected):
    assert clamp_rate(rate) == expected


@pytest.mark.parametrize("anchor, position, elapsed, rate, expected", [
    (0, 10, 10, 1, 10),      # continuous at 1x
    (0, 20, 10, 2, 20),      # continuous at 2x
    (0, 14.5, 10, 1, 14.5),  # at the limit: 10 * 1.25 + 2
    (0, 14.6, 10, 1, 0),     # further than the clock allows: a jump
    (0, 99, 1, 1, 0),        # dragging to the end
    (50, 40, 10, 1, 0),      # backwards
    (30, 30, 60, 1, 0),      # paused: the media time did not move
    (0, 2, 0, 1, 2),         # the grace for early reports
    (0, 27, 10, 16, 27),     # a claimed 16x counts as 2x: up to 10 * 2 * 1.25 + 2
    (0, 28, 10, 16, 0),
])
def test_played_seconds(anchor, position, elapsed, rate, expected):
    assert played_seconds(anchor, position, elapsed, rate) == expected


def test_advance_credits_continuous_playback_and_merges_intervals():
    step = advance(watched=[], watch_time=0, anchor=0, position=10, elapsed_seconds=10)
    assert step.watched == [[0, 10]] and step.watch_time == 10 and step.anchor == 10
    step = advance(watched=step.watched, watch_time=step.watch_time, anchor=step.anchor,
                   position=20, elapsed_seconds=10)
    assert step.watched == [[0, 20]] and step.watch_time == 20 and step.credited == 10


def test_advance_at_2x_credits_media_time_divided_by_the_speed():
    step = advance(watched=[], watch_time=0, anchor=0, position=20, elapsed_seconds=10, rate=2)
    assert step.watched == [[0, 20]] and step.watch_time == 10


def test_advance_after_a_pause_credits_nothing_and_keeps_the_anchor():
    step = advance(watched=[[0, 30]], watch_time=30, anchor=30, position=30, elapsed_seconds=120)
    assert step.credited == 0 and step.watch_time == 30 and step.anchor == 30


def test_advance_with_a_seek_credits_only_what_was_played_before_it():
    step = advance(watched=[], watch_time=0, anchor=0, position=10, elapsed_seconds=10,
                   seek_to=60)
    assert step.watched == [[0, 10]] and step.watch_time == 10 and step.anchor == 60
    step = advance(watched=step.watched, watch_time=step.watch_time, anchor=step.anchor,
                   position=65, elapsed_seconds=5)
    assert step.watched == [[0, 10], [60, 65]] and step.watch_time == 15


def test_advance_a_jump_credits_nothing_but_moves_the_anchor():
    step = advance(watched=[], watch_time=0, anchor=0, position=99, elapsed_seconds=1,
                   duration=100)
    assert step.watched == [] and step.watch_time == 0 and step.anchor == 99


def test_advance_clips_to_the_video_and_respects_the_session_cap():
    step = advance(watched=[], watch_time=0, anchor=95, position=120, elapsed_seconds=30,
                   duration=100)
    assert step.watched == [[95, 100]] and step.anchor == 100
    # many quick reports cannot add up to more than the wall clock since the session began
    step = advance(watched=[[0, 10]], watch_time=10, anchor=10, position=12, elapsed_seconds=0,
                   max_watch_time=11)
    assert step.credited == 1 and step.watched == [[0, 11]] and step.watch_time == 11


def _video(**fields) -> Video:
    values = dict(id=uuid.UUID(int=7), creator_id=uuid.UUID(int=1), title="t",
                  source_type="youtube")
    values.update(fields)
    return Video(**values)


@pytest.mark.parametrize("fields, expected", [
    ({"youtube_video_id": "dQw4w9WgXcQ"},
     ("youtube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "")),
    ({"source_type": "vimeo", "embed_id": "76979871"},
     ("vimeo", "https://vimeo.com/76979871", "")),
    ({"source_type": "vimeo", "embed_id": "76979871", "meta": {"vimeo_hash": "abc123"}},
     ("vimeo", "https://vimeo.com/76979871/abc123", "")),
    ({"source_type": "wistia", "embed_id": "e4a27b971d"},
     ("wistia", "https://home.wistia.com/medias/e4a27b971d", "")),
    ({"source_type": "mux", "mux_playback_id": "EcHgOK9coz5K4rjSwOkoE7Y7O0"},
     ("mux", "https://stream.mux.com/EcHgOK9coz5K4rjSwOkoE7Y7O0.m3u8", "")),
    ({"source_type": "loom", "embed_id": "0281766fa2d04bb788eaf19e65135184"},
     ("loom", "", "https://www.loom.com/embed/0281766fa2d04bb788eaf19e65135184")),
    ({"source_type": "upload", "storage_path": "videos/x/source.mp4"},
     ("file", f"/media/videos/{uuid.UUID(int=7)}", "")),
    ({"source_type": "youtube"}, ("none", "", "")),
])
def test_player_source(fields, expected):
    assert player_source(_video(**fields)) == expected

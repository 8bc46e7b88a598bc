"""Video link parsing: every common YouTube, Loom, Vimeo, Wistia and Mux shape, and rejections."""

from __future__ import annotations

import dataclasses

import pytest

from chronos_app.core.errors import InvalidInput
from chronos_app.pipeline.sources import (
    InvalidVideoUrl,
    VideoSource,
    parse_mux_playback_id,
    parse_timestamp,
    parse_video_url,
)

YT = "dQw4w9WgXcQ"
YT_URL = f"https://www.youtube.com/watch?v={YT}"
PLAYLIST = "PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI"
LOOM = "5bbdeb480ba84e65b1b3de8c190e2003"
VIMEO = "76979871"
WISTIA = "e4a27b971d"
MUX = "EcHgOK9coz5K4rjSwOkoE7Y7O01201YMIC200RI6lNxnhs"


def satisfies_source_check(source: VideoSource) -> bool:
    """The `videos_source_validation` and `videos_embed_type_check` constraints, in Python."""
    if source.embed_type not in (None, "youtube", "loom", "vimeo", "wistia"):
        return False
    if source.source_type == "youtube":
        return source.youtube_video_id is not None
    if source.source_type == "mux":
        return source.mux_playback_id is not None
    return source.embed_type == source.source_type and source.embed_id is not None


@pytest.mark.parametrize(
    ("url", "start", "playlist"),
    [
        (f"https://www.youtube.com/watch?v={YT}", None, None),
        (f"  https://www.youtube.com/watch?v={YT}\n", None, None),
        (f"http://youtube.com/watch?v={YT}", None, None),
        (f"www.youtube.com/watch?v={YT}", None, None),
        (f"www.youtube.com:443/watch?v={YT}", None, None),
        (f"youtube.com/watch/?v={YT}", None, None),
        (f"https://m.youtube.com/watch?v={YT}", None, None),
        (f"https://music.youtube.com/watch?v={YT}&feature=share", None, None),
        (f"https://www.youtube.com/watch?feature=share&v={YT}", None, None),
        (f"HTTPS://WWW.YOUTUBE.COM/watch?v={YT}", None, None),
        (f"https://www.youtube-nocookie.com/embed/{YT}?rel=0", None, None),
        (f"https://www.youtube.com/embed/{YT}?start=90", 90.0, None),
        (f"https://www.youtube.com/v/{YT}", None, None),
        (f"https://www.youtube.com/e/{YT}", None, None),
        (f"https://www.youtube.com/shorts/{YT}", None, None),
        (f"https://youtube.com/shorts/{YT}?si=abc123", None, None),
        (f"https://www.youtube.com/live/{YT}?feature=shared", None, None),
        (f"https://youtu.be/{YT}", None, None),
        (f"youtu.be/{YT}", None, None),
        (f"//youtu.be/{YT}/", None, None),
        (f"https://youtu.be/{YT}?t=42", 42.0, None),
        (f"https://youtu.be/{YT}?si=Xy_z-1&t=42s", 42.0, None),
        (f"https://www.youtube.com/watch?v={YT}&t=1m30s", 90.0, None),
        (f"https://www.youtube.com/watch?v={YT}&t=90s", 90.0, None),
        (f"https://www.youtube.com/watch?v={YT}&t=90", 90.0, None),
        (f"https://www.youtube.com/watch?v={YT}&start=90", 90.0, None),
        (f"https://www.youtube.com/watch?v={YT}#t=1h2m3s", 3723.0, None),
        (f"https://www.youtube.com/watch?v={YT}&t=0s", None, None),
        (f"https://www.youtube.com/watch?v={YT}&t=soon", None, None),
        (f"https://www.youtube.com/watch?v={YT}&list={PLAYLIST}&index=3", None, PLAYLIST),
        (f"https://youtu.be/{YT}?list={PLAYLIST}&t=5", 5.0, PLAYLIST),
        (f"https://www.youtube.com/watch?v={YT}&list=bad%20list", None, None),
        (
            "https://www.youtube.com/attribution_link?a=8g8kPrPIi-ecwIsS"
            f"&u=/watch%3Fv%3D{YT}%26feature%3Dshare",
            None,
            None,
        ),
    ],
)
def test_youtube_urls(url: str, start: float | None, playlist: str | None) -> None:
    assert parse_video_url(url) == VideoSource(
        source_type="youtube",
        url=YT_URL,
        youtube_video_id=YT,
        embed_type="youtube",
        embed_id=YT,
        start_seconds=start,
        playlist_id=playlist,
    )


def test_youtube_ids_keep_dashes_and_underscores() -> None:
    source = parse_video_url("https://youtu.be/a-B_c1D2e3F")
    assert source.youtube_video_id == source.embed_id == "a-B_c1D2e3F"
    assert source.url == "https://www.youtube.com/watch?v=a-B_c1D2e3F"


@pytest.mark.parametrize(
    ("url", "start"),
    [
        (f"https://www.loom.com/share/{LOOM}", None),
        (f"https://loom.com/share/{LOOM}", None),
        (f"loom.com/share/{LOOM}/", None),
        (f"https://www.loom.com/embed/{LOOM}", None),
        (f"https://www.loom.com/share/{LOOM}?sid=0c1e9c6f-1b2c-4d5e-8f90-123456789abc", None),
        (f"https://www.loom.com/share/Weekly-Update-Pricing-Page-{LOOM}", None),
        (f"https://www.loom.com/share/{LOOM.upper()}", None),
        (f"https://www.loom.com/share/{LOOM}?t=75", 75.0),
    ],
)
def test_loom_urls(url: str, start: float | None) -> None:
    assert parse_video_url(url) == VideoSource(
        source_type="loom",
        url=f"https://www.loom.com/share/{LOOM}",
        embed_type="loom",
        embed_id=LOOM,
        start_seconds=start,
    )


@pytest.mark.parametrize(
    ("url", "video_hash", "start"),
    [
        (f"https://vimeo.com/{VIMEO}", None, None),
        (f"vimeo.com/{VIMEO}/", None, None),
        (f"https://www.vimeo.com/{VIMEO}", None, None),
        (f"https://vimeo.com/{VIMEO}/a1b2c3d4e5", "a1b2c3d4e5", None),
        (f"https://player.vimeo.com/video/{VIMEO}", None, None),
        (f"https://player.vimeo.com/video/{VIMEO}?h=abcdef&badge=0", "abcdef", None),
        (f"https://vimeo.com/channels/staffpicks/{VIMEO}", None, None),
        (f"https://vimeo.com/groups/shortfilms/videos/{VIMEO}", None, None),
        (f"https://vimeo.com/showcase/9876543/video/{VIMEO}", None, None),
        (f"https://vimeo.com/album/2345678/video/{VIMEO}", None, None),
        (f"https://vimeo.com/{VIMEO}#t=30s", None, 30.0),
        (f"https://vimeo.com/{VIMEO}/a1b2c3d4e5#t=1m5s", "a1b2c3d4e5", 65.0),
    ],
)
def test_vimeo_urls(url: str, video_hash: str | None, start: float | None) -> None:
    canonical = f"https://vimeo.com/{VIMEO}" + (f"/{video_hash}" if video_hash else "")
    assert parse_video_url(url) == VideoSource(
        source_type="vimeo",
        url=canonical,
        embed_type="vimeo",
        embed_id=VIMEO,
        start_seconds=start,
        vimeo_hash=video_hash,
    )


@pytest.mark.parametrize(
    ("url", "start"),
    [
        (f"https://acme.wistia.com/medias/{WISTIA}", None),
        (f"https://home.wistia.com/medias/{WISTIA}/", None),
        (f"https://fast.wistia.net/embed/iframe/{WISTIA}", None),
        (f"https://fast.wistia.net/embed/iframe/{WISTIA}?videoFoam=true", None),
        (f"https://fast.wistia.com/embed/medias/{WISTIA}.jsonp", None),
        (f"https://acme.wi.st/medias/{WISTIA}", None),
        (f"wistia.com/medias/{WISTIA}?wtime=30s", 30.0),
        (f"https://acme.wistia.com/medias/{WISTIA}?wtime=1m2s", 62.0),
    ],
)
def test_wistia_urls(url: str, start: float | None) -> None:
    assert parse_video_url(url) == VideoSource(
        source_type="wistia",
        url=f"https://fast.wistia.net/embed/iframe/{WISTIA}",
        embed_type="wistia",
        embed_id=WISTIA,
        start_seconds=start,
    )


MUX_URLS = [
    f"https://stream.mux.com/{MUX}.m3u8",
    f"https://stream.mux.com/{MUX}.m3u8?token=abc",
    f"https://stream.mux.com/{MUX}",
    f"https://stream.mux.com/{MUX}/high.mp4",
    f"https://player.mux.com/{MUX}",
    f"https://image.mux.com/{MUX}/thumbnail.jpg?time=5",
    f"stream.mux.com/{MUX}.m3u8",
]
MUX_SOURCE = VideoSource(
    source_type="mux", url=f"https://stream.mux.com/{MUX}.m3u8", mux_playback_id=MUX
)


@pytest.mark.parametrize("url", MUX_URLS)
def test_mux_urls(url: str) -> None:
    assert parse_video_url(url) == MUX_SOURCE


@pytest.mark.parametrize("raw", [MUX, f"  {MUX}  ", *MUX_URLS])
def test_parse_mux_playback_id_accepts_bare_ids_and_links(raw: str) -> None:
    assert parse_mux_playback_id(raw) == MUX_SOURCE


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("short1d", "Mux playback id or a stream.mux.com link"),
        ("not a mux id with spaces!", "Mux playback id or a stream.mux.com link"),
        (f"https://youtu.be/{YT}", "Mux playback id or a stream.mux.com link"),
        ("https://stream.mux.com/", "Mux link has no playback id"),
        ("", "Paste a video link first"),
    ],
)
def test_parse_mux_playback_id_rejects(raw: str, message: str) -> None:
    with pytest.raises(InvalidVideoUrl, match=message):
        parse_mux_playback_id(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Paste a video link first"),
        ("   \n", "Paste a video link first"),
        ("https://youtu.be/" + "a" * 2048, "too long"),
        ("javascript:alert(1)", r"Only http\(s\) links"),
        ("JavaScript://youtube.com/%0aalert(1)", r"Only http\(s\) links"),
        (f"ftp://youtube.com/watch?v={YT}", r"Only http\(s\) links"),
        ("data:text/html;base64,PHNjcmlwdD4=", r"Only http\(s\) links"),
        ("file:///etc/passwd", r"Only http\(s\) links"),
        ("https://example.com/video.mp4", "Paste a link from YouTube, Loom, Vimeo, Wistia or Mux"),
        (f"https://notyoutube.com/watch?v={YT}", "Paste a link from YouTube"),
        (f"https://youtube.com.evil.example/watch?v={YT}", "Paste a link from YouTube"),
        (f"https://www.youtube.com@evil.example/watch?v={YT}", "Paste a link from YouTube"),
        ("https://[::1/watch", "Paste a link from YouTube"),
        (YT, "Paste a link from YouTube"),
        (MUX, "Paste a link from YouTube"),
        ("https://", "Paste a link from YouTube"),
        ("https://www.youtube.com/watch", "YouTube link has no video id"),
        ("https://www.youtube.com/watch?v=", "YouTube link has no video id"),
        ("https://youtu.be/", "YouTube link has no video id"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXc", "invalid video id"),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQQ", "invalid video id"),
        ("https://youtu.be/dQw4w9WgX!Q", "invalid video id"),
        ("https://www.youtube.com/shorts/abc", "invalid video id"),
        (f"https://www.youtube.com/playlist?list={PLAYLIST}", "single video"),
        (f"https://www.youtube.com/watch?list={PLAYLIST}", "single video"),
        (f"https://www.youtube.com/embed/videoseries?list={PLAYLIST}", "single video"),
        ("https://www.youtube.com/@mkbhd", "YouTube link is not a video"),
        ("https://www.youtube.com/channel/UCBJycsmduvYEL83R_U4JriQ", "not a video"),
        ("https://www.youtube.com/results?search_query=python", "not a video"),
        ("https://www.youtube.com/", "not a video"),
        ("https://www.loom.com/share/", "Loom link has no video id"),
        ("https://www.loom.com/share/5bbdeb480ba84e65b1b3de8c190e200", "Loom link has no video id"),
        ("https://www.loom.com/looms/videos", "Loom link has no video id"),
        ("https://vimeo.com/someuser", "Vimeo link does not point to a video"),
        ("https://vimeo.com/", "Vimeo link does not point to a video"),
        ("https://vimeo.com/showcase/9876543", "Vimeo link does not point to a video"),
        ("https://player.vimeo.com/video/abc", "Vimeo link does not point to a video"),
        (f"https://player.vimeo.com/video/{VIMEO}?h=../x", "invalid privacy hash"),
        ("https://acme.wistia.com/medias/", "Wistia link has no media id"),
        ("https://acme.wistia.com/medias/E4A27B971D", "Wistia link has no media id"),
        ("https://fast.wistia.net/embed/iframe/e4a27b97", "Wistia link has no media id"),
        ("https://stream.mux.com/tooShort.m3u8", "Mux link has no playback id"),
        ("https://www.mux.com/blog", "Mux link has no playback id"),
    ],
)
def test_rejections(raw: str, message: str) -> None:
    with pytest.raises(InvalidVideoUrl, match=message) as caught:
        parse_video_url(raw)
    assert caught.value.field == "url"
    assert caught.value.message == str(caught.value)


def test_invalid_video_url_is_an_invalid_input_and_a_value_error() -> None:
    with pytest.raises(InvalidInput):
        parse_video_url("ftp://x")
    with pytest.raises(ValueError):
        parse_video_url("ftp://x")


def test_length_limit_is_on_the_stripped_link() -> None:
    url = f"https://www.youtube.com/watch?v={YT}&x="
    url += "a" * (2048 - len(url))
    assert parse_video_url(f"  {url}  ").youtube_video_id == YT
    with pytest.raises(InvalidVideoUrl, match="too long"):
        parse_video_url(url + "a")


@pytest.mark.parametrize(
    "url",
    [
        YT_URL,
        f"https://www.loom.com/share/{LOOM}",
        f"https://vimeo.com/{VIMEO}/a1b2c3d4e5",
        f"https://fast.wistia.net/embed/iframe/{WISTIA}",
        f"https://stream.mux.com/{MUX}.m3u8",
    ],
)
def test_canonical_urls_parse_to_themselves_and_fit_the_schema(url: str) -> None:
    source = parse_video_url(url)
    assert source.url == url
    assert parse_video_url(source.url) == source
    assert satisfies_source_check(source)


def test_column_mapping_per_source() -> None:
    youtube = parse_video_url(f"https://youtu.be/{YT}")
    assert (youtube.embed_type, youtube.embed_id, youtube.mux_playback_id) == ("youtube", YT, None)
    mux = parse_video_url(f"https://stream.mux.com/{MUX}")
    assert (mux.embed_type, mux.embed_id, mux.youtube_video_id) == (None, None, None)
    vimeo = parse_video_url(f"https://vimeo.com/{VIMEO}")
    assert (vimeo.embed_type, vimeo.embed_id, vimeo.youtube_video_id) == ("vimeo", VIMEO, None)


def test_video_source_is_frozen() -> None:
    source = parse_video_url(YT_URL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        source.url = "https://example.com"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("90", 90.0),
        ("90s", 90.0),
        ("90S", 90.0),
        (" 42 ", 42.0),
        ("1m30s", 90.0),
        ("1m30", 90.0),
        ("5m", 300.0),
        ("2h", 7200.0),
        ("1h2m3s", 3723.0),
        ("1h3s", 3603.0),
        ("1.5s", 1.5),
        ("0", 0.0),
        ("01:30", 90.0),
        ("1:02:03", 3723.0),
        ("0:05.5", 5.5),
        ("", None),
        ("abc", None),
        ("1:75", None),
        ("1:2:3:4", None),
        ("-5", None),
        ("3s1m", None),
        ("1x", None),
    ],
)
def test_parse_timestamp(value: str, seconds: float | None) -> None:
    assert parse_timestamp(value) == seconds

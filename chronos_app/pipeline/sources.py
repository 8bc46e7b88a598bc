"""Pasted video links → a VideoSource: the host (YouTube, Loom, Vimeo, Wistia or Mux), the
video id, an optional start time, and the `videos` columns it fills."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlsplit

from chronos_app.core.errors import InvalidInput

MAX_URL_LENGTH = 2048

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.I)  # "host:8080" is a port, not a scheme
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH = re.compile(r"/(?:embed|v|e|shorts|live)/([^/]+)/?")
_PLAYLIST_ID = re.compile(r"[A-Za-z0-9_-]+")
_LOOM_PATH = re.compile(r"/(?:share|embed)/(?:[^/]*-)?([0-9a-f]{32})/?", re.I)
_VIMEO_HASH = re.compile(r"[0-9a-f]+")
_VIMEO_PATHS = (
    re.compile(r"/(?P<id>\d+)(?:/(?P<hash>[0-9a-f]+))?/?"),
    re.compile(r"/channels/[^/]+/(?P<id>\d+)/?"),
    re.compile(r"/groups/[^/]+/videos/(?P<id>\d+)/?"),
    re.compile(r"/(?:showcase|album)/\d+/video/(?P<id>\d+)/?"),
)
_VIMEO_PLAYER_PATH = re.compile(r"/video/(?P<id>\d+)/?")
_WISTIA_PATH = re.compile(r"/(?:medias|embed/iframe|embed/medias)/([a-z0-9]{10})(?:\.jsonp?)?/?")
_MUX_ID = re.compile(r"[A-Za-z0-9]{20,64}")
_MUX_PATH = re.compile(r"/([A-Za-z0-9]{20,64})(?:\.m3u8|/[\w.-]+)?/?")
_UNITS = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?")
_CLOCK = re.compile(r"\d+(?::[0-5]?\d){1,2}(?:\.\d+)?")

UNSUPPORTED = "Paste a link from YouTube, Loom, Vimeo, Wistia or Mux, or upload a file."


class InvalidVideoUrl(InvalidInput, ValueError):
    """A link we cannot import; the message tells the creator what was wrong."""

    def __init__(self, message: str):
        super().__init__(message, field="url")


@dataclass(frozen=True)
class VideoSource:
    source_type: str  # 'youtube' | 'mux' | 'loom' | 'vimeo' | 'wistia'
    url: str  # canonical link
    youtube_video_id: str | None = None
    mux_playback_id: str | None = None
    embed_type: str | None = None  # 'youtube' | 'loom' | 'vimeo' | 'wistia' | None (mux)
    embed_id: str | None = None
    start_seconds: float | None = None
    playlist_id: str | None = None
    vimeo_hash: str | None = None


def format_clock(seconds: float) -> str:
    """Seconds → "m:ss", or "h:mm:ss" from an hour on (floored to the second)."""
    total = max(int(seconds), 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def parse_timestamp(value: str) -> float | None:
    """'90', '90s', '1m30s', '1h2m3s', '01:30' or '1:02:03' → seconds; None if unreadable."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if _CLOCK.fullmatch(text):
        seconds = 0.0
        for part in text.split(":"):
            seconds = seconds * 60 + float(part)
        return seconds
    match = _UNITS.fullmatch(text)
    if not match:
        return None
    hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def parse_video_url(raw: str) -> VideoSource:
    """Recognise a pasted YouTube, Loom, Vimeo, Wistia or Mux link; raise InvalidVideoUrl."""
    parts = _split(raw)
    host = parts.hostname or ""
    params = _params(parts)
    if _on(host, "youtube.com", "youtube-nocookie.com", "youtu.be"):
        return _youtube(parts, host, params)
    if _on(host, "loom.com"):
        return _loom(parts, params)
    if _on(host, "vimeo.com"):
        return _vimeo(parts, host, params)
    if _on(host, "wistia.com", "wistia.net", "wi.st"):
        return _wistia(parts, params)
    if _on(host, "mux.com"):
        return _mux_link(parts)
    raise InvalidVideoUrl(UNSUPPORTED)


def parse_mux_playback_id(raw: str) -> VideoSource:
    """A bare Mux playback id, or any stream/player/image.mux.com link."""
    text = (raw or "").strip()
    if _MUX_ID.fullmatch(text):
        return _mux(text)
    parts = _split(text)
    if not _on(parts.hostname or "", "mux.com"):
        raise InvalidVideoUrl("Paste a Mux playback id or a stream.mux.com link.")
    return _mux_link(parts)


def _split(raw: str) -> SplitResult:
    text = (raw or "").strip()
    if not text:
        raise InvalidVideoUrl("Paste a video link first.")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidVideoUrl(f"That link is too long (over {MAX_URL_LENGTH} characters).")
    if text.startswith("//"):
        text = "https:" + text
    elif not _SCHEME.match(text):
        text = "https://" + text
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed "[" IPv6 host
        raise InvalidVideoUrl(UNSUPPORTED) from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidVideoUrl("Only http(s) links are supported.")
    if not parts.hostname:
        raise InvalidVideoUrl(UNSUPPORTED)
    return parts


def _params(parts: SplitResult) -> dict[str, str]:
    """First value of each parameter; the query wins over the fragment (`#t=1m30s`)."""
    merged = {**parse_qs(parts.fragment), **parse_qs(parts.query)}
    return {key: values[0] for key, values in merged.items()}


def _on(host: str, *domains: str) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _match(pattern: re.Pattern[str], path: str, message: str) -> str:
    match = pattern.fullmatch(path)
    if not match:
        raise InvalidVideoUrl(message)
    return match.group(1)


def _start(params: dict[str, str], *keys: str) -> float | None:
    for key in keys:
        seconds = parse_timestamp(params.get(key, ""))
        if seconds:
            return seconds
    return None


def _youtube(parts: SplitResult, host: str, params: dict[str, str]) -> VideoSource:
    path = parts.path
    if _on(host, "youtu.be"):
        video_id = path.strip("/") or None
    elif path.rstrip("/") in ("/watch", "/playlist"):
        video_id = params.get("v")
    elif path.rstrip("/") == "/attribution_link":
        params = {**params, **_params(urlsplit(params.get("u", "")))}
        video_id = params.get("v")
    elif match := _YOUTUBE_PATH.fullmatch(path):
        video_id = None if match.group(1) == "videoseries" else match.group(1)
    else:
        raise InvalidVideoUrl(
            "That YouTube link is not a video (channel, search and home pages can't be imported)."
        )
    playlist = params.get("list")
    playlist = playlist if playlist and _PLAYLIST_ID.fullmatch(playlist) else None
    if not video_id:
        if playlist:
            raise InvalidVideoUrl(
                "That is a YouTube playlist; paste the link of a single video from it."
            )
        raise InvalidVideoUrl("That YouTube link has no video id.")
    if not _YOUTUBE_ID.fullmatch(video_id):
        raise InvalidVideoUrl("That YouTube link has an invalid video id.")
    return VideoSource(
        source_type="youtube",
        url=f"https://www.youtube.com/watch?v={video_id}",
        youtube_video_id=video_id,
        embed_type="youtube",
        embed_id=video_id,
        start_seconds=_start(params, "t", "start"),
        playlist_id=playlist,
    )


def _loom(parts: SplitResult, params: dict[str, str]) -> VideoSource:
    loom_id = _match(_LOOM_PATH, parts.path, "That Loom link has no video id.").lower()
    return VideoSource(
        source_type="loom",
        url=f"https://www.loom.com/share/{loom_id}",
        embed_type="loom",
        embed_id=loom_id,
        start_seconds=_start(params, "t"),
    )


def _vimeo(parts: SplitResult, host: str, params: dict[str, str]) -> VideoSource:
    patterns = (_VIMEO_PLAYER_PATH,) if host == "player.vimeo.com" else _VIMEO_PATHS
    match = next((m for p in patterns if (m := p.fullmatch(parts.path))), None)
    if not match:
        raise InvalidVideoUrl("That Vimeo link does not point to a video.")
    video_hash = match.groupdict().get("hash") or params.get("h")
    if video_hash and not _VIMEO_HASH.fullmatch(video_hash):
        raise InvalidVideoUrl("That Vimeo link has an invalid privacy hash.")
    video_id = match.group("id")
    return VideoSource(
        source_type="vimeo",
        url=f"https://vimeo.com/{video_id}" + (f"/{video_hash}" if video_hash else ""),
        embed_type="vimeo",
        embed_id=video_id,
        start_seconds=_start(params, "t"),
        vimeo_hash=video_hash,
    )


def _wistia(parts: SplitResult, params: dict[str, str]) -> VideoSource:
    media_id = _match(_WISTIA_PATH, parts.path, "That Wistia link has no media id.")
    return VideoSource(
        source_type="wistia",
        url=f"https://fast.wistia.net/embed/iframe/{media_id}",
        embed_type="wistia",
        embed_id=media_id,
        start_seconds=_start(params, "wtime", "time", "t"),
    )


def _mux_link(parts: SplitResult) -> VideoSource:
    return _mux(_match(_MUX_PATH, parts.path, "That Mux link has no playback id."))


def _mux(playback_id: str) -> VideoSource:
    return VideoSource(
        source_type="mux",
        url=f"https://stream.mux.com/{playback_id}.m3u8",
        mux_playback_id=playback_id,
    )

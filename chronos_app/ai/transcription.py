"""Transcripts that do not come from an uploaded caption file: YouTube captions, Whisper."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from chronos_app.ai.base import Cue, Transcriber, TranscriptUnavailable
from chronos_app.core.settings import Settings, get_settings

__all__ = ["YOUTUBE_TIMEOUT", "fetch_youtube_captions", "get_transcriber"]

YOUTUBE_TIMEOUT = 10.0  # seconds per HTTP request to YouTube

# (video_id, languages) -> snippets with .start, .duration, .text (or dicts with those keys)
CaptionFetcher = Callable[[str, Sequence[str]], Iterable[Any]]


def _default_fetcher(timeout: float) -> CaptionFetcher:
    import requests
    from youtube_transcript_api import YouTubeTranscriptApi

    class _TimeoutSession(requests.Session):
        """requests has no session-wide timeout: give every request one."""

        def request(self, method, url, *args, **kwargs):  # type: ignore[override]
            kwargs.setdefault("timeout", timeout)
            return super().request(method, url, *args, **kwargs)

    def fetch(video_id: str, languages: Sequence[str]) -> Iterable[Any]:
        # One API object (and session) per call: the library is not thread-safe.
        with _TimeoutSession() as session:
            api = YouTubeTranscriptApi(http_client=session)
            return list(api.fetch(video_id, languages=list(languages)))

    return fetch


def _reason(err: Exception) -> str:
    """A one-line cause (the library's own messages are long, multi-paragraph texts)."""
    try:
        import requests
        import youtube_transcript_api as yta
    except ImportError:  # pragma: no cover - both are installed with the app
        return type(err).__name__
    reasons: list[tuple[type[BaseException], str]] = [
        (yta.TranscriptsDisabled, "captions are disabled for this video"),
        (yta.NoTranscriptFound, "no captions in the requested language"),
        (yta.IpBlocked, "YouTube is blocking requests from this server"),
        (yta.RequestBlocked, "YouTube is blocking requests from this server"),
        (yta.AgeRestricted, "the video is age-restricted"),
        (yta.InvalidVideoId, "the video id is invalid"),
        (yta.VideoUnavailable, "the video is unavailable"),
        (yta.VideoUnplayable, "the video cannot be played"),
        (yta.PoTokenRequired, "YouTube requires a token to serve these captions"),
        (yta.YouTubeRequestFailed, "the request to YouTube failed"),
        (requests.Timeout, "YouTube did not answer in time"),
        (requests.ConnectionError, "YouTube could not be reached (network down?)"),
    ]
    for cls, text in reasons:
        if isinstance(err, cls):
            return text
    return f"{type(err).__name__}"


def _field(item: Any, name: str) -> Any:
    return item[name] if isinstance(item, dict) else getattr(item, name)


def fetch_youtube_captions(video_id: str, languages: Sequence[str] = ("en",), *,
                           fetcher: CaptionFetcher | None = None,
                           timeout: float = YOUTUBE_TIMEOUT) -> list[Cue]:
    """The video's YouTube captions as cues (start, start + duration, text), in YouTube's order.

    Cues are not normalised here (auto-captions overlap); the pipeline normalises them.
    Any failure raises `TranscriptUnavailable`.
    """
    fetch = fetcher or _default_fetcher(timeout)
    try:
        snippets = list(fetch(video_id, tuple(languages)))
        cues = []
        for item in snippets:
            text = " ".join(str(_field(item, "text") or "").split())
            if not text:
                continue
            start = max(float(_field(item, "start")), 0.0)
            duration = max(float(_field(item, "duration") or 0.0), 0.0)
            cues.append(Cue(round(start, 3), round(start + duration, 3), text))
    except Exception as err:  # the library, requests and parsing raise many types
        raise TranscriptUnavailable(
            f"YouTube captions could not be fetched ({_reason(err)}).") from err
    if not cues:
        raise TranscriptUnavailable("YouTube captions could not be fetched (the captions are "
                                    "empty).")
    return cues


def get_transcriber(settings: Settings | None = None) -> Transcriber | None:
    """Whisper when an OpenAI key is set, else None (the creator uploads a caption file)."""
    s = settings or get_settings()
    if not s.openai_api_key:
        return None
    from chronos_app.ai.openai_provider import WhisperTranscriber

    return WhisperTranscriber(s)

"""OpenAI (or any OpenAI-compatible endpoint): embeddings, chat completions, Whisper.

The installed SDK (openai 3.x) is built on `httpx2`; an injected `http_client` may be an
`httpx2.Client` or a legacy `httpx.Client` (the SDK accepts both). SDK errors never escape:
they become `AIProviderError` with a message that is safe to show (no key, no raw body).
"""

from __future__ import annotations

import csv
import math
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai

from chronos_app.ai.base import EMBEDDING_DIM, AIProviderError, Cue, api_error_detail
from chronos_app.core.settings import Settings, get_settings

__all__ = [
    "MAX_RETRIES", "WHISPER_MAX_BYTES", "OpenAIChatLLM", "OpenAIEmbedder", "WhisperTranscriber",
    "build_openai_client", "openai_error",
]

MAX_RETRIES = 2
EMBED_BATCH_SIZE = 256
WHISPER_MAX_BYTES = 25 * 1024 * 1024       # OpenAI's upload limit for audio/transcriptions
AUDIO_BITRATE = 32_000                     # bits/s: mono 16 kHz speech, ~14 MB per hour
FFMPEG_TIMEOUT = 60 * 60                   # seconds for one ffmpeg run
_PLACEHOLDER_KEY = "not-needed"            # local OpenAI-compatible servers ignore the key
OPENAI_BASE_URL = "https://api.openai.com/v1"


def build_openai_client(settings: Settings | None = None, *, http_client: Any = None,
                        timeout: float = 60.0, max_retries: int = MAX_RETRIES) -> openai.OpenAI:
    """A sync client from settings (key, base_url); `http_client` lets tests mock the transport."""
    s = settings or get_settings()
    if not s.openai_api_key and not s.openai_base_url:
        raise AIProviderError("OpenAI is not configured: set OPENAI_API_KEY (or OPENAI_BASE_URL "
                              "for an OpenAI-compatible server).")
    try:
        return openai.OpenAI(
            api_key=s.openai_api_key or _PLACEHOLDER_KEY,
            base_url=s.openai_base_url or OPENAI_BASE_URL,  # settings, not the SDK's env lookup
            timeout=openai.Timeout(timeout, connect=10.0),
            max_retries=max_retries,
            http_client=http_client,
        )
    except openai.OpenAIError as err:
        raise AIProviderError(f"The OpenAI client could not be created: {err}") from err



def openai_error(err: Exception, provider: str = "OpenAI") -> AIProviderError:
    """Map an SDK exception to an AIProviderError whose message names the cause."""
    if isinstance(err, openai.APITimeoutError):
        msg = f"{provider} did not answer in time; try again later."
    elif isinstance(err, openai.APIConnectionError):
        msg = f"{provider} could not be reached (network error); try again later."
    elif isinstance(err, openai.AuthenticationError):
        msg = f"{provider} rejected the API key (HTTP 401); check OPENAI_API_KEY."
    elif isinstance(err, openai.PermissionDeniedError):
        msg = f"{provider} refused the request (HTTP 403): the key may lack access to this model."
    elif isinstance(err, openai.RateLimitError):
        msg = f"{provider} rate limit or quota exceeded (HTTP 429); try again later."
    elif isinstance(err, openai.APIStatusError):
        detail = api_error_detail(err.body)
        msg = f"{provider} returned HTTP {err.status_code}" + (f": {detail}" if detail else ".")
    else:
        msg = f"{provider} request failed: {type(err).__name__}."
    return AIProviderError(msg)


def _unit(vector: Sequence[float]) -> list[float]:
    norm = math.sqrt(math.fsum(x * x for x in vector))
    if not norm or not math.isfinite(norm):
        raise AIProviderError("The embedding service returned an empty (zero) vector.")
    return [x / norm for x in vector]


class OpenAIEmbedder:
    """`text-embedding-3-small` at 1536 dimensions, batched, unit-length vectors in input order."""

    dimensions: int = EMBEDDING_DIM

    def __init__(self, settings: Settings | None = None, *, client: openai.OpenAI | None = None,
                 http_client: Any = None, model: str | None = None,
                 batch_size: int = EMBED_BATCH_SIZE, max_retries: int = MAX_RETRIES,
                 timeout: float = 60.0):
        s = settings or get_settings()
        self.model_name = model or s.openai_embedding_model
        self.model = f"openai:{self.model_name}"
        self.batch_size = max(1, min(batch_size, 2048))
        self._client = client or build_openai_client(s, http_client=http_client, timeout=timeout,
                                                     max_retries=max_retries)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            out.extend(self._embed_batch(texts[i:i + self.batch_size]))
        return out

    def _embed_batch(self, texts: Sequence[str]) -> list[list[float]]:
        # The API rejects empty strings; a blank chunk still needs a vector to stay in order.
        inputs = [t if t and t.strip() else " " for t in texts]
        try:
            response = self._client.embeddings.create(
                model=self.model_name, input=inputs, dimensions=EMBEDDING_DIM,
                encoding_format="float")
        except openai.OpenAIError as err:
            raise openai_error(err, "OpenAI embeddings") from err
        data = sorted(response.data, key=lambda d: d.index)
        if [d.index for d in data] != list(range(len(inputs))):
            raise AIProviderError(f"The embedding service returned {len(data)} vectors for "
                                  f"{len(inputs)} texts.")
        vectors = []
        for d in data:
            if len(d.embedding) != EMBEDDING_DIM:
                raise AIProviderError(
                    f"The embedding model {self.model_name} returned {len(d.embedding)} "
                    f"dimensions instead of {EMBEDDING_DIM}.")
            vectors.append(_unit(d.embedding))
        return vectors


class OpenAIChatLLM:
    """Chat completions on OpenAI or any OpenAI-compatible endpoint (Ollama, vLLM, ...)."""

    def __init__(self, settings: Settings | None = None, *, client: openai.OpenAI | None = None,
                 http_client: Any = None, model: str | None = None,
                 max_retries: int = MAX_RETRIES, timeout: float = 120.0):
        s = settings or get_settings()
        self.model_name = model or s.openai_chat_model
        self.name = f"openai:{self.model_name}"
        # api.openai.com wants `max_completion_tokens` (newer models reject `max_tokens`);
        # compatible servers generally only know `max_tokens`.
        self._custom_endpoint = bool(s.openai_base_url)
        self._client = client or build_openai_client(s, http_client=http_client, timeout=timeout,
                                                     max_retries=max_retries)

    def complete(self, *, system: str, prompt: str, max_tokens: int = 1024) -> str:
        messages = ([{"role": "system", "content": system}] if system.strip() else [])
        messages.append({"role": "user", "content": prompt})
        limit = ({"max_tokens": max_tokens} if self._custom_endpoint
                 else {"max_completion_tokens": max_tokens})
        try:
            response = self._client.chat.completions.create(
                model=self.model_name, messages=messages, **limit)  # type: ignore[arg-type]
        except openai.OpenAIError as err:
            raise openai_error(err, "The chat model") from err
        choices = response.choices or []
        text = (choices[0].message.content or "") if choices else ""
        if not text.strip():
            raise AIProviderError(f"The chat model {self.model_name} returned an empty answer.")
        return text


@dataclass(frozen=True)
class AudioPiece:
    path: Path
    offset: float  # seconds from the start of the media


def _run_ffmpeg(args: list[str]) -> None:
    import imageio_ffmpeg

    cmd = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error",
           "-y", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=FFMPEG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired as err:
        raise AIProviderError("Extracting the audio took too long (ffmpeg timed out).") from err
    except OSError as err:
        raise AIProviderError(f"ffmpeg could not be started: {err.strerror or err}.") from err
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", errors="replace")
        lines = [line.strip() for line in stderr.splitlines() if line.strip()]
        if "matches no streams" in stderr or "does not contain any stream" in stderr:
            raise AIProviderError("This file has no audio track to transcribe.")
        if "Invalid data found" in stderr:
            raise AIProviderError("ffmpeg could not read this file: it is not a supported "
                                  "audio/video format.")
        last = lines[-1][:200] if lines else f"exit code {proc.returncode}"
        raise AIProviderError(f"ffmpeg could not extract the audio: {last}")


def extract_audio(media_path: str | Path, workdir: Path, max_bytes: int) -> list[AudioPiece]:
    """Mono 16 kHz 32 kbit/s MP3 of the media's first audio track, in pieces < `max_bytes`."""
    source = Path(media_path)
    if not source.is_file():
        raise AIProviderError(f"The media file to transcribe is missing: {source.name}.")
    audio = workdir / "audio.mp3"
    _run_ffmpeg(["-i", str(source), "-map", "0:a:0", "-vn", "-ac", "1", "-ar", "16000",
                 "-c:a", "libmp3lame", "-b:a", str(AUDIO_BITRATE), "-write_xing", "0",
                 "-id3v2_version", "0", str(audio)])
    size = audio.stat().st_size if audio.exists() else 0
    if size == 0:
        raise AIProviderError("This file has no audio to transcribe.")
    if size < max_bytes:
        return [AudioPiece(audio, 0.0)]
    # CBR: bytes → seconds; aim at 90 % of the limit, halve until every piece fits.
    seconds = 0.9 * max_bytes * 8 / AUDIO_BITRATE
    for attempt in range(6):
        pieces = _segment(audio, workdir / f"split{attempt}", seconds)
        if all(p.path.stat().st_size < max_bytes for p in pieces):
            return pieces
        seconds /= 2
    raise AIProviderError(f"The audio could not be split into pieces under {max_bytes} bytes.")


def _segment(audio: Path, outdir: Path, seconds: float) -> list[AudioPiece]:
    outdir.mkdir()
    listing = outdir / "pieces.csv"
    _run_ffmpeg(["-i", str(audio), "-map", "0:a:0", "-c", "copy", "-f", "segment",
                 "-segment_time", f"{max(seconds, 0.5):.3f}", "-segment_list", str(listing),
                 "-segment_list_type", "csv", "-reset_timestamps", "1",
                 str(outdir / "piece%04d.mp3")])
    with listing.open(newline="") as fh:
        rows = [row for row in csv.reader(fh) if row]
    pieces = [AudioPiece(outdir / row[0], float(row[1])) for row in rows]
    if not pieces:
        raise AIProviderError("ffmpeg produced no audio pieces.")
    return pieces


class WhisperTranscriber:
    """Whisper through the OpenAI API: ffmpeg-extracted audio, split below the upload limit."""

    def __init__(self, settings: Settings | None = None, *, client: openai.OpenAI | None = None,
                 http_client: Any = None, model: str = "whisper-1",
                 max_bytes: int = WHISPER_MAX_BYTES, max_retries: int = MAX_RETRIES,
                 timeout: float = 600.0):
        self.model_name = model
        self.model = f"openai:{model}"
        self.max_bytes = max_bytes
        self._client = client or build_openai_client(settings, http_client=http_client,
                                                     timeout=timeout, max_retries=max_retries)

    def transcribe(self, media_path: str) -> list[Cue]:
        with tempfile.TemporaryDirectory(prefix="chronos-whisper-") as tmp:
            pieces = extract_audio(media_path, Path(tmp), self.max_bytes)
            cues: list[Cue] = []
            for piece in pieces:
                cues.extend(self._transcribe_piece(piece))
        return cues

    def _transcribe_piece(self, piece: AudioPiece) -> list[Cue]:
        try:
            result = self._client.audio.transcriptions.create(
                model=self.model_name,
                file=(piece.path.name, piece.path.read_bytes(), "audio/mpeg"),
                response_format="verbose_json",
                timestamp_granularities=["segment"],
            )
        except openai.OpenAIError as err:
            raise openai_error(err, "Whisper") from err
        segments = getattr(result, "segments", None)
        if not segments:  # some compatible servers give only the text: one cue for the piece
            text = " ".join((getattr(result, "text", "") or "").split())
            duration = float(getattr(result, "duration", 0.0) or 0.0)
            return [Cue(round(piece.offset, 3), round(piece.offset + duration, 3), text)] \
                if text else []
        cues = []
        for seg in segments:
            text = " ".join((seg.text or "").split())
            if text:
                cues.append(Cue(round(piece.offset + float(seg.start), 3),
                                round(piece.offset + float(seg.end), 3), text))
        return cues

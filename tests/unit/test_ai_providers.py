"""AI providers through the real SDK code paths, with HTTP mocked at the transport (no network).

openai 3.x and anthropic 2.x are built on `httpx2`, so the mocks are `httpx2.MockTransport`s
(anthropic rejects legacy `httpx` objects; openai accepts both, checked once below).
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import httpx
import httpx2
import imageio_ffmpeg
import pytest
import requests

from chronos_app.ai.anthropic_provider import AnthropicLLM
from chronos_app.ai.base import (
    EMBEDDING_DIM,
    AIProviderError,
    Cue,
    Embedder,
    TextLLM,
    Transcriber,
    TranscriptUnavailable,
)
from chronos_app.ai.openai_provider import OpenAIChatLLM, OpenAIEmbedder, WhisperTranscriber
from chronos_app.ai.providers import get_embedder, get_llm, get_transcriber
from chronos_app.ai.transcription import fetch_youtube_captions
from chronos_app.core.settings import Settings


def make_settings(**overrides) -> Settings:
    """Settings with every AI field explicit, so neither the environment nor `.env` leaks in."""
    values = dict(anthropic_api_key=None, openai_api_key=None, openai_base_url=None,
                  anthropic_model="claude-test", openai_chat_model="gpt-test",
                  openai_embedding_model="text-embedding-3-small")
    values.update(overrides)
    return Settings(_env_file=None, **values)


OPENAI = make_settings(openai_api_key="sk-test-secret-123")
ANTHROPIC = make_settings(anthropic_api_key="sk-ant-test-456")


class Recorder:
    """An httpx2 transport handler that records requests and answers with `respond(request)`."""

    def __init__(self, respond):
        self.respond = respond
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        request.read()
        self.requests.append(request)
        return self.respond(request)

    def client(self) -> httpx2.Client:
        return httpx2.Client(transport=httpx2.MockTransport(self))

    def json(self, i: int = 0) -> dict:
        return json.loads(self.requests[i].content)


# --- embeddings ----------------------------------------------------------------------------------

def _embedding_response(request) -> httpx2.Response:
    inputs = json.loads(request.content)["input"]
    # vector of text t: [len(t) + 1, 2, 0, ...] (not unit length); data returned in reverse order
    data = [{"object": "embedding", "index": i, "embedding": [len(t) + 1.0, 2.0]
             + [0.0] * (EMBEDDING_DIM - 2)} for i, t in enumerate(inputs)]
    return httpx2.Response(200, json={"object": "list", "model": "text-embedding-3-small",
                                      "data": data[::-1],
                                      "usage": {"prompt_tokens": 1, "total_tokens": 1}})


def test_openai_embedder_request_order_and_unit_norm():
    rec = Recorder(_embedding_response)
    embedder = OpenAIEmbedder(OPENAI, http_client=rec.client(), max_retries=0)
    texts = ["a", "bbb", "cc"]
    vectors = embedder.embed(texts)

    assert isinstance(embedder, Embedder)
    assert embedder.model == "openai:text-embedding-3-small"
    assert embedder.dimensions == EMBEDDING_DIM
    assert len(rec.requests) == 1
    req = rec.requests[0]
    assert req.url.path == "/v1/embeddings" and req.url.host == "api.openai.com"
    assert req.headers["authorization"] == "Bearer sk-test-secret-123"
    body = rec.json()
    assert body["model"] == "text-embedding-3-small"
    assert body["dimensions"] == 1536
    assert body["input"] == texts
    assert body["encoding_format"] == "float"
    assert len(vectors) == 3
    for text, vec in zip(texts, vectors, strict=True):
        assert len(vec) == EMBEDDING_DIM
        assert math.isclose(math.fsum(x * x for x in vec), 1.0, rel_tol=1e-9)
        expected = len(text) + 1.0
        assert math.isclose(vec[0], expected / math.hypot(expected, 2.0), rel_tol=1e-9)


def test_openai_embedder_batches_large_inputs_and_keeps_order():
    rec = Recorder(_embedding_response)
    embedder = OpenAIEmbedder(OPENAI, http_client=rec.client(), max_retries=0)
    texts = ["x" * (i % 7) + str(i) for i in range(600)]
    vectors = embedder.embed(texts)

    assert [len(rec.json(i)["input"]) for i in range(len(rec.requests))] == [256, 256, 88]
    assert rec.json(1)["input"][0] == texts[256]
    assert len(vectors) == 600
    for text, vec in zip(texts, vectors, strict=True):
        expected = len(text) + 1.0
        assert math.isclose(vec[0], expected / math.hypot(expected, 2.0), rel_tol=1e-9)
    assert embedder.embed([]) == []
    assert len(rec.requests) == 3


def test_openai_embedder_blank_text_is_sent_as_a_space():
    rec = Recorder(_embedding_response)
    OpenAIEmbedder(OPENAI, http_client=rec.client(), max_retries=0).embed(["", "ok"])
    assert rec.json()["input"] == [" ", "ok"]


def test_openai_embedder_rejects_wrong_dimension():
    def respond(request):
        return httpx2.Response(200, json={"object": "list", "model": "m", "data": [
            {"object": "embedding", "index": 0, "embedding": [1.0] * 384}],
            "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    embedder = OpenAIEmbedder(OPENAI, http_client=Recorder(respond).client(), max_retries=0)
    with pytest.raises(AIProviderError, match="384 dimensions"):
        embedder.embed(["a"])


def test_openai_accepts_a_legacy_httpx_client():
    seen: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        inputs = json.loads(request.content)["input"]
        return httpx.Response(200, json={"object": "list", "model": "m", "data": [
            {"object": "embedding", "index": i, "embedding": [3.0, 4.0] + [0.0] * 1534}
            for i in range(len(inputs))], "usage": {"prompt_tokens": 1, "total_tokens": 1}})

    client = httpx.Client(transport=httpx.MockTransport(respond))
    vectors = OpenAIEmbedder(OPENAI, http_client=client, max_retries=0).embed(["a"])
    assert seen == ["https://api.openai.com/v1/embeddings"]
    assert vectors[0][:2] == pytest.approx([0.6, 0.8])


# --- chat ----------------------------------------------------------------------------------------

def _chat_response(request) -> httpx2.Response:
    return httpx2.Response(200, json={
        "id": "c1", "object": "chat.completion", "created": 1, "model": "gpt-test",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": "Hello from the model."}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7}})


def test_openai_chat_sends_system_and_user_messages():
    rec = Recorder(_chat_response)
    llm = OpenAIChatLLM(OPENAI, http_client=rec.client(), max_retries=0)
    answer = llm.complete(system="You are terse.", prompt="Say hello.", max_tokens=50)

    assert answer == "Hello from the model."
    assert isinstance(llm, TextLLM)
    assert llm.name == "openai:gpt-test"
    req = rec.requests[0]
    assert (req.url.host, req.url.path) == ("api.openai.com", "/v1/chat/completions")
    body = rec.json()
    assert body["model"] == "gpt-test"
    assert body["messages"] == [{"role": "system", "content": "You are terse."},
                                {"role": "user", "content": "Say hello."}]
    assert body["max_completion_tokens"] == 50 and "max_tokens" not in body


def test_openai_chat_honours_base_url_of_a_compatible_server():
    rec = Recorder(_chat_response)
    settings = make_settings(openai_base_url="http://ollama.internal:11434/v1",
                             openai_chat_model="llama3.2")
    llm = OpenAIChatLLM(settings, http_client=rec.client(), max_retries=0)
    assert llm.complete(system="", prompt="Hi") == "Hello from the model."

    req = rec.requests[0]
    assert req.url.host == "ollama.internal" and req.url.port == 11434
    assert req.url.path == "/v1/chat/completions"
    body = rec.json()
    assert body["model"] == "llama3.2"
    assert body["messages"] == [{"role": "user", "content": "Hi"}]  # blank system is left out
    assert body["max_tokens"] == 1024


def test_openai_chat_empty_answer_is_an_error():
    def respond(request):
        resp = _chat_response(request)
        data = json.loads(resp.content)
        data["choices"][0]["message"]["content"] = None
        return httpx2.Response(200, json=data)

    llm = OpenAIChatLLM(OPENAI, http_client=Recorder(respond).client(), max_retries=0)
    with pytest.raises(AIProviderError, match="empty answer"):
        llm.complete(system="s", prompt="p")


@pytest.mark.parametrize(("status", "expected"), [
    (500, "HTTP 500: upstream exploded"),
    (401, "rejected the API key"),
    (429, "rate limit"),
])
def test_openai_http_errors_become_provider_errors(status, expected):
    rec = Recorder(lambda r: httpx2.Response(status, json={"error": {
        "message": "upstream exploded" if status == 500 else "Incorrect API key sk-test-se***123",
        "type": "x"}}))
    llm = OpenAIChatLLM(OPENAI, http_client=rec.client(), max_retries=0)
    with pytest.raises(AIProviderError, match=expected) as info:
        llm.complete(system="s", prompt="p")
    assert "sk-test" not in info.value.message
    assert len(rec.requests) == 1  # max_retries=0 honoured


def test_openai_retries_then_fails_cleanly():
    rec = Recorder(lambda r: httpx2.Response(503, json={"error": {"message": "busy"}},
                                             headers={"retry-after-ms": "1"}))
    embedder = OpenAIEmbedder(OPENAI, http_client=rec.client(), max_retries=2)
    with pytest.raises(AIProviderError, match="HTTP 503"):
        embedder.embed(["a"])
    assert len(rec.requests) == 3


def test_openai_network_error_becomes_provider_error():
    def respond(request):
        raise httpx2.ConnectError("connection refused", request=request)

    embedder = OpenAIEmbedder(OPENAI, http_client=Recorder(respond).client(), max_retries=0)
    with pytest.raises(AIProviderError, match="could not be reached"):
        embedder.embed(["a"])


def test_openai_without_any_configuration_is_a_provider_error():
    with pytest.raises(AIProviderError, match="OPENAI_API_KEY"):
        OpenAIChatLLM(make_settings())


# --- anthropic -----------------------------------------------------------------------------------

def _anthropic_response(request) -> httpx2.Response:
    return httpx2.Response(200, json={
        "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
        "content": [{"type": "text", "text": "Part one. "},
                    {"type": "text", "text": "Part two."}],
        "stop_reason": "end_turn", "stop_sequence": None,
        "usage": {"input_tokens": 5, "output_tokens": 6}})


def test_anthropic_messages_request_and_joined_text():
    rec = Recorder(_anthropic_response)
    llm = AnthropicLLM(ANTHROPIC, http_client=rec.client(), max_retries=0)
    answer = llm.complete(system="Be exact.", prompt="Explain.", max_tokens=77)

    assert answer == "Part one. Part two."
    assert isinstance(llm, TextLLM)
    assert llm.name == "anthropic:claude-test"
    req = rec.requests[0]
    assert (req.url.host, req.url.path) == ("api.anthropic.com", "/v1/messages")
    # anthropic 2.x sends the API key as a bearer token (API version 2026-10-21), not x-api-key
    assert req.headers["authorization"] == "Bearer sk-ant-test-456"
    assert "x-api-key" not in req.headers
    assert req.headers["anthropic-version"]
    body = rec.json()
    assert body["model"] == "claude-test"
    assert body["system"] == "Be exact."
    assert body["max_tokens"] == 77
    assert body["messages"] == [{"role": "user", "content": "Explain."}]


@pytest.mark.parametrize(("status", "error_type", "expected"), [
    (500, "api_error", "HTTP 500: Internal failure"),
    (401, "authentication_error", "ANTHROPIC_API_KEY"),
    (529, "overloaded_error", "HTTP 529: Internal failure"),
])
def test_anthropic_http_errors_become_provider_errors(status, error_type, expected):
    rec = Recorder(lambda r: httpx2.Response(status, json={
        "type": "error", "error": {"type": error_type, "message": "Internal failure"}}))
    llm = AnthropicLLM(ANTHROPIC, http_client=rec.client(), max_retries=0)
    with pytest.raises(AIProviderError, match=expected):
        llm.complete(system="s", prompt="p")
    assert len(rec.requests) == 1


def test_anthropic_without_key_is_a_provider_error():
    with pytest.raises(AIProviderError, match="ANTHROPIC_API_KEY"):
        AnthropicLLM(make_settings())


# --- whisper -------------------------------------------------------------------------------------

def _ffmpeg(*args: str) -> None:
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
                    *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def sine_video(tmp_path_factory) -> Path:
    """A 3-second MP4 with a 440 Hz tone and a tiny test picture."""
    path = tmp_path_factory.mktemp("media") / "tone.mp4"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=3",
            "-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:duration=3",
            "-shortest", "-c:v", "mpeg4", "-c:a", "aac", str(path))
    return path


def _file_part(request: httpx2.Request) -> bytes:
    content = request.content
    start = content.index(b"Content-Type: audio/mpeg\r\n\r\n") + len(b"Content-Type: audio/mpeg\r\n\r\n")
    return content[start:content.index(b"\r\n--", start)]


class WhisperServer:
    """Answers each piece with two segments (one blank) that start 0.25 s into the piece."""

    def __init__(self):
        self.pieces: list[bytes] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        assert request.url.path == "/v1/audio/transcriptions"
        content = request.content
        assert b'name="model"\r\n\r\nwhisper-1' in content
        assert b'name="response_format"\r\n\r\nverbose_json' in content
        assert b"segment" in content and b"timestamp_granularities" in content
        self.pieces.append(_file_part(request))
        n = len(self.pieces)
        segment = {"id": 0, "seek": 0, "tokens": [], "temperature": 0.0, "avg_logprob": -0.2,
                   "compression_ratio": 1.0, "no_speech_prob": 0.0}
        return httpx2.Response(200, json={
            "text": f"piece {n}", "language": "english", "duration": 1.0,
            "segments": [dict(segment, start=0.25, end=0.75, text=f"  piece {n}  "),
                         dict(segment, id=1, start=0.75, end=0.9, text="   ")]})


def test_whisper_splits_large_audio_and_offsets_segments(sine_video):
    server = WhisperServer()
    rec = Recorder(server)
    limit = 6000  # bytes: the 3 s of 32 kbit/s audio (~12 KB) needs at least 3 pieces
    transcriber = WhisperTranscriber(OPENAI, http_client=rec.client(), max_bytes=limit,
                                     max_retries=0)
    cues = transcriber.transcribe(str(sine_video))

    assert isinstance(transcriber, Transcriber)
    assert transcriber.model == "openai:whisper-1"
    assert len(rec.requests) >= 2
    assert all(0 < len(piece) < limit for piece in server.pieces)
    assert all(piece[:2] in (b"\xff\xf3", b"\xff\xfb", b"\xff\xf2") or piece[:3] == b"ID3"
               for piece in server.pieces)  # MP3 frames
    assert len(cues) == len(rec.requests)  # blank segments skipped
    assert [c.text for c in cues] == [f"piece {i}" for i in range(1, len(cues) + 1)]
    assert cues[0] == Cue(0.25, 0.75, "piece 1")
    second = cues[1]
    assert 0.25 + 0.5 < second.start < 3.0  # shifted by the second piece's offset
    assert second.end == pytest.approx(second.start + 0.5, abs=1e-6)
    assert [c.start for c in cues] == sorted(c.start for c in cues)
    assert cues[-1].start < 3.25


def test_whisper_single_piece_when_under_the_limit(sine_video):
    server = WhisperServer()
    rec = Recorder(server)
    cues = WhisperTranscriber(OPENAI, http_client=rec.client(), max_retries=0).transcribe(
        str(sine_video))
    assert len(rec.requests) == 1
    assert cues == [Cue(0.25, 0.75, "piece 1")]


def test_whisper_non_media_file_is_a_provider_error(tmp_path):
    bogus = tmp_path / "notes.mp4"
    bogus.write_text("this is not a video")
    rec = Recorder(WhisperServer())
    transcriber = WhisperTranscriber(OPENAI, http_client=rec.client(), max_retries=0)
    with pytest.raises(AIProviderError, match="not a supported audio/video format"):
        transcriber.transcribe(str(bogus))
    assert rec.requests == []


def test_whisper_video_without_audio_is_a_provider_error(tmp_path):
    silent = tmp_path / "silent.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x64:rate=5:duration=1", "-c:v", "mpeg4",
            str(silent))
    transcriber = WhisperTranscriber(OPENAI, http_client=Recorder(WhisperServer()).client(),
                                     max_retries=0)
    with pytest.raises(AIProviderError, match="no audio track"):
        transcriber.transcribe(str(silent))


def test_whisper_http_error_becomes_provider_error(sine_video):
    rec = Recorder(lambda r: httpx2.Response(500, json={"error": {"message": "boom"}}))
    transcriber = WhisperTranscriber(OPENAI, http_client=rec.client(), max_retries=0)
    with pytest.raises(AIProviderError, match="Whisper returned HTTP 500: boom"):
        transcriber.transcribe(str(sine_video))
    assert len(rec.requests) == 1


# --- youtube captions ----------------------------------------------------------------------------

def test_youtube_injected_fetch_returns_cues():
    class Snippet:
        def __init__(self, text, start, duration):
            self.text, self.start, self.duration = text, start, duration

    calls = []

    def fetcher(video_id, languages):
        calls.append((video_id, tuple(languages)))
        return [Snippet("Hello\nworld", 0.5, 2.0), Snippet("  ", 2.5, 1.0),
                {"text": "Second line", "start": 2.5, "duration": 1.25}]

    cues = fetch_youtube_captions("dQw4w9WgXcQ", ("de", "en"), fetcher=fetcher)
    assert calls == [("dQw4w9WgXcQ", ("de", "en"))]
    assert cues == [Cue(0.5, 2.5, "Hello world"), Cue(2.5, 3.75, "Second line")]


def test_youtube_injected_failure_is_transcript_unavailable():
    from youtube_transcript_api import TranscriptsDisabled

    def fetcher(video_id, languages):
        raise TranscriptsDisabled(video_id)

    with pytest.raises(TranscriptUnavailable,
                       match=r"YouTube captions could not be fetched \(captions are disabled"):
        fetch_youtube_captions("abc123def45", fetcher=fetcher)


def test_youtube_empty_captions_are_unavailable():
    with pytest.raises(TranscriptUnavailable, match="empty"):
        fetch_youtube_captions("abc123def45", fetcher=lambda v, langs: [])


def test_youtube_default_fetcher_uses_timeout_and_maps_network_errors(monkeypatch):
    timeouts = []

    def send(self, request, **kwargs):
        timeouts.append(kwargs.get("timeout"))
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    with pytest.raises(TranscriptUnavailable, match="could not be reached"):
        fetch_youtube_captions("abc123def45", timeout=3.5)
    assert timeouts == [3.5]


def test_youtube_default_fetcher_maps_ip_block(monkeypatch):
    def send(self, request, **kwargs):
        response = requests.Response()
        response.status_code = 429
        response.url = request.url
        response.request = request
        response._content = b"Too Many Requests"
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)
    with pytest.raises(TranscriptUnavailable, match="blocking requests"):
        fetch_youtube_captions("abc123def45")


# --- factories -----------------------------------------------------------------------------------

def test_get_llm_picks_provider_from_settings():
    assert get_llm(make_settings()) is None
    assert isinstance(get_llm(ANTHROPIC), AnthropicLLM)
    both = make_settings(anthropic_api_key="a", openai_api_key="o")
    assert get_llm(both).name == "anthropic:claude-test"
    assert isinstance(get_llm(OPENAI), OpenAIChatLLM)
    local = get_llm(make_settings(openai_base_url="http://localhost:11434/v1"))
    assert isinstance(local, OpenAIChatLLM) and local.name == "openai:gpt-test"


def test_get_embedder_and_transcriber_from_settings():
    embedder = get_embedder(OPENAI)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.model == "openai:text-embedding-3-small"
    assert isinstance(get_transcriber(OPENAI), WhisperTranscriber)
    assert get_transcriber(make_settings()) is None
    assert get_transcriber(make_settings(openai_base_url="http://localhost:1/v1")) is None


def test_get_embedder_falls_back_to_local_embedder():
    from chronos_app.ai.local_embedder import LocalEmbedder

    embedder = get_embedder(make_settings(anthropic_api_key="a",
                                          openai_base_url="http://localhost:1/v1"))
    assert isinstance(embedder, LocalEmbedder)
    assert embedder.dimensions == EMBEDDING_DIM
    vectors = embedder.embed(["offline still works"])
    assert len(vectors) == 1 and len(vectors[0]) == EMBEDDING_DIM

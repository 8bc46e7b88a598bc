"""Tutor chat models through the real async SDKs, with HTTP mocked at the `httpx2` transport.

anthropic 2.x and openai 3.x stream Server-Sent Events through `httpx2.AsyncClient`; the mocks
answer with real SSE bodies. No network, no pytest-asyncio: each test drives `asyncio.run`.
"""

from __future__ import annotations

import asyncio
import json

import httpx2
import pytest

from chronos_app.ai.base import AIProviderError
from chronos_app.ai.tutor import (
    NOT_FOUND_TEXT,
    OFFLINE_LABEL,
    AnthropicTutor,
    ChatModel,
    OfflineTutor,
    OpenAITutor,
    Passage,
    Turn,
    TutorStreamError,
    Usage,
    build_messages,
    citations,
    cited_numbers,
    cost_usd,
    get_tutor,
    passages_block,
    says_not_found,
    system_prompt,
)
from chronos_app.core.settings import Settings


def make_settings(**overrides) -> Settings:
    """Settings with every AI field explicit, so neither the environment nor `.env` leaks in."""
    values = dict(anthropic_api_key=None, openai_api_key=None, openai_base_url=None,
                  anthropic_model="claude-test", openai_chat_model="gpt-test")
    values.update(overrides)
    return Settings(_env_file=None, **values)


ANTHROPIC = make_settings(anthropic_api_key="sk-ant-test-456")
OPENAI = make_settings(openai_api_key="sk-test-secret-123")

PASSAGES = [
    Passage(n=1, video_id="v1", video_title="Caching 101", chunk_id="c1", start=65.0, end=92.5,
            text="A cache keeps recent results in memory. Reads become much faster. "
                 "Invalidation is the hard part.", score=0.82),
    Passage(n=2, video_id="v2", video_title="Databases", chunk_id="c2", start=3601.0,
            end=3650.0, text="Indexes speed up lookups. Writes pay for every index you add.",
            score=0.61),
    Passage(n=3, video_id="v1", video_title="Caching 101", chunk_id="c3", start=120.0,
            end=150.0, text="We expire cached entries after five minutes to keep data fresh.",
            score=0.55),
]
HISTORY = [Turn("user", "What is a cache?"),
           Turn("assistant", "A cache keeps recent results in memory [1].")]
QUESTION = "Why is cache invalidation hard?"


class Recorder:
    """An httpx2 transport handler that records requests and answers with `respond(request)`."""

    def __init__(self, respond):
        self.respond = respond
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.respond(request)

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self))

    def json(self, i: int = 0) -> dict:
        return json.loads(self.requests[i].content)


def sse(events: list[tuple[str | None, object]]) -> bytes:
    """An SSE body: `event:` line (when named) and one `data:` line per event."""
    out = []
    for name, data in events:
        payload = data if isinstance(data, str) else json.dumps(data)
        out.append((f"event: {name}\n" if name else "") + f"data: {payload}\n\n")
    return "".join(out).encode()


def event_stream(body: bytes, status: int = 200) -> httpx2.Response:
    return httpx2.Response(status, headers={"content-type": "text/event-stream"}, content=body)


def run(tutor: ChatModel, *, question: str = QUESTION, passages=PASSAGES, history=HISTORY):
    """All deltas of one answer, plus the TutorStreamError that ended it (or None)."""
    async def consume():
        deltas: list[str] = []
        try:
            async for delta in tutor.stream(question=question, passages=list(passages),
                                            history=list(history)):
                deltas.append(delta)
        except TutorStreamError as err:
            return deltas, err
        return deltas, None

    return asyncio.run(consume())


# --- anthropic -----------------------------------------------------------------------------------

ANTHROPIC_TEXT = ["Invalidation is hard ", "because cached data ", "goes stale [1]", "[3]."]


def anthropic_events(deltas=ANTHROPIC_TEXT, *, error: dict | None = None, stop: bool = True):
    events: list[tuple[str | None, object]] = [
        ("message_start", {"type": "message_start", "message": {
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-test",
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 812, "output_tokens": 1}}}),
        ("content_block_start", {"type": "content_block_start", "index": 0,
                                 "content_block": {"type": "text", "text": ""}}),
        ("ping", {"type": "ping"}),
    ]
    events += [("content_block_delta", {"type": "content_block_delta", "index": 0,
                                        "delta": {"type": "text_delta", "text": text}})
               for text in deltas]
    if error is not None:
        events.append(("error", {"type": "error", "error": error}))
        return sse(events)
    events.append(("content_block_stop", {"type": "content_block_stop", "index": 0}))
    events.append(("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                     "usage": {"output_tokens": 37}}))
    if stop:
        events.append(("message_stop", {"type": "message_stop"}))
    return sse(events)


def test_anthropic_streams_deltas_and_usage_through_the_sdk():
    rec = Recorder(lambda r: event_stream(anthropic_events()))
    tutor = AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0)
    deltas, error = run(tutor)

    assert error is None
    assert isinstance(tutor, ChatModel) and not tutor.offline
    assert tutor.name == "claude-test"
    assert deltas == ANTHROPIC_TEXT
    assert "".join(deltas) == "Invalidation is hard because cached data goes stale [1][3]."
    assert tutor.usage == Usage(input_tokens=812, output_tokens=37)

    assert len(rec.requests) == 1
    req = rec.requests[0]
    assert (req.url.host, req.url.path) == ("api.anthropic.com", "/v1/messages")
    assert req.headers["authorization"] == "Bearer sk-ant-test-456"
    body = rec.json()
    assert body["model"] == "claude-test"
    assert body["stream"] is True
    assert body["max_tokens"] == 1024
    assert body["system"] == system_prompt()
    messages = body["messages"]
    assert messages[:2] == [{"role": "user", "content": "What is a cache?"},
                            {"role": "assistant",
                             "content": "A cache keeps recent results in memory [1]."}]
    last = messages[-1]
    assert last["role"] == "user" and len(messages) == 3
    assert passages_block(PASSAGES) in last["content"]
    assert "[1] Caching 101 @ 1:05–1:32\nA cache keeps recent results" in last["content"]
    assert last["content"].endswith("Question: " + QUESTION)


def test_anthropic_error_event_mid_stream_keeps_the_partial_answer():
    body = anthropic_events(ANTHROPIC_TEXT[:2],
                            error={"type": "overloaded_error", "message": "Overloaded"})
    rec = Recorder(lambda r: event_stream(body))
    deltas, error = run(AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0))

    assert deltas == ANTHROPIC_TEXT[:2]
    assert isinstance(error, TutorStreamError) and isinstance(error, AIProviderError)
    assert error.partial == "Invalidation is hard because cached data "
    assert "overloaded" in error.message and "mid-answer" in error.message


def test_anthropic_other_error_event_shows_its_detail():
    body = anthropic_events(["Half "], error={"type": "api_error", "message": "Internal oops"})
    rec = Recorder(lambda r: event_stream(body))
    _, error = run(AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0))
    assert error.message == "Claude stopped mid-answer: Internal oops"
    assert error.partial == "Half "


def test_anthropic_stream_without_message_stop_is_cut_off():
    rec = Recorder(lambda r: event_stream(anthropic_events(stop=False)))
    deltas, error = run(AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0))
    assert "cut off" in error.message
    assert error.partial == "".join(ANTHROPIC_TEXT) == "".join(deltas)


def test_anthropic_connection_lost_mid_stream():
    class Broken(httpx2.AsyncByteStream):
        async def __aiter__(self):
            yield anthropic_events(["Partial "], stop=False)
            raise httpx2.ReadError("connection reset")

    def respond(request):
        return httpx2.Response(200, headers={"content-type": "text/event-stream"},
                               stream=Broken())

    rec = Recorder(respond)
    deltas, error = run(AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0))
    assert deltas == ["Partial "]
    assert error.partial == "Partial "
    assert "connection to Claude was lost" in error.message


@pytest.mark.parametrize(("status", "error_type", "expected"), [
    (401, "authentication_error", "ANTHROPIC_API_KEY"),
    (500, "api_error", "HTTP 500: Internal failure"),
])
def test_anthropic_http_error_before_streaming(status, error_type, expected):
    rec = Recorder(lambda r: httpx2.Response(status, json={
        "type": "error", "error": {"type": error_type, "message": "Internal failure"}}))
    deltas, error = run(AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0))
    assert deltas == []
    assert expected in error.message
    assert error.partial == ""
    assert "sk-ant" not in error.message
    assert len(rec.requests) == 1


def test_anthropic_without_key_fails_when_streaming_not_when_built():
    tutor = AnthropicTutor(make_settings())
    deltas, error = run(tutor)
    assert deltas == [] and "ANTHROPIC_API_KEY" in error.message


# --- openai --------------------------------------------------------------------------------------

OPENAI_TEXT = ["Because ", "stale entries ", "must be found [1]."]


def openai_chunk(content: str | None = None, *, finish: str | None = None,
                 role: str | None = None) -> dict:
    delta = {k: v for k, v in (("role", role), ("content", content)) if v is not None}
    return {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
            "model": "gpt-test", "choices": [{"index": 0, "delta": delta,
                                              "finish_reason": finish}]}


def openai_body(deltas=OPENAI_TEXT, *, tail: list[str] | None = None) -> bytes:
    chunks = [openai_chunk("", role="assistant")] + [openai_chunk(t) for t in deltas]
    if tail is not None:
        return sse([(None, c) for c in chunks] + [(None, t) for t in tail])
    chunks.append(openai_chunk(finish="stop"))
    chunks.append({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
                   "model": "gpt-test", "choices": [],
                   "usage": {"prompt_tokens": 640, "completion_tokens": 21,
                             "total_tokens": 661}})
    return sse([(None, c) for c in chunks] + [(None, "[DONE]")])


def test_openai_streams_deltas_and_usage_through_the_sdk():
    rec = Recorder(lambda r: event_stream(openai_body()))
    tutor = OpenAITutor(OPENAI, http_client=rec.client(), max_retries=0)
    deltas, error = run(tutor)

    assert error is None
    assert isinstance(tutor, ChatModel) and tutor.name == "gpt-test"
    assert deltas == OPENAI_TEXT
    assert tutor.usage == Usage(input_tokens=640, output_tokens=21)
    req = rec.requests[0]
    assert str(req.url) == "https://api.openai.com/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer sk-test-secret-123"
    body = rec.json()
    assert body["model"] == "gpt-test"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_completion_tokens"] == 1024 and "max_tokens" not in body
    messages = body["messages"]
    assert messages[0] == {"role": "system", "content": system_prompt()}
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "What is a cache?"
    assert passages_block(PASSAGES) in messages[-1]["content"]
    assert QUESTION in messages[-1]["content"]


def test_openai_compatible_server_without_key_honours_base_url():
    rec = Recorder(lambda r: event_stream(openai_body()))
    settings = make_settings(openai_base_url="http://ollama.internal:11434/v1",
                             openai_chat_model="llama3.2")
    tutor = get_tutor(settings, http_client=rec.client())
    assert isinstance(tutor, OpenAITutor)
    tutor._max_retries = 0
    deltas, error = run(tutor, history=[])

    assert error is None and "".join(deltas) == "".join(OPENAI_TEXT)
    req = rec.requests[0]
    assert str(req.url) == "http://ollama.internal:11434/v1/chat/completions"
    assert req.headers["authorization"] == "Bearer not-needed"
    body = rec.json()
    assert body["model"] == "llama3.2" and tutor.name == "llama3.2"
    assert body["max_tokens"] == 1024 and "max_completion_tokens" not in body
    assert [m["role"] for m in body["messages"]] == ["system", "user"]


def test_openai_error_chunk_mid_stream_keeps_the_partial_answer():
    tail = [json.dumps({"error": {"message": "The server had an error", "type": "server_error"}})]
    rec = Recorder(lambda r: event_stream(openai_body(OPENAI_TEXT[:2], tail=tail)))
    deltas, error = run(OpenAITutor(OPENAI, http_client=rec.client(), max_retries=0))
    assert deltas == OPENAI_TEXT[:2]
    assert error.partial == "Because stale entries "
    assert error.message == "OpenAI stopped mid-answer: The server had an error"


def test_openai_invalid_chunk_mid_stream():
    rec = Recorder(lambda r: event_stream(openai_body(OPENAI_TEXT[:1], tail=['{"choices": [tr'])))
    deltas, error = run(OpenAITutor(OPENAI, http_client=rec.client(), max_retries=0))
    assert deltas == ["Because "]
    assert error.partial == "Because "
    assert "could not be read" in error.message


def test_openai_truncated_stream_is_cut_off():
    rec = Recorder(lambda r: event_stream(openai_body(OPENAI_TEXT[:2], tail=[])))
    deltas, error = run(OpenAITutor(OPENAI, http_client=rec.client(), max_retries=0))
    assert error.partial == "Because stale entries " == "".join(deltas)
    assert "cut off" in error.message


@pytest.mark.parametrize(("status", "expected"), [
    (401, "rejected the API key"),
    (500, "HTTP 500: upstream exploded"),
])
def test_openai_http_error_before_streaming(status, expected):
    rec = Recorder(lambda r: httpx2.Response(status, json={"error": {
        "message": "upstream exploded", "type": "x"}}))
    deltas, error = run(OpenAITutor(OPENAI, http_client=rec.client(), max_retries=0))
    assert deltas == [] and error.partial == ""
    assert expected in error.message
    assert len(rec.requests) == 1


# --- prompt and messages -------------------------------------------------------------------------

def test_system_prompt_rules():
    prompt = system_prompt()
    assert "ONLY" in prompt and "[1]" in prompt
    assert NOT_FOUND_TEXT in prompt
    assert "outside knowledge" in prompt and "Markdown" in prompt and "concise" in prompt


def test_passages_block_format():
    block = passages_block(PASSAGES[:2])
    assert block.startswith("[1] Caching 101 @ 1:05–1:32\nA cache keeps")
    assert "\n\n[2] Databases @ 1:00:01–1:00:50\nIndexes speed up lookups." in block


def test_build_messages_keeps_last_eight_turns_alternating():
    history = [Turn("assistant", "Welcome!")]
    history += [Turn("user" if i % 2 == 0 else "assistant", f"turn {i}") for i in range(12)]
    history.append(Turn("user", "unanswered question"))
    messages = build_messages("Next?", PASSAGES[:1], history)
    assert messages[0]["role"] == "user"
    roles = [m["role"] for m in messages]
    assert all(a != b for a, b in zip(roles, roles[1:], strict=False))
    assert messages[0]["content"] == "turn 6"  # turns 5..11 + the unanswered one; 5 is assistant
    assert messages[-1]["content"].startswith("unanswered question\n\nTranscript passages:")
    assert messages[-1]["content"].endswith("Question: Next?")
    assert len(messages) == 7
    empty = build_messages("Q?", [], [])
    assert empty == [{"role": "user", "content": "Transcript passages:\n\n"
                      "(no passage matched this question)\n\nQuestion: Q?"}]


# --- offline -------------------------------------------------------------------------------------

def test_offline_without_passages_is_not_found():
    tutor = OfflineTutor()
    deltas, error = run(tutor, passages=[])
    answer = "".join(deltas)
    assert error is None and tutor.offline and tutor.name == "offline-extractive"
    assert answer.startswith(NOT_FOUND_TEXT)
    assert says_not_found(answer) and "chapters" in answer
    assert cited_numbers(answer) == []
    assert tutor.usage == Usage()


def test_offline_below_min_score_or_unrelated_is_not_found():
    assert says_not_found(OfflineTutor(min_score=0.9).answer(QUESTION, PASSAGES))
    assert says_not_found(OfflineTutor().answer("How do I bake sourdough bread?", PASSAGES))


def test_offline_extractive_answer_quotes_and_cites():
    tutor = OfflineTutor()
    deltas, error = run(tutor, question="How long are cached entries kept fresh?")
    answer = "".join(deltas)
    assert error is None
    assert len(deltas) > 10  # streamed word by word
    assert answer.startswith(OFFLINE_LABEL + "\n\n")
    assert not says_not_found(answer)
    # passage 2 (databases) shares no content word with the question and is left out
    assert cited_numbers(answer) == [1, 3]
    assert [p.chunk_id for p in citations(answer, PASSAGES)] == ["c1", "c3"]
    lines = answer.split("\n")[2:]
    assert lines[0].startswith("- **Caching 101** (1:05–1:32): “A cache keeps recent results")
    assert lines[0].endswith("” [1]")
    assert "“We expire cached entries after five minutes to keep data fresh.” [3]" in lines[1]
    assert answer == tutor.answer("How long are cached entries kept fresh?", PASSAGES)


def test_offline_picks_the_best_matching_sentences():
    text = ("Welcome back to the channel. Today we talk about many things. "
            "Cache invalidation is hard because stale data hides everywhere. "
            "Thanks for watching.")
    passage = Passage(1, "v", "Talk", "c", 0.0, 30.0, text, 0.9)
    answer = OfflineTutor().answer(QUESTION, [passage])
    assert "“Cache invalidation is hard because stale data hides everywhere.” [1]" in answer
    assert "Welcome" not in answer and "Thanks" not in answer


# --- citations, costs, choice --------------------------------------------------------------------

def test_cited_numbers_and_citations():
    answer = "Yes [2]. Also [1, 3] and [1][4]; see [3-5] but not [x] or [ 2 ]."
    assert cited_numbers(answer) == [2, 1, 3, 4, 5]
    assert cited_numbers("No citations here.") == []
    assert [p.n for p in citations(answer, PASSAGES)] == [2, 1, 3]  # 4 and 5 have no passage
    assert citations("[9]", PASSAGES) == []


def test_says_not_found():
    assert says_not_found(NOT_FOUND_TEXT + " Try searching for 'cache'.")
    assert says_not_found("**I can’t find this in the videos.** Maybe watch chapter 2.")
    assert says_not_found("I cannot find this in the videos.")
    assert not says_not_found("Caching helps [1]. I can't find this in the videos for TTLs.")
    assert not says_not_found("")


def test_cost_usd():
    usage = Usage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_usd("claude-3-5-haiku-latest", usage) == pytest.approx(4.80)
    assert cost_usd("claude-3-5-sonnet-20241022", usage) == pytest.approx(18.0)
    assert cost_usd("gpt-4o-mini", usage) == pytest.approx(0.75)
    assert cost_usd("gpt-4o-2024-08-06", usage) == pytest.approx(12.5)
    assert cost_usd("gpt-4o-mini", Usage(1000, 500)) == pytest.approx(0.00045)
    assert cost_usd("offline-extractive", usage) == 0.0
    assert cost_usd("llama3.2", usage) == 0.0


def test_get_tutor_choice_by_settings():
    assert isinstance(get_tutor(make_settings()), OfflineTutor)
    chosen = get_tutor(ANTHROPIC)
    assert isinstance(chosen, AnthropicTutor) and chosen.name == "claude-test"
    both = make_settings(anthropic_api_key="a", openai_api_key="o")
    assert isinstance(get_tutor(both), AnthropicTutor)
    assert isinstance(get_tutor(OPENAI), OpenAITutor)
    local = get_tutor(make_settings(openai_base_url="http://localhost:11434/v1"))
    assert isinstance(local, OpenAITutor) and local.name == "gpt-test"


def test_get_tutor_reads_environment(monkeypatch):
    from chronos_app.core import settings as settings_module

    for var in ("ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.setenv(var, "")
    monkeypatch.chdir("/")  # no .env here
    settings_module.get_settings.cache_clear()
    try:
        assert isinstance(get_tutor(), OfflineTutor)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
        settings_module.get_settings.cache_clear()
        assert isinstance(get_tutor(), OpenAITutor)
    finally:
        settings_module.get_settings.cache_clear()


def test_consumer_may_stop_early():
    rec = Recorder(lambda r: event_stream(anthropic_events()))
    tutor = AnthropicTutor(ANTHROPIC, http_client=rec.client(), max_retries=0)

    async def first_delta():
        stream = tutor.stream(question=QUESTION, passages=PASSAGES, history=[])
        delta = await anext(stream)
        await stream.aclose()  # closes the SSE response; no error escapes
        return delta

    assert asyncio.run(first_delta()) == ANTHROPIC_TEXT[0]

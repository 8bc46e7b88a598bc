"""Claude through the Anthropic Messages API (sync client).

The installed SDK (anthropic 2.x) is built on `httpx2` and rejects `httpx` objects: an injected
`http_client` must be an `httpx2.Client` (e.g. `httpx2.Client(transport=httpx2.MockTransport(f))`).
"""

from __future__ import annotations

from typing import Any

import anthropic

from chronos_app.ai.base import AIProviderError, api_error_detail
from chronos_app.core.settings import Settings, get_settings

__all__ = ["MAX_RETRIES", "AnthropicLLM", "anthropic_error", "build_anthropic_client"]

MAX_RETRIES = 2


def build_anthropic_client(settings: Settings | None = None, *, http_client: Any = None,
                           timeout: float = 120.0,
                           max_retries: int = MAX_RETRIES) -> anthropic.Anthropic:
    s = settings or get_settings()
    if not s.anthropic_api_key:
        raise AIProviderError("Anthropic is not configured: set ANTHROPIC_API_KEY.")
    try:
        return anthropic.Anthropic(
            api_key=s.anthropic_api_key,
            timeout=anthropic.Timeout(timeout, connect=10.0),
            max_retries=max_retries,
            http_client=http_client,
        )
    except anthropic.AnthropicError as err:
        raise AIProviderError(f"The Anthropic client could not be created: {err}") from err



def anthropic_error(err: Exception) -> AIProviderError:
    if isinstance(err, anthropic.APITimeoutError):
        msg = "Claude did not answer in time; try again later."
    elif isinstance(err, anthropic.APIConnectionError):
        msg = "Anthropic could not be reached (network error); try again later."
    elif isinstance(err, anthropic.AuthenticationError):
        msg = "Anthropic rejected the API key (HTTP 401); check ANTHROPIC_API_KEY."
    elif isinstance(err, anthropic.PermissionDeniedError):
        msg = "Anthropic refused the request (HTTP 403): the key may lack access to this model."
    elif isinstance(err, anthropic.RateLimitError):
        msg = "Anthropic rate limit exceeded (HTTP 429); try again later."
    elif isinstance(err, anthropic.APIStatusError):
        detail = api_error_detail(err.body)
        msg = f"Anthropic returned HTTP {err.status_code}" + (f": {detail}" if detail else ".")
    else:
        msg = f"Anthropic request failed: {type(err).__name__}."
    return AIProviderError(msg)


class AnthropicLLM:
    """`TextLLM` on Claude: one system prompt, one user message, the text blocks joined."""

    def __init__(self, settings: Settings | None = None, *,
                 client: anthropic.Anthropic | None = None, http_client: Any = None,
                 model: str | None = None, max_retries: int = MAX_RETRIES,
                 timeout: float = 120.0):
        s = settings or get_settings()
        self.model_name = model or s.anthropic_model
        self.name = f"anthropic:{self.model_name}"
        self._client = client or build_anthropic_client(s, http_client=http_client,
                                                        timeout=timeout, max_retries=max_retries)

    def complete(self, *, system: str, prompt: str, max_tokens: int = 1024) -> str:
        extra: dict[str, Any] = {"system": system} if system.strip() else {}
        try:
            message = self._client.messages.create(
                model=self.model_name, max_tokens=max_tokens,
                messages=[{"role": "user", "content": prompt}], **extra)
        except anthropic.AnthropicError as err:
            raise anthropic_error(err) from err
        text = "".join(block.text for block in message.content
                       if getattr(block, "type", None) == "text")
        if not text.strip():
            raise AIProviderError(f"Claude ({self.model_name}) returned an empty answer.")
        return text

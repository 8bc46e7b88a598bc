"""Which provider serves which capability, decided from settings (see ARCHITECTURE §6).

Each call builds a new object (SDK clients hold connection pools; keep them off state objects).
"""

from __future__ import annotations

from chronos_app.ai.base import Embedder, TextLLM
from chronos_app.ai.transcription import get_transcriber
from chronos_app.core.settings import Settings, get_settings

__all__ = ["get_embedder", "get_llm", "get_transcriber"]


def get_llm(settings: Settings | None = None) -> TextLLM | None:
    """Claude when ANTHROPIC_API_KEY is set, else an OpenAI-compatible chat model when
    OPENAI_API_KEY or OPENAI_BASE_URL is set, else None (callers use the offline fallback)."""
    s = settings or get_settings()
    if s.anthropic_api_key:
        from chronos_app.ai.anthropic_provider import AnthropicLLM

        return AnthropicLLM(s)
    if s.openai_api_key or s.openai_base_url:
        from chronos_app.ai.openai_provider import OpenAIChatLLM

        return OpenAIChatLLM(s)
    return None


def get_embedder(settings: Settings | None = None) -> Embedder:
    """OpenAI embeddings when OPENAI_API_KEY is set, else the local embedder (always works)."""
    s = settings or get_settings()
    if s.openai_api_key:
        from chronos_app.ai.openai_provider import OpenAIEmbedder

        return OpenAIEmbedder(s)
    from chronos_app.ai.local_embedder import LocalEmbedder

    return LocalEmbedder()

"""The one settings object, read from the environment (and `.env`) by app, CLI, Alembic and tests."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: str = Field(default="development", description="development | production | test")
    # None means: start the embedded PostgreSQL (pgserver) in `data_dir`.
    database_url: str | None = None
    data_dir: Path = REPO_ROOT / ".data"
    db_pool_size: int = 5
    db_max_overflow: int = 10

    session_days: int = 30
    login_max_attempts: int = 8
    login_window_seconds: int = 300

    # Pipeline: a worker runs inside the app unless RUN_WORKER_IN_APP=false (then run
    # `python -m chronos_app.cli worker` processes); YouTube captions need the network.
    run_worker_in_app: bool = True
    worker_lease_seconds: float = 60.0
    worker_poll_seconds: float = 2.0
    youtube_captions: bool = True

    reflex_redis_url: str | None = None
    anthropic_api_key: str | None = None
    anthropic_model: str = "claude-haiku-4-5"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_chat_model: str = "gpt-4o-mini"
    openai_embedding_model: str = "text-embedding-3-small"
    # The offline tutor streams its extractive answer at this pace (seconds per word).
    tutor_offline_word_delay: float = 0.02

    @field_validator("database_url", "reflex_redis_url", "anthropic_api_key", "openai_api_key",
                     "openai_base_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def embedded_pgdata(self) -> Path:
        return self.data_dir / "pg"


def normalize_database_url(url: str) -> str:
    """Point any postgres URL at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()

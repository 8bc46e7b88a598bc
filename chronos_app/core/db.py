"""Database access: the engine, a transactional session scope, and the embedded PostgreSQL.

With `DATABASE_URL` unset, a real PostgreSQL 16 with pgvector (pgserver) is started from
`<data_dir>/pg`; the folder survives restarts. Several processes may share it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine, create_engine
from sqlmodel import Session

from chronos_app.core.settings import get_settings, normalize_database_url

log = logging.getLogger(__name__)

EMBEDDED_DB_NAME = "chronos"

_lock = threading.Lock()
_engine: Engine | None = None
_url: str | None = None


def start_embedded_server(pgdata: Path, database: str = EMBEDDED_DB_NAME, *,
                          cleanup_mode: str | None = "stop") -> str:
    """Start (or attach to) the embedded server in `pgdata`; create `database`; return its URL.

    With cleanup_mode "stop" the server stops when the last process using it exits;
    "delete" also removes the folder (tests).
    """
    import pgserver  # imported lazily: production deployments never start it

    pgdata = Path(pgdata)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=cleanup_mode)
    create_database_if_missing(server.get_uri("postgres"), database)
    return normalize_database_url(server.get_uri(database))


def create_database_if_missing(admin_uri: str, database: str) -> None:
    with psycopg.connect(admin_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')


def database_url() -> str:
    """The SQLAlchemy URL of the configured database, starting the embedded one if needed."""
    global _url
    with _lock:
        if _url is None:
            settings = get_settings()
            if settings.database_url:
                _url = normalize_database_url(settings.database_url)
            else:
                _url = start_embedded_server(settings.embedded_pgdata)
                log.info("embedded PostgreSQL ready in %s", settings.embedded_pgdata)
        return _url


def get_engine() -> Engine:
    global _engine
    url = database_url()
    with _lock:
        if _engine is None:
            settings = get_settings()
            _engine = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
            )
        return _engine


def reset_engine() -> None:
    """Forget the engine and URL (tests point the app at another database)."""
    global _engine, _url
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _url = None


@contextmanager
def session_scope() -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

"""Shared fixtures: one throwaway embedded PostgreSQL for the whole run, never the demo data.

Set TEST_DATABASE_URL to run against another server (its databases are created and dropped).
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlmodel import Session

os.environ.setdefault("ENVIRONMENT", "test")


def _admin_uri() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql+psycopg://", "postgresql://")
    import pgserver

    pgdata = Path(tempfile.mkdtemp(prefix="chronos-test-")) / "pg"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    return server.get_uri("postgres")


@pytest.fixture(scope="session")
def pg_admin_uri() -> str:
    return _admin_uri()


@pytest.fixture(scope="session")
def make_database(pg_admin_uri: str):
    """Create a fresh, empty database; returns its SQLAlchemy URL. Dropped at the end."""
    created: list[str] = []

    def make(prefix: str = "chronos_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(pg_admin_uri, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        created.append(name)
        url = make_url(pg_admin_uri.replace("postgresql://", "postgresql+psycopg://"))
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    with psycopg.connect(pg_admin_uri, autocommit=True) as conn:
        for name in created:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(make_database) -> str:
    """A migrated database shared by the service tests."""
    from chronos_app.core import migrate

    url = make_database("chronos_test")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def engine(database_url: str):
    eng = create_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Commits inside the code under test become savepoints. Deferred constraints fire only at a
    real commit, so tests of them run `SET CONSTRAINTS ALL IMMEDIATE` first.
    """
    connection = engine.connect()
    transaction = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="module")
def app_database(make_database, tmp_path_factory) -> Iterator[str]:
    """A migrated database that the app's own `session_scope()` uses, with committed data
    (workers and endpoints open their own connections), and media storage in a temp folder.
    One per test module."""
    from chronos_app.core import db
    from chronos_app.core.settings import get_settings

    url = make_database("chronos_app")
    from chronos_app.core import migrate

    migrate.upgrade(url)
    mp = pytest.MonkeyPatch()
    mp.setenv("DATABASE_URL", url)
    mp.setenv("DATA_DIR", str(tmp_path_factory.mktemp("data")))
    _forget_app_singletons(get_settings, db)
    try:
        yield url
    finally:
        mp.undo()
        _forget_app_singletons(get_settings, db)


def _forget_app_singletons(get_settings, db) -> None:  # noqa: ANN001
    get_settings.cache_clear()
    db.reset_engine()
    try:
        from chronos_app.core.storage import get_storage
    except ImportError:
        return
    get_storage.cache_clear()

"""Alembic migrations on empty databases: what `upgrade head` creates, what `downgrade base`
removes, and that the models and the migrated schema agree (autogenerate finds nothing).

Each test gets its own fresh database from `make_database`, never the shared service database.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import chronos_app.models  # noqa: F401  (registers every table on SQLModel.metadata)
from chronos_app.core import migrate

TABLES = {
    # dojo
    "users", "sessions", "follows", "subscriptions", "likes", "comments", "chapters",
    "processing_jobs",
    # Chronos
    "creators", "students", "videos", "video_chunks", "courses", "course_modules",
    "module_lessons", "chat_sessions", "chat_messages", "video_analytics",
    "video_analytics_events", "video_watch_sessions", "usage_metrics",
    # new: timed transcript cues
    "video_segments",
}

# function name -> (result type, fragments of its argument list)
FUNCTIONS = {
    "search_video_chunks": ("TABLE(", ["query_embedding vector", "match_count integer DEFAULT 5",
                                       "similarity_threshold double precision DEFAULT 0.7",
                                       "filter_video_ids text[] DEFAULT NULL"]),
    "track_video_event": ("uuid", ["p_event_type text", "p_student_id uuid DEFAULT NULL",
                                   "p_metadata jsonb DEFAULT '{}'::jsonb",
                                   "p_timestamp timestamp with time zone DEFAULT now()"]),
    "get_student_total_watch_time": ("integer", ["p_student_id uuid", "p_video_id uuid"]),
    "get_student_highest_completion": ("integer", ["p_student_id uuid", "p_video_id uuid"]),
    "has_student_completed_video": ("boolean", ["p_student_id uuid", "p_video_id uuid"]),
    "update_updated_at_column": ("trigger", []),
    "update_like_counts": ("trigger", []),
    "auto_complete_watch_session": ("trigger", []),
    "check_chapter_bounds": ("trigger", []),
}

TABLES_WITH_UPDATED_AT = {
    "users", "videos", "chapters", "comments", "processing_jobs", "creators", "students",
    "courses", "course_modules", "module_lessons", "chat_sessions", "video_analytics",
    "video_watch_sessions", "usage_metrics",
}

# Our own (not extension-owned) functions in the public schema.
OWN_FUNCTIONS_SQL = """
    SELECT p.proname, pg_get_function_result(p.oid) AS result,
           pg_get_function_arguments(p.oid) AS args
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                        AND d.deptype = 'e')
"""

USER_TRIGGERS_SQL = """
    SELECT t.tgname, c.relname AS table_name, p.proname AS function_name,
           t.tgtype, t.tgconstraint <> 0 AS is_constraint, t.tgdeferrable, t.tginitdeferred
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE n.nspname = 'public' AND NOT t.tgisinternal
"""


def _rows(url: str, sql: str, **params) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(sql), params))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    return {r.table_name for r in _rows(url, """
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'""")}


def _views(url: str) -> set[str]:
    return {r.viewname for r in _rows(
        url, "SELECT viewname FROM pg_views WHERE schemaname = 'public'")}


def _matviews(url: str) -> set[str]:
    return {r.matviewname for r in _rows(
        url, "SELECT matviewname FROM pg_matviews WHERE schemaname = 'public'")}


def _functions(url: str) -> dict[str, tuple[str, str]]:
    return {r.proname: (r.result, r.args) for r in _rows(url, OWN_FUNCTIONS_SQL)}


def _triggers(url: str) -> dict[str, object]:
    return {r.tgname: r for r in _rows(url, USER_TRIGGERS_SQL)}


def _version(url: str) -> list[str]:
    return [r.version_num for r in _rows(url, "SELECT version_num FROM alembic_version")]


def _head(url: str) -> str:
    return ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()


@pytest.fixture(scope="module")
def migrated_url(make_database) -> str:
    url = make_database("chronos_migrations")
    migrate.upgrade(url)
    return url


# --- upgrade head -------------------------------------------------------------------------------

def test_upgrade_records_head_revision(migrated_url):
    assert _version(migrated_url) == [_head(migrated_url)]


def test_upgrade_creates_all_22_tables(migrated_url):
    assert len(TABLES) == 22
    assert _tables(migrated_url) == TABLES | {"alembic_version"}
    assert set(SQLModel.metadata.tables) == TABLES


def test_upgrade_enables_pgvector(migrated_url):
    assert _rows(migrated_url, "SELECT extname FROM pg_extension WHERE extname = 'vector'")
    column = _rows(migrated_url, """
        SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a
        WHERE a.attrelid = 'video_chunks'::regclass AND a.attname = 'embedding'""")
    assert column[0].type == "vector(1536)"


def test_upgrade_creates_views_and_materialized_view(migrated_url):
    assert _views(migrated_url) == {"user_stats", "videos_with_stats"}
    assert _matviews(migrated_url) == {"daily_video_stats"}
    # A unique index on the date is what makes REFRESH ... CONCURRENTLY possible.
    indexes = _rows(migrated_url, "SELECT indexdef FROM pg_indexes "
                                  "WHERE tablename = 'daily_video_stats'")
    assert [r.indexdef for r in indexes if "UNIQUE" in r.indexdef and "(date)" in r.indexdef]


def test_materialized_view_refreshes_concurrently(migrated_url):
    engine = create_engine(migrated_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("REFRESH MATERIALIZED VIEW CONCURRENTLY daily_video_stats"))
    finally:
        engine.dispose()


def test_embedding_index_is_hnsw_cosine(migrated_url):
    rows = _rows(migrated_url, "SELECT indexdef FROM pg_indexes "
                               "WHERE indexname = 'idx_video_chunks_embedding'")
    assert len(rows) == 1
    indexdef = rows[0].indexdef
    assert "ON public.video_chunks USING hnsw (embedding vector_cosine_ops)" in indexdef
    assert "m='16'" in indexdef and "ef_construction='64'" in indexdef


def test_full_text_index_on_chunks(migrated_url):
    rows = _rows(migrated_url, "SELECT indexdef FROM pg_indexes "
                               "WHERE indexname = 'idx_video_chunks_search'")
    assert "USING gin (search_vector)" in rows[0].indexdef


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_upgrade_creates_function(migrated_url, name):
    functions = _functions(migrated_url)
    assert name in functions
    result, args = functions[name]
    expected_result, arg_fragments = FUNCTIONS[name]
    assert result.startswith(expected_result)
    for fragment in arg_fragments:
        assert fragment in args


def test_no_unexpected_functions(migrated_url):
    assert set(_functions(migrated_url)) == set(FUNCTIONS)


def test_every_updated_at_column_has_its_trigger(migrated_url):
    with_column = {r.table_name for r in _rows(migrated_url, """
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = 'public' AND c.column_name = 'updated_at'
          AND t.table_type = 'BASE TABLE'""")}
    assert with_column == TABLES_WITH_UPDATED_AT
    triggers = _triggers(migrated_url)
    covered = {t.table_name for t in triggers.values()
               if t.function_name == "update_updated_at_column"}
    assert covered == TABLES_WITH_UPDATED_AT
    # The seed's names for the dojo tables.
    for table in ("users", "videos", "chapters", "comments", "processing_jobs"):
        assert triggers[f"update_{table}_updated_at"].table_name == table


def test_like_count_and_auto_complete_triggers(migrated_url):
    triggers = _triggers(migrated_url)
    likes = triggers["trigger_update_like_counts"]
    assert (likes.table_name, likes.function_name) == ("likes", "update_like_counts")
    auto = triggers["video_watch_sessions_auto_complete_trigger"]
    assert (auto.table_name, auto.function_name) == ("video_watch_sessions",
                                                     "auto_complete_watch_session")
    # information_schema lists one row per event: INSERT and UPDATE, BEFORE the row is written.
    events = _rows(migrated_url, """
        SELECT event_manipulation, action_timing FROM information_schema.triggers
        WHERE trigger_name = 'video_watch_sessions_auto_complete_trigger'""")
    assert {(r.event_manipulation, r.action_timing) for r in events} == {
        ("INSERT", "BEFORE"), ("UPDATE", "BEFORE")}
    events = _rows(migrated_url, """
        SELECT event_manipulation, action_timing FROM information_schema.triggers
        WHERE trigger_name = 'trigger_update_like_counts'""")
    assert {(r.event_manipulation, r.action_timing) for r in events} == {
        ("INSERT", "AFTER"), ("DELETE", "AFTER")}


def test_chapter_rules_are_a_deferred_constraint_trigger(migrated_url):
    trigger = _triggers(migrated_url)["chapters_bounds_trigger"]
    assert trigger.table_name == "chapters"
    assert trigger.function_name == "check_chapter_bounds"
    assert trigger.is_constraint and trigger.tgdeferrable and trigger.tginitdeferred


def test_autogenerate_finds_no_difference(migrated_url):
    engine = create_engine(migrated_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, SQLModel.metadata)
    finally:
        engine.dispose()
    assert diff == []


# --- downgrade ----------------------------------------------------------------------------------

def _assert_nothing_of_ours(url: str) -> None:
    assert _tables(url) <= {"alembic_version"}
    assert _views(url) == set()
    assert _matviews(url) == set()
    assert _functions(url) == {}
    assert _triggers(url) == {}
    assert _version(url) == []


def test_downgrade_base_removes_everything_and_upgrade_again_works(make_database):
    url = make_database("chronos_downgrade")
    migrate.upgrade(url)
    assert _tables(url) == TABLES | {"alembic_version"}

    migrate.downgrade(url, "base")
    _assert_nothing_of_ours(url)

    migrate.upgrade(url)
    assert _tables(url) == TABLES | {"alembic_version"}
    assert _views(url) == {"user_stats", "videos_with_stats"}
    assert _matviews(url) == {"daily_video_stats"}
    assert set(_functions(url)) == set(FUNCTIONS)
    assert _version(url) == [_head(url)]


def _columns(url: str, table: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT column_name FROM information_schema.columns "
                                 "WHERE table_name = :t"), {"t": table}).scalars()
        cols = set(rows)
    engine.dispose()
    return cols


def test_downgrade_of_0003_removes_the_job_lease(make_database):
    url = make_database("chronos_downgrade")
    migrate.upgrade(url)
    assert {"locked_by", "locked_until"} <= _columns(url, "processing_jobs")
    migrate.downgrade(url, "0002")
    assert not {"locked_by", "locked_until"} & _columns(url, "processing_jobs")
    migrate.upgrade(url)
    assert {"locked_by", "locked_until"} <= _columns(url, "processing_jobs")


def test_downgrade_of_0002_drops_sql_objects_but_keeps_tables(make_database):
    url = make_database("chronos_downgrade")
    migrate.upgrade(url)
    migrate.downgrade(url, "0001")
    assert _tables(url) == TABLES | {"alembic_version"}
    assert _views(url) == set() and _matviews(url) == set()
    assert _functions(url) == {}
    assert _triggers(url) == {}
    migrate.upgrade(url)
    assert set(_triggers(url)) >= {"chapters_bounds_trigger", "trigger_update_like_counts"}

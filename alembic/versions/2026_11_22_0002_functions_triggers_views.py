"""SQL functions, triggers, views and the materialized view of both seed documents.

Adapted to the merged model: videos belong to creators (whose user is the uploader),
`status = 'completed'` replaces dojo's `processing_status = 'complete'`, chunk times are
fractional seconds.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:05:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPDATED_AT_TRIGGERS = {
    "users": "update_users_updated_at",
    "videos": "update_videos_updated_at",
    "chapters": "update_chapters_updated_at",
    "comments": "update_comments_updated_at",
    "processing_jobs": "update_processing_jobs_updated_at",
    "creators": "update_creators_updated_at",
    "students": "update_students_updated_at",
    "courses": "update_courses_updated_at",
    "course_modules": "update_course_modules_updated_at",
    "module_lessons": "module_lessons_updated_at_trigger",
    "chat_sessions": "update_chat_sessions_updated_at",
    "video_analytics": "update_video_analytics_updated_at",
    "video_watch_sessions": "video_watch_sessions_updated_at_trigger",
    "usage_metrics": "update_usage_metrics_updated_at",
}

FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION update_updated_at_column()
    RETURNS TRIGGER AS $$
    BEGIN
        NEW.updated_at = CURRENT_TIMESTAMP;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION update_like_counts()
    RETURNS TRIGGER AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.video_id IS NOT NULL THEN
                UPDATE videos SET like_count = like_count + 1 WHERE id = NEW.video_id;
            ELSIF NEW.comment_id IS NOT NULL THEN
                UPDATE comments SET like_count = like_count + 1 WHERE id = NEW.comment_id;
            END IF;
            RETURN NEW;
        ELSIF TG_OP = 'DELETE' THEN
            IF OLD.video_id IS NOT NULL THEN
                UPDATE videos SET like_count = like_count - 1 WHERE id = OLD.video_id;
            ELSIF OLD.comment_id IS NOT NULL THEN
                UPDATE comments SET like_count = like_count - 1 WHERE id = OLD.comment_id;
            END IF;
            RETURN OLD;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION auto_complete_watch_session()
    RETURNS TRIGGER AS $$
    BEGIN
        IF NEW.percent_complete >= 90 THEN
            NEW.completed = TRUE;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    # Chapters of a video: inside the video, not overlapping, numbered in time order.
    # A deferred constraint trigger, so an editor may rewrite all chapters in one transaction.
    """
    CREATE OR REPLACE FUNCTION check_chapter_bounds()
    RETURNS TRIGGER AS $$
    DECLARE
        cur chapters%ROWTYPE;
        video_duration INTEGER;
    BEGIN
        SELECT * INTO cur FROM chapters WHERE id = NEW.id;
        IF NOT FOUND THEN
            RETURN NULL;  -- deleted later in the same transaction
        END IF;
        SELECT duration_seconds INTO video_duration FROM videos WHERE id = cur.video_id;
        IF video_duration IS NOT NULL AND cur.end_time_seconds > video_duration THEN
            RAISE EXCEPTION 'chapter "%" ends at % s, after the end of the video (% s)',
                cur.title, cur.end_time_seconds, video_duration
                USING ERRCODE = 'check_violation', CONSTRAINT = 'chapter_within_video';
        END IF;
        IF EXISTS (
            SELECT 1 FROM chapters c
            WHERE c.video_id = cur.video_id AND c.id <> cur.id
              AND c.start_time_seconds < cur.end_time_seconds
              AND cur.start_time_seconds < c.end_time_seconds
        ) THEN
            RAISE EXCEPTION 'chapter "%" overlaps another chapter', cur.title
                USING ERRCODE = 'check_violation', CONSTRAINT = 'chapters_no_overlap';
        END IF;
        IF EXISTS (
            SELECT 1 FROM chapters c
            WHERE c.video_id = cur.video_id AND c.id <> cur.id
              AND (c.chapter_order < cur.chapter_order) <> (c.start_time_seconds < cur.start_time_seconds)
        ) THEN
            RAISE EXCEPTION 'chapter "%" is numbered out of time order', cur.title
                USING ERRCODE = 'check_violation', CONSTRAINT = 'chapters_in_time_order';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION search_video_chunks(
        query_embedding vector(1536),
        match_count INTEGER DEFAULT 5,
        similarity_threshold DOUBLE PRECISION DEFAULT 0.7,
        filter_video_ids TEXT[] DEFAULT NULL
    )
    RETURNS TABLE (
        id UUID,
        video_id UUID,
        chunk_index INTEGER,
        chunk_text TEXT,
        start_time_seconds DOUBLE PRECISION,
        end_time_seconds DOUBLE PRECISION,
        similarity DOUBLE PRECISION
    )
    LANGUAGE sql STABLE AS $$
        SELECT c.id, c.video_id, c.chunk_index, c.chunk_text,
               c.start_time_seconds, c.end_time_seconds,
               1 - (c.embedding <=> query_embedding) AS similarity
        FROM video_chunks c
        JOIN videos v ON v.id = c.video_id AND v.is_deleted = FALSE
        WHERE c.embedding IS NOT NULL
          AND (filter_video_ids IS NULL OR c.video_id::text = ANY (filter_video_ids))
          AND 1 - (c.embedding <=> query_embedding) >= similarity_threshold
        ORDER BY c.embedding <=> query_embedding
        LIMIT match_count
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION track_video_event(
        p_event_type TEXT,
        p_video_id UUID,
        p_creator_id UUID,
        p_student_id UUID DEFAULT NULL,
        p_course_id UUID DEFAULT NULL,
        p_module_id UUID DEFAULT NULL,
        p_metadata JSONB DEFAULT '{}'::jsonb,
        p_timestamp TIMESTAMPTZ DEFAULT NOW()
    )
    RETURNS UUID
    LANGUAGE plpgsql AS $$
    DECLARE
        event_id UUID;
    BEGIN
        INSERT INTO video_analytics_events
            (event_type, video_id, creator_id, student_id, course_id, module_id, metadata, timestamp)
        VALUES
            (p_event_type, p_video_id, p_creator_id, p_student_id, p_course_id, p_module_id,
             COALESCE(p_metadata, '{}'::jsonb), COALESCE(p_timestamp, NOW()))
        RETURNING id INTO event_id;
        RETURN event_id;
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION get_student_total_watch_time(p_student_id UUID, p_video_id UUID)
    RETURNS INTEGER
    LANGUAGE sql STABLE AS $$
        SELECT COALESCE(SUM(watch_time_seconds), 0)::INTEGER
        FROM video_watch_sessions
        WHERE student_id = p_student_id AND video_id = p_video_id
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION get_student_highest_completion(p_student_id UUID, p_video_id UUID)
    RETURNS INTEGER
    LANGUAGE sql STABLE AS $$
        SELECT COALESCE(MAX(percent_complete), 0)::INTEGER
        FROM video_watch_sessions
        WHERE student_id = p_student_id AND video_id = p_video_id
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION has_student_completed_video(p_student_id UUID, p_video_id UUID)
    RETURNS BOOLEAN
    LANGUAGE sql STABLE AS $$
        SELECT EXISTS (
            SELECT 1 FROM video_watch_sessions
            WHERE student_id = p_student_id AND video_id = p_video_id AND completed = TRUE
        )
    $$
    """,
]

VIEWS = [
    # dojo's uploader is the creator's user; only public, undeleted videos count.
    """
    CREATE VIEW user_stats AS
    SELECT
        u.id,
        u.username,
        u.display_name,
        u.avatar_url,
        u.is_verified,
        COUNT(DISTINCT v.id) AS video_count,
        COUNT(DISTINCT f1.follower_id) AS followers_count,
        COUNT(DISTINCT f2.following_id) AS following_count,
        COUNT(DISTINCT s.subscriber_id) AS subscribers_count
    FROM users u
    LEFT JOIN creators cr ON cr.user_id = u.id
    LEFT JOIN videos v ON v.creator_id = cr.id AND v.is_public = TRUE AND v.is_deleted = FALSE
    LEFT JOIN follows f1 ON u.id = f1.following_id
    LEFT JOIN follows f2 ON u.id = f2.follower_id
    LEFT JOIN subscriptions s ON u.id = s.creator_id AND s.is_active = TRUE
    WHERE u.is_active = TRUE
    GROUP BY u.id, u.username, u.display_name, u.avatar_url, u.is_verified
    """,
    """
    CREATE VIEW videos_with_stats AS
    SELECT
        v.*,
        u.username AS uploader_username,
        u.display_name AS uploader_display_name,
        u.avatar_url AS uploader_avatar_url,
        u.is_verified AS uploader_is_verified,
        COUNT(DISTINCT c.id) AS chapter_count,
        COUNT(DISTINCT cm.id) AS comment_count,
        COUNT(DISTINCT l.id) AS like_count_actual
    FROM videos v
    LEFT JOIN creators cr ON cr.id = v.creator_id
    LEFT JOIN users u ON u.id = cr.user_id
    LEFT JOIN chapters c ON v.id = c.video_id
    LEFT JOIN comments cm ON v.id = cm.video_id AND cm.is_deleted = FALSE
    LEFT JOIN likes l ON v.id = l.video_id
    WHERE v.is_public = TRUE AND v.is_deleted = FALSE
    GROUP BY v.id, u.username, u.display_name, u.avatar_url, u.is_verified
    """,
    """
    CREATE MATERIALIZED VIEW daily_video_stats AS
    SELECT
        DATE(created_at) AS date,
        COUNT(*) AS videos_uploaded,
        COUNT(*) FILTER (WHERE status = 'completed') AS videos_processed,
        AVG(duration_seconds) AS avg_duration
    FROM videos
    GROUP BY DATE(created_at)
    ORDER BY date DESC
    """,
    "CREATE UNIQUE INDEX idx_daily_video_stats_date ON daily_video_stats (date)",
]


def upgrade() -> None:
    for sql in FUNCTIONS:
        op.execute(sql)
    for table, trigger in UPDATED_AT_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {trigger} BEFORE UPDATE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION update_updated_at_column()")
    op.execute("CREATE TRIGGER trigger_update_like_counts AFTER INSERT OR DELETE ON likes "
               "FOR EACH ROW EXECUTE FUNCTION update_like_counts()")
    op.execute("CREATE TRIGGER video_watch_sessions_auto_complete_trigger "
               "BEFORE INSERT OR UPDATE ON video_watch_sessions "
               "FOR EACH ROW EXECUTE FUNCTION auto_complete_watch_session()")
    op.execute("CREATE CONSTRAINT TRIGGER chapters_bounds_trigger "
               "AFTER INSERT OR UPDATE ON chapters DEFERRABLE INITIALLY DEFERRED "
               "FOR EACH ROW EXECUTE FUNCTION check_chapter_bounds()")
    for sql in VIEWS:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP MATERIALIZED VIEW IF EXISTS daily_video_stats")
    op.execute("DROP VIEW IF EXISTS videos_with_stats")
    op.execute("DROP VIEW IF EXISTS user_stats")
    op.execute("DROP TRIGGER IF EXISTS chapters_bounds_trigger ON chapters")
    op.execute("DROP TRIGGER IF EXISTS video_watch_sessions_auto_complete_trigger "
               "ON video_watch_sessions")
    op.execute("DROP TRIGGER IF EXISTS trigger_update_like_counts ON likes")
    for table, trigger in UPDATED_AT_TRIGGERS.items():
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for name in ("has_student_completed_video(UUID, UUID)",
                 "get_student_highest_completion(UUID, UUID)",
                 "get_student_total_watch_time(UUID, UUID)",
                 "track_video_event(TEXT, UUID, UUID, UUID, UUID, UUID, JSONB, TIMESTAMPTZ)",
                 "search_video_chunks(vector, INTEGER, DOUBLE PRECISION, TEXT[])",
                 "check_chapter_bounds()", "auto_complete_watch_session()",
                 "update_like_counts()", "update_updated_at_column()"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")

"""Every table of both seed documents, merged (ARCHITECTURE §3), with checks and indexes.

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 03:56:07.554461
"""
from collections.abc import Sequence

import pgvector.sqlalchemy
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS vector")
    op.create_table('users',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('username', sa.String(length=50), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('avatar_url', sa.String(length=500), nullable=True),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('display_name', sa.String(length=100), nullable=True),
    sa.Column('is_verified', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("email ~* '^[A-Za-z0-9._%%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$'", name='email_format'),
    sa.CheckConstraint('LENGTH(username) >= 3', name='username_length'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('email'),
    sa.UniqueConstraint('username')
    )
    op.create_index('idx_users_created_at', 'users', ['created_at'], unique=False)
    op.create_index('idx_users_email', 'users', ['email'], unique=False)
    op.create_index('idx_users_username', 'users', ['username'], unique=False)
    op.create_table('creators',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('whop_company_id', sa.Text(), nullable=True),
    sa.Column('whop_user_id', sa.Text(), nullable=True),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('subscription_tier', sa.Text(), server_default='basic', nullable=False),
    sa.Column('settings', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.CheckConstraint("subscription_tier IN ('basic', 'pro', 'enterprise')", name='creators_subscription_tier_check'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id'),
    sa.UniqueConstraint('whop_company_id')
    )
    op.create_index('idx_creators_is_active', 'creators', ['is_active'], unique=False)
    op.create_index('idx_creators_subscription_tier', 'creators', ['subscription_tier'], unique=False)
    op.create_index('idx_creators_whop_company_id', 'creators', ['whop_company_id'], unique=False)
    op.create_table('follows',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('follower_id', sa.UUID(), nullable=False),
    sa.Column('following_id', sa.UUID(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('follower_id != following_id', name='no_self_follow'),
    sa.ForeignKeyConstraint(['follower_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['following_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('follower_id', 'following_id', name='follows_follower_id_following_id_key')
    )
    op.create_index('idx_follows_created_at', 'follows', ['created_at'], unique=False)
    op.create_index('idx_follows_follower_id', 'follows', ['follower_id'], unique=False)
    op.create_index('idx_follows_following_id', 'follows', ['following_id'], unique=False)
    op.create_table('sessions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('session_token', sa.String(length=255), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('last_accessed_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('ip_address', postgresql.INET(), nullable=True),
    sa.Column('user_agent', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_token')
    )
    op.create_index('idx_sessions_expires_at', 'sessions', ['expires_at'], unique=False)
    op.create_index('idx_sessions_token', 'sessions', ['session_token'], unique=False)
    op.create_index('idx_sessions_user_id', 'sessions', ['user_id'], unique=False)
    op.create_table('subscriptions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('subscriber_id', sa.UUID(), nullable=False),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('subscription_type', sa.String(length=20), server_default=sa.text("'basic'"), nullable=False),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("subscription_type IN ('basic', 'premium', 'pro')", name='subscription_type_check'),
    sa.CheckConstraint('subscriber_id != creator_id', name='no_self_subscription'),
    sa.ForeignKeyConstraint(['creator_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscriber_id', 'creator_id', name='subscriptions_subscriber_id_creator_id_key')
    )
    op.create_index('idx_subscriptions_active', 'subscriptions', ['is_active', 'expires_at'], unique=False)
    op.create_index('idx_subscriptions_creator_id', 'subscriptions', ['creator_id'], unique=False)
    op.create_index('idx_subscriptions_subscriber_id', 'subscriptions', ['subscriber_id'], unique=False)
    op.create_table('courses',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('thumbnail_url', sa.Text(), nullable=True),
    sa.Column('is_published', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('display_order', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_deleted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_courses_creator_id', 'courses', ['creator_id'], unique=False)
    op.create_index('idx_courses_display_order', 'courses', ['display_order'], unique=False)
    op.create_index('idx_courses_is_published', 'courses', ['is_published'], unique=False)
    op.create_table('students',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('whop_user_id', sa.Text(), nullable=True),
    sa.Column('whop_membership_id', sa.Text(), nullable=True),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('email', sa.Text(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('preferences', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('last_active_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('creator_id', 'whop_user_id', name='students_creator_whop_user_key'),
    sa.UniqueConstraint('user_id', 'creator_id', name='students_user_creator_key')
    )
    op.create_index('idx_students_creator_id', 'students', ['creator_id'], unique=False)
    op.create_index('idx_students_is_active', 'students', ['is_active'], unique=False)
    op.create_index('idx_students_user_id', 'students', ['user_id'], unique=False)
    op.create_index('idx_students_whop_membership_id', 'students', ['whop_membership_id'], unique=False)
    op.create_index('idx_students_whop_user_id', 'students', ['whop_user_id'], unique=False)
    op.create_table('usage_metrics',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('storage_used_bytes', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('videos_uploaded', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('total_video_duration_seconds', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('ai_credits_used', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('transcription_minutes', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('chat_messages_sent', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('active_students', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('creator_id', 'date', name='usage_metrics_creator_id_date_key')
    )
    op.create_index('idx_usage_metrics_creator_id', 'usage_metrics', ['creator_id'], unique=False)
    op.create_index('idx_usage_metrics_date', 'usage_metrics', ['date'], unique=False)
    op.create_table('videos',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('storage_path', sa.Text(), nullable=True),
    sa.Column('thumbnail_url', sa.Text(), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('transcript_language', sa.Text(), server_default=sa.text("'en'"), nullable=False),
    sa.Column('status', sa.Text(), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('processing_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processing_completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('processing_progress', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('file_size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('mime_type', sa.String(length=100), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('source_type', sa.Text(), nullable=False),
    sa.Column('youtube_video_id', sa.Text(), nullable=True),
    sa.Column('youtube_channel_id', sa.Text(), nullable=True),
    sa.Column('whop_lesson_id', sa.Text(), nullable=True),
    sa.Column('mux_asset_id', sa.Text(), nullable=True),
    sa.Column('mux_playback_id', sa.Text(), nullable=True),
    sa.Column('embed_type', sa.Text(), nullable=True),
    sa.Column('embed_id', sa.Text(), nullable=True),
    sa.Column('view_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('like_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('is_public', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('is_featured', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('tags', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('is_deleted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.CheckConstraint("(source_type = 'youtube' AND youtube_video_id IS NOT NULL) OR (source_type = 'mux' AND mux_playback_id IS NOT NULL) OR (source_type IN ('loom', 'vimeo', 'wistia') AND embed_type = source_type  AND embed_id IS NOT NULL) OR (source_type = 'upload' AND storage_path IS NOT NULL)", name='videos_source_validation'),
    sa.CheckConstraint("embed_type IS NULL OR embed_type IN ('youtube', 'loom', 'vimeo', 'wistia')", name='videos_embed_type_check'),
    sa.CheckConstraint("source_type IN ('youtube', 'mux', 'loom', 'vimeo', 'wistia', 'upload')", name='videos_source_type_check'),
    sa.CheckConstraint("status IN ('pending', 'uploading', 'transcribing', 'processing', 'embedding', 'completed', 'failed', 'cancelled')", name='videos_status_check'),
    sa.CheckConstraint('duration_seconds > 0', name='duration_positive'),
    sa.CheckConstraint('file_size_bytes > 0', name='file_size_positive'),
    sa.CheckConstraint('processing_progress >= 0 AND processing_progress <= 100', name='processing_progress_check'),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_videos_by_user', 'videos', ['creator_id', 'is_public', sa.literal_column('created_at DESC')], unique=False)
    op.create_index('idx_videos_created_at', 'videos', ['created_at'], unique=False)
    op.create_index('idx_videos_creator_id', 'videos', ['creator_id'], unique=False)
    op.create_index('idx_videos_embed_type', 'videos', ['embed_type'], unique=False)
    op.create_index('idx_videos_feed', 'videos', ['is_public', sa.literal_column('created_at DESC'), 'creator_id'], unique=False)
    op.create_index('idx_videos_is_deleted', 'videos', ['is_deleted'], unique=False)
    op.create_index('idx_videos_is_public', 'videos', ['is_public'], unique=False)
    op.create_index('idx_videos_metadata', 'videos', ['metadata'], unique=False, postgresql_using='gin')
    op.create_index('idx_videos_mux_asset_id', 'videos', ['mux_asset_id'], unique=False)
    op.create_index('idx_videos_mux_playback_id', 'videos', ['mux_playback_id'], unique=False)
    op.create_index('idx_videos_published_at', 'videos', ['published_at'], unique=False)
    op.create_index('idx_videos_source_type', 'videos', ['source_type'], unique=False)
    op.create_index('idx_videos_status', 'videos', ['status'], unique=False)
    op.create_index('idx_videos_tags', 'videos', ['tags'], unique=False, postgresql_using='gin')
    op.create_index('idx_videos_whop_lesson_id', 'videos', ['whop_lesson_id'], unique=False)
    op.create_index('idx_videos_youtube_video_id', 'videos', ['youtube_video_id'], unique=False)
    op.create_table('chapters',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('start_time_seconds', sa.Numeric(precision=10, scale=3, asdecimal=False), nullable=False),
    sa.Column('end_time_seconds', sa.Numeric(precision=10, scale=3, asdecimal=False), nullable=False),
    sa.Column('chapter_order', sa.Integer(), nullable=False),
    sa.Column('thumbnail_url', sa.String(length=500), nullable=True),
    sa.Column('is_ai_generated', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('confidence_score', sa.Numeric(precision=3, scale=2, asdecimal=False), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('chapter_order > 0', name='chapter_order_positive'),
    sa.CheckConstraint('confidence_score IS NULL OR (confidence_score >= 0.00 AND confidence_score <= 1.00)', name='confidence_range'),
    sa.CheckConstraint('start_time_seconds < end_time_seconds', name='start_before_end'),
    sa.CheckConstraint('start_time_seconds >= 0', name='time_non_negative'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'chapter_order', deferrable=True, initially='DEFERRED', name='chapters_video_id_chapter_order_key')
    )
    op.create_index('idx_chapters_chapter_order', 'chapters', ['video_id', 'chapter_order'], unique=False)
    op.create_index('idx_chapters_navigation', 'chapters', ['video_id', 'chapter_order', 'start_time_seconds'], unique=False)
    op.create_index('idx_chapters_start_time', 'chapters', ['start_time_seconds'], unique=False)
    op.create_index('idx_chapters_video_id', 'chapters', ['video_id'], unique=False)
    op.create_table('chat_sessions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('student_id', sa.UUID(), nullable=False),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('context_video_ids', postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('last_message_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_chat_sessions_creator_id', 'chat_sessions', ['creator_id'], unique=False)
    op.create_index('idx_chat_sessions_student_id', 'chat_sessions', ['student_id'], unique=False)
    op.create_table('course_modules',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('course_id', sa.UUID(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('video_ids', postgresql.ARRAY(sa.Text()), nullable=True),
    sa.Column('display_order', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_course_modules_course_id', 'course_modules', ['course_id'], unique=False)
    op.create_index('idx_course_modules_display_order', 'course_modules', ['course_id', 'display_order'], unique=False)
    op.create_table('processing_jobs',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('job_type', sa.String(length=50), nullable=False),
    sa.Column('status', sa.String(length=20), server_default=sa.text("'pending'"), nullable=False),
    sa.Column('priority', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('attempts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('max_attempts', sa.Integer(), server_default=sa.text('3'), nullable=False),
    sa.Column('progress', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('scheduled_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("job_type IN ('chapter_generation', 'thumbnail_extraction', 'transcription', 'video_processing')", name='job_type_check'),
    sa.CheckConstraint("status IN ('pending', 'running', 'completed', 'failed', 'cancelled')", name='job_status_check'),
    sa.CheckConstraint('attempts >= 0', name='attempts_non_negative'),
    sa.CheckConstraint('progress >= 0 AND progress <= 100', name='progress_range'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_processing_jobs_priority', 'processing_jobs', [sa.literal_column('priority DESC'), 'created_at'], unique=False)
    op.create_index('idx_processing_jobs_scheduled_at', 'processing_jobs', ['scheduled_at'], unique=False)
    op.create_index('idx_processing_jobs_status', 'processing_jobs', ['status'], unique=False)
    op.create_index('idx_processing_jobs_video_id', 'processing_jobs', ['video_id'], unique=False)
    op.create_index('idx_processing_queue', 'processing_jobs', ['status', sa.literal_column('priority DESC'), 'created_at'], unique=False, postgresql_where=sa.text("status IN ('pending', 'running')"))
    op.create_table('video_analytics',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('views', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('unique_viewers', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('total_watch_time_seconds', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('average_watch_time_seconds', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('completion_rate', sa.Numeric(precision=5, scale=2, asdecimal=False), server_default=sa.text('0'), nullable=False),
    sa.Column('ai_interactions', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('completion_rate IS NULL OR (completion_rate >= 0 AND completion_rate <= 100)', name='video_analytics_completion_rate_check'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'date', name='video_analytics_video_id_date_key')
    )
    op.create_index('idx_video_analytics_date', 'video_analytics', ['date'], unique=False)
    op.create_index('idx_video_analytics_video_id', 'video_analytics', ['video_id'], unique=False)
    op.create_table('video_chunks',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('chunk_index', sa.Integer(), nullable=False),
    sa.Column('chunk_text', sa.Text(), nullable=False),
    sa.Column('embedding', pgvector.sqlalchemy.vector.VECTOR(dim=1536), nullable=True),
    sa.Column('embedding_model', sa.Text(), nullable=True),
    sa.Column('start_time_seconds', sa.Float(), nullable=False),
    sa.Column('end_time_seconds', sa.Float(), nullable=False),
    sa.Column('word_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('search_vector', postgresql.TSVECTOR(), sa.Computed("to_tsvector('english'::regconfig, chunk_text)", persisted=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('end_time_seconds >= start_time_seconds', name='video_chunks_end_after_start'),
    sa.CheckConstraint('start_time_seconds >= 0', name='video_chunks_start_non_negative'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'chunk_index', name='video_chunks_video_index_key')
    )
    op.create_index('idx_video_chunks_embedding', 'video_chunks', ['embedding'], unique=False, postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.create_index('idx_video_chunks_search', 'video_chunks', ['search_vector'], unique=False, postgresql_using='gin')
    op.create_index('idx_video_chunks_video_id', 'video_chunks', ['video_id'], unique=False)
    op.create_table('video_segments',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('segment_index', sa.Integer(), nullable=False),
    sa.Column('start_seconds', sa.Float(), nullable=False),
    sa.Column('end_seconds', sa.Float(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('end_seconds >= start_seconds', name='video_segments_end_after_start'),
    sa.CheckConstraint('start_seconds >= 0', name='video_segments_start_non_negative'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('video_id', 'segment_index', name='video_segments_video_index_key')
    )
    op.create_index('idx_video_segments_video_start', 'video_segments', ['video_id', 'start_seconds'], unique=False)
    op.create_table('video_watch_sessions',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('student_id', sa.UUID(), nullable=False),
    sa.Column('session_start', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('session_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('watch_time_seconds', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('percent_complete', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('completed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('device_type', sa.Text(), nullable=True),
    sa.Column('referrer_type', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("device_type IS NULL OR device_type IN ('desktop', 'mobile', 'tablet')", name='video_watch_sessions_device_type_check'),
    sa.CheckConstraint("referrer_type IS NULL OR referrer_type IN ('course_page', 'direct_link', 'search', 'chat_reference')", name='video_watch_sessions_referrer_type_check'),
    sa.CheckConstraint('percent_complete >= 0 AND percent_complete <= 100', name='video_watch_sessions_percent_complete_check'),
    sa.CheckConstraint('session_end IS NULL OR session_end >= session_start', name='video_watch_sessions_session_end_check'),
    sa.CheckConstraint('watch_time_seconds >= 0', name='video_watch_sessions_watch_time_check'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_video_watch_sessions_active', 'video_watch_sessions', ['session_end'], unique=False, postgresql_where=sa.text('session_end IS NULL'))
    op.create_index('idx_video_watch_sessions_completed', 'video_watch_sessions', ['completed'], unique=False)
    op.create_index('idx_video_watch_sessions_start', 'video_watch_sessions', ['session_start'], unique=False)
    op.create_index('idx_video_watch_sessions_student_id', 'video_watch_sessions', ['student_id'], unique=False)
    op.create_index('idx_video_watch_sessions_student_video', 'video_watch_sessions', ['student_id', 'video_id', 'session_start'], unique=False)
    op.create_index('idx_video_watch_sessions_video_id', 'video_watch_sessions', ['video_id'], unique=False)
    op.create_table('chat_messages',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('session_id', sa.UUID(), nullable=False),
    sa.Column('role', sa.Text(), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('video_references', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'::jsonb"), nullable=False),
    sa.Column('token_count', sa.Integer(), nullable=True),
    sa.Column('model', sa.Text(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("role IN ('user', 'assistant', 'system')", name='chat_messages_role_check'),
    sa.ForeignKeyConstraint(['session_id'], ['chat_sessions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_chat_messages_session_id', 'chat_messages', ['session_id'], unique=False)
    op.create_table('comments',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('chapter_id', sa.UUID(), nullable=True),
    sa.Column('author_id', sa.UUID(), nullable=False),
    sa.Column('parent_id', sa.UUID(), nullable=True),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('is_edited', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('is_deleted', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('like_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('(chapter_id IS NULL AND video_id IS NOT NULL) OR (chapter_id IS NOT NULL AND video_id IS NOT NULL)', name='comment_target'),
    sa.CheckConstraint("content ~ '[^[:space:]]'", name='content_not_empty'),
    sa.CheckConstraint('LENGTH(content) <= 2000', name='content_length'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['chapter_id'], ['chapters.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_comments_active', 'comments', ['video_id', 'created_at'], unique=False, postgresql_where=sa.text('is_deleted = false'))
    op.create_index('idx_comments_author_id', 'comments', ['author_id'], unique=False)
    op.create_index('idx_comments_chapter_id', 'comments', ['chapter_id'], unique=False)
    op.create_index('idx_comments_created_at', 'comments', ['created_at'], unique=False)
    op.create_index('idx_comments_parent_id', 'comments', ['parent_id'], unique=False)
    op.create_index('idx_comments_thread', 'comments', ['video_id', 'parent_id', 'created_at'], unique=False, postgresql_where=sa.text('is_deleted = false'))
    op.create_index('idx_comments_video_id', 'comments', ['video_id'], unique=False)
    op.create_table('module_lessons',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('module_id', sa.UUID(), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('lesson_order', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('is_required', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('estimated_duration_minutes', sa.Integer(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('estimated_duration_minutes IS NULL OR estimated_duration_minutes > 0', name='module_lessons_estimated_duration_minutes_check'),
    sa.CheckConstraint('lesson_order > 0', name='module_lessons_lesson_order_check'),
    sa.ForeignKeyConstraint(['module_id'], ['course_modules.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_module_lessons_module_id', 'module_lessons', ['module_id'], unique=False)
    op.create_index('idx_module_lessons_module_order', 'module_lessons', ['module_id', 'lesson_order'], unique=False)
    op.create_index('idx_module_lessons_unique_video_per_module', 'module_lessons', ['module_id', 'video_id'], unique=True)
    op.create_index('idx_module_lessons_video_id', 'module_lessons', ['video_id'], unique=False)
    op.create_table('video_analytics_events',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('event_type', sa.Text(), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=False),
    sa.Column('creator_id', sa.UUID(), nullable=False),
    sa.Column('student_id', sa.UUID(), nullable=True),
    sa.Column('course_id', sa.UUID(), nullable=True),
    sa.Column('module_id', sa.UUID(), nullable=True),
    sa.Column('metadata', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('timestamp', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint("event_type IN ('video_imported', 'video_transcribed', 'video_embedded', 'video_added_to_course', 'video_started', 'video_progress', 'video_completed', 'video_rewatched')", name='video_analytics_events_event_type_check'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['creator_id'], ['creators.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['module_id'], ['course_modules.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('idx_video_analytics_course_events', 'video_analytics_events', ['course_id', 'event_type', 'timestamp'], unique=False)
    op.create_index('idx_video_analytics_events_creator_id', 'video_analytics_events', ['creator_id'], unique=False)
    op.create_index('idx_video_analytics_events_event_type', 'video_analytics_events', ['event_type'], unique=False)
    op.create_index('idx_video_analytics_events_student_id', 'video_analytics_events', ['student_id'], unique=False)
    op.create_index('idx_video_analytics_events_timestamp', 'video_analytics_events', ['timestamp'], unique=False)
    op.create_index('idx_video_analytics_events_video_id', 'video_analytics_events', ['video_id'], unique=False)
    op.create_index('idx_video_analytics_student_events', 'video_analytics_events', ['student_id', 'video_id', 'event_type', 'timestamp'], unique=False)
    op.create_table('likes',
    sa.Column('id', sa.UUID(), server_default=sa.text('gen_random_uuid()'), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('video_id', sa.UUID(), nullable=True),
    sa.Column('comment_id', sa.UUID(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
    sa.CheckConstraint('(video_id IS NOT NULL AND comment_id IS NULL) OR (video_id IS NULL AND comment_id IS NOT NULL)', name='like_target'),
    sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['video_id'], ['videos.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'comment_id', name='likes_user_id_comment_id_key'),
    sa.UniqueConstraint('user_id', 'video_id', name='likes_user_id_video_id_key')
    )
    op.create_index('idx_likes_comment_id', 'likes', ['comment_id'], unique=False)
    op.create_index('idx_likes_user_id', 'likes', ['user_id'], unique=False)
    op.create_index('idx_likes_video_id', 'likes', ['video_id'], unique=False)


def downgrade() -> None:
    op.drop_index('idx_likes_video_id', table_name='likes')
    op.drop_index('idx_likes_user_id', table_name='likes')
    op.drop_index('idx_likes_comment_id', table_name='likes')
    op.drop_table('likes')
    op.drop_index('idx_video_analytics_student_events', table_name='video_analytics_events')
    op.drop_index('idx_video_analytics_events_video_id', table_name='video_analytics_events')
    op.drop_index('idx_video_analytics_events_timestamp', table_name='video_analytics_events')
    op.drop_index('idx_video_analytics_events_student_id', table_name='video_analytics_events')
    op.drop_index('idx_video_analytics_events_event_type', table_name='video_analytics_events')
    op.drop_index('idx_video_analytics_events_creator_id', table_name='video_analytics_events')
    op.drop_index('idx_video_analytics_course_events', table_name='video_analytics_events')
    op.drop_table('video_analytics_events')
    op.drop_index('idx_module_lessons_video_id', table_name='module_lessons')
    op.drop_index('idx_module_lessons_unique_video_per_module', table_name='module_lessons')
    op.drop_index('idx_module_lessons_module_order', table_name='module_lessons')
    op.drop_index('idx_module_lessons_module_id', table_name='module_lessons')
    op.drop_table('module_lessons')
    op.drop_index('idx_comments_video_id', table_name='comments')
    op.drop_index('idx_comments_thread', table_name='comments', postgresql_where=sa.text('is_deleted = false'))
    op.drop_index('idx_comments_parent_id', table_name='comments')
    op.drop_index('idx_comments_created_at', table_name='comments')
    op.drop_index('idx_comments_chapter_id', table_name='comments')
    op.drop_index('idx_comments_author_id', table_name='comments')
    op.drop_index('idx_comments_active', table_name='comments', postgresql_where=sa.text('is_deleted = false'))
    op.drop_table('comments')
    op.drop_index('idx_chat_messages_session_id', table_name='chat_messages')
    op.drop_table('chat_messages')
    op.drop_index('idx_video_watch_sessions_video_id', table_name='video_watch_sessions')
    op.drop_index('idx_video_watch_sessions_student_video', table_name='video_watch_sessions')
    op.drop_index('idx_video_watch_sessions_student_id', table_name='video_watch_sessions')
    op.drop_index('idx_video_watch_sessions_start', table_name='video_watch_sessions')
    op.drop_index('idx_video_watch_sessions_completed', table_name='video_watch_sessions')
    op.drop_index('idx_video_watch_sessions_active', table_name='video_watch_sessions', postgresql_where=sa.text('session_end IS NULL'))
    op.drop_table('video_watch_sessions')
    op.drop_index('idx_video_segments_video_start', table_name='video_segments')
    op.drop_table('video_segments')
    op.drop_index('idx_video_chunks_video_id', table_name='video_chunks')
    op.drop_index('idx_video_chunks_search', table_name='video_chunks', postgresql_using='gin')
    op.drop_index('idx_video_chunks_embedding', table_name='video_chunks', postgresql_using='hnsw', postgresql_with={'m': 16, 'ef_construction': 64}, postgresql_ops={'embedding': 'vector_cosine_ops'})
    op.drop_table('video_chunks')
    op.drop_index('idx_video_analytics_video_id', table_name='video_analytics')
    op.drop_index('idx_video_analytics_date', table_name='video_analytics')
    op.drop_table('video_analytics')
    op.drop_index('idx_processing_queue', table_name='processing_jobs', postgresql_where=sa.text("status IN ('pending', 'running')"))
    op.drop_index('idx_processing_jobs_video_id', table_name='processing_jobs')
    op.drop_index('idx_processing_jobs_status', table_name='processing_jobs')
    op.drop_index('idx_processing_jobs_scheduled_at', table_name='processing_jobs')
    op.drop_index('idx_processing_jobs_priority', table_name='processing_jobs')
    op.drop_table('processing_jobs')
    op.drop_index('idx_course_modules_display_order', table_name='course_modules')
    op.drop_index('idx_course_modules_course_id', table_name='course_modules')
    op.drop_table('course_modules')
    op.drop_index('idx_chat_sessions_student_id', table_name='chat_sessions')
    op.drop_index('idx_chat_sessions_creator_id', table_name='chat_sessions')
    op.drop_table('chat_sessions')
    op.drop_index('idx_chapters_video_id', table_name='chapters')
    op.drop_index('idx_chapters_start_time', table_name='chapters')
    op.drop_index('idx_chapters_navigation', table_name='chapters')
    op.drop_index('idx_chapters_chapter_order', table_name='chapters')
    op.drop_table('chapters')
    op.drop_index('idx_videos_youtube_video_id', table_name='videos')
    op.drop_index('idx_videos_whop_lesson_id', table_name='videos')
    op.drop_index('idx_videos_tags', table_name='videos', postgresql_using='gin')
    op.drop_index('idx_videos_status', table_name='videos')
    op.drop_index('idx_videos_source_type', table_name='videos')
    op.drop_index('idx_videos_published_at', table_name='videos')
    op.drop_index('idx_videos_mux_playback_id', table_name='videos')
    op.drop_index('idx_videos_mux_asset_id', table_name='videos')
    op.drop_index('idx_videos_metadata', table_name='videos', postgresql_using='gin')
    op.drop_index('idx_videos_is_public', table_name='videos')
    op.drop_index('idx_videos_is_deleted', table_name='videos')
    op.drop_index('idx_videos_feed', table_name='videos')
    op.drop_index('idx_videos_embed_type', table_name='videos')
    op.drop_index('idx_videos_creator_id', table_name='videos')
    op.drop_index('idx_videos_created_at', table_name='videos')
    op.drop_index('idx_videos_by_user', table_name='videos')
    op.drop_table('videos')
    op.drop_index('idx_usage_metrics_date', table_name='usage_metrics')
    op.drop_index('idx_usage_metrics_creator_id', table_name='usage_metrics')
    op.drop_table('usage_metrics')
    op.drop_index('idx_students_whop_user_id', table_name='students')
    op.drop_index('idx_students_whop_membership_id', table_name='students')
    op.drop_index('idx_students_user_id', table_name='students')
    op.drop_index('idx_students_is_active', table_name='students')
    op.drop_index('idx_students_creator_id', table_name='students')
    op.drop_table('students')
    op.drop_index('idx_courses_is_published', table_name='courses')
    op.drop_index('idx_courses_display_order', table_name='courses')
    op.drop_index('idx_courses_creator_id', table_name='courses')
    op.drop_table('courses')
    op.drop_index('idx_subscriptions_subscriber_id', table_name='subscriptions')
    op.drop_index('idx_subscriptions_creator_id', table_name='subscriptions')
    op.drop_index('idx_subscriptions_active', table_name='subscriptions')
    op.drop_table('subscriptions')
    op.drop_index('idx_sessions_user_id', table_name='sessions')
    op.drop_index('idx_sessions_token', table_name='sessions')
    op.drop_index('idx_sessions_expires_at', table_name='sessions')
    op.drop_table('sessions')
    op.drop_index('idx_follows_following_id', table_name='follows')
    op.drop_index('idx_follows_follower_id', table_name='follows')
    op.drop_index('idx_follows_created_at', table_name='follows')
    op.drop_table('follows')
    op.drop_index('idx_creators_whop_company_id', table_name='creators')
    op.drop_index('idx_creators_subscription_tier', table_name='creators')
    op.drop_index('idx_creators_is_active', table_name='creators')
    op.drop_table('creators')
    op.drop_index('idx_users_username', table_name='users')
    op.drop_index('idx_users_email', table_name='users')
    op.drop_index('idx_users_created_at', table_name='users')
    op.drop_table('users')
    op.execute("DROP EXTENSION IF EXISTS vector")

"""Videos (Chronos + dojo columns), their timed transcript segments, RAG chunks and chapters."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pgvector.sqlalchemy import VECTOR
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Computed,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlmodel import Field, SQLModel

from chronos_app.models.base import (
    counter,
    created_at_column,
    fk,
    flag,
    metadata_json,
    one_of,
    timestamp,
    updated_at_column,
    uuid_pk,
)

EMBEDDING_DIM = 1536

VIDEO_STATUSES = ("pending", "uploading", "transcribing", "processing", "embedding",
                  "completed", "failed", "cancelled")
# Chronos named youtube/mux/loom/upload; Vimeo and Wistia imports need their own source type.
SOURCE_TYPES = ("youtube", "mux", "loom", "vimeo", "wistia", "upload")
EMBED_TYPES = ("youtube", "loom", "vimeo", "wistia")



class Video(SQLModel, table=True):
    __tablename__ = "videos"
    __table_args__ = (
        CheckConstraint(one_of("status", VIDEO_STATUSES), name="videos_status_check"),
        CheckConstraint(one_of("source_type", SOURCE_TYPES), name="videos_source_type_check"),
        CheckConstraint(f"embed_type IS NULL OR {one_of('embed_type', EMBED_TYPES)}",
                        name="videos_embed_type_check"),
        CheckConstraint(
            "(source_type = 'youtube' AND youtube_video_id IS NOT NULL) OR "
            "(source_type = 'mux' AND mux_playback_id IS NOT NULL) OR "
            "(source_type IN ('loom', 'vimeo', 'wistia') AND embed_type = source_type "
            " AND embed_id IS NOT NULL) OR "
            "(source_type = 'upload' AND storage_path IS NOT NULL)",
            name="videos_source_validation"),
        CheckConstraint("processing_progress >= 0 AND processing_progress <= 100",
                        name="processing_progress_check"),
        CheckConstraint("duration_seconds > 0", name="duration_positive"),
        CheckConstraint("file_size_bytes > 0", name="file_size_positive"),
        Index("idx_videos_creator_id", "creator_id"),
        Index("idx_videos_status", "status"),
        Index("idx_videos_created_at", "created_at"),
        Index("idx_videos_is_deleted", "is_deleted"),
        Index("idx_videos_source_type", "source_type"),
        Index("idx_videos_youtube_video_id", "youtube_video_id"),
        Index("idx_videos_whop_lesson_id", "whop_lesson_id"),
        Index("idx_videos_mux_asset_id", "mux_asset_id"),
        Index("idx_videos_mux_playback_id", "mux_playback_id"),
        Index("idx_videos_embed_type", "embed_type"),
        Index("idx_videos_published_at", "published_at"),
        Index("idx_videos_is_public", "is_public"),
        Index("idx_videos_tags", "tags", postgresql_using="gin"),
        Index("idx_videos_metadata", "metadata", postgresql_using="gin"),
        Index("idx_videos_feed", "is_public", text("created_at DESC"), "creator_id"),
        Index("idx_videos_by_user", "creator_id", "is_public", text("created_at DESC")),
    )

    id: uuid.UUID = uuid_pk()
    creator_id: uuid.UUID = fk("creators.id", ondelete="CASCADE")
    title: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    url: str | None = Field(default=None, sa_column=Column(Text))
    storage_path: str | None = Field(default=None, sa_column=Column(Text))
    thumbnail_url: str | None = Field(default=None, sa_column=Column(Text))
    duration_seconds: int | None = Field(default=None, sa_column=Column(Integer))
    transcript: str | None = Field(default=None, sa_column=Column(Text))
    transcript_language: str = Field(default="en", sa_column=Column(
        Text, nullable=False, server_default=text("'en'")))
    status: str = Field(default="pending", sa_column=Column(
        Text, nullable=False, server_default=text("'pending'")))
    error_message: str | None = Field(default=None, sa_column=Column(Text))
    processing_started_at: datetime | None = timestamp()
    processing_completed_at: datetime | None = timestamp()
    processing_progress: int = counter(0)
    file_size_bytes: int | None = Field(default=None, sa_column=Column(BigInteger))
    mime_type: str | None = Field(default=None, sa_column=Column(String(100)))
    meta: dict[str, Any] = metadata_json()
    source_type: str = Field(sa_column=Column(Text, nullable=False))
    youtube_video_id: str | None = Field(default=None, sa_column=Column(Text))
    youtube_channel_id: str | None = Field(default=None, sa_column=Column(Text))
    whop_lesson_id: str | None = Field(default=None, sa_column=Column(Text))
    mux_asset_id: str | None = Field(default=None, sa_column=Column(Text))
    mux_playback_id: str | None = Field(default=None, sa_column=Column(Text))
    embed_type: str | None = Field(default=None, sa_column=Column(Text))
    embed_id: str | None = Field(default=None, sa_column=Column(Text))
    view_count: int = counter(0)
    like_count: int = counter(0)
    is_public: bool = flag(True)
    is_featured: bool = flag(False)
    tags: list[str] = Field(default_factory=list, sa_column=Column(
        ARRAY(Text), nullable=False, server_default=text("'{}'::text[]")))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()
    published_at: datetime | None = timestamp()
    is_deleted: bool = flag(False)


class VideoSegment(SQLModel, table=True):
    """One transcript cue exactly as transcribed or uploaded: chunks are built from these."""

    __tablename__ = "video_segments"
    __table_args__ = (
        CheckConstraint("start_seconds >= 0", name="video_segments_start_non_negative"),
        CheckConstraint("end_seconds >= start_seconds", name="video_segments_end_after_start"),
        UniqueConstraint("video_id", "segment_index", name="video_segments_video_index_key"),
        Index("idx_video_segments_video_start", "video_id", "start_seconds"),
        # Search finds the spoken moment: full text over each cue (migration 0004).
        Index("idx_video_segments_search", text("to_tsvector('english'::regconfig, text)"),
              postgresql_using="gin"),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    segment_index: int = Field(sa_column=Column(Integer, nullable=False))
    start_seconds: float = Field(sa_column=Column(Float, nullable=False))
    end_seconds: float = Field(sa_column=Column(Float, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = created_at_column()


class VideoChunk(SQLModel, table=True):
    __tablename__ = "video_chunks"
    __table_args__ = (
        CheckConstraint("start_time_seconds >= 0", name="video_chunks_start_non_negative"),
        CheckConstraint("end_time_seconds >= start_time_seconds",
                        name="video_chunks_end_after_start"),
        UniqueConstraint("video_id", "chunk_index", name="video_chunks_video_index_key"),
        Index("idx_video_chunks_video_id", "video_id"),
        Index("idx_video_chunks_embedding", "embedding", postgresql_using="hnsw",
              postgresql_with={"m": 16, "ef_construction": 64},
              postgresql_ops={"embedding": "vector_cosine_ops"}),
        Index("idx_video_chunks_search", "search_vector", postgresql_using="gin"),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    chunk_index: int = Field(sa_column=Column(Integer, nullable=False))
    chunk_text: str = Field(sa_column=Column(Text, nullable=False))
    embedding: list[float] | None = Field(default=None, sa_column=Column(VECTOR(EMBEDDING_DIM)))
    embedding_model: str | None = Field(default=None, sa_column=Column(Text))
    # True (fractional) seconds: Chronos had INTEGER, which rounds citations off.
    start_time_seconds: float = Field(sa_column=Column(Float, nullable=False))
    end_time_seconds: float = Field(sa_column=Column(Float, nullable=False))
    word_count: int = counter(0)
    meta: dict[str, Any] = metadata_json()
    search_vector: str | None = Field(default=None, sa_column=Column(
        TSVECTOR, Computed("to_tsvector('english'::regconfig, chunk_text)", persisted=True)))
    created_at: datetime = created_at_column()


class Chapter(SQLModel, table=True):
    __tablename__ = "chapters"
    __table_args__ = (
        CheckConstraint("start_time_seconds < end_time_seconds", name="start_before_end"),
        CheckConstraint("start_time_seconds >= 0", name="time_non_negative"),
        CheckConstraint("chapter_order > 0", name="chapter_order_positive"),
        CheckConstraint(
            "confidence_score IS NULL OR (confidence_score >= 0.00 AND confidence_score <= 1.00)",
            name="confidence_range"),
        # Deferrable so an editor can renumber chapters inside one transaction.
        UniqueConstraint("video_id", "chapter_order", name="chapters_video_id_chapter_order_key",
                         deferrable=True, initially="DEFERRED"),
        Index("idx_chapters_video_id", "video_id"),
        Index("idx_chapters_start_time", "start_time_seconds"),
        Index("idx_chapters_chapter_order", "video_id", "chapter_order"),
        Index("idx_chapters_navigation", "video_id", "chapter_order", "start_time_seconds"),
    )

    id: uuid.UUID = uuid_pk()
    video_id: uuid.UUID = fk("videos.id", ondelete="CASCADE")
    title: str = Field(sa_column=Column(String(255), nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    start_time_seconds: float = Field(sa_column=Column(Numeric(10, 3, asdecimal=False),
                                                       nullable=False))
    end_time_seconds: float = Field(sa_column=Column(Numeric(10, 3, asdecimal=False),
                                                     nullable=False))
    chapter_order: int = Field(sa_column=Column(Integer, nullable=False))
    thumbnail_url: str | None = Field(default=None, sa_column=Column(String(500)))
    is_ai_generated: bool = flag(True)
    confidence_score: float | None = Field(default=None, sa_column=Column(
        Numeric(3, 2, asdecimal=False)))
    created_at: datetime = created_at_column()
    updated_at: datetime = updated_at_column()

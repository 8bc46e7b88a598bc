"""Analytics jobs on the queue: `processing_jobs` may hold 'aggregate_day' jobs, which belong to
no video (their metadata says which UTC day, and optionally which school), at most one live
(pending or running) per day and school.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 16:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TYPES = "('chapter_generation', 'thumbnail_extraction', 'transcription', 'video_processing')"
NEW_TYPES = ("('chapter_generation', 'thumbnail_extraction', 'transcription', "
             "'video_processing', 'aggregate_day')")


def upgrade() -> None:
    op.drop_constraint("job_type_check", "processing_jobs", type_="check")
    op.create_check_constraint("job_type_check", "processing_jobs", f"job_type IN {NEW_TYPES}")
    op.alter_column("processing_jobs", "video_id", existing_type=sa.Uuid(), nullable=True)
    op.create_check_constraint("processing_jobs_video_required", "processing_jobs",
                               "video_id IS NOT NULL OR job_type = 'aggregate_day'")
    op.create_index("uq_processing_jobs_live_aggregate", "processing_jobs",
                    [sa.text("(metadata ->> 'day')"),
                     sa.text("COALESCE(metadata ->> 'creator_id', '')")],
                    unique=True,
                    postgresql_where=sa.text("job_type = 'aggregate_day' "
                                             "AND status IN ('pending', 'running')"))


def downgrade() -> None:
    op.drop_index("uq_processing_jobs_live_aggregate", table_name="processing_jobs")
    op.execute("DELETE FROM processing_jobs WHERE job_type = 'aggregate_day'")
    op.drop_constraint("processing_jobs_video_required", "processing_jobs", type_="check")
    op.alter_column("processing_jobs", "video_id", existing_type=sa.Uuid(), nullable=False)
    op.drop_constraint("job_type_check", "processing_jobs", type_="check")
    op.create_check_constraint("job_type_check", "processing_jobs", f"job_type IN {OLD_TYPES}")

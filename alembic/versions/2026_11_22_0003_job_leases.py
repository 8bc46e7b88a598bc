"""The processing queue's lease: who holds a running job and until when, plus claim indexes.

A worker that dies leaves `locked_until` in the past, so another worker takes the job again.
At most one pending or running job per video and job type.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 09:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("processing_jobs", sa.Column("locked_by", sa.Text(), nullable=True))
    op.add_column("processing_jobs",
                  sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("idx_processing_jobs_claim", "processing_jobs",
                    [sa.text("priority DESC"), "scheduled_at"],
                    postgresql_where=sa.text("status = 'pending'"))
    op.create_index("idx_processing_jobs_lease", "processing_jobs", ["locked_until"],
                    postgresql_where=sa.text("status = 'running'"))
    op.create_index("uq_processing_jobs_live_video", "processing_jobs", ["video_id", "job_type"],
                    unique=True, postgresql_where=sa.text("status IN ('pending', 'running')"))


def downgrade() -> None:
    op.drop_index("uq_processing_jobs_live_video", table_name="processing_jobs")
    op.drop_index("idx_processing_jobs_lease", table_name="processing_jobs")
    op.drop_index("idx_processing_jobs_claim", table_name="processing_jobs")
    op.drop_column("processing_jobs", "locked_until")
    op.drop_column("processing_jobs", "locked_by")

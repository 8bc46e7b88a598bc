"""Full-text index over transcript cues, so search can land on the moment a phrase is spoken.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 12:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("CREATE INDEX idx_video_segments_search ON video_segments "
               "USING gin (to_tsvector('english'::regconfig, text))")


def downgrade() -> None:
    op.drop_index("idx_video_segments_search", table_name="video_segments")

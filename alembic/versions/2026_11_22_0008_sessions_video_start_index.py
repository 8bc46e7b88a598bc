"""Index watch sessions by video and start time: the dashboards count a school's sessions in
a period (unique viewers, weekly and monthly actives) through the school's videos.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 15:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("idx_video_watch_sessions_video_start", "video_watch_sessions",
                    ["video_id", "session_start"], postgresql_include=["student_id"])


def downgrade() -> None:
    op.drop_index("idx_video_watch_sessions_video_start", table_name="video_watch_sessions")

"""Index chat messages by time: the analytics count each day's tutor questions.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22 14:00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("idx_chat_messages_created_at", "chat_messages", ["created_at"])


def downgrade() -> None:
    op.drop_index("idx_chat_messages_created_at", table_name="chat_messages")

"""Subscription periods: when the current period started, its price, and a cancellation that
takes effect at the period's end (the subscriber falls back to the free basic membership).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 15:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions",
                  sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("subscriptions", sa.Column("price_cents", sa.Integer(),
                                             server_default=sa.text("0"), nullable=False))
    op.add_column("subscriptions", sa.Column("cancel_at_period_end", sa.Boolean(),
                                             server_default=sa.text("false"), nullable=False))
    op.create_check_constraint("subscriptions_price_cents_check", "subscriptions",
                               "price_cents >= 0")
    op.execute("UPDATE subscriptions SET started_at = created_at WHERE started_at IS NULL")


def downgrade() -> None:
    op.drop_constraint("subscriptions_price_cents_check", "subscriptions", type_="check")
    op.drop_column("subscriptions", "cancel_at_period_end")
    op.drop_column("subscriptions", "price_cents")
    op.drop_column("subscriptions", "started_at")

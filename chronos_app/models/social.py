"""User-to-user relations (dojo): follows, subscriptions to a creator, likes of videos and comments."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, Index, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from chronos_app.models.base import counter, created_at_column, fk, flag, timestamp, uuid_pk

SUBSCRIPTION_TYPES = ("basic", "premium", "pro")


class Follow(SQLModel, table=True):
    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint("follower_id != following_id", name="no_self_follow"),
        UniqueConstraint("follower_id", "following_id", name="follows_follower_id_following_id_key"),
        Index("idx_follows_follower_id", "follower_id"),
        Index("idx_follows_following_id", "following_id"),
        Index("idx_follows_created_at", "created_at"),
    )

    id: uuid.UUID = uuid_pk()
    follower_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    following_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    created_at: datetime = created_at_column()


class Subscription(SQLModel, table=True):
    """`creator_id` is the creator's *user* (dojo); the tier gates that school's content.

    A paid tier (premium, pro) runs in periods (`services.subscriptions.PERIOD`): `started_at`
    is when the current period (of the current tier) began, `expires_at` when it ends,
    `price_cents` what each period costs (fixed at checkout). `cancel_at_period_end`: at
    `expires_at` the subscription falls back to the free basic membership instead of renewing
    (migration 0005). A basic subscription has no period (`expires_at` NULL).
    """

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("subscriber_id != creator_id", name="no_self_subscription"),
        CheckConstraint("subscription_type IN ('basic', 'premium', 'pro')",
                        name="subscription_type_check"),
        CheckConstraint("price_cents >= 0", name="subscriptions_price_cents_check"),
        UniqueConstraint("subscriber_id", "creator_id",
                         name="subscriptions_subscriber_id_creator_id_key"),
        Index("idx_subscriptions_subscriber_id", "subscriber_id"),
        Index("idx_subscriptions_creator_id", "creator_id"),
        Index("idx_subscriptions_active", "is_active", "expires_at"),
    )

    id: uuid.UUID = uuid_pk()
    subscriber_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    creator_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    subscription_type: str = Field(
        default="basic",
        sa_column=Column(String(20), nullable=False, server_default=text("'basic'")))
    is_active: bool = flag(True)
    created_at: datetime = created_at_column()
    expires_at: datetime | None = timestamp()
    started_at: datetime | None = timestamp()
    price_cents: int = counter(0)
    cancel_at_period_end: bool = flag(False)


class Like(SQLModel, table=True):
    __tablename__ = "likes"
    __table_args__ = (
        CheckConstraint(
            "(video_id IS NOT NULL AND comment_id IS NULL) OR "
            "(video_id IS NULL AND comment_id IS NOT NULL)",
            name="like_target"),
        UniqueConstraint("user_id", "video_id", name="likes_user_id_video_id_key"),
        UniqueConstraint("user_id", "comment_id", name="likes_user_id_comment_id_key"),
        Index("idx_likes_user_id", "user_id"),
        Index("idx_likes_video_id", "video_id"),
        Index("idx_likes_comment_id", "comment_id"),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = fk("users.id", ondelete="CASCADE")
    video_id: uuid.UUID | None = fk("videos.id", ondelete="CASCADE", nullable=True)
    comment_id: uuid.UUID | None = fk("comments.id", ondelete="CASCADE", nullable=True)
    created_at: datetime = created_at_column()

"""Creator plans (`creators.subscription_tier`) and the limits each one sets.

`PLANS` is the one table of limits: uploads, the video library, the tutor quota and the usage
page (`services.analytics.usage`) all read their numbers from it. `USAGE_LIMITS` names, for each
metered quantity, the `Plan` field that caps it.
"""

from __future__ import annotations

from dataclasses import dataclass

GB = 1024 ** 3
MB = 1024 ** 2


@dataclass(frozen=True)
class Plan:
    tier: str
    label: str
    max_upload_bytes: int
    storage_bytes: int
    max_videos: int
    ai_messages_per_month: int  # tutor questions the school's students may ask per month
    summary: str
    # Metered on the usage page (calendar month, UTC):
    ai_credits_per_month: int = 0          # model output tokens + paid embedding batches
    transcription_minutes_per_month: int = 0  # Whisper / uploaded-file transcription
    active_students: int = 0               # distinct students active in the month

    def limit(self, quantity: str) -> int:
        """The cap on a metered quantity (a key of `USAGE_LIMITS`)."""
        return int(getattr(self, USAGE_LIMITS[quantity]))


# metered quantity -> the Plan field that limits it
USAGE_LIMITS: dict[str, str] = {
    "storage_bytes": "storage_bytes",
    "videos": "max_videos",
    "transcription_minutes": "transcription_minutes_per_month",
    "ai_credits": "ai_credits_per_month",
    "chat_messages": "ai_messages_per_month",
    "active_students": "active_students",
}


PLANS: dict[str, Plan] = {
    "basic": Plan(
        tier="basic", label="Basic", max_upload_bytes=500 * MB, storage_bytes=10 * GB,
        max_videos=50, ai_messages_per_month=500,
        ai_credits_per_month=250_000, transcription_minutes_per_month=300,
        active_students=100,
        summary="Up to 50 videos, 10 GB of uploads, files up to 500 MB, "
                "500 tutor questions a month."),
    "pro": Plan(
        tier="pro", label="Pro", max_upload_bytes=2 * GB, storage_bytes=100 * GB,
        max_videos=500, ai_messages_per_month=5_000,
        ai_credits_per_month=2_500_000, transcription_minutes_per_month=3_000,
        active_students=1_000,
        summary="Up to 500 videos, 100 GB of uploads, files up to 2 GB, "
                "5,000 tutor questions a month."),
    "enterprise": Plan(
        tier="enterprise", label="Enterprise", max_upload_bytes=5 * GB,
        storage_bytes=1024 * GB, max_videos=10_000, ai_messages_per_month=50_000,
        ai_credits_per_month=25_000_000, transcription_minutes_per_month=30_000,
        active_students=50_000,
        summary="Up to 10,000 videos, 1 TB of uploads, files up to 5 GB, "
                "50,000 tutor questions a month."),
}


def plan_for(tier: str) -> Plan:
    return PLANS.get(tier, PLANS["basic"])

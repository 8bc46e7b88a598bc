"""Creator plans (`creators.subscription_tier`) and the limits each one sets."""

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


PLANS: dict[str, Plan] = {
    "basic": Plan("basic", "Basic", 500 * MB, 10 * GB, 50, 500,
                  "Up to 50 videos, 10 GB of uploads, files up to 500 MB, "
                  "500 tutor questions a month."),
    "pro": Plan("pro", "Pro", 2 * GB, 100 * GB, 500, 5_000,
                "Up to 500 videos, 100 GB of uploads, files up to 2 GB, "
                "5,000 tutor questions a month."),
    "enterprise": Plan("enterprise", "Enterprise", 5 * GB, 1024 * GB, 10_000, 50_000,
                       "Up to 10,000 videos, 1 TB of uploads, files up to 5 GB, "
                       "50,000 tutor questions a month."),
}


def plan_for(tier: str) -> Plan:
    return PLANS.get(tier, PLANS["basic"])

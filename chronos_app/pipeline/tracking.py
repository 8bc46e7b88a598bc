"""What the pipeline and the library record as they go: analytics events and daily usage."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

USAGE_COLUMNS = ("storage_used_bytes", "videos_uploaded", "total_video_duration_seconds",
                 "ai_credits_used", "transcription_minutes", "chat_messages_sent")


def add_event(session: Session, *, video_id: uuid.UUID, creator_id: uuid.UUID, event_type: str,
              meta: dict[str, Any] | None = None) -> None:
    session.execute(text("""
        INSERT INTO video_analytics_events (event_type, video_id, creator_id, metadata)
        VALUES (:event_type, :video_id, :creator_id, CAST(:meta AS jsonb))"""),
        {"event_type": event_type, "video_id": video_id, "creator_id": creator_id,
         "meta": json.dumps(meta or {})})


def add_usage(session: Session, *, creator_id: uuid.UUID, **deltas: int) -> None:
    """Add to today's `usage_metrics` row of the creator (created on first use)."""
    unknown = set(deltas) - set(USAGE_COLUMNS)
    if unknown:
        raise ValueError(f"unknown usage counters: {sorted(unknown)}")
    deltas = {k: int(v) for k, v in deltas.items() if v}
    if not deltas:
        return
    cols = ", ".join(deltas)
    values = ", ".join(f":{k}" for k in deltas)
    updates = ", ".join(f"{k} = usage_metrics.{k} + EXCLUDED.{k}" for k in deltas)
    session.execute(text(f"""
        INSERT INTO usage_metrics (creator_id, date, {cols})
        VALUES (:creator_id, CURRENT_DATE, {values})
        ON CONFLICT (creator_id, date) DO UPDATE SET {updates}"""),
        {"creator_id": creator_id, **deltas})

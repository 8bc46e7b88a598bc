"""Who may fetch a stored video file or thumbnail, and where it is.

The rules follow the RLS specification: the owning creator always; anyone else only a video
that is published, not deleted, of an active school, and either public or of a school the
actor is an active student of. Everything else is "not found", so existence is not revealed.
A subscriber-only video (`metadata.required_tier`, see `services.subscriptions`) also needs
the actor's tier in the school; without it the video is listed but its file is "not found".
"""

from __future__ import annotations

import mimetypes
import uuid
from dataclasses import dataclass
from typing import Literal

from sqlmodel import Session

from chronos_app.core.errors import InvalidInput, NotFound
from chronos_app.core.storage import Storage, get_storage, thumbnail_key
from chronos_app.models import Creator, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import subscriptions

MediaKind = Literal["video", "thumbnail"]

NOT_FOUND_MESSAGE = "That video does not exist or you cannot watch it."


@dataclass(frozen=True)
class MediaFile:
    key: str
    mime: str
    size: int


def video_media_url(video_id: uuid.UUID | str) -> str:
    """Path of a video's file on the media API (prefix it with the backend URL)."""
    return f"/media/videos/{video_id}"


def thumbnail_media_url(video_id: uuid.UUID | str) -> str:
    """Path of a video's stored thumbnail on the media API."""
    return f"/media/thumbnails/{video_id}"


def can_list_video(*, session: Session, actor: Actor | None, video: Video) -> bool:
    """May the actor know the video (see its card, title and gate)? The rule above, without
    subscriber tiers."""
    if actor is not None and actor.creator_id is not None and actor.creator_id == video.creator_id:
        return True
    if video.is_deleted or video.published_at is None:
        return False
    creator = session.get(Creator, video.creator_id)
    if creator is None or not creator.is_active:
        return False
    if video.is_public:
        return True
    return actor is not None and video.creator_id in actor.student_of


def can_view_video(*, session: Session, actor: Actor | None, video: Video) -> bool:
    """May the actor watch it (its file, transcript, comments, tutor passages)? Listed, and
    for a subscriber-only video (`metadata.required_tier`) their tier in the school reaches it
    (`subscriptions.video_gate`); the owner always."""
    if not can_list_video(session=session, actor=actor, video=video):
        return False
    if actor is not None and actor.creator_id is not None and actor.creator_id == video.creator_id:
        return True
    required = subscriptions.required_tier(video.meta)
    if required is None:
        return True
    tier = subscriptions.actor_tier(session=session, actor=actor, creator_id=video.creator_id)
    return subscriptions.reaches(tier, required)


def media_access(*, session: Session, actor: Actor | None, video_id: uuid.UUID,
                 kind: MediaKind, storage: Storage | None = None) -> MediaFile:
    """The stored file of `video_id` the actor may fetch; `NotFound` otherwise."""
    if kind not in ("video", "thumbnail"):
        raise NotFound(NOT_FOUND_MESSAGE)
    video = session.get(Video, video_id)
    if video is None or not can_view_video(session=session, actor=actor, video=video):
        raise NotFound(NOT_FOUND_MESSAGE)
    storage = storage or get_storage()
    if kind == "video":
        key = video.storage_path
        mime = video.mime_type or (mimetypes.guess_type(key or "")[0]) or "application/octet-stream"
    else:
        key = thumbnail_key(video.id)
        mime = "image/jpeg"
    if not key:
        raise NotFound(NOT_FOUND_MESSAGE)
    try:
        size = storage.size(key)
    except (NotFound, InvalidInput):  # missing file, or a storage_path that is no key
        raise NotFound(NOT_FOUND_MESSAGE) from None
    return MediaFile(key=key, mime=mime, size=size)

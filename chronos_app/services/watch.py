"""The watch page: what a viewer sees, honest watch sessions, likes and the remembered speed.

Who may watch follows `media.can_view_video`: the owning creator always (an unpublished video
is their preview), anyone else only a published video of an active school that is public or
of a school they are an active student of. Everything else is "not available", so existence
is not revealed. A subscriber-only video whose tier the actor lacks raises `Gated` instead
(from every function here that takes a video): the page shows its title and a gate offering
the tier, not the content.

Watch time is measured on the server. The player reports its position now and then; only
media time that advanced no faster than the wall clock allows (at the claimed speed, with some
slack) counts as played, so pausing, seeking or dragging the scrubber to the end earns
nothing. Completion is measured by coverage: the share of the video whose seconds were
actually played, never where the playhead is.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import Session, select

from chronos_app.core.errors import InvalidInput, NotFound
from chronos_app.models import (
    Chapter,
    Creator,
    Like,
    Student,
    User,
    Video,
    VideoSegment,
    VideoWatchSession,
)
from chronos_app.models.analytics import DEVICE_TYPES, REFERRER_TYPES
from chronos_app.models.base import utcnow
from chronos_app.pipeline.sources import format_clock
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.videos import SOURCE_LABELS
from chronos_app.schemas.watch import (
    ChapterMark,
    CueLine,
    LessonCard,
    LikeState,
    ProgressResult,
    WatchView,
)
from chronos_app.services import subscriptions
from chronos_app.services.media import can_view_video, thumbnail_media_url, video_media_url

NOT_AVAILABLE = "This video is not available."
SESSION_NOT_FOUND = "That watch session does not exist."

SPEEDS = (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
MILESTONES = (10, 25, 50, 75, 90)

MIN_RATE, MAX_RATE = SPEEDS[0], SPEEDS[-1]
SLACK = 1.25           # media may run 25 % ahead of wall time x speed (timer jitter, buffering)
GRACE_SECONDS = 2.0    # plus this much, for reports that arrive a little early
RESUME_END_MARGIN = 5.0  # a position this close to the end means "finished": start over
COMPLETE_PERCENT = 90
COMPLETE_WATCH_SHARE = 0.9  # of the time the video takes at the fastest speed


# --- pure rules ---------------------------------------------------------------------------------

def device_type(user_agent: str) -> str:
    """"mobile", "tablet" or "desktop" from a User-Agent header (desktop when unknown)."""
    ua = (user_agent or "").lower()
    if any(word in ua for word in ("ipad", "tablet", "kindle", "silk/", "playbook")):
        return "tablet"
    if "android" in ua and "mobile" not in ua:
        return "tablet"
    if any(word in ua for word in ("mobi", "iphone", "ipod", "android", "windows phone")):
        return "mobile"
    return "desktop"


_REFERRERS = {"course": "course_page", "chat": "chat_reference", "search": "search"}


def referrer_type(ref: str) -> str:
    """Where the viewer came from ("course", "chat", "search") as a `referrer_type`."""
    key = (ref or "").strip().lower()
    if key in REFERRER_TYPES:
        return key
    return _REFERRERS.get(key, "direct_link")


def is_complete(percent: int, watch_time_seconds: float, duration_seconds: float) -> bool:
    """90 % of the video played, in at least 90 % of the time it takes at the fastest speed."""
    if not duration_seconds or duration_seconds <= 0:
        return False
    return (percent >= COMPLETE_PERCENT
            and watch_time_seconds >= COMPLETE_WATCH_SHARE * duration_seconds / MAX_RATE)


def clamp_rate(rate: float) -> float:
    """The claimed playback speed, limited to what the player offers (1.0 when nonsense)."""
    try:
        value = float(rate)
    except (TypeError, ValueError):
        return 1.0
    if not math.isfinite(value) or value <= 0:
        return 1.0
    return min(max(value, MIN_RATE), MAX_RATE)


def merge_intervals(intervals: Iterable[Sequence[float]]) -> list[list[float]]:
    """Sorted, non-overlapping [start, end] lists; touching intervals are joined, broken
    entries dropped."""
    clean: list[tuple[float, float]] = []
    for item in intervals:
        try:
            start, end = float(item[0]), float(item[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
        if math.isfinite(start) and math.isfinite(end) and end > start:
            clean.append((start, end))
    merged: list[list[float]] = []
    for start, end in sorted(clean):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [[round(a, 3), round(b, 3)] for a, b in merged]


def covered_seconds(intervals: Iterable[Sequence[float]]) -> float:
    return sum(end - start for start, end in merge_intervals(intervals))


def coverage_percent(intervals: Iterable[Sequence[float]], duration_seconds: float) -> int:
    """floor(covered / duration * 100), within 0..100; 0 when the length is unknown."""
    if not duration_seconds or duration_seconds <= 0:
        return 0
    percent = math.floor(covered_seconds(intervals) / duration_seconds * 100 + 1e-9)
    return max(0, min(100, percent))


def played_seconds(anchor: float, position: float, elapsed_seconds: float,
                   rate: float = 1.0) -> float:
    """Media seconds of continuous playback from `anchor` to `position`, or 0.0 when the
    move is backwards or further than `elapsed_seconds` of wall time could play."""
    delta = position - anchor
    allowed = max(elapsed_seconds, 0.0) * clamp_rate(rate) * SLACK + GRACE_SECONDS
    return delta if 0 < delta <= allowed else 0.0


@dataclass(frozen=True)
class Playback:
    """A watch session's playback state after one progress report."""

    watched: list[list[float]]  # merged intervals of media actually played
    watch_time: float           # total credited watch time (seconds)
    anchor: float               # where the player is now
    credited: float             # watch time credited by this report


def _clip(seconds: float, duration: float) -> float:
    seconds = max(seconds, 0.0)
    return min(seconds, duration) if duration and duration > 0 else seconds


def advance(*, watched: Iterable[Sequence[float]], watch_time: float, anchor: float,
            position: float, elapsed_seconds: float, rate: float = 1.0,
            seek_to: float | None = None, duration: float = 0.0,
            max_watch_time: float | None = None) -> Playback:
    """Credit the playback from `anchor` to `position` if it was continuous.

    Credited watch time is the media time divided by the speed; the interval played joins
    `watched`. `max_watch_time` caps the session's total (wall time since it started, with
    slack) so a flood of small reports cannot add up to more than the clock allows. The new
    anchor is `seek_to` when the player jumped, else `position`.
    """
    speed = clamp_rate(rate)
    anchor, position = _clip(anchor, duration), _clip(position, duration)
    media = played_seconds(anchor, position, elapsed_seconds, speed)
    credit = media / speed
    if max_watch_time is not None and credit > 0:
        room = max(0.0, max_watch_time - watch_time)
        if credit > room:
            credit, media = room, room * speed
    intervals = [list(i) for i in watched]
    if media > 0:
        intervals.append([anchor, anchor + media])
    new_anchor = position if seek_to is None else _clip(seek_to, duration)
    return Playback(watched=merge_intervals(intervals), watch_time=watch_time + credit,
                    anchor=round(new_anchor, 3), credited=credit)


def player_source(video: Video) -> tuple[str, str, str]:
    """(player, src, embed_url) for the watch page's player."""
    kind = video.source_type
    if kind == "youtube" and video.youtube_video_id:
        return "youtube", f"https://www.youtube.com/watch?v={video.youtube_video_id}", ""
    if kind == "vimeo" and video.embed_id:
        vimeo_hash = (video.meta or {}).get("vimeo_hash")
        suffix = f"/{vimeo_hash}" if vimeo_hash else ""
        return "vimeo", f"https://vimeo.com/{video.embed_id}{suffix}", ""
    if kind == "wistia" and video.embed_id:
        # react-player's Wistia element takes everything after "/medias/" as the id.
        return "wistia", f"https://home.wistia.com/medias/{video.embed_id}", ""
    if kind == "mux" and video.mux_playback_id:
        return "mux", f"https://stream.mux.com/{video.mux_playback_id}.m3u8", ""
    if kind == "loom" and video.embed_id:
        return "loom", "", f"https://www.loom.com/embed/{video.embed_id}"
    if kind == "upload" and video.storage_path:
        return "file", video_media_url(video.id), ""
    return "none", "", ""


# --- access ---------------------------------------------------------------------------------

def _parse_id(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _visible_video(session: Session, actor: Actor | None, video_id: uuid.UUID | str) -> Video:
    vid = _parse_id(video_id)
    video = session.get(Video, vid) if vid is not None else None
    if video is None or video.is_deleted or actor is None:
        raise NotFound(NOT_AVAILABLE)
    if not can_view_video(session=session, actor=actor, video=video):
        gate = subscriptions.video_gate(session=session, actor=actor, video=video)
        if gate is not None:  # the tier is the only reason: show the gate, not "not available"
            raise subscriptions.gated_error(session, creator_id=video.creator_id, required=gate,
                                            actor=actor, video_title=video.title)
        raise NotFound(NOT_AVAILABLE)
    return video


def _is_owner(actor: Actor, video: Video) -> bool:
    return actor.creator_id is not None and actor.creator_id == video.creator_id


def _membership(session: Session, actor: Actor, video: Video) -> Student | None:
    """The actor's active student row in the video's school (None for the owner)."""
    if _is_owner(actor, video):
        return None
    return session.exec(select(Student).where(
        Student.user_id == actor.user_id, Student.creator_id == video.creator_id,
        Student.is_active.is_(True))).first()


def _aware(moment: datetime | None) -> datetime:
    moment = moment or utcnow()
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def _seconds(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"The {name} must be a number of seconds.", field=name) from None
    if not math.isfinite(number):
        raise InvalidInput(f"The {name} must be a number of seconds.", field=name)
    return number


def _number(value: Any, default: float = 0.0) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return number if math.isfinite(number) else default


def _track(session: Session, *, event_type: str, video: Video, student_id: uuid.UUID,
           meta: dict[str, Any], at: datetime) -> None:
    session.execute(text(
        "SELECT track_video_event(CAST(:event_type AS text), CAST(:video_id AS uuid), "
        "CAST(:creator_id AS uuid), CAST(:student_id AS uuid), NULL, NULL, "
        "CAST(:meta AS jsonb), CAST(:at AS timestamptz))"),
        {"event_type": event_type, "video_id": video.id, "creator_id": video.creator_id,
         "student_id": student_id, "meta": json.dumps(meta), "at": at})


# --- the page -----------------------------------------------------------------------------------

def watch_view(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> WatchView:
    video = _visible_video(session, actor, video_id)
    creator = session.get(Creator, video.creator_id)
    owner = session.get(User, creator.user_id) if creator else None
    owner_name = owner.username if owner else ""
    player, src, embed_url = player_source(video)
    duration = float(video.duration_seconds or 0)
    chapters = session.exec(select(Chapter).where(Chapter.video_id == video.id)
                            .order_by(Chapter.chapter_order, Chapter.start_time_seconds)).all()
    segments = session.exec(select(VideoSegment).where(VideoSegment.video_id == video.id)
                            .order_by(VideoSegment.segment_index)).all()
    poster = _poster(video)
    likes = _like_state(session, actor, video)
    return WatchView(
        id=str(video.id), title=video.title, description=video.description or "",
        school_name=(creator.name if creator and creator.name else f"{owner_name}'s school"),
        creator_username=owner_name, creator_id=str(video.creator_id),
        source_type=video.source_type,
        source_label=SOURCE_LABELS.get(video.source_type, video.source_type),
        player=player, src=src, embed_url=embed_url, poster_url=poster,
        duration_seconds=duration, duration=format_clock(duration) if duration else "",
        published=video.published_at.strftime("%b %d, %Y") if video.published_at else "",
        is_owner=_is_owner(actor, video),
        tracked=_membership(session, actor, video) is not None,
        view_count=video.view_count or 0, like_count=likes.like_count, liked=likes.liked,
        resume_at=_resume(session, actor, video),
        playback_rate=_playback_rate(session, actor, video.creator_id),
        chapters=[_chapter_mark(c, duration) for c in chapters],
        cues=[CueLine(start=s.start_seconds, end=s.end_seconds,
                      label=format_clock(s.start_seconds), text=s.text) for s in segments],
    )


def _pct(seconds: float, duration: float) -> float:
    if duration <= 0:
        return 0.0
    return round(max(0.0, min(100.0, seconds / duration * 100)), 3)


def _chapter_mark(chapter: Chapter, duration: float) -> ChapterMark:
    start, end = float(chapter.start_time_seconds), float(chapter.end_time_seconds)
    return ChapterMark(id=str(chapter.id), title=chapter.title, start=start, end=end,
                       label=format_clock(start), left_pct=_pct(start, duration),
                       width_pct=_pct(max(end - start, 0.0), duration))


def resume_position(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> float:
    """Where the actor left off in the video: 0.0 if never watched or finished."""
    return _resume(session, actor, _visible_video(session, actor, video_id))


def _resume(session: Session, actor: Actor, video: Video) -> float:
    latest = session.exec(
        select(VideoWatchSession)
        .join(Student, Student.id == VideoWatchSession.student_id)
        .where(Student.user_id == actor.user_id, VideoWatchSession.video_id == video.id)
        .order_by(func.coalesce(VideoWatchSession.session_end,
                                VideoWatchSession.session_start).desc(),
                  VideoWatchSession.session_start.desc())).first()
    if latest is None or latest.completed or (latest.meta or {}).get("completed_at"):
        return 0.0
    position = _number((latest.meta or {}).get("position"))
    duration = float(video.duration_seconds or 0)
    if position <= 0 or (duration > 0 and position >= duration - RESUME_END_MARGIN):
        return 0.0
    return round(position, 3)


def _valid_speed(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if float(value) in SPEEDS else None


def _playback_rate(session: Session, actor: Actor, creator_id: uuid.UUID) -> float:
    rows = session.exec(select(Student).where(Student.user_id == actor.user_id)
                        .order_by(Student.updated_at.desc())).all()
    rows = sorted(rows, key=lambda r: r.creator_id != creator_id)  # this school's row first
    for row in rows:
        speed = _valid_speed((row.preferences or {}).get("playback_rate"))
        if speed is not None:
            return speed
    return 1.0


def set_playback_rate(*, session: Session, actor: Actor, rate: float) -> float:
    """Remember the actor's speed in every student row (nothing to store without one)."""
    speed = _valid_speed(rate)
    if speed is None:
        allowed = ", ".join(f"{s:g}×" for s in SPEEDS)
        raise InvalidInput(f"Choose a playback speed of {allowed}.", field="rate",
                           details=[f"{s:g}" for s in SPEEDS])
    rows = session.exec(select(Student).where(Student.user_id == actor.user_id)).all()
    for row in rows:
        row.preferences = {**(row.preferences or {}), "playback_rate": speed}
        session.add(row)
    session.flush()
    return speed


# --- watch sessions -------------------------------------------------------------------------------

def start_watch(*, session: Session, actor: Actor, video_id: uuid.UUID | str,
                device: str | None = None, referrer: str | None = None,
                position: float = 0.0, now: datetime | None = None) -> str:
    """Count a view and, for an active student of the school, open a watch session.

    `device` is a device type or a User-Agent; `referrer` a referrer type or "course", "chat",
    "search" (anything else, or nothing, is a direct link). Returns the session id, or "" when
    the viewing is not tracked (the owner, or a non-member watching a public video).
    """
    video = _visible_video(session, actor, video_id)
    if _is_owner(actor, video):
        return ""
    session.execute(text("UPDATE videos SET view_count = view_count + 1 WHERE id = :id"),
                    {"id": video.id})
    session.expire(video, ["view_count"])
    student = _membership(session, actor, video)
    if student is None:
        return ""
    now = _aware(now)
    duration = float(video.duration_seconds or 0)
    start = round(_clip(_seconds(position, "position"), duration), 3)
    rewatch = bool(session.execute(text("SELECT has_student_completed_video(:s, :v)"),
                                   {"s": student.id, "v": video.id}).scalar())
    device_kind = None
    if device:
        device_kind = device if device in DEVICE_TYPES else device_type(device)
    row = VideoWatchSession(
        video_id=video.id, student_id=student.id, session_start=now, device_type=device_kind,
        referrer_type=referrer_type(referrer or ""),
        meta={"position": start, "last_at": now.isoformat(), "watched": [], "milestones": [],
              "watch_time": 0.0})
    session.add(row)
    session.flush()
    meta = {"watch_session_id": str(row.id), "position": start}
    _track(session, event_type="video_started", video=video, student_id=student.id, meta=meta,
           at=now)
    if rewatch:
        _track(session, event_type="video_rewatched", video=video, student_id=student.id,
               meta=meta, at=now)
    return str(row.id)


def record_progress(*, session: Session, actor: Actor, watch_session_id: str,
                    position: float, rate: float = 1.0, seek_to: float | None = None,
                    now: datetime | None = None) -> ProgressResult:
    """Credit honest playback since the last report; milestones and completion once each."""
    sid = _parse_id(watch_session_id)
    row = None
    if sid is not None:
        row = session.exec(select(VideoWatchSession).where(VideoWatchSession.id == sid)
                           .with_for_update()).first()
    student = session.get(Student, row.student_id) if row is not None else None
    if row is None or student is None or student.user_id != actor.user_id:
        raise NotFound(SESSION_NOT_FOUND)
    video = _visible_video(session, actor, row.video_id)
    position = _seconds(position, "position")
    target = None if seek_to is None else _seconds(seek_to, "seek_to")
    now = _aware(now)
    started = _aware(row.session_start)
    meta = dict(row.meta or {})
    last_at = _parse_time(meta.get("last_at")) or started
    duration = float(video.duration_seconds or 0)
    step = advance(
        watched=meta.get("watched") or [], watch_time=_number(meta.get("watch_time")),
        anchor=_number(meta.get("position")), position=position,
        elapsed_seconds=(now - last_at).total_seconds(), rate=rate, seek_to=target,
        duration=duration,
        max_watch_time=max((now - started).total_seconds(), 0.0) * SLACK + GRACE_SECONDS)
    percent = coverage_percent(step.watched, duration)
    watch_seconds = round(step.watch_time)
    reached = {int(m) for m in meta.get("milestones") or [] if isinstance(m, int | float)}
    new_milestones = [m for m in MILESTONES if percent >= m and m not in reached]
    first_completion = (not meta.get("completed_at")
                        and is_complete(percent, step.watch_time, duration))
    meta.update(position=step.anchor, last_at=now.isoformat(), watched=step.watched,
                milestones=sorted(reached | set(new_milestones)),
                watch_time=round(step.watch_time, 3))
    if first_completion:
        meta["completed_at"] = now.isoformat()
    row.meta = meta  # a new dict, so the JSONB change is written
    row.watch_time_seconds = watch_seconds
    row.percent_complete = max(percent, row.percent_complete or 0)
    row.session_end = max(now, started)
    session.add(row)
    session.flush()
    session.refresh(row, ["completed"])  # the auto_complete_watch_session trigger's verdict
    for milestone in new_milestones:
        _track(session, event_type="video_progress", video=video, student_id=student.id,
               meta={"milestone": milestone, "watch_session_id": str(row.id)}, at=now)
    if first_completion:
        _track(session, event_type="video_completed", video=video, student_id=student.id,
               meta={"watch_session_id": str(row.id), "percent_complete": percent,
                     "watch_time_seconds": watch_seconds}, at=now)
    return ProgressResult(position=step.anchor, watch_time_seconds=watch_seconds,
                          percent_complete=row.percent_complete,
                          completed=bool(meta.get("completed_at")),
                          new_milestones=new_milestones)


# --- likes ---------------------------------------------------------------------------------------

def _like_state(session: Session, actor: Actor, video: Video) -> LikeState:
    liked = session.exec(select(Like.id).where(Like.user_id == actor.user_id,
                                               Like.video_id == video.id)).first() is not None
    count = session.exec(select(Video.like_count).where(Video.id == video.id)).one()
    return LikeState(liked=liked, like_count=int(count or 0))


def like_video(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> LikeState:
    video = _visible_video(session, actor, video_id)
    session.execute(pg_insert(Like).values(user_id=actor.user_id, video_id=video.id)
                    .on_conflict_do_nothing(constraint="likes_user_id_video_id_key"))
    session.expire(video, ["like_count"])  # the trigger changed it in the database
    return _like_state(session, actor, video)


def unlike_video(*, session: Session, actor: Actor, video_id: uuid.UUID | str) -> LikeState:
    video = _visible_video(session, actor, video_id)
    session.execute(delete(Like).where(Like.user_id == actor.user_id, Like.video_id == video.id)
                    .execution_options(synchronize_session=False))
    session.expire(video, ["like_count"])
    return _like_state(session, actor, video)


def toggle_video_like(*, session: Session, actor: Actor,
                      video_id: uuid.UUID | str) -> LikeState:
    video = _visible_video(session, actor, video_id)
    if _like_state(session, actor, video).liked:
        return unlike_video(session=session, actor=actor, video_id=video.id)
    return like_video(session=session, actor=actor, video_id=video.id)


def _poster(video: Video) -> str:
    if video.source_type == "upload":
        return thumbnail_media_url(video.id) if video.thumbnail_url else ""
    return video.thumbnail_url or ""


def lessons_for(*, session: Session, actor: Actor, limit: int = 12) -> list[LessonCard]:
    """The newest published videos of the schools the actor learns in, with their progress.

    Three queries whatever the number of videos: memberships, videos with their schools, and
    the actor's watch sessions of those videos."""
    members = session.exec(select(Student).where(Student.user_id == actor.user_id,
                                                 Student.is_active)).all()
    if not members:
        return []
    rows = session.exec(
        select(Video, Creator).join(Creator, Creator.id == Video.creator_id)
        .where(Video.creator_id.in_([m.creator_id for m in members]),
               Video.published_at.is_not(None), Video.is_deleted.is_(False),
               Creator.is_active)
        .order_by(Video.published_at.desc(), Video.id).limit(max(1, min(limit, 100)))).all()
    sessions = session.exec(
        select(VideoWatchSession)
        .where(VideoWatchSession.student_id.in_([m.id for m in members]),
               VideoWatchSession.video_id.in_([v.id for v, _ in rows]))
        .order_by(func.coalesce(VideoWatchSession.session_end,
                                VideoWatchSession.session_start).desc())).all() if rows else []
    by_video: dict[uuid.UUID, list[VideoWatchSession]] = {}
    for ws in sessions:
        by_video.setdefault(ws.video_id, []).append(ws)
    cards = []
    for video, creator in rows:
        mine = by_video.get(video.id, [])
        latest = mine[0] if mine else None
        duration = float(video.duration_seconds or 0)
        resume = 0.0
        if latest is not None and not latest.completed:
            position = _number((latest.meta or {}).get("position"))
            if 0 < position and (duration <= 0 or position < duration - RESUME_END_MARGIN):
                resume = round(position, 3)
        cards.append(LessonCard(
            id=str(video.id), title=video.title, school_name=creator.name or "",
            duration=format_clock(duration) if duration else "", poster_url=_poster(video),
            percent=max((ws.percent_complete for ws in mine), default=0),
            resume_at=resume, resume_label=format_clock(resume) if resume >= 1 else "",
            completed=any(ws.completed for ws in mine),
            published=video.published_at.strftime("%b %d, %Y"),
            last_watched=_aware(latest.session_end or latest.session_start).isoformat()
            if latest else "",
            href=f"/watch/{video.id}"))
    return cards

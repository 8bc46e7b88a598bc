"""Subscriptions with gated content: the tiers a school offers, subscriber-only videos and
courses, a simulated checkout, cancellation at the period's end and (simulated) renewal.

Tiers, in order: basic < premium < pro. Basic is the free membership (joining the school); a
creator may also offer premium and pro, each with a price per `PERIOD`
(`creators.settings["tiers"]`; unset = basic only). A video or course is subscriber-only when
its `metadata["required_tier"]` is "premium" or "pro" (anything else, or nothing, means as
before: public or members-only by `is_public`). A video in a gated course is *not* gated by
the course: gating a course locks the course page (its structure and progress) only, each
lesson video keeps its own rule.

The actor's tier in a school (`actor_tier`): None without an active `students` row; else the
tier of their active subscription to the creator's user while its period runs
(`expires_at` NULL or in the future), else basic. A period that ran out is settled by
`expire_due`: cancelled → back to basic (the free membership stays); not cancelled → renewed
(simulated auto-renew: no payment provider, the renewal always succeeds). Reads never write:
`actor_tier` (and the SQL mirror `REACHES_SQL`) already treat a due subscription the way
`expire_due` will settle it — cancelled means basic, otherwise the tier continues — so access
is right without a scheduler, and a GET (a media file, a feed page) never takes a row lock.
The write paths here (checkout, cancel, resume) settle the actor's own row first.

Checkout is simulated: `confirm=False` returns the summary (price, period, what it opens or,
for a downgrade, what it locks); `confirm=True` puts the subscription in place at once and
makes sure the student row is active (`schools.join_school`). After a confirmed checkout the
caller reloads its `Actor` (`accounts.load_actor`), as after joining a school.

Functions taking a school take `creator_id` = `creators.id` (the school), like
`schools.join_school`; the `subscriptions` table itself stores the creator's *user* id.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from chronos_app.core.errors import Conflict, Forbidden, Gated, InvalidInput, NotFound
from chronos_app.models import Course, Creator, Student, Subscription, User, Video
from chronos_app.models.base import utcnow
from chronos_app.schemas.accounts import Actor
from chronos_app.schemas.subscriptions import (
    CancelView,
    CheckoutView,
    GatedContent,
    SchoolOffer,
    TierOption,
)

TIERS = ("basic", "premium", "pro")
PAID_TIERS = TIERS[1:]
TIER_LABELS = {"basic": "Basic", "premium": "Premium", "pro": "Pro"}
PERIOD = timedelta(days=30)
PRICE_MAX_CENTS = 100_000
TITLES_MAX = 10

NO_SCHOOL = "That school does not exist."
NOT_MEMBER = "You are not a member of that school."

# "The actor reaches the tier video `v` requires" in SQL, bound to :actor_user and
# :actor_creator like `feed.VISIBLE_SQL`; mirrors `reaches(actor_tier(...),
# required_tier(video.meta))` with the owner always reaching. It says nothing about visibility:
# combine it with VISIBLE_SQL. `creator_user` is SQL for the school's user id. Never NULL.
_TIER_ARRAY = "ARRAY[" + ", ".join(f"'{t}'" for t in TIERS) + "]"


def reaches_sql(creator_user: str = "cr.user_id") -> str:
    paid = ", ".join(f"'{t}'" for t in PAID_TIERS)
    return f"""
    (coalesce(v.metadata->>'required_tier', '') NOT IN ({paid})
     OR v.creator_id IS NOT DISTINCT FROM CAST(:actor_creator AS uuid)
     OR EXISTS (SELECT 1 FROM students st
                JOIN subscriptions su ON su.subscriber_id = st.user_id
                                     AND su.creator_id = {creator_user}
                WHERE st.creator_id = v.creator_id AND st.is_active
                  AND st.user_id = CAST(:actor_user AS uuid) AND su.is_active
                  AND (su.expires_at IS NULL OR su.expires_at > now()
                       OR NOT su.cancel_at_period_end)
                  AND array_position({_TIER_ARRAY}, CAST(su.subscription_type AS text))
                      >= array_position({_TIER_ARRAY}, v.metadata->>'required_tier')))
"""


REACHES_SQL = reaches_sql()  # `v` = videos, `cr` = its creators row


# --- pure rules ---------------------------------------------------------------------------------

def tier_rank(tier: str | None) -> int:
    """0 basic, 1 premium, 2 pro; -1 for None (not a member) or anything unknown."""
    return TIERS.index(tier) if tier in TIERS else -1


def reaches(tier: str | None, required: str | None) -> bool:
    """Whether `tier` (None: not a member) opens content requiring `required` (None or
    anything but premium/pro: not gated)."""
    if required not in PAID_TIERS:
        return True
    return tier_rank(tier) >= tier_rank(required)


def required_tier(meta: Any) -> str | None:
    """The gate of a video's or course's metadata: "premium", "pro" or None."""
    value = meta.get("required_tier") if isinstance(meta, dict) else None
    return value if value in PAID_TIERS else None


def tier_label(tier: str | None) -> str:
    return TIER_LABELS.get(tier or "", "Not a member")


def price_label(cents: int) -> str:
    """"Free" for 0, else "$9.99"."""
    return "Free" if cents <= 0 else f"${cents / 100:,.2f}"


def count_label(videos: int, courses: int) -> str:
    """"3 videos and 1 course", "1 video", "2 courses", or ""."""
    parts = [f"{n} {word}{'' if n == 1 else 's'}"
             for n, word in ((videos, "video"), (courses, "course")) if n]
    return " and ".join(parts)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _now(now: datetime | None) -> datetime:
    return _aware(now) or utcnow()


def _date(moment: datetime | None) -> str:
    return moment.strftime("%b %d, %Y") if moment else ""


def renewed_until(expires_at: datetime, now: datetime) -> datetime:
    """The end of the period that contains `now` when a subscription ending at `expires_at`
    renews by whole `PERIOD`s (`expires_at` itself while it is still ahead)."""
    expires_at, now = _aware(expires_at), _aware(now)
    if expires_at > now:
        return expires_at
    return expires_at + PERIOD * ((now - expires_at) // PERIOD + 1)


def effective_tier(subscription: Subscription | None, *, member: bool,
                   now: datetime) -> str | None:
    """The tier a subscription gives now: None without membership, basic without a running
    paid subscription; a period that ran out counts as settled by `expire_due` (cancelled:
    basic; otherwise renewed, so the tier goes on)."""
    if not member:
        return None
    sub = subscription
    if sub is None or not sub.is_active or sub.subscription_type not in PAID_TIERS:
        return "basic"
    if sub.expires_at is None or _aware(sub.expires_at) > _aware(now):
        return sub.subscription_type
    return "basic" if sub.cancel_at_period_end else sub.subscription_type


def settle(subscription: Subscription, now: datetime) -> bool:
    """Apply what is due to one subscription (see `expire_due`); True when it changed."""
    sub, now = subscription, _now(now)
    if not sub.is_active or sub.subscription_type not in PAID_TIERS or sub.expires_at is None \
            or _aware(sub.expires_at) > now:
        return False
    if sub.cancel_at_period_end:
        sub.started_at = sub.expires_at
        sub.subscription_type = "basic"
        sub.expires_at = None
        sub.cancel_at_period_end = False
        sub.price_cents = 0
    else:
        end = renewed_until(sub.expires_at, now)
        sub.started_at, sub.expires_at = end - PERIOD, end
    return True


def _clean_price(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise InvalidInput("Give the price in cents, as a whole number.", field=field)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int):
        raise InvalidInput("Give the price in cents, as a whole number.", field=field)
    if not 0 <= value <= PRICE_MAX_CENTS:
        raise InvalidInput(f"Prices go from {price_label(0)} to {price_label(PRICE_MAX_CENTS)}.",
                           field=field)
    return value


def offered_tiers(settings: Any) -> dict[str, dict[str, Any]]:
    """A school's tiers from `creators.settings`: {tier: {"enabled", "price_cents"}}. Basic is
    always on and free; a paid tier counts as offered only when enabled with a price."""
    raw = settings.get("tiers") if isinstance(settings, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    tiers: dict[str, dict[str, Any]] = {"basic": {"enabled": True, "price_cents": 0}}
    for tier in PAID_TIERS:
        entry = raw.get(tier) if isinstance(raw.get(tier), dict) else {}
        price = entry.get("price_cents")
        price = price if isinstance(price, int) and not isinstance(price, bool) \
            and 0 <= price <= PRICE_MAX_CENTS else 0
        tiers[tier] = {"enabled": entry.get("enabled") is True and price > 0,
                       "price_cents": price}
    return tiers


# --- loading --------------------------------------------------------------------------------------

def _parse_id(value: Any) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, TypeError, AttributeError):
        return None


def _is_owner(actor: Actor | None, creator_id: uuid.UUID) -> bool:
    return actor is not None and actor.creator_id is not None and actor.creator_id == creator_id


def _school(session: Session, actor: Actor | None, creator_id: Any, *,
            lock: bool = False) -> Creator:
    """The school; `lock` takes a share lock on it, so the creator's `set_offer` (which locks
    it for update) and a checkout see each other's result, never a half."""
    cid = _parse_id(creator_id)
    creator = None
    if cid is not None and lock:
        creator = session.exec(select(Creator).where(Creator.id == cid)
                               .with_for_update(read=True)
                               .execution_options(populate_existing=True)).first()
    elif cid is not None:
        creator = session.get(Creator, cid)
    if creator is None or (not creator.is_active and not _is_owner(actor, creator.id)):
        raise NotFound(NO_SCHOOL)
    return creator


def school_name(session: Session, creator: Creator) -> str:
    if creator.name:
        return creator.name
    username = session.exec(select(User.username).where(User.id == creator.user_id)).first()
    return f"{username}'s school"


def _own_school(session: Session, actor: Actor | None) -> Creator:
    if actor is None or actor.creator_id is None:
        raise Forbidden("Only a school's creator can do that.")
    creator = session.exec(select(Creator).where(Creator.id == actor.creator_id)
                           .with_for_update()
                           .execution_options(populate_existing=True)).first()
    if creator is None:
        raise NotFound(NO_SCHOOL)
    return creator


def _membership(session: Session, actor: Actor, creator: Creator, *,
                lock: bool = False) -> tuple[bool, Subscription | None]:
    """(active student row?, the subscription row) of the actor in the school, from the
    database (the actor may be stale)."""
    member = session.exec(select(Student.id).where(
        Student.user_id == actor.user_id, Student.creator_id == creator.id,
        Student.is_active.is_(True))).first() is not None
    stmt = select(Subscription).where(Subscription.subscriber_id == actor.user_id,
                                      Subscription.creator_id == creator.user_id)
    if lock:
        stmt = stmt.with_for_update()
    return member, session.exec(stmt).first()


def tiers_by_school(*, session: Session, actor: Actor | None,
                    creator_ids: Iterable[uuid.UUID],
                    now: datetime | None = None) -> dict[uuid.UUID, str | None]:
    """The actor's tier in each school (None: not a member; the owner is no member), in one
    query."""
    ids = list(dict.fromkeys(creator_ids))
    tiers: dict[uuid.UUID, str | None] = dict.fromkeys(ids)
    if actor is None or not ids:
        return tiers
    now = _now(now)
    rows = session.exec(
        select(Student.creator_id, Subscription)
        .join(Creator, Creator.id == Student.creator_id)
        .outerjoin(Subscription, (Subscription.subscriber_id == Student.user_id)
                   & (Subscription.creator_id == Creator.user_id))
        .where(Student.user_id == actor.user_id, Student.is_active.is_(True),
               Student.creator_id.in_(ids))).all()
    for creator_id, sub in rows:
        tiers[creator_id] = effective_tier(sub, member=True, now=now)
    return tiers


def actor_tier(*, session: Session, actor: Actor | None, creator_id: uuid.UUID | str,
               now: datetime | None = None) -> str | None:
    """The actor's tier in the school: "basic", "premium", "pro", or None when they are not
    an active member (the school's owner included; the owner sees everything anyway)."""
    cid = _parse_id(creator_id)
    if cid is None:
        return None
    return tiers_by_school(session=session, actor=actor, creator_ids=[cid], now=now)[cid]


def locked_tiers(*, session: Session, actor: Actor | None, creator_id: uuid.UUID | str,
                 now: datetime | None = None) -> list[str]:
    """The paid tiers whose content the actor may not open in the school ([] for the owner)."""
    cid = _parse_id(creator_id)
    if cid is not None and _is_owner(actor, cid):
        return []
    tier = actor_tier(session=session, actor=actor, creator_id=creator_id, now=now)
    return [t for t in PAID_TIERS if not reaches(tier, t)]


def video_gate(*, session: Session, actor: Actor | None, video: Video,
               now: datetime | None = None) -> str | None:
    """The tier the actor lacks to watch `video`: None when they may watch it, and None when
    they may not see it at all for other reasons (unpublished, members-only, ...)."""
    from chronos_app.services.media import can_list_video  # media imports this module

    if not can_list_video(session=session, actor=actor, video=video) \
            or _is_owner(actor, video.creator_id):
        return None
    required = required_tier(video.meta)
    if required is None:
        return None
    tier = actor_tier(session=session, actor=actor, creator_id=video.creator_id, now=now)
    return None if reaches(tier, required) else required


def course_gate(*, session: Session, actor: Actor | None, course: Course,
                now: datetime | None = None) -> str | None:
    """The tier the actor lacks to open `course` (None for the owner or an open course; its
    visibility is the caller's business)."""
    if _is_owner(actor, course.creator_id):
        return None
    required = required_tier(course.meta)
    if required is None:
        return None
    tier = actor_tier(session=session, actor=actor, creator_id=course.creator_id, now=now)
    return None if reaches(tier, required) else required


def gated_error(session: Session, *, creator_id: uuid.UUID, required: str,
                actor: Actor | None = None, video_title: str = "",
                course_title: str = "") -> Gated:
    """The `Gated` error for content of the school that needs `required`."""
    creator = session.get(Creator, creator_id)
    school = school_name(session, creator) if creator is not None else ""
    current = actor_tier(session=session, actor=actor, creator_id=creator_id) or ""
    what = video_title or course_title
    return Gated(f"“{what}” is for {tier_label(required)} subscribers of {school}. "
                 f"Subscribe to {tier_label(required)} to open it.",
                 creator_id=str(creator_id), required_tier=required, school_name=school,
                 video_title=video_title, course_title=course_title, current_tier=current)


# --- content behind the tiers ------------------------------------------------------------------

def _gated_rows(session: Session, creator_id: uuid.UUID, tiers: Sequence[str], *,
                published_only: bool = True) -> tuple[list[tuple[str, str]],
                                                      list[tuple[str, str]]]:
    """([(title, required_tier)] of videos, the same of courses) of the school gated at one of
    `tiers`: newest videos first, courses by title."""
    if not tiers:
        return [], []
    video_tier = Video.meta["required_tier"].astext
    course_tier = Course.meta["required_tier"].astext
    videos = select(Video.title, video_tier).where(
        Video.creator_id == creator_id, Video.is_deleted.is_(False), video_tier.in_(list(tiers)))
    courses = select(Course.title, course_tier).where(
        Course.creator_id == creator_id, Course.is_deleted.is_(False),
        course_tier.in_(list(tiers)))
    if published_only:
        videos = videos.where(Video.published_at.is_not(None))
        courses = courses.where(Course.is_published.is_(True))
    return (list(session.exec(videos.order_by(Video.published_at.desc(), Video.id)).all()),
            list(session.exec(courses.order_by(Course.title, Course.id)).all()))


def _content(videos: Sequence[tuple[str, str]],
             courses: Sequence[tuple[str, str]]) -> GatedContent:
    titles = [title for title, _ in courses] + [title for title, _ in videos]
    return GatedContent(video_count=len(videos), course_count=len(courses),
                        titles=titles[:TITLES_MAX], more=max(0, len(titles) - TITLES_MAX),
                        label=count_label(len(videos), len(courses)))


def gated_content(*, session: Session, creator_id: uuid.UUID, above: str | None,
                  upto: str) -> GatedContent:
    """The school's published subscriber-only content that a tier above `above` (None: not a
    member) up to `upto` opens: what subscribing unlocks, or what cancelling locks."""
    tiers = [t for t in PAID_TIERS if tier_rank(above) < tier_rank(t) <= tier_rank(upto)]
    return _content(*_gated_rows(session, creator_id, tiers))


def _active_paid(session: Session, creator: Creator, now: datetime) -> dict[str, int]:
    """Subscribers per paid tier whose subscription still gives it."""
    rows = session.exec(
        select(Subscription.subscription_type, func.count(Subscription.id))
        .join(Student, (Student.user_id == Subscription.subscriber_id)
              & (Student.creator_id == creator.id))
        .where(Subscription.creator_id == creator.user_id, Subscription.is_active.is_(True),
               Student.is_active.is_(True), Subscription.subscription_type.in_(PAID_TIERS),
               Subscription.expires_at.is_(None) | (Subscription.expires_at > now)
               | Subscription.cancel_at_period_end.is_(False))
        .group_by(Subscription.subscription_type)).all()
    return {tier: int(n) for tier, n in rows}


# --- the offer ------------------------------------------------------------------------------------

def _action(tier: str, current: str | None, enabled: bool, owner: bool) -> str:
    if owner or not enabled or tier == current:
        return ""
    if tier == "basic":
        return "join" if current is None else ""  # a paid tier goes back to basic by cancelling
    if current in (None, "basic"):
        return "subscribe"
    return "upgrade" if tier_rank(tier) > tier_rank(current) else "downgrade"


def offer(*, session: Session, actor: Actor | None, creator_id: uuid.UUID | str,
          now: datetime | None = None) -> SchoolOffer:
    """The school's tiers, what each opens, and where the actor stands (anyone may look)."""
    now = _now(now)
    creator = _school(session, actor, creator_id)
    owner = _is_owner(actor, creator.id)
    tiers = offered_tiers(creator.settings)
    member, sub = _membership(session, actor, creator) if actor is not None else (False, None)
    current = effective_tier(sub, member=member, now=now)
    paid = current in PAID_TIERS
    cancelling = paid and bool(sub.cancel_at_period_end)
    ends = None
    if paid and sub.expires_at is not None:
        ends = renewed_until(sub.expires_at, now)
    videos, courses = _gated_rows(session, creator.id, PAID_TIERS)
    counts = _active_paid(session, creator, now) if owner else {}
    members = 0
    if owner:
        members = session.exec(select(func.count(Student.id)).where(
            Student.creator_id == creator.id, Student.is_active.is_(True))).one()
    options = []
    for tier in TIERS:
        rank = tier_rank(tier)
        n_videos = sum(1 for _, t in videos if tier_rank(t) <= rank)
        n_courses = sum(1 for _, t in courses if tier_rank(t) <= rank)
        if tier == "basic":
            unlocks = "The school's lessons for members"
        elif n_videos or n_courses:
            unlocks = f"Everything in Basic, plus {count_label(n_videos, n_courses)} " \
                      f"for subscribers"
        else:
            unlocks = "Everything in Basic (no subscriber-only lessons yet)"
        entry = tiers[tier]
        options.append(TierOption(
            tier=tier, label=tier_label(tier), enabled=entry["enabled"],
            price_cents=entry["price_cents"], price_label=price_label(entry["price_cents"]),
            period_label=f"every {PERIOD.days} days" if tier != "basic" else "",
            video_count=n_videos, course_count=n_courses, unlocks=unlocks,
            is_current=tier == current,
            included=owner or (current is not None and reaches(current, tier)),
            action=_action(tier, current, entry["enabled"], owner),
            subscribers=(counts.get(tier, 0) if tier != "basic"
                         else max(0, int(members) - sum(counts.values()))) if owner else 0))
    if owner:
        status = "You run this school"
    elif current is None:
        status = "Not a member"
    elif not paid:
        status = "Basic membership"
    elif ends is None:
        status = f"{tier_label(current)}"
    elif cancelling:
        status = f"{tier_label(current)} · ends on {_date(ends)}, then Basic"
    else:
        status = f"{tier_label(current)} · renews on {_date(ends)}"
    return SchoolOffer(
        creator_id=str(creator.id), school_name=school_name(session, creator),
        owner_username=session.exec(select(User.username)
                                    .where(User.id == creator.user_id)).first() or "",
        is_owner=owner, is_member=member, current_tier=current or "",
        current_label=tier_label(current),
        price_cents=sub.price_cents if paid else 0,
        price_label=price_label(sub.price_cents if paid else 0),
        started=_date(ends - PERIOD) if ends is not None else "",
        expires_at=_date(ends), expires_at_iso=ends.isoformat() if ends else "",
        cancel_at_period_end=cancelling, status=status, period_days=PERIOD.days,
        tiers=options)


def set_offer(*, session: Session, actor: Actor, premium_enabled: bool,
              premium_price_cents: int, pro_enabled: bool, pro_price_cents: int,
              now: datetime | None = None) -> SchoolOffer:
    """Set which paid tiers the actor's school offers and their prices (cents per period,
    0..100000; an offered tier needs a price above 0). Turning a tier off is refused while it
    has active subscribers, or while content requires it and no higher tier stays on."""
    now = _now(now)
    creator = _own_school(session, actor)
    wanted = {
        "premium": (bool(premium_enabled), _clean_price(premium_price_cents,
                                                        "premium_price_cents")),
        "pro": (bool(pro_enabled), _clean_price(pro_price_cents, "pro_price_cents")),
    }
    for tier, (enabled, price) in wanted.items():
        if enabled and price <= 0:
            raise InvalidInput(f"Give {tier_label(tier)} a price above $0.00 to offer it.",
                               field=f"{tier}_price_cents")
    before = offered_tiers(creator.settings)
    subscribers = _active_paid(session, creator, now)
    for tier, (enabled, _) in wanted.items():
        n = subscribers.get(tier, 0)
        if before[tier]["enabled"] and not enabled and n:
            raise Conflict(
                f"{n} student{' has' if n == 1 else 's have'} an active {tier_label(tier)} "
                f"subscription. You can stop offering {tier_label(tier)} once "
                f"{'it has' if n == 1 else 'they have'} ended (subscribers can cancel; access "
                f"lasts to the end of the period they paid for).",
                field=f"{tier}_enabled", details=[str(n)])
    highest = max(tier_rank(t) for t in TIERS if t == "basic" or wanted[t][0])
    stranded = [t for t in PAID_TIERS if tier_rank(t) > highest]
    videos, courses = _gated_rows(session, creator.id, stranded, published_only=False)
    if videos or courses:
        tier = max((t for _, t in videos + courses), key=tier_rank)
        raise Conflict(
            f"{count_label(len(videos), len(courses)).capitalize()} "
            f"{'is' if len(videos) + len(courses) == 1 else 'are'} for "
            f"{tier_label(tier)} subscribers, and no tier that opens "
            f"{'it' if len(videos) + len(courses) == 1 else 'them'} would be left. Open "
            f"{'it' if len(videos) + len(courses) == 1 else 'them'} to members or move "
            f"{'it' if len(videos) + len(courses) == 1 else 'them'} to a tier you offer first.",
            field=f"{tier}_enabled", details=[title for title, _ in courses + videos][:TITLES_MAX])
    creator.settings = {**(creator.settings or {}), "tiers": {
        "basic": {"enabled": True, "price_cents": 0},
        **{tier: {"enabled": enabled, "price_cents": price}
           for tier, (enabled, price) in wanted.items()}}}
    session.add(creator)
    session.flush()
    return offer(session=session, actor=actor, creator_id=creator.id, now=now)


def _clean_gate(value: Any, creator: Creator) -> str | None:
    tier = value.strip().lower() if isinstance(value, str) else value
    if tier in (None, ""):
        return None
    if tier not in PAID_TIERS:
        raise InvalidInput("Choose premium or pro, or nothing to open it to everyone who can "
                           "see it.", field="tier", details=list(PAID_TIERS))
    if not offered_tiers(creator.settings)[tier]["enabled"]:
        raise InvalidInput(f"Your school does not offer {tier_label(tier)}. Turn it on in "
                           f"your subscription tiers first.", field="tier")
    return tier


def _with_gate(meta: Any, tier: str | None) -> dict[str, Any]:
    meta = {k: v for k, v in (meta or {}).items() if k != "required_tier"}
    if tier is not None:
        meta["required_tier"] = tier
    return meta


def set_video_tier(*, session: Session, actor: Actor, video_id: uuid.UUID | str,
                   tier: str | None) -> str:
    """Make one of the actor's videos subscriber-only ("premium", "pro") or open again (None
    or ""). Returns the stored gate ("" = open)."""
    creator = _own_school(session, actor)
    vid = _parse_id(video_id)
    video = session.get(Video, vid) if vid is not None else None
    if video is None or video.is_deleted or video.creator_id != creator.id:
        raise NotFound("That video does not exist.")
    gate = _clean_gate(tier, creator)
    video.meta = _with_gate(video.meta, gate)
    session.add(video)
    session.flush()
    return gate or ""


def set_course_tier(*, session: Session, actor: Actor, course_id: uuid.UUID | str,
                    tier: str | None) -> str:
    """Make one of the actor's courses subscriber-only or open again; see `set_video_tier`.
    The course's lesson videos keep their own gates."""
    creator = _own_school(session, actor)
    cid = _parse_id(course_id)
    course = session.get(Course, cid) if cid is not None else None
    if course is None or course.is_deleted or course.creator_id != creator.id:
        raise NotFound("That course does not exist.")
    gate = _clean_gate(tier, creator)
    course.meta = _with_gate(course.meta, gate)
    session.add(course)
    session.flush()
    return gate or ""


# --- checkout, cancel, resume ------------------------------------------------------------------

def checkout(*, session: Session, actor: Actor, creator_id: uuid.UUID | str, tier: str,
             confirm: bool, now: datetime | None = None) -> CheckoutView:
    """A simulated checkout of `tier` in the school. `confirm=False`: the summary only.
    `confirm=True`: the subscription starts now (a paid tier for `PERIOD`, renewing until
    cancelled) and the student row is active. `Forbidden` in your own school, `InvalidInput`
    for a tier the school does not offer, `Conflict` for the tier you already have (or basic
    while on a paid tier: cancel instead)."""
    from chronos_app.services import schools  # schools -> accounts; keep imports light

    now = _now(now)
    creator = _school(session, actor, creator_id, lock=confirm)
    if not creator.is_active:
        raise NotFound(NO_SCHOOL)
    if _is_owner(actor, creator.id):
        raise Forbidden("You run this school; you cannot subscribe to it.")
    tier = tier.strip().lower() if isinstance(tier, str) else ""
    if tier not in TIERS:
        raise InvalidInput("Choose basic, premium or pro.", field="tier", details=list(TIERS))
    school = school_name(session, creator)
    offered = offered_tiers(creator.settings)[tier]
    if not offered["enabled"]:
        raise InvalidInput(f"{school} does not offer {tier_label(tier)}.", field="tier")
    member, sub = _membership(session, actor, creator, lock=confirm)
    current = effective_tier(sub, member=member, now=now)
    if current == tier:
        hint = ""
        if tier in PAID_TIERS and sub.cancel_at_period_end:
            hint = " It is cancelled; resume it to keep it past the end of the period."
        raise Conflict(f"You already have {tier_label(tier)} in {school}.{hint}")
    if tier == "basic" and current in PAID_TIERS:
        raise Conflict(f"You have {tier_label(current)}: cancel it to go back to Basic at the "
                       f"end of the period you paid for.")
    paid = tier in PAID_TIERS
    if tier == "basic":
        action = "join"
    elif current in (None, "basic"):
        action = "subscribe"
    else:
        action = "upgrade" if tier_rank(tier) > tier_rank(current) else "downgrade"
    ends = now + PERIOD if paid else None
    unlocks = gated_content(session=session, creator_id=creator.id, above=current, upto=tier)
    locks = gated_content(session=session, creator_id=creator.id, above=tier,
                          upto=current) if action == "downgrade" else GatedContent()
    price = offered["price_cents"]
    if paid:
        summary = (f"{tier_label(tier)} in {school}: {price_label(price)} every {PERIOD.days} "
                   f"days, renewing automatically until you cancel. Starts now, first period "
                   f"until {_date(ends)}.")
        if unlocks.label:
            summary += f" Opens {unlocks.label}."
        if locks.label:
            summary += f" You lose {locks.label} of {tier_label(current)}."
    else:
        summary = f"Join {school} for free: every lesson for members, no payment."
    view = CheckoutView(
        creator_id=str(creator.id), school_name=school, tier=tier, tier_label=tier_label(tier),
        action=action, current_tier=current or "", current_label=tier_label(current),
        price_cents=price, price_label=price_label(price), period_days=PERIOD.days,
        period_label=f"every {PERIOD.days} days" if paid else "", renews=paid,
        expires_at=_date(ends), expires_at_iso=ends.isoformat() if ends else "",
        unlocks=unlocks, locks=locks, summary=summary)
    if not confirm:
        return view
    schools.join_school(session=session, actor=actor, creator_id=creator.id)
    if paid:
        _, sub = _membership(session, actor, creator, lock=True)
        sub.subscription_type = tier
        sub.is_active = True
        sub.started_at, sub.expires_at = now, ends
        sub.cancel_at_period_end = False
        sub.price_cents = price
        session.add(sub)
        session.flush()
    view.confirmed = True
    view.message = (f"You're now {tier_label(tier)} in {school} until {_date(ends)}; it "
                    f"renews automatically." if paid else f"Welcome to {school}!")
    return view


def _paid_subscription(session: Session, actor: Actor, creator: Creator,
                       now: datetime) -> Subscription:
    """The actor's settled paid subscription in the school, locked; `NotFound` for a
    non-member, `Conflict` when they only have the free membership."""
    if _is_owner(actor, creator.id):
        raise Forbidden("You run this school; you have no subscription to it.")
    member, sub = _membership(session, actor, creator, lock=True)
    if not member:
        raise NotFound(NOT_MEMBER)
    if sub is not None and settle(sub, now):
        session.add(sub)
        session.flush()
    if effective_tier(sub, member=True, now=now) not in PAID_TIERS:
        raise Conflict("You have the free Basic membership: there is no subscription to "
                       "cancel. Leave the school to end your membership.")
    return sub


def cancel(*, session: Session, actor: Actor, creator_id: uuid.UUID | str,
           confirm: bool = True, now: datetime | None = None) -> CancelView:
    """Cancel the actor's paid tier at the end of its period: access stays until then, then
    they are Basic members. `confirm=False` only returns the warning (what will be locked and
    when)."""
    now = _now(now)
    creator = _school(session, actor, creator_id)
    sub = _paid_subscription(session, actor, creator, now)
    tier, school = sub.subscription_type, school_name(session, creator)
    if sub.cancel_at_period_end:
        raise Conflict(f"Your {tier_label(tier)} subscription is already cancelled; it ends on "
                       f"{_date(_aware(sub.expires_at))}.")
    ends = _aware(sub.expires_at) or now  # a paid tier without a period ends right away
    lost = gated_content(session=session, creator_id=creator.id, above="basic", upto=tier)
    summary = (f"Your {tier_label(tier)} access to {school} lasts until {_date(ends)}. "
               f"Then you keep the free Basic membership")
    summary += f" and lose {lost.label}." if lost.label else "."
    view = CancelView(creator_id=str(creator.id), school_name=school, tier=tier,
                      tier_label=tier_label(tier), effective=_date(ends),
                      effective_iso=ends.isoformat(), lost=lost, summary=summary)
    if not confirm:
        return view
    sub.cancel_at_period_end = True
    sub.expires_at = ends
    session.add(sub)
    session.flush()
    view.confirmed = True
    view.message = (f"{tier_label(tier)} is cancelled. You keep it until {_date(ends)}, then "
                    f"you are a Basic member.")
    return view


def resume(*, session: Session, actor: Actor, creator_id: uuid.UUID | str,
           now: datetime | None = None) -> SchoolOffer:
    """Undo a cancellation before the period ends: the tier renews again."""
    now = _now(now)
    creator = _school(session, actor, creator_id)
    sub = _paid_subscription(session, actor, creator, now)
    if not sub.cancel_at_period_end:
        raise Conflict(f"Your {tier_label(sub.subscription_type)} subscription is not "
                       f"cancelled.")
    sub.cancel_at_period_end = False
    session.add(sub)
    session.flush()
    return offer(session=session, actor=actor, creator_id=creator.id, now=now)


def expire_due(*, session: Session, now: datetime | None = None) -> int:
    """Settle every paid subscription whose period has ended by `now`: a cancelled one falls
    back to basic (no period; the membership stays), any other renews (simulated) by whole
    periods until its end is after `now`. Returns how many changed; running it again changes
    nothing. Rows another transaction holds are left for the next run."""
    now = _now(now)
    rows = session.exec(
        select(Subscription)
        .where(Subscription.is_active.is_(True), Subscription.subscription_type.in_(PAID_TIERS),
               Subscription.expires_at.is_not(None), Subscription.expires_at <= now)
        .with_for_update(skip_locked=True)).all()
    changed = 0
    for sub in rows:
        if settle(sub, now):
            session.add(sub)
            changed += 1
    session.flush()
    return changed

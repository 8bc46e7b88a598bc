"""Subscriptions with gated content: tiers a school offers, the gate on subscriber-only videos
and courses, the simulated checkout, cancellation at the period's end, renewal, and that no
other path (retrieval, feed, search, learning, profiles) leaks gated content. Each test runs in
a rolled-back transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from chronos_app.ai.local_embedder import LocalEmbedder
from chronos_app.core.errors import Conflict, Forbidden, Gated, InvalidInput, NotFound
from chronos_app.models import (
    Course,
    CourseModule,
    ModuleLesson,
    Student,
    Subscription,
    Video,
    VideoChunk,
    VideoSegment,
)
from chronos_app.schemas.accounts import Actor
from chronos_app.services import (
    accounts,
    feed,
    learning,
    retrieval,
    schools,
    search,
    social,
    subscriptions,
    watch,
)
from chronos_app.services.media import can_list_video, can_view_video
from chronos_app.services.subscriptions import PERIOD
from tests.factories import creator_row, make_creator, make_student, make_user, make_video, unique

NOW = datetime.now(UTC).replace(microsecond=0)
PUBLISHED = NOW - timedelta(days=1)
EMBEDDER = LocalEmbedder()

OPEN_TEXT = ["Knead the dough for ten minutes until it is smooth and springs back."]
PREMIUM_TEXT = ["The secret lamination technique folds cold butter into the dough three times."]
PRO_TEXT = ["Professional bakers proof croissants at twenty six degrees for two hours."]


def reload(session: Session, actor: Actor) -> Actor:
    return accounts.load_actor(session=session, user_id=actor.user_id)


def subscription(session: Session, student: Actor, owner: Actor) -> Subscription:
    return session.exec(select(Subscription).where(
        Subscription.subscriber_id == student.user_id,
        Subscription.creator_id == owner.user_id)).one()


def student_active(session: Session, student: Actor, owner: Actor) -> bool:
    row = session.exec(select(Student).where(Student.user_id == student.user_id,
                                             Student.creator_id == owner.creator_id)).one()
    return row.is_active


def add_chunks(session: Session, video: Video, texts: list[str]) -> None:
    vectors = EMBEDDER.embed(texts)
    session.add_all(VideoChunk(video_id=video.id, chunk_index=i, chunk_text=t,
                               embedding=vec, embedding_model=EMBEDDER.model,
                               start_time_seconds=30.0 * i, end_time_seconds=30.0 * i + 29,
                               word_count=len(t.split()))
                    for i, (t, vec) in enumerate(zip(texts, vectors, strict=True)))
    session.flush()


def add_segments(session: Session, video: Video, *texts: str) -> None:
    session.add_all(VideoSegment(video_id=video.id, segment_index=i, start_seconds=i * 10.0,
                                 end_seconds=i * 10.0 + 10, text=t) for i, t in enumerate(texts))
    session.flush()


def make_course(session: Session, owner: Actor, title: str, videos: list[Video],
                tier: str | None = None) -> Course:
    course = Course(creator_id=owner.creator_id, title=title, is_published=True,
                    published_at=PUBLISHED, meta={"required_tier": tier} if tier else {})
    session.add(course)
    session.flush()
    module = CourseModule(course_id=course.id, title="Module 1")
    session.add(module)
    session.flush()
    session.add_all(ModuleLesson(module_id=module.id, video_id=v.id, lesson_order=i + 1)
                    for i, v in enumerate(videos))
    session.flush()
    return course


@dataclass
class School:
    owner: Actor
    basic: Actor          # joined the school: the free membership
    stranger: Actor       # no membership
    tag: str              # on every video, for an isolated tag feed
    open: Video           # members only, not gated
    premium: Video        # members only, premium
    pro: Video            # members only, pro
    public_premium: Video  # public, premium
    open_course: Course    # lessons: open, premium
    premium_course: Course  # gated premium, lesson: open


@pytest.fixture
def school(session: Session) -> School:
    owner = make_creator(session, name="Crumb Academy")
    subscriptions.set_offer(session=session, actor=owner, premium_enabled=True,
                            premium_price_cents=999, pro_enabled=True, pro_price_cents=2499)
    tag = unique("tag")

    def video(title: str, chunks: list[str], tier: str | None, public: bool = False) -> Video:
        made = make_video(session, owner, title=title, published_at=PUBLISHED, is_public=public,
                          tags=[tag])
        add_chunks(session, made, chunks)
        if tier:
            subscriptions.set_video_tier(session=session, actor=owner, video_id=made.id,
                                         tier=tier)
        return made

    open_ = video("Kneading basics", OPEN_TEXT, None)
    premium = video("Lamination secrets", PREMIUM_TEXT, "premium")
    pro = video("Croissant proofing", PRO_TEXT, "pro")
    public_premium = video("Sourdough masterclass", [], "premium", public=True)
    open_course = make_course(session, owner, "Bread 101", [open_, premium])
    premium_course = make_course(session, owner, "Viennoiserie", [open_])
    subscriptions.set_course_tier(session=session, actor=owner, course_id=premium_course.id,
                                  tier="premium")
    return School(owner=owner, basic=make_student(session, owner), stranger=make_user(session),
                  tag=tag, open=open_, premium=premium, pro=pro, public_premium=public_premium,
                  open_course=open_course, premium_course=premium_course)


def subscribe(session: Session, student: Actor, school: School, tier: str,
              now: datetime | None = None) -> Actor:
    view = subscriptions.checkout(session=session, actor=student,
                                  creator_id=school.owner.creator_id, tier=tier, confirm=True,
                                  now=now)
    assert view.confirmed
    return reload(session, student)


# --- pure rules ---------------------------------------------------------------------------------

def test_tier_order_and_reach():
    assert subscriptions.TIERS == ("basic", "premium", "pro")
    assert [subscriptions.tier_rank(t) for t in ("basic", "premium", "pro", None, "gold")] \
        == [0, 1, 2, -1, -1]
    assert subscriptions.reaches("pro", "premium") and subscriptions.reaches("premium", "premium")
    assert not subscriptions.reaches("basic", "premium") and not subscriptions.reaches(None, "pro")
    assert subscriptions.reaches(None, None) and subscriptions.reaches("basic", "gold")
    assert subscriptions.required_tier({"required_tier": "pro"}) == "pro"
    assert subscriptions.required_tier({"required_tier": "basic"}) is None
    assert subscriptions.required_tier(None) is None
    assert subscriptions.price_label(0) == "Free" and subscriptions.price_label(999) == "$9.99"
    assert subscriptions.count_label(3, 1) == "3 videos and 1 course"
    assert subscriptions.count_label(0, 0) == ""


def test_renewed_until_catches_up_by_whole_periods():
    end = NOW - timedelta(days=1)
    assert subscriptions.renewed_until(NOW + timedelta(days=3), NOW) == NOW + timedelta(days=3)
    assert subscriptions.renewed_until(end, NOW) == end + PERIOD
    assert subscriptions.renewed_until(end, NOW + 2 * PERIOD) == end + 3 * PERIOD
    assert subscriptions.renewed_until(NOW, NOW) == NOW + PERIOD


# --- the offer ----------------------------------------------------------------------------------

def test_offer_defaults_to_basic_only(session):
    owner = make_creator(session)
    view = subscriptions.offer(session=session, actor=make_user(session),
                               creator_id=owner.creator_id)
    enabled = {t.tier: t.enabled for t in view.tiers}
    assert enabled == {"basic": True, "premium": False, "pro": False}
    assert view.current_tier == "" and view.status == "Not a member"
    assert [t.action for t in view.tiers] == ["join", "", ""]
    assert view.tiers[0].price_label == "Free"


def test_offer_shows_tiers_unlocks_and_the_actors_standing(session, school):
    view = subscriptions.offer(session=session, actor=school.basic,
                               creator_id=school.owner.creator_id)
    by_tier = {t.tier: t for t in view.tiers}
    assert view.current_tier == "basic" and view.is_member and view.status == "Basic membership"
    assert by_tier["premium"].price_label == "$9.99" and by_tier["pro"].price_cents == 2499
    # Premium opens the 2 premium videos and the premium course; pro also the pro video.
    assert (by_tier["premium"].video_count, by_tier["premium"].course_count) == (2, 1)
    assert (by_tier["pro"].video_count, by_tier["pro"].course_count) == (3, 1)
    assert [t.action for t in view.tiers] == ["", "subscribe", "subscribe"]
    assert by_tier["basic"].is_current and by_tier["basic"].included
    assert not by_tier["premium"].included
    mine = subscriptions.offer(session=session, actor=school.owner,
                               creator_id=school.owner.creator_id)
    assert mine.is_owner and all(t.included and t.action == "" for t in mine.tiers)
    assert {t.tier: t.subscribers for t in mine.tiers} == {"basic": 1, "premium": 0, "pro": 0}


# --- gating -------------------------------------------------------------------------------------

def test_basic_member_sees_a_gate_not_the_premium_video(session, school):
    with pytest.raises(Gated) as caught:
        watch.watch_view(session=session, actor=school.basic, video_id=school.premium.id)
    gate = caught.value
    assert gate.required_tier == "premium" and gate.video_title == "Lamination secrets"
    assert gate.school_name == "Crumb Academy" and gate.current_tier == "basic"
    assert gate.creator_id == str(school.owner.creator_id)
    assert not can_view_video(session=session, actor=school.basic, video=school.premium)
    assert can_list_video(session=session, actor=school.basic, video=school.premium)
    assert subscriptions.video_gate(session=session, actor=school.basic,
                                    video=school.premium) == "premium"
    # Every watch action says the same; the open video plays.
    with pytest.raises(Gated):
        watch.start_watch(session=session, actor=school.basic, video_id=school.premium.id)
    with pytest.raises(Gated):
        watch.toggle_video_like(session=session, actor=school.basic, video_id=school.pro.id)
    assert watch.watch_view(session=session, actor=school.basic,
                            video_id=school.open.id).title == "Kneading basics"


def test_premium_pro_and_owner_may_watch(session, school):
    premium = subscribe(session, make_student(session, school.owner), school, "premium")
    pro = subscribe(session, make_student(session, school.owner), school, "pro")
    assert watch.watch_view(session=session, actor=premium, video_id=school.premium.id).id \
        == str(school.premium.id)
    with pytest.raises(Gated) as caught:
        watch.watch_view(session=session, actor=premium, video_id=school.pro.id)
    assert caught.value.required_tier == "pro" and caught.value.current_tier == "premium"
    for video in (school.premium, school.pro, school.public_premium):
        assert can_view_video(session=session, actor=pro, video=video)
        assert can_view_video(session=session, actor=school.owner, video=video)
        assert subscriptions.video_gate(session=session, actor=pro, video=video) is None
    assert watch.watch_view(session=session, actor=school.owner,
                            video_id=school.pro.id).is_owner


def test_strangers_get_not_found_for_members_only_and_a_gate_for_public_gated(session, school):
    with pytest.raises(NotFound):
        watch.watch_view(session=session, actor=school.stranger, video_id=school.premium.id)
    assert subscriptions.video_gate(session=session, actor=school.stranger,
                                    video=school.premium) is None
    with pytest.raises(Gated) as caught:
        watch.watch_view(session=session, actor=school.stranger,
                         video_id=school.public_premium.id)
    assert caught.value.current_tier == "" and caught.value.required_tier == "premium"


# --- checkout -----------------------------------------------------------------------------------

def test_checkout_summary_changes_nothing(session, school):
    view = subscriptions.checkout(session=session, actor=school.basic,
                                  creator_id=school.owner.creator_id, tier="premium",
                                  confirm=False, now=NOW)
    assert not view.confirmed and view.action == "subscribe" and view.current_tier == "basic"
    assert view.price_cents == 999 and view.price_label == "$9.99" and view.renews
    assert view.period_days == 30 and view.expires_at_iso == (NOW + PERIOD).isoformat()
    assert view.unlocks.video_count == 2 and view.unlocks.course_count == 1
    assert view.unlocks.titles[0] == "Viennoiserie"
    assert set(view.unlocks.titles[1:]) == {"Lamination secrets", "Sourdough masterclass"}
    assert "$9.99 every 30 days" in view.summary
    assert subscriptions.actor_tier(session=session, actor=school.basic,
                                    creator_id=school.owner.creator_id) == "basic"
    assert subscription(session, school.basic, school.owner).subscription_type == "basic"


def test_confirmed_checkout_creates_subscription_and_membership(session, school):
    view = subscriptions.checkout(session=session, actor=school.stranger,
                                  creator_id=school.owner.creator_id, tier="premium",
                                  confirm=True, now=NOW)
    assert view.confirmed and view.action == "subscribe" and "Premium" in view.message
    sub = subscription(session, school.stranger, school.owner)
    assert (sub.subscription_type, sub.is_active, sub.price_cents, sub.cancel_at_period_end) \
        == ("premium", True, 999, False)
    assert sub.started_at == NOW and sub.expires_at == NOW + PERIOD
    assert student_active(session, school.stranger, school.owner)
    member = reload(session, school.stranger)
    assert school.owner.creator_id in member.student_of
    assert can_view_video(session=session, actor=member, video=school.premium)
    offer = subscriptions.offer(session=session, actor=member,
                                creator_id=school.owner.creator_id, now=NOW)
    assert offer.current_tier == "premium" and offer.expires_at_iso == (NOW + PERIOD).isoformat()
    assert offer.status.startswith("Premium · renews on")
    assert [t.action for t in offer.tiers] == ["", "", "upgrade"]


def test_double_subscribe_disabled_tier_own_school_and_basic_while_paid(session, school):
    member = subscribe(session, school.basic, school, "premium")
    with pytest.raises(Conflict):
        subscriptions.checkout(session=session, actor=member, creator_id=school.owner.creator_id,
                               tier="premium", confirm=True)
    with pytest.raises(Conflict):  # back to basic is a cancellation
        subscriptions.checkout(session=session, actor=member, creator_id=school.owner.creator_id,
                               tier="basic", confirm=False)
    with pytest.raises(Forbidden):
        subscriptions.checkout(session=session, actor=school.owner,
                               creator_id=school.owner.creator_id, tier="pro", confirm=True)
    with pytest.raises(InvalidInput):
        subscriptions.checkout(session=session, actor=member, creator_id=school.owner.creator_id,
                               tier="gold", confirm=False)
    plain = make_creator(session)  # offers basic only
    with pytest.raises(InvalidInput):
        subscriptions.checkout(session=session, actor=member, creator_id=plain.creator_id,
                               tier="premium", confirm=True)
    with pytest.raises(NotFound):
        subscriptions.checkout(session=session, actor=member, creator_id="not-a-school",
                               tier="premium", confirm=True)


def test_joining_basic_through_checkout_and_upgrading_downgrading(session, school):
    joined = subscriptions.checkout(session=session, actor=school.stranger,
                                    creator_id=school.owner.creator_id, tier="basic",
                                    confirm=True)
    assert joined.action == "join" and joined.price_label == "Free" and not joined.renews
    member = reload(session, school.stranger)
    with pytest.raises(Conflict):
        subscriptions.checkout(session=session, actor=member,
                               creator_id=school.owner.creator_id, tier="basic", confirm=True)
    subscribe(session, member, school, "pro")
    down = subscriptions.checkout(session=session, actor=member,
                                  creator_id=school.owner.creator_id, tier="premium",
                                  confirm=False)
    assert down.action == "downgrade" and down.locks.titles == ["Croissant proofing"]
    subscriptions.checkout(session=session, actor=member, creator_id=school.owner.creator_id,
                           tier="premium", confirm=True)
    assert subscription(session, member, school.owner).subscription_type == "premium"
    assert not can_view_video(session=session, actor=member, video=school.pro)


def test_join_school_keeps_a_running_paid_tier_and_a_rejoin_is_basic(session, school):
    member = subscribe(session, school.basic, school, "premium", now=NOW)
    schools.join_school(session=session, actor=member, creator_id=school.owner.creator_id)
    sub = subscription(session, member, school.owner)
    assert sub.subscription_type == "premium" and sub.expires_at == NOW + PERIOD
    left = schools.leave_school(session=session, actor=member,
                                creator_id=school.owner.creator_id)
    back = schools.join_school(session=session, actor=left, creator_id=school.owner.creator_id)
    sub = subscription(session, back, school.owner)
    assert (sub.subscription_type, sub.expires_at, sub.price_cents) == ("basic", None, 0)
    assert not can_view_video(session=session, actor=back, video=school.premium)


# --- cancellation and expiry --------------------------------------------------------------------

def test_cancel_warns_keeps_access_until_expiry_then_falls_back_to_basic(session, school):
    member = subscribe(session, school.basic, school, "premium", now=NOW)
    warning = subscriptions.cancel(session=session, actor=member,
                                   creator_id=school.owner.creator_id, confirm=False, now=NOW)
    assert not warning.confirmed and not subscription(session, member,
                                                      school.owner).cancel_at_period_end
    view = subscriptions.cancel(session=session, actor=member,
                                creator_id=school.owner.creator_id, now=NOW)
    assert view.confirmed and view.tier == "premium" and view.falls_back_to == "basic"
    assert view.effective_iso == (NOW + PERIOD).isoformat()
    assert view.lost.video_count == 2 and view.lost.course_count == 1
    assert set(view.lost.titles) == {"Viennoiserie", "Lamination secrets",
                                     "Sourdough masterclass"}
    assert "lose 2 videos and 1 course" in view.summary
    with pytest.raises(Conflict):
        subscriptions.cancel(session=session, actor=member, creator_id=school.owner.creator_id)
    # Until the period ends nothing changes.
    assert can_view_video(session=session, actor=member, video=school.premium)
    assert watch.watch_view(session=session, actor=member, video_id=school.premium.id)
    offer = subscriptions.offer(session=session, actor=member,
                                creator_id=school.owner.creator_id, now=NOW)
    assert offer.cancel_at_period_end and "then Basic" in offer.status
    # Past the end, even before expire_due runs, the tier is basic...
    later = NOW + PERIOD + timedelta(minutes=1)
    assert subscriptions.actor_tier(session=session, actor=member,
                                    creator_id=school.owner.creator_id, now=later) == "basic"
    # ...and expire_due makes the row say so.
    assert subscriptions.expire_due(session=session, now=later) >= 1
    sub = subscription(session, member, school.owner)
    assert (sub.subscription_type, sub.expires_at, sub.cancel_at_period_end, sub.is_active) \
        == ("basic", None, False, True)
    assert student_active(session, member, school.owner)
    with pytest.raises(Gated):
        watch.watch_view(session=session, actor=member, video_id=school.premium.id)
    assert watch.watch_view(session=session, actor=member, video_id=school.open.id)
    assert subscriptions.expire_due(session=session, now=later) == 0  # idempotent


def test_cancel_needs_a_paid_tier(session, school):
    with pytest.raises(Conflict):
        subscriptions.cancel(session=session, actor=school.basic,
                             creator_id=school.owner.creator_id)
    with pytest.raises(NotFound):
        subscriptions.cancel(session=session, actor=school.stranger,
                             creator_id=school.owner.creator_id)
    with pytest.raises(Forbidden):
        subscriptions.cancel(session=session, actor=school.owner,
                             creator_id=school.owner.creator_id)


def test_not_cancelled_subscriptions_renew(session, school):
    member = subscribe(session, school.basic, school, "pro", now=NOW)
    due = NOW + PERIOD + timedelta(hours=1)
    # Renewal is certain in the simulation: access goes on before expire_due runs.
    assert subscriptions.actor_tier(session=session, actor=member,
                                    creator_id=school.owner.creator_id, now=due) == "pro"
    assert subscriptions.expire_due(session=session, now=due) >= 1
    sub = subscription(session, member, school.owner)
    assert sub.subscription_type == "pro" and sub.expires_at == NOW + 2 * PERIOD
    assert sub.started_at == NOW + PERIOD
    assert subscriptions.expire_due(session=session, now=due) == 0
    # Missed several periods: catches up in one run.
    much_later = NOW + 5 * PERIOD + timedelta(days=1)
    subscriptions.expire_due(session=session, now=much_later)
    assert subscription(session, member, school.owner).expires_at == NOW + 6 * PERIOD


def test_resume_before_expiry_but_not_after(session, school):
    member = subscribe(session, school.basic, school, "premium", now=NOW)
    subscriptions.cancel(session=session, actor=member, creator_id=school.owner.creator_id,
                         now=NOW)
    offer = subscriptions.resume(session=session, actor=member,
                                 creator_id=school.owner.creator_id, now=NOW + timedelta(days=2))
    assert not offer.cancel_at_period_end and offer.current_tier == "premium"
    assert not subscription(session, member, school.owner).cancel_at_period_end
    with pytest.raises(Conflict):  # nothing to resume
        subscriptions.resume(session=session, actor=member, creator_id=school.owner.creator_id)
    subscriptions.cancel(session=session, actor=member, creator_id=school.owner.creator_id,
                         now=NOW)
    with pytest.raises(Conflict):  # the period is over: subscribe again instead
        subscriptions.resume(session=session, actor=member, creator_id=school.owner.creator_id,
                             now=NOW + PERIOD + timedelta(seconds=1))


def test_subscribers_count_follows_active_subscriptions(session, school):
    def counts() -> tuple[int, int]:
        view = session.execute(text("SELECT subscribers_count FROM user_stats WHERE id = :id"),
                               {"id": school.owner.user_id}).scalar()
        mine = social.user_counts(session, [school.owner.user_id])[school.owner.user_id][3]
        return int(view), mine

    assert counts() == (1, 1)  # the basic member
    member = subscribe(session, school.stranger, school, "premium", now=NOW)
    assert counts() == (2, 2)
    subscriptions.cancel(session=session, actor=member, creator_id=school.owner.creator_id,
                         now=NOW)
    assert counts() == (2, 2)  # still subscribed until the period ends
    subscriptions.expire_due(session=session, now=NOW + PERIOD)
    assert counts() == (2, 2)  # back to the free membership, which is still a subscription
    schools.leave_school(session=session, actor=member, creator_id=school.owner.creator_id)
    assert counts() == (1, 1)


# --- the creator's settings ---------------------------------------------------------------------

def test_set_offer_validates_prices_and_who(session, school):
    def set_(**kw):
        values = dict(premium_enabled=True, premium_price_cents=999, pro_enabled=True,
                      pro_price_cents=2499)
        values.update(kw)
        return subscriptions.set_offer(session=session, actor=school.owner, **values)

    for bad in (dict(premium_price_cents=0), dict(pro_price_cents=100_001),
                dict(premium_price_cents=-1), dict(pro_price_cents="lots"),
                dict(premium_price_cents=True)):
        with pytest.raises(InvalidInput):
            set_(**bad)
    changed = set_(premium_price_cents=1500)
    assert {t.tier: t.price_cents for t in changed.tiers}["premium"] == 1500
    assert creator_row(session, school.owner).settings["tiers"]["premium"] \
        == {"enabled": True, "price_cents": 1500}
    with pytest.raises(Forbidden):
        subscriptions.set_offer(session=session, actor=school.basic, premium_enabled=True,
                                premium_price_cents=999, pro_enabled=False, pro_price_cents=0)


def test_turning_a_tier_off_is_refused_while_subscribers_or_content_need_it(session, school):
    subscribe(session, school.basic, school, "pro")
    with pytest.raises(Conflict) as caught:
        subscriptions.set_offer(session=session, actor=school.owner, premium_enabled=True,
                                premium_price_cents=999, pro_enabled=False, pro_price_cents=2499)
    assert "1 student has an active Pro subscription" in caught.value.message
    # Premium has no subscribers but premium content; pro still opens it, so premium may go.
    view = subscriptions.set_offer(session=session, actor=school.owner, premium_enabled=False,
                                   premium_price_cents=999, pro_enabled=True,
                                   pro_price_cents=2499)
    assert [t.enabled for t in view.tiers] == [True, False, True]
    # A new school with pro content and no subscribers: pro cannot go while it needs it.
    other = make_creator(session)
    subscriptions.set_offer(session=session, actor=other, premium_enabled=False,
                            premium_price_cents=0, pro_enabled=True, pro_price_cents=500)
    gated = make_video(session, other, title="Pro only", published_at=PUBLISHED)
    subscriptions.set_video_tier(session=session, actor=other, video_id=gated.id, tier="pro")
    with pytest.raises(Conflict) as caught:
        subscriptions.set_offer(session=session, actor=other, premium_enabled=False,
                                premium_price_cents=0, pro_enabled=False, pro_price_cents=500)
    assert caught.value.details == ["Pro only"]


def test_set_video_and_course_tier(session, school):
    with pytest.raises(NotFound):  # not the owner's
        subscriptions.set_video_tier(session=session, actor=make_creator(session),
                                     video_id=school.open.id, tier="premium")
    with pytest.raises(Forbidden):
        subscriptions.set_video_tier(session=session, actor=school.basic,
                                     video_id=school.open.id, tier="premium")
    with pytest.raises(InvalidInput):
        subscriptions.set_video_tier(session=session, actor=school.owner,
                                     video_id=school.open.id, tier="basic")
    assert subscriptions.set_video_tier(session=session, actor=school.owner,
                                        video_id=school.premium.id, tier=None) == ""
    assert "required_tier" not in school.premium.meta
    assert can_view_video(session=session, actor=school.basic, video=school.premium)
    plain = make_creator(session)  # offers no paid tier
    mine = make_video(session, plain, published_at=PUBLISHED)
    with pytest.raises(InvalidInput):
        subscriptions.set_video_tier(session=session, actor=plain, video_id=mine.id,
                                     tier="premium")
    assert subscriptions.set_course_tier(session=session, actor=school.owner,
                                         course_id=school.open_course.id, tier="pro") == "pro"
    assert school.open_course.meta["required_tier"] == "pro"


# --- retrieval ----------------------------------------------------------------------------------

def _chunk_videos(session, actor, scope) -> set[str]:
    hits = retrieval.search(session=session, actor=actor, scope=scope,
                            query="lamination butter dough croissants proof knead",
                            embedder=EMBEDDER, mode="hybrid")
    return {h.video_id for h in hits}


def test_retrieval_never_returns_gated_chunks_to_a_basic_member(session, school):
    scope = retrieval.resolve_scope(session=session, actor=school.basic, kind="school",
                                    scope_id=str(school.owner.creator_id))
    assert str(school.premium.id) not in scope.video_ids
    assert str(school.pro.id) not in scope.video_ids
    assert _chunk_videos(session, school.basic, scope) == {str(school.open.id)}
    # Even a hand-made scope naming the gated videos gets nothing of them.
    forged = retrieval.Scope(kind="school", id=scope.id, label="x", creator_id=scope.creator_id,
                             video_ids=[str(school.open.id), str(school.premium.id),
                                        str(school.pro.id)])
    assert _chunk_videos(session, school.basic, forged) == {str(school.open.id)}
    with pytest.raises(NotFound):
        retrieval.resolve_scope(session=session, actor=school.basic, kind="video",
                                scope_id=str(school.premium.id))
    with pytest.raises(NotFound):
        retrieval.resolve_scope(session=session, actor=school.basic, kind="course",
                                scope_id=str(school.premium_course.id))
    course = retrieval.resolve_scope(session=session, actor=school.basic, kind="course",
                                     scope_id=str(school.open_course.id))
    assert course.video_ids == [str(school.open.id)]


def test_retrieval_follows_the_tier(session, school):
    premium = subscribe(session, school.basic, school, "premium")
    scope = retrieval.resolve_scope(session=session, actor=premium, kind="school",
                                    scope_id=str(school.owner.creator_id))
    assert _chunk_videos(session, premium, scope) == {str(school.open.id),
                                                       str(school.premium.id)}
    owner_scope = retrieval.resolve_scope(session=session, actor=school.owner, kind="school",
                                          scope_id=str(school.owner.creator_id))
    assert _chunk_videos(session, school.owner, owner_scope) == {
        str(school.open.id), str(school.premium.id), str(school.pro.id)}


# --- feed, search, profiles ---------------------------------------------------------------------

def test_feed_lists_gated_cards_with_a_lock(session, school):
    def cards(actor):
        return {c.title: c for c in feed.tag_feed(session=session, actor=actor,
                                                   tag=school.tag).cards}

    basic = cards(school.basic)
    assert set(basic) == {"Kneading basics", "Lamination secrets", "Croissant proofing",
                          "Sourdough masterclass"}
    assert basic["Lamination secrets"].locked and basic["Lamination secrets"].required_tier \
        == "premium"
    assert basic["Croissant proofing"].locked and basic["Croissant proofing"].required_tier \
        == "pro"
    assert not basic["Kneading basics"].locked and basic["Kneading basics"].required_tier == ""
    stranger = cards(school.stranger)
    assert set(stranger) == {"Sourdough masterclass"} and stranger["Sourdough masterclass"].locked
    premium = cards(subscribe(session, make_student(session, school.owner), school, "premium"))
    assert not premium["Lamination secrets"].locked and premium["Croissant proofing"].locked
    assert not any(c.locked for c in cards(school.owner).values())


def test_search_finds_gated_videos_by_title_but_never_by_transcript(session, school):
    add_segments(session, school.premium, "Fold the butter block into the détrempe twice.")
    add_segments(session, school.open, "Knead with the heel of your hand.")

    def found(actor, query):
        return {h.card.title: h for h in search.search_videos(session=session, actor=actor,
                                                               query=query)}

    assert "Lamination secrets" not in found(school.basic, "détrempe")
    hit = found(school.basic, "lamination")["Lamination secrets"]
    assert hit.card.locked and hit.at == -1.0 and "détrempe" not in hit.snippet
    assert "Kneading basics" in found(school.basic, "heel")
    premium = subscribe(session, make_student(session, school.owner), school, "premium")
    hit = found(premium, "détrempe")["Lamination secrets"]
    assert not hit.card.locked and hit.at == 0.0


def test_profile_lists_gated_videos_locked(session, school):
    cards = {c.title: c for c in social.profile_videos(session=session, actor=school.basic,
                                                        username=school.owner.username)}
    assert cards["Lamination secrets"].locked and cards["Lamination secrets"].required_tier \
        == "premium"
    assert not cards["Kneading basics"].locked


# --- courses ------------------------------------------------------------------------------------

def test_catalog_flags_locked_courses_and_course_view_gates_them(session, school):
    cards = {c.title: c for c in learning.catalog(session=session, actor=school.basic)}
    assert cards["Viennoiserie"].locked and cards["Viennoiserie"].required_tier == "premium"
    assert not cards["Bread 101"].locked and cards["Bread 101"].required_tier == ""
    with pytest.raises(Gated) as caught:
        learning.course_view(session=session, actor=school.basic,
                             course_id=school.premium_course.id)
    assert caught.value.course_title == "Viennoiserie" and caught.value.required_tier \
        == "premium"
    view = learning.course_view(session=session, actor=school.basic,
                                course_id=school.open_course.id)
    lessons = {lesson.title: lesson for module in view.modules for lesson in module.lessons}
    assert not lessons["Kneading basics"].locked
    assert lessons["Lamination secrets"].locked and lessons["Lamination secrets"].required_tier \
        == "premium"
    premium = subscribe(session, school.basic, school, "premium")
    cards = {c.title: c for c in learning.catalog(session=session, actor=premium)}
    assert not cards["Viennoiserie"].locked
    opened = learning.course_view(session=session, actor=premium,
                                  course_id=school.premium_course.id)
    assert opened.required_tier == "premium" and not opened.locked
    preview = learning.course_view(session=session, actor=school.owner,
                                   course_id=school.premium_course.id)
    assert preview.is_owner

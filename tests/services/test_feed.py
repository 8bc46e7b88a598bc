"""Feeds: who sees what, ordering, cursors that stay stable while new videos arrive, cards
and a bounded number of queries per page. Each test runs in a rolled-back transaction."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event

from chronos_app.core.errors import InvalidInput
from chronos_app.models import Chapter, Comment, Follow, Student
from chronos_app.schemas.accounts import Actor
from chronos_app.services import feed
from chronos_app.services.feed import following_feed, for_you, tag_feed
from tests.factories import creator_row, make_creator, make_student, make_user, make_video

NOW = datetime.now(UTC).replace(microsecond=0)


def ago(**delta) -> datetime:
    return NOW - timedelta(**delta)


def follow(session, follower: Actor, creator: Actor) -> None:
    session.add(Follow(follower_id=follower.user_id, following_id=creator.user_id))
    session.flush()


def ids(page) -> list[str]:
    return [c.id for c in page.cards]


def all_pages(fetch, limit: int) -> list[str]:
    seen, cursor = [], ""
    for _ in range(50):
        page = fetch(cursor=cursor, limit=limit)
        seen += ids(page)
        cursor = page.next_cursor
        if not cursor:
            return seen
    raise AssertionError("too many pages")


@dataclass
class World:
    alice: Actor        # a creator the viewer follows
    bob: Actor          # a creator the viewer does not follow, but is a student of
    carol: Actor        # a creator the viewer neither follows nor belongs to
    viewer: Actor


@pytest.fixture
def world(session) -> World:
    alice = make_creator(session, name="Alice Academy")
    bob = make_creator(session, name="Bob's Biology")
    carol = make_creator(session, name="Carol's Chemistry")
    viewer = make_student(session, bob)
    follow(session, viewer, alice)
    return World(alice=alice, bob=bob, carol=carol, viewer=viewer)


# --- visibility --------------------------------------------------------------------------------

def test_following_feed_has_public_videos_of_followed_creators_newest_first(session, world):
    old = make_video(session, world.alice, title="Old", published_at=ago(days=3))
    new = make_video(session, world.alice, title="New", published_at=ago(hours=1))
    make_video(session, world.alice, title="Members only", published_at=ago(hours=2),
               is_public=False)
    make_video(session, world.alice, title="Draft")                      # unpublished
    make_video(session, world.alice, title="Gone", published_at=ago(hours=3), is_deleted=True)
    make_video(session, world.carol, title="Not followed", published_at=ago(hours=1))
    page = following_feed(session=session, actor=world.viewer)
    assert ids(page) == [str(new.id), str(old.id)]
    assert page.next_cursor == ""
    card = page.cards[0]
    assert (card.title, card.school_name, card.creator_username) == (
        "New", "Alice Academy", world.alice.username)
    assert card.published == "1 hour ago"
    assert card.duration == "10:00"


def test_following_feed_empty_without_follows_or_actor(session, world):
    make_video(session, world.carol, published_at=ago(hours=1))
    assert following_feed(session=session, actor=make_user(session)).cards == []
    assert following_feed(session=session, actor=None).cards == []


def test_for_you_shows_only_what_the_actor_may_watch(session, world):
    public = make_video(session, world.carol, title="Public", published_at=ago(hours=5))
    private_other = make_video(session, world.carol, title="Private elsewhere",
                               published_at=ago(hours=1), is_public=False)
    private_mine = make_video(session, world.bob, title="Private of my school",
                              published_at=ago(hours=2), is_public=False)
    make_video(session, world.carol, title="Draft", is_public=True)
    make_video(session, world.carol, title="Deleted", published_at=ago(hours=1),
               is_deleted=True)
    closed = make_creator(session)
    make_video(session, closed, title="Closed school", published_at=ago(hours=1))
    creator_row(session, closed).is_active = False
    session.flush()

    viewer_ids = set(ids(for_you(session=session, actor=world.viewer, limit=50)))
    assert viewer_ids == {str(public.id), str(private_mine.id)}
    stranger_ids = set(ids(for_you(session=session, actor=make_user(session), limit=50)))
    assert stranger_ids == {str(public.id)}
    assert set(ids(for_you(session=session, actor=None, limit=50))) == {str(public.id)}
    # The owner sees their own members-only video (published), never others' private ones.
    carol_ids = set(ids(for_you(session=session, actor=world.carol, limit=50)))
    assert carol_ids == {str(public.id), str(private_other.id)}


def test_left_school_loses_its_private_videos(session, world):
    private = make_video(session, world.bob, published_at=ago(hours=1), is_public=False)
    assert ids(for_you(session=session, actor=world.viewer)) == [str(private.id)]
    row = session.get(Student, world.viewer.student_of[world.bob.creator_id])
    row.is_active = False
    session.flush()
    # The actor object still lists the membership: the SQL decides.
    assert for_you(session=session, actor=world.viewer).cards == []


# --- cards --------------------------------------------------------------------------------------

def test_cards_carry_counts_chapters_and_posters(session, world):
    video = make_video(session, world.alice, title="Cells", published_at=ago(days=3),
                       view_count=42, like_count=7, description="About #cells",
                       tags=["biology", "cells"])
    for i in range(14):
        session.add(Chapter(video_id=video.id, title=f"Part {i + 1}", chapter_order=i + 1,
                            start_time_seconds=i * 30.0, end_time_seconds=i * 30.0 + 30))
    session.add(Comment(video_id=video.id, author_id=world.viewer.user_id, content="Great"))
    session.add(Comment(video_id=video.id, author_id=world.viewer.user_id, content="Hm",
                        is_deleted=True))
    upload = make_video(session, world.alice, title="Upload", published_at=ago(days=1),
                        source_type="upload", storage_path="videos/x.mp4",
                        thumbnail_url="thumbnails/x.jpg", youtube_video_id=None,
                        embed_type=None, embed_id=None, duration_seconds=3700)
    thumb = make_video(session, world.alice, title="Thumb", published_at=ago(days=2),
                       thumbnail_url="https://img.example/t.jpg")
    session.flush()
    cards = {c.id: c for c in following_feed(session=session, actor=world.viewer).cards}
    card = cards[str(video.id)]
    assert (card.views, card.likes, card.comments, card.chapter_count) == (42, 7, 1, 14)
    assert len(card.chapters) == 12
    assert card.chapters[1].title == "Part 2"
    assert (card.chapters[1].start, card.chapters[1].label) == (30.0, "0:30")
    assert card.tags == ["biology", "cells"] and card.description == "About #cells"
    assert card.published == "3 days ago"
    assert card.poster_url == ""
    assert cards[str(upload.id)].poster_url == f"/media/thumbnails/{upload.id}"
    assert cards[str(upload.id)].duration == "1:01:40"
    assert cards[str(thumb.id)].poster_url == "https://img.example/t.jpg"
    assert cards[str(upload.id)].creator_display_name == world.alice.username


def test_queries_per_page_are_bounded(session, engine, world):
    for i in range(10):
        video = make_video(session, world.alice, published_at=ago(hours=i + 1),
                           tags=["bulk"])
        session.add(Chapter(video_id=video.id, title="Intro", chapter_order=1,
                            start_time_seconds=0, end_time_seconds=10))
        session.add(Comment(video_id=video.id, author_id=world.viewer.user_id, content="Hi"))
    session.flush()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for fetch in (
            lambda **kw: following_feed(session=session, actor=world.viewer, **kw),
            lambda **kw: for_you(session=session, actor=world.viewer, **kw),
            lambda **kw: tag_feed(session=session, actor=world.viewer, tag="bulk", **kw),
        ):
            for limit in (2, 10):
                statements.clear()
                page = fetch(limit=limit)
                assert len(page.cards) == limit
                assert len(statements) == 2, statements
            statements.clear()
            fetch(cursor=fetch(limit=3).next_cursor, limit=3)
            assert len(statements) == 4
    finally:
        event.remove(engine, "before_cursor_execute", count)


# --- cursors ------------------------------------------------------------------------------------

def test_following_cursor_is_stable_while_new_videos_arrive(session, world):
    videos = [make_video(session, world.alice, title=f"V{i}", published_at=ago(hours=i + 1))
              for i in range(7)]
    # Two at the same moment: the id breaks the tie.
    twins = [make_video(session, world.alice, title=f"Twin{i}", published_at=ago(hours=3,
                                                                                  minutes=30))
             for i in range(2)]
    expected = [str(v.id) for v in sorted(videos + twins,
                                          key=lambda v: (v.published_at, v.id), reverse=True)]
    page1 = following_feed(session=session, actor=world.viewer, limit=4)
    assert ids(page1) == expected[:4] and page1.next_cursor
    newer = [make_video(session, world.alice, title=f"New{i}", published_at=ago(minutes=i))
             for i in range(3)]
    page2 = following_feed(session=session, actor=world.viewer, cursor=page1.next_cursor,
                           limit=4)
    assert ids(page2) == expected[4:8]
    page3 = following_feed(session=session, actor=world.viewer, cursor=page2.next_cursor,
                           limit=4)
    assert ids(page3) == expected[8:] and page3.next_cursor == ""
    assert not {str(v.id) for v in newer} & set(ids(page2) + ids(page3))
    # A fresh first page shows them.
    assert ids(following_feed(session=session, actor=world.viewer, limit=3)) == [
        str(v.id) for v in newer]


def test_for_you_ranks_by_score(session, world):
    fresh = make_video(session, world.carol, title="Fresh", published_at=ago(hours=1))
    popular = make_video(session, world.carol, title="Popular", published_at=ago(days=3),
                         view_count=5000, like_count=300)
    stale = make_video(session, world.carol, title="Stale", published_at=ago(days=60),
                       view_count=5000, like_count=300)
    followed = make_video(session, world.alice, title="Followed", published_at=ago(hours=30))
    unfollowed_twin = make_video(session, world.carol, title="Twin",
                                 published_at=ago(hours=30))
    order = ids(for_you(session=session, actor=world.viewer, now=NOW, limit=10))
    expected = sorted(
        [(fresh, False), (popular, False), (stale, False), (followed, True),
         (unfollowed_twin, False)],
        key=lambda p: feed.score(likes=p[0].like_count, views=p[0].view_count,
                                 age_hours=(NOW - p[0].published_at).total_seconds() / 3600,
                                 followed=p[1]), reverse=True)
    assert order == [str(v.id) for v, _ in expected]
    assert order.index(str(followed.id)) < order.index(str(unfollowed_twin.id))
    assert order.index(str(popular.id)) < order.index(str(stale.id))


def test_for_you_cursor_is_stable_while_new_videos_arrive(session, world):
    videos = []
    for i in range(11):
        videos.append(make_video(session, world.carol if i % 2 else world.alice,
                                 title=f"V{i}", published_at=ago(hours=3 * i + 1),
                                 view_count=(i * 37) % 200, like_count=(i * 13) % 20))
    # Identical scores: the id breaks the tie.
    for _ in range(2):
        videos.append(make_video(session, world.carol, title="Same", published_at=ago(days=2),
                                 view_count=10, like_count=1))
    everything = all_pages(lambda **kw: for_you(session=session, actor=world.viewer, now=NOW,
                                                **kw), limit=100)
    assert sorted(everything) == sorted(str(v.id) for v in videos)

    page1 = for_you(session=session, actor=world.viewer, now=NOW, limit=5)
    assert ids(page1) == everything[:5]
    # New, very popular videos arrive (published after the first page was ranked) ...
    newer = [make_video(session, world.alice, title=f"Hot{i}",
                        published_at=datetime.now(UTC),
                        view_count=10**6, like_count=10**5) for i in range(3)]
    rest = all_pages(lambda **kw: for_you(session=session, actor=world.viewer,
                                          **kw) if kw["cursor"] else page1, limit=5)
    # ... and the later pages neither repeat, skip nor include them.
    assert rest == everything
    assert not {str(v.id) for v in newer} & set(rest)
    assert ids(for_you(session=session, actor=world.viewer, limit=3)) != ids(page1)


@pytest.mark.parametrize("cursor", [
    "garbage!", "%%%", "bm90IGpzb24",                          # not base64 / not JSON
    base64.urlsafe_b64encode(b"[1, 2]").decode(),               # not an object
    base64.urlsafe_b64encode(json.dumps({"k": "following", "p": "yesterday",
                                         "i": "x"}).encode()).decode(),
    base64.urlsafe_b64encode(json.dumps({"k": "following", "p": "2026-01-01T00:00:00",
                                         "i": "6f1c8f0e-7e6f-4a4e-9d7e-0c1e6f1c8f0e"})
                             .encode()).decode(),              # naive time
    base64.urlsafe_b64encode(json.dumps({"k": "for_you", "a": "2026-01-01T00:00:00+00:00",
                                         "s": "NaN", "i": "6f1c8f0e-7e6f-4a4e-9d7e-"
                                         "0c1e6f1c8f0e"}).encode()).decode(),
    "A" * 600,
])
def test_garbage_cursor_is_invalid_input(session, world, cursor):
    for fetch in (following_feed, for_you):
        with pytest.raises(InvalidInput):
            fetch(session=session, actor=world.viewer, cursor=cursor)
    with pytest.raises(InvalidInput):
        tag_feed(session=session, actor=world.viewer, tag="x", cursor=cursor)


def test_cursor_of_one_feed_is_refused_by_another(session, world):
    for i in range(3):
        make_video(session, world.alice, published_at=ago(hours=i + 1), tags=["t"])
    cursor = following_feed(session=session, actor=world.viewer, limit=1).next_cursor
    assert cursor
    with pytest.raises(InvalidInput):
        for_you(session=session, actor=world.viewer, cursor=cursor)
    with pytest.raises(InvalidInput):
        tag_feed(session=session, actor=world.viewer, tag="t", cursor=cursor)


# --- tags ---------------------------------------------------------------------------------------

def test_tag_feed_is_case_insensitive_and_newest_first(session, world):
    a = make_video(session, world.carol, published_at=ago(hours=3), tags=["Python", "ml"])
    b = make_video(session, world.alice, published_at=ago(hours=1), tags=["python"])
    c = make_video(session, world.carol, published_at=ago(hours=2), tags=["#PYTHON"])
    make_video(session, world.carol, published_at=ago(hours=1), tags=["pythonic"])
    make_video(session, world.carol, published_at=ago(hours=1), tags=["python"],
               is_public=False)
    make_video(session, world.carol, tags=["python"])  # unpublished
    for tag in ("python", "#Python", "  PYTHON "):
        page = tag_feed(session=session, actor=world.viewer, tag=tag)
        assert ids(page) == [str(b.id), str(c.id), str(a.id)]
    page1 = tag_feed(session=session, actor=world.viewer, tag="python", limit=2)
    page2 = tag_feed(session=session, actor=world.viewer, tag="python", limit=2,
                     cursor=page1.next_cursor)
    assert ids(page1) + ids(page2) == [str(b.id), str(c.id), str(a.id)]
    assert page2.next_cursor == ""


@pytest.mark.parametrize("tag", ["", "   ", "#", "a b", "x" * 65])
def test_tag_feed_refuses_non_tags(session, world, tag):
    with pytest.raises(InvalidInput):
        tag_feed(session=session, actor=world.viewer, tag=tag)


# --- helpers ------------------------------------------------------------------------------------

def test_relative_time():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert feed.relative_time(None, now) == ""
    assert feed.relative_time(now - timedelta(seconds=30), now) == "just now"
    assert feed.relative_time(now + timedelta(hours=1), now) == "just now"
    assert feed.relative_time(now - timedelta(minutes=1), now) == "1 minute ago"
    assert feed.relative_time(now - timedelta(minutes=59), now) == "59 minutes ago"
    assert feed.relative_time(now - timedelta(hours=5), now) == "5 hours ago"
    assert feed.relative_time(now - timedelta(days=3), now) == "3 days ago"
    assert feed.relative_time(now - timedelta(days=15), now) == "2 weeks ago"
    assert feed.relative_time(now - timedelta(days=65), now) == "2 months ago"
    assert feed.relative_time(now - timedelta(days=800), now) == "2 years ago"
    assert feed.relative_time(datetime(2026, 11, 21, 12, 0), now) == "1 day ago"


def test_limit_is_clamped(session, world):
    for i in range(3):
        make_video(session, world.alice, published_at=ago(hours=i + 1))
    assert len(following_feed(session=session, actor=world.viewer, limit=0).cards) == 1
    assert len(following_feed(session=session, actor=world.viewer, limit=10**6).cards) == 3


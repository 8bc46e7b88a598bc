"""Profiles, follows, the profile's video tabs, profile editing and avatars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from chronos_app.core.errors import InvalidInput, NotFound, Unauthenticated
from chronos_app.core.storage import LocalStorage
from chronos_app.models import Chapter, Comment, Follow, Like, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import schools, social
from chronos_app.services.accounts import load_actor
from chronos_app.services.social import AVATAR_MAX_BYTES
from tests.factories import (
    creator_row,
    make_creator,
    make_student,
    make_user,
    make_video,
    user_row,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x01" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x02" * 64 + b"\xff\xd9"
GIF = b"GIF89a" + b"\x03" * 40
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x04" * 40


@pytest.fixture
def store(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


def _video(session, creator: Actor, *, public=True, published=True, deleted=False,
           hours_ago=0, **fields) -> Video:
    return make_video(session, creator, is_public=public, is_deleted=deleted,
                      published_at=NOW - timedelta(hours=hours_ago) if published else None,
                      **fields)


def _like(session, actor: Actor, video: Video, minutes_ago: int) -> None:
    session.add(Like(user_id=actor.user_id, video_id=video.id,
                     created_at=NOW - timedelta(minutes=minutes_ago)))
    session.flush()


def _user_stats(session, actor: Actor) -> tuple[int, int, int, int]:
    row = session.execute(text(
        "SELECT video_count, followers_count, following_count, subscribers_count "
        "FROM user_stats WHERE id = :id"), {"id": actor.user_id}).one()
    return tuple(int(n) for n in row)


def _view_counts(view) -> tuple[int, int, int, int]:
    return (view.video_count, view.followers_count, view.following_count,
            view.subscribers_count)


def _follows(session, follower: Actor, following: Actor) -> int:
    return session.exec(select(func.count()).select_from(Follow).where(
        Follow.follower_id == follower.user_id, Follow.following_id == following.user_id)).one()


# --- profiles and counts ------------------------------------------------------------------------

def test_profile_counts_come_from_user_stats(session):
    owner = make_creator(session, name="Pottery Club")
    fan, other = make_user(session), make_user(session)
    student = make_student(session, owner)  # joining subscribes to the creator's user
    _video(session, owner)
    _video(session, owner, hours_ago=2)
    _video(session, owner, public=False)                # members only: not counted
    _video(session, owner, deleted=True)                # deleted: not counted
    _video(session, owner, published=False)            # a public draft: the view counts it
    social.follow(session=session, actor=fan, username=owner.username)
    social.follow(session=session, actor=other, username=owner.username)
    social.follow(session=session, actor=owner, username=fan.username)

    view = social.profile(session=session, actor=None, username=owner.username)
    assert _view_counts(view) == (3, 2, 1, 1) == _user_stats(session, owner)
    assert view.school_name == "Pottery Club"
    assert view.school_id == str(owner.creator_id)
    assert view.username == owner.username
    assert view.display_name == owner.username and view.initials == owner.username[0].upper()
    assert view.member_since and not view.is_me and not view.is_following

    fan_view = social.profile(session=session, actor=owner, username=fan.username)
    assert _view_counts(fan_view) == (0, 1, 1, 0) == _user_stats(session, fan)
    for someone in (other, student):
        view = social.profile(session=session, actor=None, username=someone.username)
        assert _view_counts(view) == _user_stats(session, someone)
    assert fan_view.is_following and fan_view.follows_me
    assert fan_view.school_name == "" and fan_view.school_id == ""

    # a second member, then one leaves: subscribers follow active subscriptions
    second = make_student(session, owner)
    view = social.profile(session=session, actor=None, username=owner.username)
    assert view.subscribers_count == 2 and _view_counts(view) == _user_stats(session, owner)
    schools.leave_school(session=session, actor=second, creator_id=owner.creator_id)
    schools.leave_school(session=session, actor=student, creator_id=owner.creator_id)
    view = social.profile(session=session, actor=None, username=owner.username)
    assert view.subscribers_count == 0 and _view_counts(view) == _user_stats(session, owner)


def test_profile_lookup_ignores_case_and_hides_inactive_accounts(session):
    user = make_user(session, username="MixedCase_Name")
    row = user_row(session, user)
    row.display_name, row.bio, row.is_verified = "Ada Lovelace", "Counts things.", True
    session.flush()
    for name in ("mixedcase_name", "MIXEDCASE_NAME", " @MixedCase_Name "):
        view = social.profile(session=session, actor=user, username=name)
        assert view.username == "MixedCase_Name"
    assert view.is_me and not view.is_following and not view.follows_me
    assert (view.display_name, view.bio, view.initials, view.is_verified) == (
        "Ada Lovelace", "Counts things.", "AL", True)
    assert view.avatar_url == ""

    for name in ("nobody-at-all", "", "  "):
        with pytest.raises(NotFound, match="No one here goes by that name."):
            social.profile(session=session, actor=None, username=name)
    row.is_active = False
    session.flush()
    with pytest.raises(NotFound, match="No one here goes by that name."):
        social.profile(session=session, actor=None, username=user.username)


def test_a_closed_school_is_not_shown_on_the_profile(session):
    owner = make_creator(session)
    creator_row(session, owner).is_active = False
    session.flush()
    view = social.profile(session=session, actor=None, username=owner.username)
    assert view.school_id == "" and view.school_name == ""


# --- follows ------------------------------------------------------------------------------------

def test_follow_and_unfollow_are_idempotent(session):
    me, them = make_user(session), make_user(session)
    first = social.follow(session=session, actor=me, username=them.username.upper())
    second = social.follow(session=session, actor=me, username=them.username)
    assert _follows(session, me, them) == 1
    assert first.is_following and second.is_following
    assert second.followers_count == 1 and not second.follows_me

    social.follow(session=session, actor=them, username=me.username)
    assert social.profile(session=session, actor=me, username=them.username).follows_me

    gone = social.unfollow(session=session, actor=me, username=them.username)
    again = social.unfollow(session=session, actor=me, username=them.username)
    assert _follows(session, me, them) == 0
    assert not gone.is_following and not again.is_following
    assert again.followers_count == 0 and again.follows_me


def test_you_cannot_follow_yourself_or_nobody(session):
    me = make_user(session)
    with pytest.raises(InvalidInput, match="You can't follow yourself."):
        social.follow(session=session, actor=me, username=me.username.upper())
    assert _follows(session, me, me) == 0
    with pytest.raises(NotFound):
        social.follow(session=session, actor=me, username="no-such-user-here")
    with pytest.raises(NotFound):
        social.unfollow(session=session, actor=me, username="no-such-user-here")
    with pytest.raises(Unauthenticated):
        social.follow(session=session, actor=None, username=me.username)
    # unfollowing yourself is simply nothing to do
    assert social.unfollow(session=session, actor=me, username=me.username).is_me


def test_inactive_accounts_cannot_be_followed(session):
    me, them = make_user(session), make_user(session)
    user_row(session, them).is_active = False
    session.flush()
    with pytest.raises(NotFound):
        social.follow(session=session, actor=me, username=them.username)


def test_follower_and_following_lists(session):
    star = make_creator(session)
    a, b, c = make_user(session), make_user(session), make_user(session)
    viewer = make_user(session)
    for fan in (a, b, c):  # c follows last: listed first
        social.follow(session=session, actor=fan, username=star.username)
    social.follow(session=session, actor=viewer, username=b.username)
    social.follow(session=session, actor=a, username=b.username)
    social.follow(session=session, actor=star, username=a.username)
    social.follow(session=session, actor=star, username=c.username)
    user_row(session, b).display_name = "Bea Bee"
    session.flush()

    people = social.followers(session=session, actor=viewer, username=star.username)
    assert [p.username for p in people] == [c.username, b.username, a.username]
    by_name = {p.username: p for p in people}
    assert by_name[b.username].is_following and not by_name[a.username].is_following
    assert by_name[b.username].followers == 2 and by_name[a.username].followers == 1
    assert by_name[b.username].display_name == "Bea Bee" and by_name[b.username].initials == "BB"
    assert not any(p.is_creator for p in people)

    assert [p.username for p in social.following(session=session, actor=None,
                                                 username=star.username)] == [c.username,
                                                                              a.username]
    who_a_follows = social.following(session=session, actor=a, username=a.username)
    assert [(p.username, p.is_following, p.is_creator) for p in who_a_follows] == [
        (b.username, True, False), (star.username, True, True)]
    assert who_a_follows[1].followers == 3

    # paging, and inactive accounts are left out
    assert [p.username for p in social.followers(session=session, actor=None,
                                                 username=star.username, limit=1,
                                                 offset=1)] == [b.username]
    user_row(session, c).is_active = False
    session.flush()
    assert [p.username for p in social.followers(session=session, actor=None,
                                                 username=star.username)] == [b.username,
                                                                              a.username]
    assert social.followers(session=session, actor=None, username=viewer.username) == []
    with pytest.raises(NotFound):
        social.following(session=session, actor=None, username=c.username)


# --- video tabs ---------------------------------------------------------------------------------

def test_profile_videos_respect_access(session):
    owner = make_creator(session, name="Glaze School")
    member = make_student(session, owner)
    outsider = make_student(session, make_creator(session))
    newest = _video(session, owner, title="Newest", hours_ago=0, view_count=7)
    private = _video(session, owner, title="Members", public=False, hours_ago=1)
    older = _video(session, owner, title="Older", hours_ago=5)
    _video(session, owner, title="Draft", published=False)
    _video(session, owner, title="Gone", deleted=True)

    def titles(actor):
        return [v.title for v in social.profile_videos(session=session, actor=actor,
                                                       username=owner.username)]

    assert titles(None) == ["Newest", "Older"]
    assert titles(outsider) == ["Newest", "Older"]
    assert titles(member) == ["Newest", "Members", "Older"]
    assert titles(owner) == ["Newest", "Members", "Older"]
    assert [v.title for v in social.profile_videos(session=session, actor=member,
                                                   username=owner.username, limit=1,
                                                   offset=1)] == ["Members"]
    assert social.profile_videos(session=session, actor=owner, username=member.username) == []

    card = social.profile_videos(session=session, actor=None, username=owner.username)[0]
    assert card.id == str(newest.id) and card.views == 7 and card.duration == "10:00"
    assert card.school_name == "Glaze School" and card.creator_username == owner.username
    assert card.published == "Nov 22, 2026"
    assert older.id and private.id

    # a closed school: only its owner still sees its videos
    creator_row(session, owner).is_active = False
    session.flush()
    assert titles(None) == [] and titles(member) == []
    assert titles(owner) == ["Newest", "Members", "Older"]


def test_video_cards_count_chapters_comments_and_likes(session):
    owner = make_creator(session)
    member = make_student(session, owner)
    public = _video(session, owner, title="Public")
    private = _video(session, owner, title="Private", public=False, hours_ago=1)
    for video in (public, private):
        session.add(Chapter(video_id=video.id, title="One", chapter_order=1,
                            start_time_seconds=0, end_time_seconds=10))
        session.add(Chapter(video_id=video.id, title="Two", chapter_order=2,
                            start_time_seconds=10, end_time_seconds=20))
        session.add(Comment(video_id=video.id, author_id=member.user_id, content="Nice"))
        session.add(Comment(video_id=video.id, author_id=member.user_id, content="x",
                            is_deleted=True))
    session.flush()
    _like(session, member, public, 1)
    _like(session, member, private, 2)
    session.expire_all()  # the like trigger changed like_count in the database

    cards = {c.title: c for c in social.profile_videos(session=session, actor=member,
                                                       username=owner.username)}
    for title in ("Public", "Private"):
        assert (cards[title].chapters, cards[title].comments, cards[title].likes) == (2, 1, 1)
    # the same numbers as videos_with_stats (which lists public videos only)
    row = session.execute(text("SELECT chapter_count, comment_count, like_count_actual "
                               "FROM videos_with_stats WHERE id = :id"), {"id": public.id}).one()
    assert tuple(row) == (2, 1, 1)
    assert session.execute(text("SELECT 1 FROM videos_with_stats WHERE id = :id"),
                           {"id": private.id}).first() is None


def test_liked_videos_never_leak_what_the_viewer_may_not_see(session):
    school = make_creator(session, name="Secret Garden")
    liker = make_student(session, school)
    fellow = make_student(session, school)
    stranger = make_user(session)
    public = _video(session, school, title="Open lesson")
    private = _video(session, school, title="Members lesson", public=False)
    elsewhere = _video(session, make_creator(session), title="Elsewhere")
    deleted = _video(session, school, title="Deleted lesson")
    _like(session, liker, public, 30)
    _like(session, liker, private, 20)
    _like(session, liker, elsewhere, 10)
    _like(session, liker, deleted, 5)
    deleted.is_deleted = True
    session.flush()

    def titles(actor):
        return [v.title for v in social.liked_videos(session=session, actor=actor,
                                                     username=liker.username)]

    # newest like first; the members-only video only for members and the owner
    assert titles(liker) == ["Elsewhere", "Members lesson", "Open lesson"]
    assert titles(fellow) == ["Elsewhere", "Members lesson", "Open lesson"]
    assert titles(school) == ["Elsewhere", "Members lesson", "Open lesson"]
    assert titles(stranger) == ["Elsewhere", "Open lesson"]
    assert titles(None) == ["Elsewhere", "Open lesson"]
    cards = social.liked_videos(session=session, actor=None, username=liker.username, limit=1)
    assert [c.title for c in cards] == ["Elsewhere"]
    assert all(c.id != str(private.id) for c in social.liked_videos(
        session=session, actor=stranger, username=liker.username, limit=100))

    # leaving the school hides its members-only videos from the liker too
    schools.leave_school(session=session, actor=liker, creator_id=school.creator_id)
    assert titles(load_actor(session=session, user_id=liker.user_id)) == ["Elsewhere",
                                                                          "Open lesson"]


# --- editing the profile ------------------------------------------------------------------------

def test_update_profile(session):
    me = make_user(session)
    view = social.update_profile(session=session, actor=me, display_name="  Ada \n Lovelace ",
                                 bio="Line one\r\nLine two\x00\x07 ")
    assert view.display_name == "Ada Lovelace" and view.initials == "AL"
    assert view.bio == "Line one\nLine two" and view.is_me
    row = user_row(session, me)
    assert (row.display_name, row.bio) == ("Ada Lovelace", "Line one\nLine two")

    with pytest.raises(InvalidInput, match="Display name must be at most 100") as err:
        social.update_profile(session=session, actor=me, display_name="x" * 101, bio="")
    assert err.value.field == "display_name"
    with pytest.raises(InvalidInput, match="Bio must be at most 1000") as err:
        social.update_profile(session=session, actor=me, display_name="", bio="y" * 1001)
    assert err.value.field == "bio"
    assert user_row(session, me).display_name == "Ada Lovelace"

    cleared = social.update_profile(session=session, actor=me, display_name=" ", bio="")
    assert cleared.display_name == me.username and cleared.bio == ""
    assert user_row(session, me).display_name is None


# --- avatars ------------------------------------------------------------------------------------

def test_set_avatar_stores_the_file_and_versions_the_url(session, store):
    me = make_user(session)
    view = social.set_avatar(session=session, actor=me, filename="me.PNG", data=PNG,
                             storage=store)
    key = f"avatars/{me.user_id}.png"
    assert store.open(key).read() == PNG
    assert view.avatar_url == f"/media/avatars/{me.user_id}?v=1"
    assert user_row(session, me).avatar_url == view.avatar_url
    assert social.avatar_file(session=session, user_id=me.user_id, storage=store) == (
        key, "image/png", len(PNG))

    # same type again: same key, new version
    social.set_avatar(session=session, actor=me, filename="again.png", data=PNG + b"!",
                      storage=store)
    assert user_row(session, me).avatar_url.endswith("?v=2")
    assert store.size(key) == len(PNG) + 1

    # another type: the old file goes
    view = social.set_avatar(session=session, actor=me, filename="photo.jpeg", data=JPEG,
                             storage=store)
    assert view.avatar_url.endswith("?v=3")
    assert not store.exists(key) and store.exists(f"avatars/{me.user_id}.jpg")
    key_, mime, size = social.avatar_file(session=session, user_id=str(me.user_id),
                                          storage=store)
    assert (key_, mime, size) == (f"avatars/{me.user_id}.jpg", "image/jpeg", len(JPEG))

    for name, data, ext, mime in (("a.gif", GIF, "gif", "image/gif"),
                                  ("a.webp", WEBP, "webp", "image/webp")):
        social.set_avatar(session=session, actor=me, filename=name, data=data, storage=store)
        assert social.avatar_file(session=session, user_id=me.user_id, storage=store) == (
            f"avatars/{me.user_id}.{ext}", mime, len(data))
    assert sorted(p.name for p in (store.root / "avatars").iterdir()) == [f"{me.user_id}.webp"]

    # the avatar shows on lists too
    fan = make_user(session)
    social.follow(session=session, actor=fan, username=me.username)
    assert social.following(session=session, actor=None,
                            username=fan.username)[0].avatar_url.endswith("?v=5")

    view = social.remove_avatar(session=session, actor=me, storage=store)
    assert view.avatar_url == "" and user_row(session, me).avatar_url is None
    assert not list((store.root / "avatars").iterdir())
    with pytest.raises(NotFound):
        social.avatar_file(session=session, user_id=me.user_id, storage=store)
    social.remove_avatar(session=session, actor=me, storage=store)  # nothing left: fine


@pytest.mark.parametrize("filename, data, message", [
    ("notes.png", b"just some text, honestly\n" * 4, "does not contain image data"),
    ("photo.jpg", PNG, "holds PNG data"),
    ("photo.png", JPEG, "holds JPEG data"),
    ("picture.bmp", b"BM" + b"\x00" * 60, "is not one"),
    ("picture.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is not one"),
    ("noextension", PNG, "is not one"),
    ("empty.png", b"", "is empty"),
])
def test_avatar_type_is_checked_by_name_and_content(session, store, filename, data, message):
    me = make_user(session)
    with pytest.raises(InvalidInput, match=message) as err:
        social.set_avatar(session=session, actor=me, filename=filename, data=data, storage=store)
    assert err.value.field == "avatar"
    if message != "is empty":
        assert err.value.message.startswith("Avatars must be PNG, JPEG, WebP or GIF images")
    assert not store.root.exists() or not any(store.root.rglob("*.*"))
    assert user_row(session, me).avatar_url is None


def test_avatar_size_limit(session, store):
    me = make_user(session)
    with pytest.raises(InvalidInput) as err:
        social.set_avatar(session=session, actor=me, filename="big.png",
                          data=PNG + b"\x00" * (AVATAR_MAX_BYTES + 1 - len(PNG)), storage=store)
    assert "at most 2 MB" in err.value.message and "2,097,153 bytes" in err.value.message
    with pytest.raises(InvalidInput,
                       match=r"^Avatars must be at most 2 MB, this file is 3.4 MB\.$"):
        social.set_avatar(session=session, actor=me, filename="big.png",
                          data=PNG + b"\x00" * int(3.4 * 1024 * 1024), storage=store)
    assert user_row(session, me).avatar_url is None
    exact = PNG + b"\x00" * (AVATAR_MAX_BYTES - len(PNG))
    social.set_avatar(session=session, actor=me, filename="edge.png", data=exact, storage=store)
    assert store.size(f"avatars/{me.user_id}.png") == AVATAR_MAX_BYTES


def test_avatar_file_is_not_found_without_an_avatar(session, store):
    me = make_user(session)
    for user_id in (me.user_id, "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound):
            social.avatar_file(session=session, user_id=user_id, storage=store)
    # an avatar_url that is not ours (e.g. imported data) serves nothing and shows nothing
    user_row(session, me).avatar_url = "https://example.com/me.png"
    session.flush()
    with pytest.raises(NotFound):
        social.avatar_file(session=session, user_id=me.user_id, storage=store)
    assert social.profile(session=session, actor=None, username=me.username).avatar_url == ""
    # an inactive account's avatar is gone too
    social.set_avatar(session=session, actor=me, filename="a.png", data=PNG, storage=store)
    user_row(session, me).is_active = False
    session.flush()
    with pytest.raises(NotFound):
        social.avatar_file(session=session, user_id=me.user_id, storage=store)


def test_initials():
    assert social.initials("Ada Lovelace") == "AL"
    assert social.initials("ada_lovelace") == "AL"
    assert social.initials("ada") == "A"
    assert social.initials("Jean-Luc de la Picard") == "JP"
    assert social.initials("") == "?"

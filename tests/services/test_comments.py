"""The watch page's discussion: posting, threads, soft deletes, edits, likes, who may see and do
what, and the rate limit. Each test runs in a rolled-back transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, text
from sqlmodel import select

from chronos_app.core.errors import (
    Forbidden,
    InvalidInput,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from chronos_app.models import Chapter, Comment
from chronos_app.schemas.comments import TextPart
from chronos_app.services import comments
from chronos_app.services.rate_limit import SlidingWindowLimiter
from tests.factories import make_creator, make_student, make_user, make_video

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_limiter(monkeypatch):
    """Each test starts with an empty comment rate limit."""
    limiter = SlidingWindowLimiter(comments.COMMENT_LIMITER.max_events,
                                   comments.COMMENT_LIMITER.window_seconds)
    monkeypatch.setattr(comments, "COMMENT_LIMITER", limiter)
    return limiter


@pytest.fixture
def school(session):
    """A creator, a private published video of theirs, and two of their students."""
    creator = make_creator(session)
    video = make_video(session, creator, published_at=T0 - timedelta(days=30), is_public=False)
    return creator, video, make_student(session, creator), make_student(session, creator)


def post(session, actor, video, content="Hello", at=0, **kw):
    return comments.post_comment(session=session, actor=actor, video_id=str(video.id),
                                 content=content, now=T0 + timedelta(minutes=at), **kw)


def threads(session, actor, video, **kw):
    kw.setdefault("now", T0 + timedelta(hours=1))
    return comments.list_threads(session=session, actor=actor, video_id=str(video.id), **kw)


def add_chapter(session, video, order, start, end, title):
    chapter = Chapter(video_id=video.id, title=title, chapter_order=order,
                      start_time_seconds=start, end_time_seconds=end)
    session.add(chapter)
    session.flush()
    return chapter


def stored(session, video) -> list[Comment]:
    return session.exec(select(Comment).where(Comment.video_id == video.id)).all()


def db_like_count(session, comment_id) -> int:
    return session.execute(text("SELECT like_count FROM comments WHERE id = :c"),
                           {"c": uuid.UUID(comment_id)}).scalar_one()


# --- content --------------------------------------------------------------------------------

@pytest.mark.parametrize("content", ["", "   ", "\n\t \r\n", "\u3000", None])
def test_blank_content_is_refused_and_nothing_is_stored(session, school, content):
    _, video, student, _ = school
    with pytest.raises(InvalidInput) as err:
        post(session, student, video, content)
    assert err.value.message == "Write something before posting."
    assert err.value.field == "content"
    assert stored(session, video) == []


@pytest.mark.parametrize("content", ["x" * 2001, "  " + "y" * 2500 + "  "])
def test_too_long_content_is_refused_with_the_limit_and_the_length(session, school, content):
    _, video, student, _ = school
    with pytest.raises(InvalidInput) as err:
        post(session, student, video, content)
    assert "2000" in err.value.message and str(len(content.strip())) in err.value.message
    assert err.value.field == "content"
    assert stored(session, video) == []


def test_exactly_2000_characters_are_accepted_and_outer_whitespace_is_stripped(session, school):
    _, video, student, _ = school
    assert comments.COMMENT_MAX_CHARS == 2000
    view = post(session, student, video, "\n  " + "z" * 2000 + "\t ")
    assert view.content == "z" * 2000
    assert [c.content for c in stored(session, video)] == ["z" * 2000]


def test_content_is_kept_as_typed_inside(session, school):
    _, video, student, _ = school
    typed = "Line one\n\n  indented   twice\ttab"
    assert post(session, student, video, f"  {typed}\n").content == typed


def test_html_is_stored_and_returned_as_plain_text(session, school):
    _, video, student, _ = school
    html = "<script>alert(1)</script>"
    view = post(session, student, video, html)
    assert view.content == html and view.parts == [TextPart(text=html)]
    assert stored(session, video)[0].content == html
    listed = threads(session, student, video)[0].comment
    assert listed.content == html and listed.parts == [TextPart(text=html)]


def test_timestamps_in_a_comment_seek_within_the_video(session, school):
    _, video, student, _ = school  # the video is 600 s long
    view = post(session, student, video, "Look at 1:30, not 12:00")
    assert view.parts == [TextPart("Look at "), TextPart("1:30", 90.0),
                          TextPart(", not 12:00")]


# --- posting and threads ----------------------------------------------------------------------

def test_a_posted_comment_view(session, school):
    creator, video, student, _ = school
    view = post(session, student, video, "First!")
    assert uuid.UUID(view.id)
    assert view.parent_id == "" and view.reply_to == ""
    assert view.author_username == student.username and view.author_name == student.username
    assert view.initials == student.username[0].upper()
    assert view.created == "just now" and view.created_iso.startswith("2026-11-20T12:00:00")
    assert view.can_edit and view.can_delete and not view.edited and not view.deleted
    assert view.like_count == 0 and not view.liked and not view.is_creator
    row = stored(session, video)[0]
    assert row.author_id == student.user_id and row.chapter_id is None and row.parent_id is None


def test_threads_flatten_replies_to_replies_oldest_first(session, school):
    creator, video, alice, bob = school
    a = post(session, alice, video, "Top A", at=0)
    b = post(session, bob, video, "Reply to A", at=1, parent_id=a.id)
    c = post(session, alice, video, "Reply to B", at=2, parent_id=b.id)
    d = post(session, bob, video, "Top D", at=3)
    e = post(session, creator, video, "Creator replies to A", at=4, parent_id=a.id)

    result = threads(session, alice, video)
    assert [t.comment.id for t in result] == [d.id, a.id]  # newest first
    thread_a = result[0 if result[0].comment.id == a.id else 1]
    assert [r.id for r in thread_a.replies] == [b.id, c.id, e.id]
    assert thread_a.reply_count == 3
    by_id = {r.id: r for r in thread_a.replies}
    assert by_id[b.id].parent_id == a.id and by_id[b.id].reply_to == ""
    assert by_id[c.id].parent_id == b.id and by_id[c.id].reply_to == bob.username
    assert by_id[e.id].is_creator and not by_id[b.id].is_creator
    assert result[0].replies == [] and result[0].reply_count == 0
    assert c.reply_to == bob.username  # the view returned by post_comment too
    assert thread_a.comment.created == "1 hour ago"


def test_the_actor_decides_what_may_be_edited_and_deleted(session, school):
    creator, video, alice, bob = school
    a = post(session, alice, video, "Mine")
    as_alice = threads(session, alice, video)[0].comment
    as_bob = threads(session, bob, video)[0].comment
    as_creator = threads(session, creator, video)[0].comment
    assert (as_alice.can_edit, as_alice.can_delete) == (True, True)
    assert (as_bob.can_edit, as_bob.can_delete) == (False, False)
    assert (as_creator.can_edit, as_creator.can_delete) == (False, True)
    assert as_alice.id == as_bob.id == a.id


def test_display_name_and_initials(session, school):
    creator, video, student, _ = school
    session.execute(text("UPDATE users SET display_name = 'ada lovelace' WHERE id = :u"),
                    {"u": student.user_id})
    session.expire_all()
    post(session, student, video, "Hi")
    view = threads(session, creator, video)[0].comment
    assert view.author_name == "ada lovelace" and view.initials == "AL"
    assert view.author_username == student.username


def test_count_comments_counts_live_comments_and_replies(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "A")
    post(session, bob, video, "B", at=1, parent_id=a.id)
    gone = post(session, bob, video, "C", at=2)
    comments.delete_comment(session=session, actor=bob, comment_id=gone.id)
    assert comments.count_comments(session=session, actor=alice, video_id=video.id) == 2


# --- soft delete ----------------------------------------------------------------------------

def test_a_deleted_comment_with_live_replies_stays_as_a_placeholder(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Question", at=0)
    b = post(session, bob, video, "Answer", at=1, parent_id=a.id)
    lone = post(session, bob, video, "Oops", at=2)
    comments.delete_comment(session=session, actor=alice, comment_id=a.id)
    comments.delete_comment(session=session, actor=bob, comment_id=lone.id)

    result = threads(session, alice, video)
    assert len(result) == 1  # the lone deleted comment is left out
    placeholder = result[0].comment
    assert placeholder.id == a.id and placeholder.deleted
    assert placeholder.content == "" and placeholder.parts == []
    assert placeholder.author_username == "" and placeholder.author_name == ""
    assert not placeholder.can_edit and not placeholder.can_delete
    assert [r.id for r in result[0].replies] == [b.id] and result[0].reply_count == 1
    assert all(c.is_deleted for c in stored(session, video) if str(c.id) in (a.id, lone.id))
    assert {c.content for c in stored(session, video)} == {"Question", "Answer", "Oops"}


def test_deleted_replies_are_left_out_but_their_replies_stay(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Top", at=0)
    b = post(session, bob, video, "Reply", at=1, parent_id=a.id)
    c = post(session, alice, video, "Reply to reply", at=2, parent_id=b.id)
    comments.delete_comment(session=session, actor=bob, comment_id=b.id)
    (thread,) = threads(session, alice, video)
    assert [r.id for r in thread.replies] == [c.id] and thread.reply_count == 1
    assert thread.replies[0].reply_to == bob.username


def test_a_thread_whose_comments_are_all_deleted_disappears(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Top")
    b = post(session, bob, video, "Reply", at=1, parent_id=a.id)
    comments.delete_comment(session=session, actor=alice, comment_id=a.id)
    comments.delete_comment(session=session, actor=bob, comment_id=b.id)
    assert threads(session, alice, video) == []
    assert comments.count_comments(session=session, actor=alice, video_id=video.id) == 0


def test_the_videos_creator_can_delete_any_comment_another_student_cannot(session, school):
    creator, video, alice, bob = school
    a = post(session, alice, video, "Spam")
    with pytest.raises(Forbidden):
        comments.delete_comment(session=session, actor=bob, comment_id=a.id)
    assert not stored(session, video)[0].is_deleted
    comments.delete_comment(session=session, actor=creator, comment_id=a.id)
    comments.delete_comment(session=session, actor=creator, comment_id=a.id)  # harmless
    comments.delete_comment(session=session, actor=alice, comment_id=a.id)
    assert stored(session, video)[0].is_deleted
    assert threads(session, alice, video) == []


def test_a_creator_of_another_school_cannot_moderate_a_public_video(session, school):
    creator, _, alice, _ = school
    public = make_video(session, creator, published_at=T0, is_public=True)
    other = make_creator(session)
    a = post(session, alice, public, "Hello")
    with pytest.raises(Forbidden):
        comments.delete_comment(session=session, actor=other, comment_id=a.id)


def test_a_deleted_comment_cannot_be_answered_edited_or_liked(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Top")
    comments.like_comment(session=session, actor=bob, comment_id=a.id)
    comments.delete_comment(session=session, actor=alice, comment_id=a.id)
    with pytest.raises(InvalidInput, match="deleted"):
        post(session, bob, video, "Reply", parent_id=a.id)
    with pytest.raises(NotFound):
        comments.edit_comment(session=session, actor=alice, comment_id=a.id, content="Back")
    with pytest.raises(InvalidInput, match="deleted"):
        comments.like_comment(session=session, actor=alice, comment_id=a.id)
    # a like given before the delete can still be taken back
    state = comments.unlike_comment(session=session, actor=bob, comment_id=a.id)
    assert (state.liked, state.like_count) == (False, 0)


# --- editing --------------------------------------------------------------------------------

def test_editing_marks_the_comment_edited_only_when_the_text_changes(session, school):
    _, video, alice, _ = school
    a = post(session, alice, video, "Frist")
    same = comments.edit_comment(session=session, actor=alice, comment_id=a.id,
                                 content="  Frist \n")
    assert not same.edited and not stored(session, video)[0].is_edited
    changed = comments.edit_comment(session=session, actor=alice, comment_id=a.id,
                                    content="First, see 0:42")
    assert changed.edited and changed.content == "First, see 0:42"
    assert changed.parts[-1] == TextPart("0:42", 42.0)
    row = stored(session, video)[0]
    assert row.is_edited and row.content == "First, see 0:42"
    listed = threads(session, alice, video)[0].comment
    assert listed.edited and listed.content == "First, see 0:42"


def test_edits_follow_the_content_rules(session, school):
    _, video, alice, _ = school
    a = post(session, alice, video, "Fine")
    for bad in ("   ", "w" * 2001):
        with pytest.raises(InvalidInput):
            comments.edit_comment(session=session, actor=alice, comment_id=a.id, content=bad)
    assert stored(session, video)[0].content == "Fine"


def test_only_the_author_edits(session, school):
    creator, video, alice, bob = school
    a = post(session, alice, video, "Mine")
    for other in (bob, creator):
        with pytest.raises(Forbidden):
            comments.edit_comment(session=session, actor=other, comment_id=a.id, content="Not")
    assert stored(session, video)[0].content == "Mine"


def test_an_edited_reply_keeps_its_place(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Top")
    b = post(session, bob, video, "Reply", at=1, parent_id=a.id)
    c = post(session, alice, video, "Reply 2", at=2, parent_id=b.id)
    edited = comments.edit_comment(session=session, actor=alice, comment_id=c.id,
                                   content="Reply two")
    assert edited.parent_id == b.id and edited.reply_to == bob.username


# --- likes ----------------------------------------------------------------------------------

def test_like_and_unlike_twice_are_idempotent_and_counted_by_the_trigger(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Like me")
    for _ in range(2):
        state = comments.like_comment(session=session, actor=bob, comment_id=a.id)
        assert (state.liked, state.like_count) == (True, 1)
        assert db_like_count(session, a.id) == 1
    for _ in range(2):
        state = comments.unlike_comment(session=session, actor=bob, comment_id=a.id)
        assert (state.liked, state.like_count) == (False, 0)
        assert db_like_count(session, a.id) == 0
    rows = session.execute(text("SELECT count(*) FROM likes WHERE comment_id = :c"),
                           {"c": uuid.UUID(a.id)}).scalar_one()
    assert rows == 0


def test_toggle_flips_the_like(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Toggle")
    on = comments.toggle_comment_like(session=session, actor=bob, comment_id=a.id)
    assert (on.liked, on.like_count) == (True, 1)
    mine = comments.toggle_comment_like(session=session, actor=alice, comment_id=a.id)
    assert (mine.liked, mine.like_count) == (True, 2)
    off = comments.toggle_comment_like(session=session, actor=bob, comment_id=a.id)
    assert (off.liked, off.like_count) == (False, 1)
    assert db_like_count(session, a.id) == 1


def test_liked_is_per_actor(session, school):
    creator, video, alice, bob = school
    a = post(session, alice, video, "Top")
    b = post(session, bob, video, "Reply", at=1, parent_id=a.id)
    comments.like_comment(session=session, actor=alice, comment_id=b.id)
    comments.like_comment(session=session, actor=creator, comment_id=a.id)
    comments.like_comment(session=session, actor=creator, comment_id=b.id)

    def flags(actor):
        (thread,) = threads(session, actor, video)
        reply = thread.replies[0]
        return (thread.comment.liked, thread.comment.like_count, reply.liked, reply.like_count)

    assert flags(alice) == (False, 1, True, 2)
    assert flags(bob) == (False, 1, False, 2)
    assert flags(creator) == (True, 1, True, 2)


# --- sorting and chapters -------------------------------------------------------------------

def test_sort_newest_and_top(session, school):
    creator, video, alice, bob = school
    old = post(session, alice, video, "Old but loved", at=0)
    mid = post(session, alice, video, "Discussed", at=1)
    new = post(session, bob, video, "Newest", at=2)
    tie = post(session, bob, video, "Also discussed, newer", at=3)
    for actor in (bob, creator):
        comments.like_comment(session=session, actor=actor, comment_id=old.id)
    comments.like_comment(session=session, actor=bob, comment_id=mid.id)
    comments.like_comment(session=session, actor=alice, comment_id=tie.id)
    post(session, bob, video, "reply", at=4, parent_id=mid.id)

    newest = [t.comment.id for t in threads(session, alice, video)]
    assert newest == [tie.id, new.id, mid.id, old.id]
    assert [t.comment.id for t in threads(session, alice, video, sort="newest")] == newest
    top = [t.comment.id for t in threads(session, alice, video, sort="top")]
    # 2 likes; 1 like + 1 reply; 1 like newer; 0 likes
    assert top == [old.id, mid.id, tie.id, new.id]
    with pytest.raises(InvalidInput):
        threads(session, alice, video, sort="oldest")


def test_chapter_filter_and_replies_take_the_parents_chapter(session, school):
    _, video, alice, bob = school
    intro = add_chapter(session, video, 1, 0, 120, "Intro")
    deep = add_chapter(session, video, 2, 120, 600, "Deep dive")
    a = post(session, alice, video, "About the intro", chapter_id=str(intro.id))
    assert a.chapter_id == str(intro.id) and a.chapter_title == "Intro"
    general = post(session, bob, video, "General", at=1, chapter_id="")
    assert general.chapter_id == "" and general.chapter_title == ""
    # a reply takes its parent's chapter, whatever chapter the page was showing
    reply = post(session, bob, video, "Reply", at=2, parent_id=a.id, chapter_id=str(deep.id))
    assert reply.chapter_id == str(intro.id) and reply.chapter_title == "Intro"
    deep_one = post(session, bob, video, "Deep", at=3, chapter_id=str(deep.id))

    by_intro = threads(session, alice, video, chapter_id=str(intro.id))
    assert [t.comment.id for t in by_intro] == [a.id]
    assert [r.id for r in by_intro[0].replies] == [reply.id]
    assert [t.comment.id for t in threads(session, alice, video, chapter_id=str(deep.id))] \
        == [deep_one.id]
    assert len(threads(session, alice, video)) == 3
    assert len(threads(session, alice, video, chapter_id="")) == 3
    assert stored_chapter(session, reply.id) == intro.id


def stored_chapter(session, comment_id):
    return session.get(Comment, uuid.UUID(comment_id)).chapter_id


def test_foreign_chapter_and_parent_ids_are_refused(session, school):
    creator, video, alice, _ = school
    other_video = make_video(session, creator, published_at=T0, title="Other")
    foreign_chapter = add_chapter(session, other_video, 1, 0, 60, "Elsewhere")
    foreign_parent = post(session, alice, other_video, "On the other video")
    with pytest.raises(InvalidInput) as err:
        post(session, alice, video, "Hi", chapter_id=str(foreign_chapter.id))
    assert err.value.field == "chapter_id"
    with pytest.raises(NotFound) as err:
        post(session, alice, video, "Hi", parent_id=foreign_parent.id)
    assert err.value.field == "parent_id"
    with pytest.raises(InvalidInput):
        threads(session, alice, video, chapter_id=str(foreign_chapter.id))
    assert stored(session, video) == []


@pytest.mark.parametrize("bad", ["nope", "123", str(uuid.uuid4()), " ", "{not-a-uuid}"])
def test_malformed_or_unknown_ids_never_raise_raw_errors(session, school, bad):
    _, video, alice, _ = school
    a = post(session, alice, video, "Top")
    if bad.strip():
        with pytest.raises(NotFound, match="That video is not available."):
            comments.list_threads(session=session, actor=alice, video_id=bad)
        with pytest.raises(NotFound):
            comments.post_comment(session=session, actor=alice, video_id=bad, content="x")
        with pytest.raises(NotFound):
            comments.count_comments(session=session, actor=alice, video_id=bad)
        for fn in (comments.like_comment, comments.unlike_comment,
                   comments.toggle_comment_like, comments.delete_comment):
            with pytest.raises(NotFound):
                fn(session=session, actor=alice, comment_id=bad)
        with pytest.raises(NotFound):
            comments.edit_comment(session=session, actor=alice, comment_id=bad, content="x")
        with pytest.raises(InvalidInput):
            post(session, alice, video, "x", chapter_id=bad)
        with pytest.raises(InvalidInput):
            threads(session, alice, video, chapter_id=bad)
        with pytest.raises(NotFound):
            post(session, alice, video, "x", parent_id=bad)
    else:  # a blank chapter or parent means "none"
        blank = post(session, alice, video, "x", at=1, chapter_id=bad, parent_id=bad)
        assert blank.parent_id == "" and blank.chapter_id == ""
    with pytest.raises(NotFound):
        comments.list_threads(session=session, actor=alice, video_id="")
    assert [t.comment.id for t in threads(session, alice, video)][-1] == a.id


# --- who may see the discussion -------------------------------------------------------------

def test_outsiders_get_not_found_on_a_private_video(session, school):
    creator, video, alice, _ = school
    a = post(session, alice, video, "Members only")
    other_school = make_creator(session)
    outsiders = [make_student(session, other_school), make_user(session), other_school]
    for outsider in outsiders:
        with pytest.raises(NotFound, match="That video is not available."):
            threads(session, outsider, video)
        with pytest.raises(NotFound):
            post(session, outsider, video, "Let me in")
        with pytest.raises(NotFound):
            comments.count_comments(session=session, actor=outsider, video_id=video.id)
        for fn in (comments.like_comment, comments.unlike_comment,
                   comments.toggle_comment_like, comments.delete_comment):
            with pytest.raises(NotFound):
                fn(session=session, actor=outsider, comment_id=a.id)
        with pytest.raises(NotFound):
            comments.edit_comment(session=session, actor=outsider, comment_id=a.id,
                                  content="Changed")
    assert [c.content for c in stored(session, video)] == ["Members only"]
    assert db_like_count(session, a.id) == 0


def test_a_comment_of_another_tenants_video_cannot_be_liked_or_deleted(session, school):
    creator, video, alice, _ = school
    tenant = make_creator(session)
    their_video = make_video(session, tenant, published_at=T0, is_public=False)
    their_student = make_student(session, tenant)
    theirs = post(session, their_student, their_video, "Our school")
    for actor in (alice, creator):
        with pytest.raises(NotFound):
            comments.like_comment(session=session, actor=actor, comment_id=theirs.id)
        with pytest.raises(NotFound):
            comments.delete_comment(session=session, actor=actor, comment_id=theirs.id)
    row = session.get(Comment, uuid.UUID(theirs.id))
    assert not row.is_deleted and db_like_count(session, theirs.id) == 0


def test_unpublished_and_deleted_videos(session, school):
    creator, _, alice, _ = school
    draft = make_video(session, creator, published_at=None, is_public=True)
    with pytest.raises(NotFound):
        threads(session, alice, draft)
    with pytest.raises(NotFound):
        post(session, alice, draft, "Early")
    note = post(session, creator, draft, "Note to self")  # the owner may, before publishing
    assert note.is_creator and threads(session, creator, draft)[0].comment.id == note.id
    draft.is_deleted = True
    session.add(draft)
    session.flush()
    with pytest.raises(NotFound):  # gone for everyone, the owner included
        threads(session, creator, draft)
    with pytest.raises(NotFound):
        comments.like_comment(session=session, actor=creator, comment_id=note.id)


def test_a_public_video_is_open_to_any_user_and_readable_anonymously(session, school):
    creator, _, alice, _ = school
    public = make_video(session, creator, published_at=T0, is_public=True)
    stranger = make_user(session)
    s = post(session, stranger, public, "Nice")
    (thread,) = comments.list_threads(session=session, actor=None, video_id=public.id)
    assert thread.comment.id == s.id and not thread.comment.can_edit
    assert not thread.comment.can_delete and not thread.comment.liked
    with pytest.raises(Unauthenticated):
        comments.post_comment(session=session, actor=None, video_id=public.id, content="Hi")


# --- rate limit and efficiency --------------------------------------------------------------

def test_at_most_ten_comments_a_minute_per_user(session, school, fresh_limiter):
    _, video, alice, bob = school
    for i in range(10):
        post(session, alice, video, f"Comment {i}", at=i)
    with pytest.raises(RateLimited):
        post(session, alice, video, "One too many", at=11)
    assert len(stored(session, video)) == 10
    post(session, bob, video, "Someone else may still post")
    fresh_limiter.reset(f"comment:{alice.user_id}")
    post(session, alice, video, "After the window")


def test_refused_comments_do_not_use_up_the_limit(session, school):
    _, video, alice, _ = school
    for _ in range(12):
        with pytest.raises(InvalidInput):
            post(session, alice, video, "   ")
    for i in range(10):
        post(session, alice, video, f"Comment {i}", at=i)


def test_listing_uses_a_fixed_number_of_queries(session, school):
    creator, video, alice, bob = school
    chapter = add_chapter(session, video, 1, 0, 600, "All of it")

    def queries_for_listing() -> int:
        session.expire_all()
        count = 0

        def before(*_args):
            nonlocal count
            count += 1

        connection = session.connection()
        event.listen(connection, "before_cursor_execute", before)
        try:
            threads(session, alice, video, sort="top")
        finally:
            event.remove(connection, "before_cursor_execute", before)
        return count

    a = post(session, alice, video, "One", chapter_id=str(chapter.id))
    small = queries_for_listing()
    for i in range(15):
        comments.COMMENT_LIMITER.reset(f"comment:{bob.user_id}")
        comments.COMMENT_LIMITER.reset(f"comment:{alice.user_id}")
        top = post(session, bob, video, f"Top {i}", at=i + 1)
        reply = post(session, alice, video, f"Reply {i}", at=i + 1, parent_id=top.id)
        comments.like_comment(session=session, actor=alice, comment_id=top.id)
        comments.like_comment(session=session, actor=alice, comment_id=reply.id)
    comments.like_comment(session=session, actor=alice, comment_id=a.id)
    assert len(threads(session, alice, video)) == 16
    assert 3 <= queries_for_listing() == small <= 5


def test_listing_shows_like_counts_as_stored_not_as_cached(session, school):
    _, video, alice, bob = school
    a = post(session, alice, video, "Top")
    held = session.get(Comment, uuid.UUID(a.id))  # in the session with like_count 0
    session.execute(text("INSERT INTO likes (user_id, comment_id) VALUES (:u, :c)"),
                    {"u": bob.user_id, "c": uuid.UUID(a.id)})
    (thread,) = threads(session, bob, video)
    assert thread.comment.like_count == 1 and thread.comment.liked and held.like_count == 1

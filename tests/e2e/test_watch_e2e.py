"""The watch page in the browser, with a real WebM file made for the test and processed by the
real pipeline: play, chapters (list, timeline markers, highlight), transcript, comments with
timestamp links, replies, edits, deletes and likes, video likes and views, speed remembered,
resume after a reload, and "not available" for a student of another school."""

from __future__ import annotations

import io
import re
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from chronos_app.core.db import session_scope
from chronos_app.models import Video, VideoAnalyticsEvent, VideoWatchSession
from chronos_app.pipeline import media
from chronos_app.services import videos
from tests.e2e.pages import WatchPage, expect_logged_in_as, log_in, open_path
from tests.factories import make_creator, make_student, make_user

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e" / "screenshots"
CHAPTERS = [("0:00", "Opening the lesson"), ("0:10", "The middle part"),
            ("0:20", "Closing the lesson")]
LINES = ["Welcome to this short lesson.", "We start with the opening idea.",
         "Here is the first example.", "Now the middle part begins.",
         "Watch the pattern move across.", "This is the central example.",
         "We are closing the lesson now.", "Remember the three parts.",
         "Thanks for watching this lesson.", "See you in the next one."]


def _vtt() -> bytes:
    rows = ["WEBVTT", ""]
    for i, line in enumerate(LINES):
        start, end = i * 3.0, i * 3.0 + 2.9
        rows += [f"00:00:{start:06.3f} --> 00:00:{end:06.3f}", line, ""]
    return "\n".join(rows).encode()


@pytest.fixture(scope="module")
def lesson(app_url, tmp_path_factory) -> dict:
    """A creator's published 30 s WebM lesson with three chapters, a student of the school,
    and a student of another school."""
    path = media.make_demo_video(tmp_path_factory.mktemp("watch") / "lesson.webm", seconds=30,
                                 container="webm", color="#0f766e")
    with session_scope() as session:
        creator = make_creator(session, name="Pattern School")
        student = make_student(session, creator)
        other_school = make_creator(session, name="Another School")
        outsider = make_student(session, other_school)
        stranger = make_user(session)
        data = path.read_bytes()
        row = videos.upload_video(session=session, actor=creator, filename="lesson.webm",
                                  stream=io.BytesIO(data), size=len(data),
                                  title="Patterns in motion")
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="lesson.vtt", data=_vtt())
    deadline = time.monotonic() + 90
    while True:  # the app's own worker processes it
        with session_scope() as session:
            status = session.get(Video, uuid.UUID(row.id)).status
        if status == "completed":
            break
        assert status not in ("failed", "cancelled"), status
        assert time.monotonic() < deadline, f"still {status}"
        time.sleep(0.3)
    with session_scope() as session:
        videos.save_chapters(session=session, actor=creator, video_id=row.id, chapters=CHAPTERS)
        videos.set_published(session=session, actor=creator, video_id=row.id, published=True)
        session.get(Video, uuid.UUID(row.id)).is_public = False  # members only
    return {"video_id": row.id, "creator": creator.username, "student": student.username,
            "student_id": student.student_of[creator.creator_id],
            "outsider": outsider.username, "stranger": stranger.username}


def test_student_watches_navigates_comments_and_resumes(page: Page, base_url: str,
                                                        lesson: dict):
    log_in(page, base_url, lesson["student"])
    expect_logged_in_as(page, lesson["student"])
    # The student finds the lesson on the home page.
    lessons = page.get_by_test_id("school-lessons")
    expect(lessons.get_by_test_id("lesson-card")).to_contain_text(["Patterns in motion"])
    lessons.get_by_test_id("lesson-card").filter(has_text="Patterns in motion").click()
    w = WatchPage(page, base_url)
    w.wait_ready()
    expect(w.title).to_have_text("Patterns in motion")
    expect(w.chapter_items).to_have_count(3)
    expect(w.markers).to_have_count(3)
    expect(page.get_by_test_id("view-count")).to_have_text("0 views")
    expect(page.get_by_test_id("no-comments")).to_be_visible()

    # Play: the time moves, the first chapter is the current one; a view is counted.
    w.play()
    w.expect_time_between(1, 9)
    w.expect_active_chapter(0)
    expect(page.get_by_test_id("view-count")).to_have_text("1 view")

    # Clicking a chapter jumps there and highlights it, in the list and on the timeline.
    w.chapter_items.nth(1).click()
    w.expect_time_between(10, 19)
    w.expect_active_chapter(1)
    expect(page.get_by_test_id("current-chapter")).to_contain_text("The middle part")
    # A marker's title shows when hovering it.
    w.markers.nth(2).hover()
    expect(page.get_by_role("tooltip")).to_contain_text("Closing the lesson")

    # Transcript: the current line is highlighted; search; clicking a line seeks.
    page.get_by_role("tab", name="Transcript").click()
    expect(page.locator("[data-testid=cue][data-active=true]")).to_have_count(1)
    page.get_by_test_id("transcript-search").fill("pattern move")
    expect(page.get_by_test_id("cue")).to_have_count(1)
    page.get_by_test_id("cue").click()
    w.expect_time_between(12, 20)
    page.get_by_test_id("transcript-search").fill("")
    expect(page.get_by_test_id("cue")).to_have_count(len(LINES))
    page.get_by_role("tab", name="Chapters").click()

    # Comments: blank cannot be posted; the counter counts; too long is refused.
    post = page.get_by_test_id("post-comment")
    w.comment_input.fill("   ")
    expect(post).to_be_disabled()
    w.comment_input.fill("x" * 2001)
    expect(page.get_by_test_id("char-counter").first).to_have_text("2001 / 2000")
    expect(post).to_be_disabled()

    # A comment with a time: the time becomes a link that seeks; HTML stays text.
    w.comment_input.fill("Loved the part at 0:05 <b>really</b>")
    expect(page.get_by_test_id("char-counter").first).to_have_text("36 / 2000")
    post.click()
    comment = page.get_by_test_id("comment-item").first
    expect(comment.get_by_test_id("comment-text")).to_have_text(
        "Loved the part at 0:05 <b>really</b>")
    expect(comment.locator("b")).to_have_count(0)
    expect(page.get_by_test_id("comment-count")).to_have_text("1 comment")
    comment.get_by_test_id("comment-timestamp").click()
    w.expect_time_between(5, 9)
    w.expect_active_chapter(0)

    # Reply, edit (marked edited), like.
    comment.get_by_test_id("reply").click()
    page.get_by_test_id("reply-input").fill("Me too, especially 0:12")
    page.get_by_test_id("reply-input-save").click()
    reply = page.get_by_test_id("reply-item").first
    expect(reply.get_by_test_id("comment-text")).to_have_text("Me too, especially 0:12")

    comment.get_by_test_id("edit").first.click()
    page.get_by_test_id("edit-input").fill("Loved the part at 0:05, so clear")
    page.get_by_test_id("edit-input-save").click()
    expect(comment.get_by_test_id("comment-text").first).to_have_text(
        "Loved the part at 0:05, so clear")
    expect(comment.get_by_test_id("edited-mark")).to_be_visible()

    like = comment.get_by_test_id("comment-like").first
    like.click()
    expect(like).to_have_text("1")
    expect(like).to_have_attribute("aria-label", "Unlike comment")

    # Like the video.
    video_like = page.get_by_test_id("video-like")
    video_like.click()
    expect(video_like).to_have_text("1")
    expect(video_like).to_have_attribute("aria-pressed", "true")

    # Delete the comment: the thread stays readable.
    comment.get_by_test_id("delete").first.click()
    page.get_by_test_id("confirm-delete").click()
    expect(page.get_by_test_id("comment-deleted")).to_be_visible()
    expect(page.get_by_test_id("reply-item").get_by_test_id("comment-text")).to_have_text(
        "Me too, especially 0:12")

    # Speed, remembered across visits.
    w.set_speed("1.5×")
    w.expect_rate(1.5)

    # Watch a little of the last chapter, pause, reload: resume near there, at 1.5x.
    w.chapter_items.nth(2).click()
    w.expect_time_between(22, 29)
    w.pause()
    left_at = w.current_time()
    page.reload()
    w.wait_ready()
    expect(page.get_by_test_id("resume-note")).to_be_visible()
    w.expect_time_between(left_at - 2, left_at + 1)
    w.expect_rate(1.5)
    expect(page.get_by_test_id("speed-select")).to_contain_text("1.5×")
    expect(video_like).to_have_text("1")

    # Home offers to continue where the student left off.
    page.get_by_role("link", name="Home").click()
    resume = page.get_by_test_id("continue-watching").get_by_test_id("lesson-card")
    expect(resume).to_contain_text(re.compile(r"Continue at 0:2\d"))

    # What the database recorded: one session per visit, real watch time, the events.
    with session_scope() as session:
        sessions = session.exec(select(VideoWatchSession).where(
            VideoWatchSession.student_id == uuid.UUID(str(lesson["student_id"])))).all()
        events = {e.event_type for e in session.exec(select(VideoAnalyticsEvent).where(
            VideoAnalyticsEvent.video_id == uuid.UUID(lesson["video_id"]))).all()}
    assert len(sessions) == 1
    assert sessions[0].device_type == "desktop" and sessions[0].referrer_type == "direct_link"
    assert 0 < sessions[0].watch_time_seconds < 30
    assert not sessions[0].completed  # jumping around is not watching to the end
    assert "video_started" in events


def test_time_in_the_url_starts_there(page: Page, base_url: str, lesson: dict):
    log_in(page, base_url, lesson["creator"])
    expect_logged_in_as(page, lesson["creator"])
    w = WatchPage(page, base_url).open(lesson["video_id"], query="?t=21")
    w.expect_time_between(20.5, 23)
    w.expect_active_chapter(2)
    open_path(page, base_url, f"/watch/{lesson['video_id']}#t=0:14")
    w.wait_ready()
    w.expect_time_between(13.5, 16)
    w.expect_active_chapter(1)


def test_other_school_and_unknown_ids_are_not_available(page: Page, base_url: str,
                                                        lesson: dict):
    log_in(page, base_url, lesson["outsider"])
    expect_logged_in_as(page, lesson["outsider"])
    open_path(page, base_url, f"/watch/{lesson['video_id']}")
    expect(page.get_by_text("This video is not available")).to_be_visible()
    expect(page.get_by_test_id("player")).to_have_count(0)
    expect(page.get_by_text("Patterns in motion")).to_have_count(0)
    open_path(page, base_url, f"/watch/{uuid.uuid4()}")
    expect(page.get_by_text("This video is not available")).to_be_visible()
    open_path(page, base_url, "/watch/not-a-uuid")
    expect(page.get_by_text("This video is not available")).to_be_visible()


@pytest.mark.parametrize("name, viewport", [("laptop", {"width": 1366, "height": 820}),
                                            ("phone", {"width": 390, "height": 844})])
def test_watch_page_screenshots(page: Page, base_url: str, lesson: dict, name: str,
                                viewport: dict):
    page.set_viewport_size(viewport)
    log_in(page, base_url, lesson["student"])
    expect_logged_in_as(page, lesson["student"])
    w = WatchPage(page, base_url).open(lesson["video_id"], query="?t=12")
    w.expect_active_chapter(1)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTEFACTS / f"watch-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    # Nothing is wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the {name} screen"
    assert re.search(r"/watch/", page.url)


SOURCES = [
    ("youtube", dict(source_type="youtube", youtube_video_id="aircAruvnKk", embed_type="youtube",
                     embed_id="aircAruvnKk"), "youtube-video"),
    ("vimeo", dict(source_type="vimeo", embed_type="vimeo", embed_id="76979871"), "vimeo-video"),
    ("wistia", dict(source_type="wistia", embed_type="wistia", embed_id="e4a27b971d"),
     "wistia-video"),
    ("mux", dict(source_type="mux",
                 mux_playback_id="EcHgOK9coz5K4rjSwOkoE7Y7O01201YMIC200RI6lNxnhs"), "hls-video"),
]


@pytest.mark.parametrize("source, fields, element", SOURCES, ids=[s[0] for s in SOURCES])
def test_each_source_gets_its_player(page: Page, base_url: str, source: str, fields: dict,
                                     element: str):
    """No network here, so the players cannot load their media; the right player element
    is on the page with the source's address, and the page around it works."""
    from datetime import UTC, datetime

    from tests.factories import make_video

    with session_scope() as session:
        creator = make_creator(session)
        values = dict(youtube_video_id=None, embed_type=None, embed_id=None)
        values.update(fields)
        video = make_video(session, creator, title=f"A {source} lesson", duration_seconds=120,
                           status="completed", published_at=datetime.now(UTC), **values)
        video_id = str(video.id)
    log_in(page, base_url, creator.username)
    expect_logged_in_as(page, creator.username)
    open_path(page, base_url, f"/watch/{video_id}")
    expect(page.get_by_test_id("watch-title")).to_have_text(f"A {source} lesson")
    expect(page.locator(f"#chronos-player {element}")).to_be_attached()
    expect(page.get_by_test_id("speed-select")).to_be_visible()


def test_loom_plays_in_its_embed_and_says_what_it_cannot_do(page: Page, base_url: str):
    from datetime import UTC, datetime

    from tests.factories import make_video

    with session_scope() as session:
        creator = make_creator(session)
        video = make_video(session, creator, title="A Loom walkthrough", source_type="loom",
                           youtube_video_id=None, embed_type="loom",
                           embed_id="0281766fa2d04bb788eaf19e65135184", duration_seconds=120,
                           status="completed", published_at=datetime.now(UTC))
        video_id = str(video.id)
    log_in(page, base_url, creator.username)
    expect_logged_in_as(page, creator.username)
    open_path(page, base_url, f"/watch/{video_id}")
    frame = page.get_by_test_id("loom-embed").locator("iframe")
    expect(frame).to_have_attribute(
        "src", "https://www.loom.com/embed/0281766fa2d04bb788eaf19e65135184")
    expect(page.get_by_test_id("loom-note")).to_contain_text("cannot seek it")
    expect(page.get_by_test_id("speed-select")).to_have_count(0)

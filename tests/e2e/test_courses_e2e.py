"""Courses in the browser: a creator builds a two-module course from library videos, reorders
lessons by dragging, deletes and undoes, publishes; a student of the school finds it, completes a
lesson by playing it to the end and sees the tick and the course progress move; a student of
another school can neither see nor open it."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from playwright.sync_api import Page, expect

from chronos_app.core.db import session_scope
from chronos_app.models import Video
from chronos_app.pipeline import media
from chronos_app.services import videos
from tests.e2e.pages import WatchPage, expect_logged_in_as, log_in, open_path
from tests.e2e.test_watch_e2e import ARTEFACTS
from tests.factories import make_creator, make_student, make_video


def _shot(page: Page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)

CLIP_VTT = (b"WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nA short clip about patterns.\n\n"
            b"00:00:05.000 --> 00:00:11.500\nThat is the whole idea, see you next time.\n")


@pytest.fixture(scope="module")
def school(app_url, tmp_path_factory) -> dict:
    """A creator with three processed videos (one a real 12 s WebM), a student, an outsider."""
    path = media.make_demo_video(tmp_path_factory.mktemp("course") / "clip.webm", seconds=12,
                                 container="webm", color="#7c2d12")
    with session_scope() as session:
        creator = make_creator(session, name="Course School")
        student = make_student(session, creator)
        outsider = make_student(session, make_creator(session, name="Elsewhere"))
        data = path.read_bytes()
        clip = videos.upload_video(session=session, actor=creator, filename="clip.webm",
                                   stream=io.BytesIO(data), size=len(data),
                                   title="Short clip")
        videos.attach_transcript(session=session, actor=creator, video_id=clip.id,
                                 filename="clip.vtt", data=CLIP_VTT)
        for title in ("Intro to patterns", "Second look"):
            make_video(session, creator, title=title, status="completed", duration_seconds=300)
    deadline = time.monotonic() + 90
    while True:
        with session_scope() as session:
            status = session.get(Video, uuid.UUID(clip.id)).status
        if status == "completed":
            break
        assert status not in ("failed", "cancelled") and time.monotonic() < deadline, status
        time.sleep(0.3)
    return {"creator": creator.username, "student": student.username,
            "outsider": outsider.username, "course": {}}


def _lesson_titles(page: Page, module: int) -> list[str]:
    card = page.get_by_test_id("module-card").nth(module)
    return [t.strip() for t in card.get_by_test_id("lesson-row").locator(
        "[data-testid=lesson-title]").evaluate_all("els => els.map(e => e.placeholder)")]


def test_creator_builds_reorders_and_publishes(page: Page, base_url: str, school: dict):
    log_in(page, base_url, school["creator"])
    expect_logged_in_as(page, school["creator"])
    page.get_by_role("link", name="Courses").click()
    expect(page.get_by_text("No courses yet")).to_be_visible()
    page.get_by_label("Course title").fill("Patterns course")
    page.get_by_label("Course description").fill("Seeing patterns everywhere.")
    page.get_by_role("button", name="Create course").click()
    expect(page.get_by_test_id("course-title")).to_have_value("Patterns course")
    school["course"]["id"] = page.url.rstrip("/").rsplit("/", 1)[-1]

    # Nothing to publish yet, and the page says why.
    expect(page.get_by_test_id("publish-course")).to_be_disabled()
    expect(page.get_by_test_id("publish-blockers")).to_contain_text("Add at least one lesson")

    for title in ("Basics", "Going further"):
        page.get_by_label("New module title").fill(title)
        page.get_by_role("button", name="Add module").click()
        expect(page.get_by_test_id("module-title").last).to_have_value(title)

    # Lessons from the library picker, with search.
    page.get_by_test_id("add-lessons").first.click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Search your videos").fill("intro")
    expect(dialog.get_by_test_id("picker-row")).to_have_count(1)
    dialog.get_by_role("button", name="Add Intro to patterns").click()
    expect(dialog.get_by_test_id("picker-row").first).to_contain_text("In this course")
    dialog.get_by_label("Search your videos").fill("")
    dialog.get_by_role("button", name="Add Short clip").click()
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("module-card").first.get_by_test_id("lesson-row")).to_have_count(2)
    page.get_by_test_id("add-lessons").nth(1).click()
    page.get_by_role("dialog").get_by_role("button", name="Add Second look").click()
    page.get_by_role("dialog").get_by_role("button", name="Done").click()
    assert _lesson_titles(page, 0) == ["Intro to patterns", "Short clip"]

    # Drag "Short clip" above "Intro to patterns".
    rows = page.get_by_test_id("module-card").first.get_by_test_id("lesson-row")
    rows.nth(1).get_by_test_id("drag-handle").drag_to(rows.nth(0), target_position={"x": 40,
                                                                                     "y": 4})
    expect(rows.first.get_by_test_id("lesson-title")).to_have_attribute("placeholder",
                                                                          "Short clip")
    assert _lesson_titles(page, 0) == ["Short clip", "Intro to patterns"]
    # The keyboard way: move it back down with its button, then up again.
    rows.first.get_by_role("button", name="Move lesson down").click()
    expect(rows.first.get_by_test_id("lesson-title")).to_have_attribute("placeholder",
                                                                          "Intro to patterns")
    rows.nth(1).get_by_role("button", name="Move lesson up").click()
    expect(rows.first.get_by_test_id("lesson-title")).to_have_attribute("placeholder",
                                                                          "Short clip")

    # Delete a lesson, then undo.
    second = page.get_by_test_id("module-card").nth(1)
    second.get_by_role("button", name="More lesson actions").click()
    page.get_by_role("menuitem", name="Remove from course").click()
    expect(second.get_by_test_id("lesson-row")).to_have_count(0)
    page.get_by_test_id("undo").click()
    expect(second.get_by_test_id("lesson-row")).to_have_count(1)

    # Per-lesson settings are saved as you go.
    optional = second.get_by_test_id("lesson-row").first.get_by_role("checkbox")
    optional.click()
    expect(optional).not_to_be_checked()

    first = page.get_by_test_id("module-card").first.get_by_test_id("lesson-row").first
    first.get_by_test_id("lesson-notes").click()
    page.get_by_label("Lesson description").fill("Watch for the moving square.")
    page.get_by_role("button", name="Save notes").click()
    expect(first).to_contain_text("Watch for the moving square.")

    page.get_by_test_id("publish-course").click()
    expect(page.get_by_text("Published", exact=True).first).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("course-title")).to_have_value("Patterns course")
    assert _lesson_titles(page, 0) == ["Short clip", "Intro to patterns"]
    expect(page.get_by_test_id("module-card").nth(1).get_by_role("checkbox")).not_to_be_checked()
    expect(page.get_by_test_id("lesson-row").first).to_contain_text("Watch for the moving square.")
    _shot(page, "course-builder")


def test_student_completes_a_lesson_and_progress_moves(page: Page, base_url: str,
                                                       school: dict):
    course_id = school["course"].get("id")
    assert course_id, "the creator's test builds the course first"
    log_in(page, base_url, school["student"])
    expect_logged_in_as(page, school["student"])
    page.get_by_role("link", name="Learn").click()
    card = page.get_by_test_id("catalog-course").filter(has_text="Patterns course")
    expect(card).to_contain_text("Not started")
    card.click()

    outline = page.get_by_test_id("course-outline")
    lessons = outline.get_by_test_id("outline-lesson")
    expect(lessons).to_have_count(3)
    expect(page.get_by_test_id("course-percent")).to_have_text("0%")
    expect(lessons.first).to_have_attribute("data-current", "true")
    expect(page.get_by_test_id("watch-title")).to_have_text("Short clip")

    # Play the whole lesson (at 2x to be quick): the tick and the bars move.
    w = WatchPage(page, base_url)
    w.wait_ready()
    w.set_speed("2×")
    w.play()
    expect(lessons.first).to_have_attribute("data-completed", "true", timeout=30_000)
    expect(lessons.first.get_by_test_id("lesson-tick")).to_be_visible()
    expect(page.get_by_test_id("course-percent")).to_have_text("50%")  # 1 of 2 required
    _shot(page, "course-viewer-laptop")
    # Auto-advance offers the next lesson; cancel it and go by hand.
    expect(page.get_by_test_id("up-next")).to_contain_text("Intro to patterns")
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("up-next")).to_have_count(0)
    page.get_by_test_id("next-lesson").click()
    expect(lessons.nth(1)).to_have_attribute("data-current", "true")
    expect(page.get_by_test_id("watch-title")).to_have_text("Intro to patterns")

    # The catalog shows it in progress; coming back resumes the course at the last lesson.
    open_path(page, base_url, "/courses")
    expect(card).to_contain_text("In progress")
    _shot(page, "catalog")
    page.get_by_test_id("status-filter").get_by_role("radio", name="Completed").click()
    expect(page.get_by_test_id("catalog-course")).to_have_count(0)
    open_path(page, base_url, f"/courses/{course_id}")
    expect(page.get_by_test_id("course-outline").get_by_test_id("outline-lesson").first
           ).to_have_attribute("data-completed", "true")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_test_id("watch-title")).to_be_visible()
    _shot(page, "course-viewer-phone")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.set_viewport_size({"width": 1280, "height": 800})

    # The creator sees the student's progress.
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    log_in(page, base_url, school["creator"])
    expect_logged_in_as(page, school["creator"])
    open_path(page, base_url, f"/studio/courses/{course_id}")
    page.get_by_role("tab", name="Students").click()
    row = page.get_by_test_id("student-progress").filter(has_text=school["student"])
    expect(row).to_contain_text("50%")
    expect(row).to_contain_text("In progress")


def test_another_school_cannot_see_or_open_the_course(page: Page, base_url: str,
                                                      school: dict):
    course_id = school["course"].get("id")
    assert course_id, "the creator's test builds the course first"
    log_in(page, base_url, school["outsider"])
    expect_logged_in_as(page, school["outsider"])
    open_path(page, base_url, "/courses")
    expect(page.get_by_text("Patterns course")).to_have_count(0)
    open_path(page, base_url, f"/courses/{course_id}")
    expect(page.get_by_text("This course is not available")).to_be_visible()
    expect(page.get_by_test_id("course-outline")).to_have_count(0)
    open_path(page, base_url, f"/studio/courses/{course_id}")
    expect(page.get_by_test_id("course-title")).to_have_count(0)

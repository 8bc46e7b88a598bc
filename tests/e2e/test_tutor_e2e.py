"""The AI tutor in the browser (offline mode: no keys here): a student asks on the watch page,
sees the answer stream with a citation chip, clicks it and the player jumps there; the
conversation is on the chat page, renamed and exported; a question the videos don't answer gets
the "not found" reply."""

from __future__ import annotations

import io
import json
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
from tests.factories import make_creator, make_student

BLOCKS = [  # four topics, 30 s each, so each lands in its own passage of the index
    ["Welcome to this lesson about cells and the way living things are organised.",
     "Cells are the smallest units of life and every organism is built from them.",
     "A thin membrane wraps each cell and decides what may come in or go out.",
     "Some organisms are a single cell while others contain trillions of them.",
     "Under a microscope you can see cells divide and grow over time.",
     "Keep this picture of a cell in mind as we look inside it next."],
    ["Inside the cell the nucleus keeps the genetic material safe and organised.",
     "The genetic material is DNA, a long molecule that stores instructions.",
     "Ribosomes read copies of those instructions to build proteins.",
     "Proteins are made from amino acids joined together in a chain.",
     "The endoplasmic reticulum folds and transports many of those proteins.",
     "Together these parts turn stored information into working machinery."],
    ["The mitochondria are the powerhouse of the cell and supply its energy.",
     "Mitochondria turn glucose and oxygen into ATP, the energy currency of the cell.",
     "This process is called cellular respiration and it releases carbon dioxide.",
     "Muscle cells contain many mitochondria because they need so much energy.",
     "Mitochondria even carry a little DNA of their own, a clue to their history.",
     "Without mitochondria a cell would quickly run out of usable energy."],
    ["Plant cells also have chloroplasts, which capture sunlight through photosynthesis.",
     "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen.",
     "A rigid cell wall around plant cells keeps their shape firm.",
     "Large vacuoles store water and help the plant stay upright.",
     "So plant and animal cells share many parts but differ in a few.",
     "That is all for today: membrane, nucleus, ribosomes, mitochondria and chloroplasts."],
]
LINES = [(float(5 * i), line) for i, line in enumerate(line for block in BLOCKS
                                                       for line in block)]


def _vtt() -> bytes:
    rows = ["WEBVTT", ""]
    for start, text in LINES:
        end = start + 4.8
        rows += [f"00:{int(start // 60):02d}:{start % 60:06.3f} --> "
                 f"00:{int(end // 60):02d}:{end % 60:06.3f}", text, ""]
    return "\n".join(rows).encode()


@pytest.fixture(scope="module")
def lesson(app_url, tmp_path_factory) -> dict:
    path = media.make_demo_video(tmp_path_factory.mktemp("tutor") / "cells.webm", seconds=120,
                                 container="webm", color="#14532d")
    with session_scope() as session:
        creator = make_creator(session, name="Biology School")
        student = make_student(session, creator)
        data = path.read_bytes()
        row = videos.upload_video(session=session, actor=creator, filename="cells.webm",
                                  stream=io.BytesIO(data), size=len(data),
                                  title="Inside the cell")
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="cells.vtt", data=_vtt())
    deadline = time.monotonic() + 90
    while True:
        with session_scope() as session:
            status = session.get(Video, uuid.UUID(row.id)).status
        if status == "completed":
            break
        assert status not in ("failed", "cancelled") and time.monotonic() < deadline, status
        time.sleep(0.3)
    with session_scope() as session:
        videos.save_chapters(session=session, actor=creator, video_id=row.id,
                             chapters=[("0:00", "What cells are"),
                                       ("0:30", "Inside the nucleus"),
                                       ("1:00", "Energy from mitochondria"),
                                       ("1:30", "Plant cells differ")])
        videos.set_published(session=session, actor=creator, video_id=row.id, published=True)
    return {"video_id": row.id, "student": student.username, "creator": creator.username}


def test_student_asks_on_the_watch_page_and_follows_the_citation(page: Page, base_url: str,
                                                                 lesson: dict):
    log_in(page, base_url, lesson["student"])
    expect_logged_in_as(page, lesson["student"])
    w = WatchPage(page, base_url).open(lesson["video_id"])
    page.get_by_test_id("tutor-tab").click()
    panel = page.get_by_test_id("chat-panel")
    # It asks about this video by default; the whole school is one click away.
    expect(panel.get_by_test_id("chat-scope")).to_contain_text("This video")

    panel.get_by_test_id("chat-input").fill("What do the mitochondria do?")
    panel.get_by_test_id("chat-send").click()
    # The answer streams in (offline mode says so) and ends with citation chips.
    reply = panel.get_by_test_id("chat-reply").last
    expect(reply.get_by_test_id("chat-answer")).to_contain_text("Offline mode")
    expect(reply.get_by_test_id("chat-answer")).to_contain_text("mitochondria",
                                                                ignore_case=True)
    chip = reply.get_by_test_id("citation").first
    expect(chip).to_contain_text("Inside the cell @ ")
    expect(panel.get_by_test_id("chat-input")).to_be_editable()
    minutes, seconds = chip.inner_text().rsplit("@ ", 1)[1].strip().split(":")
    cited = int(minutes) * 60 + int(seconds)
    assert 30 <= cited <= 90, f"the mitochondria passage is cited, not {cited} s"

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "tutor-watch.png"), full_page=True)

    # Clicking the chip moves the player to that moment.
    assert w.current_time() < 5
    chip.click()
    w.expect_time_between(cited - 0.5, cited + 8)

    # A question the video does not answer: the tutor says so instead of guessing.
    panel.get_by_test_id("chat-input").fill("How do I bake sourdough bread at home?")
    panel.get_by_test_id("chat-send").click()
    expect(panel.get_by_test_id("chat-reply")).to_have_count(2)
    expect(panel.get_by_test_id("chat-reply").last).to_contain_text(
        "I can't find this in the videos")
    expect(panel.get_by_test_id("chat-reply").last.get_by_test_id("citation")).to_have_count(0)

    # The conversation is on the chat page: renamed and exported.
    page.get_by_role("link", name="Tutor").click()
    row = page.get_by_test_id("chat-row").filter(has_text="What do the mitochondria do")
    expect(row).to_be_visible()
    row.get_by_test_id("chat-actions").click()
    page.get_by_role("menuitem", name="Rename").click()
    page.get_by_label("Conversation title").fill("Cell energy")
    page.get_by_test_id("rename-save").click()
    row = page.get_by_test_id("chat-row").filter(has_text="Cell energy")
    expect(row).to_be_visible()
    row.click()
    expect(page.get_by_test_id("chat-question").first).to_have_text(
        "What do the mitochondria do?")
    page.screenshot(path=str(ARTEFACTS / "tutor-chat-page.png"), full_page=True)
    row.get_by_test_id("chat-actions").click()
    with page.expect_download() as download_info:
        page.get_by_role("menuitem", name="Export as JSON").click()
    exported = json.loads(open(download_info.value.path()).read())
    text = json.dumps(exported)
    assert "Cell energy" in text and "What do the mitochondria do?" in text
    expect(page.get_by_role("menu")).to_have_count(0)
    row.get_by_test_id("chat-actions").click()
    with page.expect_download() as download_info:
        page.get_by_role("menuitem", name="Export as Markdown").click()
    markdown = open(download_info.value.path()).read()
    assert "Cell energy" in markdown and "Inside the cell @ " in markdown


def test_stop_ends_the_answer_and_keeps_what_came(page: Page, base_url: str, lesson: dict):
    log_in(page, base_url, lesson["student"])
    expect_logged_in_as(page, lesson["student"])
    WatchPage(page, base_url).open(lesson["video_id"])
    page.get_by_test_id("tutor-tab").click()
    panel = page.get_by_test_id("chat-panel")
    panel.get_by_test_id("chat-input").fill(
        "What happens in mitochondria, ribosomes and chloroplasts of a cell?")
    panel.get_by_test_id("chat-send").click()
    expect(panel.get_by_test_id("chat-streaming")).to_contain_text("Offline mode")
    # While it streams, the question box stays usable.
    panel.get_by_test_id("chat-input").fill("A follow-up I am typing")
    panel.get_by_test_id("chat-stop").click()
    reply = panel.get_by_test_id("chat-reply").last
    expect(reply.get_by_test_id("interrupted")).to_be_visible()
    expect(reply.get_by_test_id("chat-answer")).to_contain_text("Offline mode")
    expect(panel.get_by_test_id("chat-input")).to_have_value("A follow-up I am typing")


def test_the_creator_reads_but_cannot_write(page: Page, base_url: str, lesson: dict):
    log_in(page, base_url, lesson["creator"])
    expect_logged_in_as(page, lesson["creator"])
    open_path(page, base_url, "/chat")
    expect(page.get_by_role("heading", name="Students' conversations")).to_be_visible()
    row = page.get_by_test_id("chat-row").first
    expect(row).to_contain_text("@" + lesson["student"])
    row.get_by_role("button").first.click()
    expect(page.get_by_test_id("chat-question").first).to_be_visible()
    expect(page.get_by_text("You are reading a student's conversation")).to_be_visible()
    expect(page.get_by_test_id("chat-input")).to_have_count(0)

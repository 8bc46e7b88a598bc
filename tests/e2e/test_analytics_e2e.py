"""Analytics in the browser: after a student watches part of a video and asks the tutor, the
day's aggregation (the queue job's work) runs, and the creator's dashboard shows the view, the
retention curve and the question; the CSV export downloads the rows shown. Students never reach
analytics."""

from __future__ import annotations

import csv
import io
import time
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from chronos_app.core.db import session_scope
from chronos_app.models import Video
from chronos_app.pipeline import aggregate, media
from chronos_app.services import videos
from tests.e2e.pages import WatchPage, expect_logged_in_as, log_in, open_path
from tests.e2e.test_watch_e2e import ARTEFACTS
from tests.factories import make_creator, make_student

LINES = ["Volcanoes form where magma reaches the surface of the earth.",
         "Shield volcanoes have gentle slopes built by runny lava flows.",
         "Stratovolcanoes are steep and explode because their magma is sticky.",
         "Calderas are huge craters left when a magma chamber empties.",
         "Scientists watch gas and small earthquakes to predict eruptions.",
         "That is our tour of volcanoes for today."]


def _vtt() -> bytes:
    rows = ["WEBVTT", ""]
    for i, line in enumerate(LINES):
        rows += [f"00:00:{i * 5:06.3f} --> 00:00:{i * 5 + 4.8:06.3f}", line, ""]
    return "\n".join(rows).encode()


@pytest.fixture(scope="module")
def school(app_url, tmp_path_factory) -> dict:
    path = media.make_demo_video(tmp_path_factory.mktemp("analytics") / "volcano.webm",
                                 seconds=30, container="webm", color="#7f1d1d")
    with session_scope() as session:
        creator = make_creator(session, name="Earth School")
        student = make_student(session, creator)
        data = path.read_bytes()
        row = videos.upload_video(session=session, actor=creator, filename="volcano.webm",
                                  stream=io.BytesIO(data), size=len(data), title="Volcanoes")
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="volcano.vtt", data=_vtt())
    deadline = time.monotonic() + 90
    while True:
        with session_scope() as session:
            video = session.get(Video, uuid.UUID(row.id))
            if video.status == "completed":
                video.published_at = datetime.now(UTC)
                break
        assert video.status not in ("failed", "cancelled") and time.monotonic() < deadline
        time.sleep(0.3)
    return {"creator": creator.username, "student": student.username, "video_id": row.id}


def test_the_dashboard_shows_a_view_the_retention_and_the_question(page: Page, base_url: str,
                                                                    school: dict):
    # The student watches the first part and asks the tutor.
    log_in(page, base_url, school["student"])
    expect_logged_in_as(page, school["student"])
    w = WatchPage(page, base_url).open(school["video_id"])
    w.play()
    w.expect_time_between(6, 12)
    w.pause()
    page.get_by_test_id("tutor-tab").click()
    page.get_by_test_id("chat-input").fill("Why are stratovolcanoes steep, and why does their sticky magma explode?")
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("chat-reply").last.get_by_test_id("citation").first
           ).to_be_visible()
    # Students never reach analytics.
    open_path(page, base_url, "/studio/analytics")
    expect(page.get_by_test_id("metric-views")).to_have_count(0)

    # The day's aggregation (what the scheduled queue job runs).
    with session_scope() as session:
        aggregate.aggregate_day(session, datetime.now(UTC).date())

    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    log_in(page, base_url, school["creator"])
    expect_logged_in_as(page, school["creator"])
    open_path(page, base_url, "/studio/analytics")
    expect(page.get_by_test_id("metric-views")).to_contain_text("1")
    expect(page.get_by_test_id("metric-ai_questions")).to_contain_text("1")
    retention = page.get_by_test_id("retention")
    expect(retention).to_contain_text("1 viewing sessions")
    expect(retention.locator(".recharts-line")).to_have_count(1)
    expect(page.get_by_test_id("question-row")).to_contain_text(
        "Why are stratovolcanoes steep, and why does their sticky magma explode?")
    row = page.get_by_test_id("video-stats-row").filter(has_text="Volcanoes")
    expect(row).to_be_visible()
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "analytics.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-videos").click()
    rows = list(csv.DictReader(open(download_info.value.path())))
    volcano = next(r for r in rows if r["Video"] == "Volcanoes")
    assert volcano["Views"] == "1" and volcano["AI interactions"] == "1"

    open_path(page, base_url, "/studio/usage")
    expect(page.get_by_test_id("usage-storage_bytes")).to_be_visible()
    page.screenshot(path=str(ARTEFACTS / "usage.png"), full_page=True)

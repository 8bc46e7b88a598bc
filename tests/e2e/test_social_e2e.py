"""Social in the browser: follow a creator from their profile and see their video in
"Following"; search a phrase spoken in a transcript and land on the video at that moment."""

from __future__ import annotations

import io
import time
import uuid
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from chronos_app.core.db import session_scope
from chronos_app.models import User, Video
from chronos_app.pipeline import media
from chronos_app.services import accounts, videos
from tests.e2e.pages import WatchPage, expect_logged_in_as, log_in, open_path
from tests.e2e.test_watch_e2e import ARTEFACTS
from tests.factories import make_creator, make_user

PHRASE = "the quiet lighthouse keeper counts every wave"


def _vtt() -> bytes:
    lines = ["Hello and welcome to this story about the sea.",
             "The harbour wakes up slowly in the morning fog.",
             "Boats leave one by one for the fishing grounds.",
             f"Far away {PHRASE} until the sun goes down.",
             "Then the lamp turns and the ships find their way home.",
             "That is where our story ends for today."]
    rows = ["WEBVTT", ""]
    for i, line in enumerate(lines):
        rows += [f"00:00:{i * 5:06.3f} --> 00:00:{i * 5 + 4.8:06.3f}", line, ""]
    return "\n".join(rows).encode()


@pytest.fixture(scope="module")
def world(app_url, tmp_path_factory) -> dict:
    path = media.make_demo_video(tmp_path_factory.mktemp("social") / "sea.webm", seconds=30,
                                 container="webm", color="#1e3a8a")
    with session_scope() as session:
        creator = make_creator(session, name="Sea Stories")
        user = session.get(User, creator.user_id)
        user.display_name, user.is_verified = "Marina Waves", True
        viewer = make_user(session)
        data = path.read_bytes()
        row = videos.upload_video(session=session, actor=creator, filename="sea.webm",
                                  stream=io.BytesIO(data), size=len(data),
                                  title="The lighthouse")
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="sea.vtt", data=_vtt())
    deadline = time.monotonic() + 90
    while True:
        with session_scope() as session:
            video = session.get(Video, uuid.UUID(row.id))
            if video.status == "completed":
                video.published_at = datetime.now(UTC)
                video.is_public = True
                video.description = "A calm story about the sea. #stories #sea"
                video.tags = ["stories", "sea"]
                break
        assert video.status not in ("failed", "cancelled"), video.status
        assert time.monotonic() < deadline
        time.sleep(0.3)
    return {"creator": creator.username, "viewer": viewer.username, "video_id": row.id}


def test_follow_a_creator_and_see_their_video_in_following(page: Page, base_url: str,
                                                           world: dict):
    log_in(page, base_url, world["viewer"])
    expect_logged_in_as(page, world["viewer"])
    open_path(page, base_url, "/feed")
    page.get_by_test_id("feed-tabs").get_by_role("radio", name="Following").click()
    expect(page.get_by_text("Nothing from people you follow yet")).to_be_visible()

    open_path(page, base_url, f"/u/{world['creator']}")
    expect(page.get_by_test_id("person-name")).to_have_text("Marina Waves")
    expect(page.get_by_test_id("verified")).to_be_visible()
    expect(page.get_by_test_id("video-tile")).to_contain_text(["The lighthouse"])
    followers = page.get_by_test_id("count-followers")
    expect(followers).to_contain_text("0")
    page.get_by_test_id("follow").click()
    expect(page.get_by_test_id("follow")).to_have_text("Following")
    expect(followers).to_contain_text("1")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "profile.png"), full_page=True)
    followers.click()
    expect(page.get_by_test_id("person-row")).to_contain_text(world["viewer"])
    page.get_by_role("button", name="Close").click()

    page.get_by_role("link", name="Feed").click()
    page.get_by_test_id("feed-tabs").get_by_role("radio", name="Following").click()
    card = page.get_by_test_id("feed-card").filter(has_text="The lighthouse")
    expect(card).to_be_visible()
    page.screenshot(path=str(ARTEFACTS / "feed.png"), full_page=True)
    # A tag in the description leads to the tag's feed.
    card.get_by_role("link", name="The lighthouse").click()
    WatchPage(page, base_url).wait_ready()
    page.get_by_test_id("tag-link").filter(has_text="#sea").click()
    expect(page.get_by_role("heading", name="#sea")).to_be_visible()
    expect(page.get_by_test_id("feed-card").filter(has_text="The lighthouse")).to_be_visible()


def test_search_a_spoken_phrase_and_land_on_that_moment(page: Page, base_url: str,
                                                        world: dict):
    log_in(page, base_url, world["viewer"])
    expect_logged_in_as(page, world["viewer"])
    open_path(page, base_url, "/search")
    page.get_by_test_id("search-input").fill('"lighthouse keeper counts"')
    page.get_by_role("button", name="Search").click()
    hit = page.get_by_test_id("search-hit").filter(has_text="The lighthouse")
    expect(hit).to_contain_text("at 0:15")
    expect(hit.locator("strong").first).to_contain_text("lighthouse", ignore_case=True)
    page.screenshot(path=str(ARTEFACTS / "search.png"), full_page=True)
    hit.click()
    w = WatchPage(page, base_url)
    w.wait_ready()
    expect(w.title).to_have_text("The lighthouse")
    w.expect_time_between(14.5, 17)
    # A creator can be found by name too.
    open_path(page, base_url, "/search?q=Marina")
    expect(page.get_by_test_id("creator-hit")).to_contain_text("Marina Waves")


def test_subscribe_to_unlock_a_gated_video_then_cancel(page: Page, base_url: str,
                                                       world: dict):
    from chronos_app.services import schools, subscriptions
    from tests.factories import make_video

    with session_scope() as session:
        creator = session.exec(select(User).where(User.username == world["creator"])).one()
        owner = accounts.load_actor(session=session, user_id=creator.id)
        subscriptions.set_offer(session=session, actor=owner, premium_enabled=True,
                                premium_price_cents=999, pro_enabled=False, pro_price_cents=0)
        gated = make_video(session, owner, title="Storm secrets", status="completed",
                           duration_seconds=300, published_at=datetime.now(UTC),
                           is_public=False)
        subscriptions.set_video_tier(session=session, actor=owner, video_id=gated.id,
                                     tier="premium")
        member = make_user(session)
        schools.join_school(session=session, actor=member, creator_id=owner.creator_id)
        gated_id, member_name = str(gated.id), member.username

    log_in(page, base_url, member_name)
    expect_logged_in_as(page, member_name)
    open_path(page, base_url, f"/watch/{gated_id}")
    gate = page.get_by_test_id("gate")
    expect(gate).to_contain_text("Storm secrets")
    expect(gate).to_contain_text("Premium")
    expect(page.get_by_test_id("player")).to_have_count(0)

    gate.get_by_test_id("see-plans").click()
    page.get_by_test_id("choose-premium").click()
    expect(page.get_by_role("dialog")).to_contain_text("$9.99")
    expect(page.get_by_role("dialog")).to_contain_text("Storm secrets")
    page.get_by_test_id("confirm-checkout").click()
    expect(page.get_by_test_id("watch-title")).to_have_text("Storm secrets")
    expect(page.get_by_test_id("gate")).to_have_count(0)

    # Cancelling warns what will be locked and when; access stays until then.
    open_path(page, base_url, "/schools")
    page.get_by_test_id("school-card").filter(has_text="Sea Stories").get_by_test_id(
        "school-plans").click()
    expect(page.get_by_test_id("plan-status")).to_contain_text("Premium")
    page.get_by_test_id("cancel-subscription").click()
    expect(page.get_by_test_id("cancel-warning")).to_be_visible()
    expect(page.get_by_role("dialog")).to_contain_text("Storm secrets")
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_role("dialog")).to_contain_text("Your plan ends on")
    open_path(page, base_url, f"/watch/{gated_id}")
    expect(page.get_by_test_id("watch-title")).to_have_text("Storm secrets")

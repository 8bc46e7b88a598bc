"""Page objects: the e2e specs read as what a person does."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import wait_for_app
from tests.factories import PASSWORD


def open_path(page: Page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    wait_for_app(page)


def sign_up(page: Page, base_url: str, username: str, *, password: str = PASSWORD,
            display_name: str = "") -> None:
    open_path(page, base_url, "/signup")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    if display_name:
        page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Repeat password").fill(password)
    page.get_by_role("button", name="Create account").click()


def log_in(page: Page, base_url: str, login: str, password: str = PASSWORD, *,
           path: str = "/login") -> None:
    open_path(page, base_url, path)
    fill_login(page, login, password)


def fill_login(page: Page, login: str, password: str = PASSWORD) -> None:
    page.get_by_label("Username or email").fill(login)
    page.get_by_label("Password").fill(password)
    page.locator("form").get_by_role("button", name="Log in").click()


def log_out(page: Page) -> None:
    page.get_by_test_id("account-menu").click()
    page.get_by_test_id("logout").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()


def expect_logged_in_as(page: Page, username: str) -> None:
    expect(page.get_by_test_id("account-menu")).to_contain_text(username)


def expect_path(page: Page, base_url: str, path: str) -> None:
    expect(page).to_have_url(re.compile("^" + re.escape(base_url + path) + r"/?$"))


def log_in_as_new_creator(page: Page, base_url: str, *, tier: str = "pro") -> str:
    """A fresh creator with a school, logged in; returns the username."""
    from chronos_app.core.db import session_scope
    from tests.factories import make_creator

    with session_scope() as session:
        username = make_creator(session, tier=tier).username
    log_in(page, base_url, username)
    expect_logged_in_as(page, username)
    return username


class Library:
    """The creator's video library (/studio/videos)."""

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url

    def open(self) -> Library:
        open_path(self.page, self.base_url, "/studio/videos")
        expect(self.page.get_by_role("heading", name="Video library")).to_be_visible()
        return self

    def import_link(self, url: str, title: str = "") -> None:
        self.page.get_by_label("Video link").fill(url)
        if title:
            self.page.get_by_label("Title", exact=True).fill(title)
        self.page.get_by_role("button", name="Import video").click()

    def upload(self, path) -> None:  # noqa: ANN001
        self.page.get_by_test_id("video-dropzone").locator("input[type=file]").set_input_files(
            str(path))
        self.page.get_by_role("button", name="Upload", exact=True).click()

    def row(self, title: str):  # noqa: ANN201
        return self.page.get_by_test_id("video-row").filter(has_text=title)

    def expect_status(self, title: str, status: str, timeout: int = 60_000) -> None:
        expect(self.row(title).get_by_test_id("video-status")).to_have_attribute(
            "data-status", status, timeout=timeout)


class VideoEditor:
    """One video in the studio: transcript upload, chapter editor, publishing."""

    def __init__(self, page: Page):
        self.page = page

    def upload_captions(self, path) -> None:  # noqa: ANN001
        self.page.get_by_test_id("caption-dropzone").locator(
            "input[type=file]").set_input_files(str(path))
        self.page.get_by_role("button", name="Upload transcript").click()

    def expect_status(self, status: str, timeout: int = 60_000) -> None:
        expect(self.page.get_by_test_id("video-status")).to_have_attribute(
            "data-status", status, timeout=timeout)

    def chapter_titles(self):  # noqa: ANN201
        return self.page.get_by_test_id("chapter-title")


class WatchPage:
    """The watch page: the player (driven through its media element), chapters, comments."""

    MEDIA = "#chronos-player video"

    def __init__(self, page: Page, base_url: str):
        self.page, self.base_url = page, base_url
        self.title = page.get_by_test_id("watch-title")
        self.chapter_items = page.get_by_test_id("chapter-item")
        self.markers = page.get_by_test_id("chapter-marker")
        self.comment_input = page.get_by_test_id("comment-input")

    def open(self, video_id: str, query: str = "") -> WatchPage:
        open_path(self.page, self.base_url, f"/watch/{video_id}{query}")
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        """The media element has loaded enough to seek and play."""
        self.page.wait_for_function(
            f"(() => {{ const v = document.querySelector('{self.MEDIA}');"
            " return v && v.readyState >= 1 && v.duration > 0; })()", timeout=30_000)

    def current_time(self) -> float:
        return self.page.locator(self.MEDIA).evaluate("v => v.currentTime")

    def play(self) -> None:
        # The same as pressing the native play button: a user gesture, then play().
        self.page.locator(self.MEDIA).click()
        self.page.wait_for_function(
            f"document.querySelector('{self.MEDIA}').paused === false", timeout=10_000)

    def pause(self) -> None:
        self.page.locator(self.MEDIA).evaluate("v => v.pause()")
        expect(self.page.locator(self.MEDIA)).to_have_js_property("paused", True)

    def expect_time_between(self, low: float, high: float, timeout: int = 15_000) -> None:
        self.page.wait_for_function(
            f"(() => {{ const t = document.querySelector('{self.MEDIA}').currentTime;"
            f" return t >= {low} && t <= {high}; }})()", timeout=timeout)

    def expect_active_chapter(self, index: int) -> None:
        expect(self.chapter_items.nth(index)).to_have_attribute("data-active", "true")
        expect(self.markers.nth(index)).to_have_attribute("data-active", "true")

    def expect_rate(self, rate: float) -> None:
        self.page.wait_for_function(
            f"document.querySelector('{self.MEDIA}').playbackRate === {rate}", timeout=10_000)

    def set_speed(self, label: str) -> None:
        self.page.get_by_test_id("speed-select").click()
        self.page.get_by_role("option", name=label, exact=True).click()

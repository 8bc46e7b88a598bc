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

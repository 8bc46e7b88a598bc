"""Accounts in the browser: sign up, open and join a school, log out and in, guarded pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from chronos_app.core.db import session_scope
from tests.e2e.pages import (
    expect_logged_in_as,
    expect_path,
    fill_login,
    log_in,
    log_out,
    open_path,
    sign_up,
)
from tests.factories import make_creator, make_user, unique


def test_sign_up_as_creator_and_open_a_school(page: Page, base_url: str):
    username = unique("creator")
    sign_up(page, base_url, username, display_name="Ada Teacher")
    expect_path(page, base_url, "/")
    expect(page.get_by_role("heading", name=re.compile("Welcome back"))).to_be_visible()
    expect_logged_in_as(page, username)

    page.get_by_role("link", name="Open your own school").click()
    expect_path(page, base_url, "/schools/new")
    page.get_by_label("School name").fill(f"Ada's Academy {username}")
    page.get_by_text("Pro", exact=True).click()
    page.get_by_role("button", name="Open school").click()

    expect_path(page, base_url, "/studio")
    expect(page.get_by_role("heading", name=f"Ada's Academy {username}")).to_be_visible()
    expect(page.get_by_text("pro", exact=True)).to_be_visible()
    # Navigation now offers the studio.
    expect(page.get_by_role("link", name="Studio")).to_be_visible()


def test_sign_up_as_student_and_join_a_school(page: Page, base_url: str):
    with session_scope() as session:
        creator = make_creator(session, name=f"Join Me {unique()}")
        school = creator.username
    sign_up(page, base_url, unique("student"))
    expect_path(page, base_url, "/")
    expect(page.get_by_text("You have not joined a school yet")).to_be_visible()

    open_path(page, base_url, "/schools")
    card = page.get_by_test_id("school-card").filter(has_text=f"@{school}")
    card.get_by_role("button", name=re.compile("^Join")).click()
    expect(card.get_by_text("Member")).to_be_visible()

    open_path(page, base_url, "/")
    expect(page.get_by_test_id("membership").filter(has_text=f"@{school}")).to_be_visible()
    # A student is not a creator: no studio in the navigation, and the studio sends them away.
    expect(page.get_by_role("link", name="Studio")).to_have_count(0)
    open_path(page, base_url, "/studio")
    expect_path(page, base_url, "/schools/new")


def test_log_out_and_back_in_and_stay_logged_in_across_reloads(page: Page, base_url: str):
    with session_scope() as session:
        username = make_user(session).username
    log_in(page, base_url, username)
    expect_path(page, base_url, "/")
    expect_logged_in_as(page, username)

    page.reload()
    page.wait_for_selector("#hydrated:not([data-token=''])", state="attached")
    expect_logged_in_as(page, username)

    log_out(page)
    open_path(page, base_url, "/profile")
    expect_path(page, base_url, "/login?next=/profile")

    fill_login(page, username)
    expect_path(page, base_url, "/profile")
    expect(page.get_by_test_id("account-details")).to_contain_text(f"{username}@example.com")


def test_wrong_password_shows_a_message(page: Page, base_url: str):
    with session_scope() as session:
        username = make_user(session).username
    log_in(page, base_url, username, "Not-the-password1")
    expect(page.get_by_test_id("form-error")).to_contain_text("Wrong username or password")
    expect_path(page, base_url, "/login")


def test_sign_up_rules_are_explained(page: Page, base_url: str):
    sign_up(page, base_url, unique("rules"), password="short")
    error = page.get_by_test_id("form-error")
    expect(error).to_contain_text("at least 8 characters")
    expect(error).to_contain_text("uppercase letter")
    expect(error).to_contain_text("digit")
    expect_path(page, base_url, "/signup")


def test_anonymous_visit_to_protected_page_returns_after_login(page: Page, base_url: str):
    with session_scope() as session:
        creator = make_creator(session)
    open_path(page, base_url, "/studio")
    expect_path(page, base_url, "/login?next=/studio")
    fill_login(page, creator.username)
    expect_path(page, base_url, "/studio")
    expect(page.get_by_role("heading", name=f"School {creator.username}")).to_be_visible()

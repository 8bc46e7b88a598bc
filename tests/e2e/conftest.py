"""E2E harness: the real app (reflex.testing.AppHarness) on a throwaway database, driven by
Playwright in Debian's Chromium. Failures keep a screenshot in test-results/e2e."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from chronos_app.core.settings import REPO_ROOT

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage"]

expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def e2e_database_url(make_database, tmp_path_factory) -> str:
    from chronos_app.core import migrate
    from chronos_app.core.db import reset_engine
    from chronos_app.core.settings import get_settings

    url = make_database("chronos_e2e")
    migrate.upgrade(url)
    os.environ["DATABASE_URL"] = url
    # Uploads in a temp folder; the in-app worker polls often; no network here for YouTube.
    os.environ["DATA_DIR"] = str(tmp_path_factory.mktemp("e2e-data"))
    os.environ["WORKER_POLL_SECONDS"] = "0.3"
    os.environ["YOUTUBE_CAPTIONS"] = "false"
    # The offline tutor streams slowly enough for a person (and a test) to press Stop.
    os.environ["TUTOR_OFFLINE_WORD_DELAY"] = "0.05"
    get_settings.cache_clear()
    reset_engine()
    return url


@pytest.fixture(scope="session")
def app_url(e2e_database_url) -> Iterator[str]:
    from reflex.testing import AppHarness

    with AppHarness.create(root=REPO_ROOT, app_name="chronos_app") as harness:
        assert harness.frontend_url is not None
        # The harness's backend URL uses 127.0.0.1: browse on the same host so the session
        # cookie also reaches the backend's /media routes (as localhost:3000 → :8000 does).
        yield harness.frontend_url.rstrip("/").replace("//localhost:", "//127.0.0.1:")


@pytest.fixture(scope="session")
def base_url(app_url) -> str:
    return app_url


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(20_000)
    return page


def wait_for_app(page: Page) -> None:
    """Wait until Reflex has hydrated the page (the client token is rendered)."""
    page.wait_for_selector("#hydrated:not([data-token=''])", state="attached", timeout=60_000)

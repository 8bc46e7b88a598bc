"""The Reflex app: pages are registered by importing their modules; the pipeline worker and
the media endpoints live alongside."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

import reflex as rx

from chronos_app import styles
from chronos_app.api import create_media_api
from chronos_app.core.settings import get_settings
from chronos_app.pages import (  # noqa: F401
    analytics,
    auth_pages,
    chat,
    courses,
    discover,
    home,
    library,
    person,
    profile,
    schools,
    studio,
    studio_courses,
    video_editor,
    watch,
)

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def pipeline_worker():
    """The embedded default: one pipeline worker thread inside the app process."""
    if not get_settings().run_worker_in_app:
        yield
        return
    from chronos_app.pipeline.worker import Worker

    stop = threading.Event()
    worker = Worker()
    thread = threading.Thread(target=worker.run, args=(stop,), name="pipeline-worker",
                              daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        await asyncio.to_thread(thread.join, 30)


app = rx.App(style=styles.base_style, api_transformer=create_media_api())
app.register_lifespan_task(pipeline_worker)

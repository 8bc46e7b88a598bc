"""A pipeline worker: claims jobs from `processing_jobs` and runs the stages.

Run one inside the app (the embedded default) or any number as `python -m chronos_app.cli
worker` on any machine against the same Postgres. A worker that dies mid-job loses nothing: its
lease runs out, another worker claims the job again and the stages redo their work.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from chronos_app.core.db import session_scope
from chronos_app.core.errors import ChronosError, InvalidInput
from chronos_app.core.settings import Settings, get_settings
from chronos_app.pipeline import queue
from chronos_app.pipeline.queue import ClaimedJob, JobLost
from chronos_app.pipeline.stages import Providers, run_pipeline, set_video

log = logging.getLogger(__name__)


def default_providers(settings: Settings | None = None) -> Providers:
    """Real providers from the settings: OpenAI/Anthropic with keys, offline defaults without."""
    from chronos_app.ai.chapters import get_chapterer
    from chronos_app.ai.providers import get_embedder, get_llm
    from chronos_app.ai.transcription import fetch_youtube_captions, get_transcriber

    settings = settings or get_settings()
    return Providers(
        embedder=get_embedder(settings),
        chapterer=get_chapterer(get_llm(settings)),
        transcriber=get_transcriber(settings),
        youtube_captions=fetch_youtube_captions if settings.youtube_captions else None,
    )


def default_storage() -> Any:
    from chronos_app.core.storage import get_storage

    return get_storage()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(self, *, worker_id: str | None = None,
                 providers: Providers | Callable[[], Providers] = default_providers,
                 storage: Any = None, lease_seconds: float | None = None,
                 poll_seconds: float | None = None):
        settings = get_settings()
        self.worker_id = worker_id or worker_name()
        self._providers = providers
        self._storage = storage
        self.lease_seconds = lease_seconds or settings.worker_lease_seconds
        self.poll_seconds = poll_seconds or settings.worker_poll_seconds

    @property
    def providers(self) -> Providers:
        if callable(self._providers):
            self._providers = self._providers()
        return self._providers

    @property
    def storage(self) -> Any:
        if self._storage is None:
            self._storage = default_storage()
        return self._storage

    def run(self, stop: threading.Event) -> None:
        """Process jobs until `stop` is set; sleeps `poll_seconds` when the queue is empty."""
        log.info("pipeline worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                busy = self.run_once()
            except Exception:  # the database went away, ...: wait and try again
                log.exception("pipeline worker %s: claim failed", self.worker_id)
                busy = False
            if not busy:
                stop.wait(self.poll_seconds)
        log.info("pipeline worker %s stopped", self.worker_id)

    def run_once(self) -> bool:
        """Claim and process one job; False when there was none."""
        with session_scope() as session:
            for video_id in queue.reap_expired(session):
                set_video(session, video_id, status="failed",
                          error_message=queue.DEAD_WORKER_MESSAGE)
            job = queue.claim(session, worker_id=self.worker_id, lease_seconds=self.lease_seconds)
        if job is None:
            return False
        self.process(job)
        return True

    def process(self, job: ClaimedJob) -> None:
        lost = threading.Event()
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job, lost, done), daemon=True,
                                name=f"heartbeat-{job.id}")
        beat.start()

        def progress(value: int, status: str | None) -> None:
            if lost.is_set():
                raise JobLost("This job was cancelled or taken over by another worker.")
            with session_scope() as session:
                queue.heartbeat(session, job, progress=value, lease_seconds=self.lease_seconds)
                values: dict[str, Any] = {"processing_progress": value}
                if status:
                    values["status"] = status
                set_video(session, job.video_id, **values)

        try:
            outcome = run_pipeline(job.video_id, providers=self.providers, progress=progress,
                                   storage=self.storage)
            with session_scope() as session:
                queue.complete(session, job)
            log.info("job %s (video %s): %s", job.id, job.video_id, outcome)
        except JobLost:
            log.info("job %s (video %s) was cancelled or taken over", job.id, job.video_id)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
            self._record_failure(job, exc)
        finally:
            done.set()
            beat.join(timeout=5)

    def _heartbeat(self, job: ClaimedJob, lost: threading.Event, done: threading.Event) -> None:
        while not done.wait(self.lease_seconds / 3):
            try:
                with session_scope() as session:
                    queue.heartbeat(session, job, lease_seconds=self.lease_seconds)
            except JobLost:
                lost.set()
                return
            except Exception:
                log.exception("heartbeat of job %s failed", job.id)

    def _record_failure(self, job: ClaimedJob, exc: Exception) -> None:
        if isinstance(exc, ChronosError):
            message = exc.message
        else:
            log.exception("job %s (video %s) failed", job.id, job.video_id)
            message = f"Processing failed: {exc.__class__.__name__}: {exc}"
        with session_scope() as session:
            retry = queue.fail(session, job, message, retryable=not isinstance(exc, InvalidInput))
            if retry:
                set_video(session, job.video_id, status="pending", error_message=(
                    f"{message} Retrying (attempt {job.attempts} of {job.max_attempts} failed)."))
            else:
                set_video(session, job.video_id, status="failed", error_message=message)


def drain(worker: Worker | None = None, *, max_jobs: int = 1000) -> int:
    """Process due jobs until none is left (demo data, scripts); returns how many ran."""
    worker = worker or Worker()
    done = 0
    while done < max_jobs and worker.run_once():
        done += 1
    return done

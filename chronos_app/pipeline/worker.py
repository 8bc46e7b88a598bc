"""A pipeline worker: claims jobs from `processing_jobs` and runs the stages.

Run one inside the app (the embedded default) or any number as `python -m chronos_app.cli
worker` on any machine against the same Postgres. A worker that dies mid-job loses nothing: its
lease runs out, another worker claims the job again and the stages redo their work.

Workers also run the daily analytics rollup ('aggregate_day' jobs, `pipeline.aggregate`), and
the loop (`run`) puts those jobs on the queue: when idle, at most every `schedule_minutes`
(or, on a queue that never empties, every 6 × `schedule_minutes`), it calls
`aggregate.schedule_daily`, which is idempotent, so any number of workers may.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from chronos_app.core.db import session_scope
from chronos_app.core.errors import ChronosError, InvalidInput
from chronos_app.core.settings import Settings, get_settings
from chronos_app.models.base import utcnow
from chronos_app.pipeline import aggregate, queue
from chronos_app.pipeline.queue import AGGREGATE_JOB, PIPELINE_JOB, ClaimedJob, JobLost
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
                 poll_seconds: float | None = None,
                 job_types: tuple[str, ...] = (PIPELINE_JOB, AGGREGATE_JOB),
                 schedule_minutes: float | None = aggregate.SCHEDULE_MINUTES):
        settings = get_settings()
        self.worker_id = worker_id or worker_name()
        self._providers = providers
        self._storage = storage
        self.lease_seconds = lease_seconds or settings.worker_lease_seconds
        self.poll_seconds = poll_seconds or settings.worker_poll_seconds
        self.job_types = tuple(job_types)
        # 0 or None: this worker never schedules the rollups (another process does).
        self.schedule_seconds = (schedule_minutes or 0) * 60
        self._next_schedule = time.monotonic()  # the first idle moment schedules

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
            self.schedule_if_due(idle=not busy)
            if not busy:
                stop.wait(self.poll_seconds)
        log.info("pipeline worker %s stopped", self.worker_id)

    def schedule_if_due(self, *, idle: bool = True) -> bool:
        """Queue the analytics rollups when it is time (cheap; see `aggregate.schedule_daily`).
        Returns True when it scheduled."""
        if not self.schedule_seconds:
            return False
        now = time.monotonic()
        overdue = now >= self._next_schedule + 5 * self.schedule_seconds
        if now < self._next_schedule or not (idle or overdue):
            return False
        self._next_schedule = now + self.schedule_seconds
        try:
            with session_scope() as session:
                aggregate.schedule_daily(session, utcnow())
        except Exception:  # the database went away, ...: try again next time
            log.exception("pipeline worker %s: scheduling the analytics rollup failed",
                          self.worker_id)
            return False
        return True

    def run_once(self) -> bool:
        """Claim and process one job; False when there was none."""
        with session_scope() as session:
            for video_id in queue.reap_expired(session):
                set_video(session, video_id, status="failed",
                          error_message=queue.DEAD_WORKER_MESSAGE)
            job = queue.claim(session, worker_id=self.worker_id, lease_seconds=self.lease_seconds,
                              job_types=self.job_types)
        if job is None:
            return False
        self.process(job)
        return True

    def process(self, job: ClaimedJob) -> None:
        if job.job_type == AGGREGATE_JOB:
            self.run_aggregate(job)
            return
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

    def run_aggregate(self, job: ClaimedJob) -> None:
        """Run an 'aggregate_day' job in one transaction with its completion.

        The first heartbeat row-locks the job until the commit, so no other worker can take it
        over meanwhile (claims skip locked rows) and no heartbeat thread is needed."""
        try:
            with session_scope() as session:
                queue.heartbeat(session, job, progress=0, lease_seconds=self.lease_seconds)
                result = aggregate.run_day(session, job.meta.get("day"),
                                           creator_id=job.meta.get("creator_id"))
                queue.complete(session, job)
            log.info("job %s: analytics of %s: %s", job.id, result.day, result)
        except JobLost:
            log.info("aggregate job %s was cancelled or taken over", job.id)
        except Exception as exc:  # noqa: BLE001 - every failure is recorded on the job
            self._record_failure(job, exc)

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
            if job.video_id is None:  # an aggregate job: no video to tell
                return
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

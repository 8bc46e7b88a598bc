"""The processing queue on the real Postgres: SKIP LOCKED claims, priority, leases, backoff,
max_attempts and cancellation. Jobs are committed (workers use their own connections)."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from chronos_app.core.db import session_scope
from chronos_app.pipeline import queue
from chronos_app.pipeline.queue import JobLost
from tests.factories import make_creator, make_video


@pytest.fixture(autouse=True)
def _empty_queue(app_database):
    with session_scope() as session:
        session.execute(text("DELETE FROM processing_jobs"))
    yield


def _videos(n: int) -> list[uuid.UUID]:
    with session_scope() as session:
        creator = make_creator(session)
        return [make_video(session, creator, title=f"v{i}").id for i in range(n)]


def _enqueue(video_id: uuid.UUID, **kw) -> uuid.UUID:
    with session_scope() as session:
        return queue.enqueue(session, video_id=video_id, **kw)


def _claim(worker: str, **kw) -> queue.ClaimedJob | None:
    with session_scope() as session:
        return queue.claim(session, worker_id=worker, **kw)


def _job(job_id: uuid.UUID):
    with session_scope() as session:
        return session.execute(text("SELECT * FROM processing_jobs WHERE id = :id"),
                               {"id": job_id}).one()


def _expire(job_id: uuid.UUID) -> None:
    with session_scope() as session:
        session.execute(text("UPDATE processing_jobs SET locked_until = now() - interval '1 s' "
                             "WHERE id = :id"), {"id": job_id})


def test_enqueue_is_idempotent_while_a_job_is_live():
    (video,) = _videos(1)
    first = _enqueue(video)
    assert _enqueue(video) == first
    job = _claim("w1")
    assert job.id == first
    assert _enqueue(video) == first  # running counts as live too
    with session_scope() as session:
        queue.complete(session, job)
    assert _enqueue(video) != first  # a finished job does not block a new one


def test_two_workers_never_claim_the_same_job():
    videos = _videos(30)
    expected = {_enqueue(v) for v in videos}
    claimed: dict[str, list[uuid.UUID]] = {f"w{n}": [] for n in range(5)}
    barrier = threading.Barrier(len(claimed))

    def work(name: str) -> None:
        barrier.wait()
        while (job := _claim(name)) is not None:
            claimed[name].append(job.id)

    threads = [threading.Thread(target=work, args=(name,)) for name in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    every = [j for jobs in claimed.values() for j in jobs]
    assert len(every) == len(set(every)) == len(expected)
    assert set(every) == expected
    assert sum(1 for jobs in claimed.values() if jobs) >= 2  # really concurrent


def test_claims_follow_priority_then_schedule_and_skip_future_jobs():
    low, high, later = _videos(3)
    low_job = _enqueue(low, priority=0)
    high_job = _enqueue(high, priority=5)
    later_job = _enqueue(later, priority=9)
    with session_scope() as session:
        session.execute(text("UPDATE processing_jobs SET scheduled_at = now() + interval '1 h' "
                             "WHERE id = :id"), {"id": later_job})
    assert _claim("w").id == high_job
    assert _claim("w").id == low_job
    assert _claim("w") is None


def test_a_dead_workers_job_is_claimed_again_and_the_dead_worker_is_told():
    (video,) = _videos(1)
    job_id = _enqueue(video)
    first = _claim("dead", lease_seconds=60)
    assert first.attempts == 1
    assert _claim("other") is None  # the lease protects a live worker's job
    _expire(job_id)
    second = _claim("other")
    assert second.id == job_id and second.attempts == 2
    row = _job(job_id)
    assert row.locked_by == "other" and row.status == "running"
    with session_scope() as session, pytest.raises(JobLost):
        queue.heartbeat(session, first, progress=50)
    with session_scope() as session:
        queue.heartbeat(session, second, progress=40)
        queue.complete(session, second)
    row = _job(job_id)
    assert (row.status, row.progress, row.locked_by) == ("completed", 100, None)


def test_failures_back_off_then_fail_for_good_keeping_the_message():
    (video,) = _videos(1)
    job_id = _enqueue(video, max_attempts=2)
    job = _claim("w")
    with session_scope() as session:
        assert queue.fail(session, job, "Embedding service timed out.") is True
    row = _job(job_id)
    assert row.status == "pending" and row.error_message == "Embedding service timed out."
    with session_scope() as session:
        delay = session.execute(text("SELECT extract(epoch FROM scheduled_at - now()) "
                                     "FROM processing_jobs WHERE id = :id"),
                                {"id": job_id}).scalar_one()
    assert 5 < float(delay) <= queue.backoff_seconds(1)
    assert _claim("w") is None  # not yet due
    with session_scope() as session:
        session.execute(text("UPDATE processing_jobs SET scheduled_at = now() WHERE id = :id"),
                        {"id": job_id})
    job = _claim("w")
    assert job.attempts == 2
    with session_scope() as session:
        assert queue.fail(session, job, "Embedding service timed out again.") is False
    row = _job(job_id)
    assert row.status == "failed" and row.error_message == "Embedding service timed out again."
    assert row.completed_at is not None
    assert _claim("w") is None


def test_a_permanent_error_is_not_retried():
    (video,) = _videos(1)
    job_id = _enqueue(video, max_attempts=3)
    job = _claim("w")
    with session_scope() as session:
        assert queue.fail(session, job, "The file is not a video.", retryable=False) is False
    assert _job(job_id).status == "failed"


def test_an_expired_job_with_no_attempts_left_is_failed_by_the_reaper():
    (video,) = _videos(1)
    job_id = _enqueue(video, max_attempts=1)
    _claim("dead")
    _expire(job_id)
    assert _claim("other") is None
    with session_scope() as session:
        assert queue.reap_expired(session) == [video]
    row = _job(job_id)
    assert row.status == "failed" and queue.DEAD_WORKER_MESSAGE in row.error_message


def test_cancelling_stops_the_worker_at_its_next_heartbeat():
    (video,) = _videos(1)
    job_id = _enqueue(video)
    job = _claim("w")
    with session_scope() as session:
        assert queue.cancel(session, video_id=video) == 1
    with session_scope() as session, pytest.raises(JobLost):
        queue.heartbeat(session, job)
    with session_scope() as session:
        queue.complete(session, job)  # a late completion changes nothing
    assert _job(job_id).status == "cancelled"


def test_backoff_grows_and_is_capped():
    delays = [queue.backoff_seconds(n) for n in range(1, 12)]
    assert delays[:3] == [10.0, 20.0, 40.0]
    assert delays == sorted(delays) and delays[-1] == queue.BACKOFF_MAX_SECONDS

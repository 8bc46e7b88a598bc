"""The whole pipeline on the real Postgres with the offline providers: a worker takes a video
from import to `completed`, records events and usage, survives failures and a killed worker."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from chronos_app.ai.base import AIProviderError, Cue, TranscriptUnavailable
from chronos_app.ai.chapters import OfflineChapterer, chapter_problems
from chronos_app.ai.local_embedder import LocalEmbedder
from chronos_app.core.db import session_scope
from chronos_app.core.settings import REPO_ROOT
from chronos_app.core.storage import get_storage
from chronos_app.models import Chapter, User, Video, VideoChunk, VideoSegment
from chronos_app.pipeline import media, queue
from chronos_app.pipeline.stages import Providers
from chronos_app.pipeline.worker import Worker
from chronos_app.services import accounts, videos
from tests.factories import make_creator

TOPICS = [
    "Gradient descent takes small steps downhill on the loss surface. The learning rate sets "
    "the step size and a learning rate too large makes gradient descent diverge.",
    "Overfitting happens when a model memorises the training data. Regularisation and early "
    "stopping and more training data reduce overfitting on the validation set.",
    "A confusion matrix counts true positives and false positives. Precision and recall are "
    "read from the confusion matrix for each class of the classifier.",
]


def _vtt(minutes: int = 4) -> bytes:
    """A synthetic WebVTT file: three topics, one cue every 6.5 s."""
    lines = ["WEBVTT", ""]
    t, n = 0.0, 0
    per_topic = minutes * 60 / len(TOPICS)
    while t + 6.5 <= minutes * 60:
        topic = TOPICS[min(int(t // per_topic), len(TOPICS) - 1)]
        n += 1
        lines += [f"{_ts(t)} --> {_ts(t + 6.25)}", f"{topic} (part {n})", ""]
        t += 6.5
    return "\n".join(lines).encode()


def _ts(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"00:{int(m):02d}:{s:06.3f}"


class FailingEmbedder:
    model = "failing"
    dimensions = 1536

    def embed(self, texts):
        raise AIProviderError("The embedding service answered HTTP 500.")


def providers(**kw) -> Providers:
    values = dict(embedder=LocalEmbedder(), chapterer=OfflineChapterer())
    values.update(kw)
    return Providers(**values)


@pytest.fixture
def creator(app_database):
    with session_scope() as session:
        session.execute(text("DELETE FROM processing_jobs"))
        return make_creator(session)


def _worker(**kw) -> Worker:
    return Worker(worker_id=f"test-{uuid.uuid4().hex[:6]}", providers=kw.pop("providers",
                  providers()), lease_seconds=kw.pop("lease_seconds", 30), **kw)


def _video(video_id) -> Video:
    with session_scope() as session:
        return session.get(Video, uuid.UUID(str(video_id)))


def _events(video_id) -> list[str]:
    with session_scope() as session:
        return list(session.execute(text(
            "SELECT event_type FROM video_analytics_events WHERE video_id = :v "
            "ORDER BY timestamp, created_at"), {"v": uuid.UUID(str(video_id))}).scalars())


def _import(creator, url="https://www.youtube.com/watch?v=aircAruvnKk&t=30s"):
    with session_scope() as session:
        return videos.import_url(session=session, actor=creator, url=url, title="Lesson one")


def test_a_youtube_video_without_captions_waits_for_a_transcript_then_completes(creator):
    row = _import(creator)
    unavailable = TranscriptUnavailable("YouTube captions could not be fetched (offline).")

    def no_captions(video_id: str) -> list[Cue]:
        assert video_id == "aircAruvnKk"
        raise unavailable

    assert _worker(providers=providers(youtube_captions=no_captions)).run_once()
    video = _video(row.id)
    assert video.status == "pending" and video.meta["needs_transcript"] is True
    with session_scope() as session:
        listed = videos.list_videos(session=session, actor=creator, status="needs_transcript")
        assert [v.id for v in listed] == [row.id]
        assert listed[0].status_label == "Needs a transcript"
        assert not session.exec(select(VideoChunk).where(VideoChunk.video_id == video.id)).all()

    with session_scope() as session:
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="lesson.vtt", data=_vtt(4))
    assert _worker().run_once()
    video = _video(row.id)
    assert (video.status, video.processing_progress, video.error_message) == ("completed", 100,
                                                                              None)
    assert "needs_transcript" not in video.meta
    assert video.duration_seconds == 234  # from the transcript: nothing else knows it
    with session_scope() as session:
        segments = session.exec(select(VideoSegment).where(VideoSegment.video_id == video.id)
                                .order_by(VideoSegment.segment_index)).all()
        chunks = session.exec(select(VideoChunk).where(VideoChunk.video_id == video.id)
                              .order_by(VideoChunk.chunk_index)).all()
        chapters = session.exec(select(Chapter).where(Chapter.video_id == video.id)
                                .order_by(Chapter.chapter_order)).all()
    assert len(segments) == 36 and segments[1].start_seconds == pytest.approx(6.5)
    assert segments[1].end_seconds == pytest.approx(12.75)
    assert chunks and all(c.embedding is not None and len(c.embedding) == 1536 for c in chunks)
    assert {c.embedding_model for c in chunks} == {LocalEmbedder().model}
    assert [c.start_time_seconds for c in chunks] == sorted({c.start_time_seconds for c in chunks})
    assert all(c.start_time_seconds / 6.5 == int(c.start_time_seconds / 6.5) for c in chunks)
    assert any(c.end_time_seconds % 1 for c in chunks)  # true fractional seconds
    assert chunks[-1].end_time_seconds == pytest.approx(segments[-1].end_seconds)
    assert all(c.word_count > 0 for c in chunks)
    assert len(chapters) >= 3 and float(chapters[0].start_time_seconds) == 0
    assert chapter_problems([(float(c.start_time_seconds), c.title) for c in chapters],
                            video.duration_seconds) == []
    assert all(c.is_ai_generated and c.confidence_score is not None for c in chapters)
    assert _events(row.id) == ["video_imported", "video_transcribed", "video_embedded"]
    with session_scope() as session:
        usage = session.execute(text(
            "SELECT videos_uploaded, total_video_duration_seconds FROM usage_metrics "
            "WHERE creator_id = :c"), {"c": creator.creator_id}).one()
    assert tuple(usage) == (1, 234)


def test_youtube_captions_are_used_when_the_source_has_them(creator):
    row = _import(creator, "https://youtu.be/WUvTyaaNkzM")
    captions = [Cue(0.0, 4.2, "<c>Welcome</c> to the lesson on derivatives."),
                Cue(4.2, 9.9, "A derivative measures the rate of change."),
                Cue(9.9, 15.5, "We start with the slope of a line.")]
    assert _worker(providers=providers(youtube_captions=lambda vid: captions)).run_once()
    video = _video(row.id)
    assert video.status == "completed" and video.meta["transcript_source"] == "youtube"
    assert video.transcript.startswith("Welcome to the lesson")
    with session_scope() as session:
        detail = videos.video_detail(session=session, actor=creator, video_id=row.id)
    assert [c.label for c in detail.cues] == ["0:00", "0:04", "0:09"]
    assert detail.chapters and detail.chapters[0].start == "0:00"


def test_a_failing_stage_is_retried_with_backoff_and_then_fails_with_its_message(creator):
    row = _import(creator, "https://vimeo.com/76979871")
    with session_scope() as session:
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="t.vtt", data=_vtt(2))
    worker = _worker(providers=providers(embedder=FailingEmbedder()))
    for attempt in (1, 2, 3):
        with session_scope() as session:
            session.execute(text("UPDATE processing_jobs SET scheduled_at = now() "
                                 "WHERE video_id = :v AND status = 'pending'"),
                            {"v": uuid.UUID(row.id)})
        assert worker.run_once()
        video = _video(row.id)
        if attempt < 3:
            assert video.status == "pending"
            assert f"attempt {attempt} of 3 failed" in video.error_message
    assert video.status == "failed"
    assert video.error_message == "The embedding service answered HTTP 500."
    with session_scope() as session:
        job = queue.latest_job(session, video_id=uuid.UUID(row.id))
        segments = session.exec(select(VideoSegment).where(
            VideoSegment.video_id == uuid.UUID(row.id))).all()
    assert (job.status, job.attempts) == ("failed", 3)
    assert segments  # what was stored before the failure is kept
    # the creator retries once the service is back
    with session_scope() as session:
        videos.retry(session=session, actor=creator, video_id=row.id)
    assert _worker().run_once()
    assert _video(row.id).status == "completed"


def test_cancel_stops_a_running_job_and_keeps_the_video_cancelled(creator):
    row = _import(creator, "https://www.loom.com/share/0281766fa2d04bb788eaf19e65135184")
    with session_scope() as session:
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="t.txt", data=b"Hello there. " * 400)

    class CancelWhileEmbedding(LocalEmbedder):
        def embed(self, texts):
            with session_scope() as session:
                videos.cancel(session=session, actor=creator, video_id=row.id)
            return super().embed(texts)

    assert _worker(providers=providers(embedder=CancelWhileEmbedding())).run_once()
    video = _video(row.id)
    assert video.status == "cancelled" and video.error_message == "Cancelled by you."
    with session_scope() as session:
        assert queue.latest_job(session, video_id=video.id).status == "cancelled"


def test_an_uploaded_file_gets_duration_and_thumbnail_and_waits_for_a_transcript(
        creator, tmp_path):
    clip = media.make_demo_video(tmp_path / "clip.mp4", seconds=12)
    with session_scope() as session, clip.open("rb") as fh:
        row = videos.upload_video(session=session, actor=creator, filename="My clip.mp4",
                                  stream=fh, size=clip.stat().st_size)
    assert row.title == "My clip" and row.source_type == "upload"
    assert _worker().run_once()  # no OpenAI key: no Whisper, so it needs a transcript
    video = _video(row.id)
    assert video.meta.get("needs_transcript") and video.duration_seconds == 12
    assert get_storage().size(video.storage_path) == clip.stat().st_size

    whisper_like = type("FakeWhisper", (), {
        "model": "openai:whisper-1",
        "transcribe": lambda self, path: [Cue(0.0, 5.5, "First words of the clip."),
                                          Cue(5.5, 11.8, "Last words of the clip.")]})()
    with session_scope() as session:
        videos.retry(session=session, actor=creator, video_id=row.id)
    assert _worker(providers=providers(transcriber=whisper_like)).run_once()
    video = _video(row.id)
    assert video.status == "completed" and video.thumbnail_url == f"/media/thumbnails/{row.id}"
    assert get_storage().exists(f"videos/{row.id}/thumbnail.jpg")
    assert video.meta["transcript_source"] == "openai:whisper-1"
    with session_scope() as session:
        minutes = session.execute(text("SELECT transcription_minutes, storage_used_bytes "
                                       "FROM usage_metrics WHERE creator_id = :c"),
                                  {"c": creator.creator_id}).one()
    assert minutes == (1, clip.stat().st_size)


def test_a_worker_killed_mid_job_loses_nothing_the_job_is_retried_and_finishes(
        creator, app_database):
    """A real worker process is SIGKILLed while embedding; another worker finishes the job."""
    row = _import(creator, "https://fast.wistia.net/embed/iframe/e4a27b971d")
    with session_scope() as session:
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="t.vtt", data=_vtt(6))
    script = textwrap.dedent("""
        import threading, time
        from chronos_app.ai.local_embedder import LocalEmbedder
        from chronos_app.ai.chapters import OfflineChapterer
        from chronos_app.pipeline.stages import Providers
        from chronos_app.pipeline.worker import Worker

        class Slow(LocalEmbedder):
            def embed(self, texts):
                time.sleep(60)  # killed in here
                return super().embed(texts)

        Worker(worker_id="doomed", lease_seconds=2, poll_seconds=0.2,
               providers=Providers(embedder=Slow(), chapterer=OfflineChapterer())
               ).run(threading.Event())
    """)
    env = {**os.environ, "DATABASE_URL": app_database, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=REPO_ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while _video(row.id).status != "embedding":
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the worker never reached the embedding stage"
            time.sleep(0.2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    with session_scope() as session:
        job = queue.latest_job(session, video_id=uuid.UUID(row.id))
        chunks_before = session.execute(text("SELECT count(*) FROM video_chunks "
                                             "WHERE video_id = :v"), {"v": uuid.UUID(row.id)}
                                        ).scalar_one()
    assert job.status == "running" and job.attempts == 1 and chunks_before > 0

    worker = _worker()
    deadline = time.monotonic() + 30
    while not worker.run_once():  # nothing to claim until the dead worker's lease runs out
        assert time.monotonic() < deadline
        time.sleep(0.5)
    video = _video(row.id)
    assert video.status == "completed"
    with session_scope() as session:
        job = queue.latest_job(session, video_id=video.id)
        embedded = session.execute(text(
            "SELECT count(*) FILTER (WHERE embedding IS NOT NULL), count(*) FROM video_chunks "
            "WHERE video_id = :v"), {"v": video.id}).one()
    assert (job.status, job.attempts) == ("completed", 2)
    assert embedded[0] == embedded[1] == chunks_before


def test_two_workers_share_a_batch_of_videos(creator):
    rows = [_import(creator, f"https://vimeo.com/{100000 + n}") for n in range(6)]
    for r in rows:
        with session_scope() as session:
            videos.attach_transcript(session=session, actor=creator, video_id=r.id,
                                     filename="t.srt", data=_srt())
    import threading

    done: dict[str, int] = {"a": 0, "b": 0}

    def drain(name: str) -> None:
        w = _worker()
        while w.run_once():
            done[name] += 1

    threads = [threading.Thread(target=drain, args=(n,)) for n in done]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(done.values()) == 6
    assert {_video(r.id).status for r in rows} == {"completed"}


def _srt() -> bytes:
    out = io.StringIO()
    for n in range(20):
        start, end = n * 3.0, n * 3.0 + 2.5
        out.write(f"{n + 1}\n00:00:{start:06.3f} --> 00:00:{end:06.3f}\n".replace(".", ","))
        out.write(f"{TOPICS[n % 3]}\n\n")
    return out.getvalue().encode()


def test_demo_library_goes_through_the_real_pipeline_and_is_published(app_database):
    from chronos_app.pipeline.worker import drain
    from chronos_app.services import demo
    from chronos_app.services.demo_lessons import DEMO_LESSONS

    with session_scope() as session:
        session.execute(text("DELETE FROM processing_jobs"))
        demo.seed(session=session)
    with session_scope() as session:
        assert demo.seed_videos(session=session) == len(DEMO_LESSONS) + len(demo.DEMO_EMBEDS)
    with session_scope() as session:
        assert demo.seed_videos(session=session) == 0  # idempotent
    drain(_worker(providers=providers(youtube_captions=None)))
    with session_scope() as session:
        assert demo.publish_processed(session=session) == len(DEMO_LESSONS)
        maya = demo.demo_creator(session)
        rows = videos.list_videos(session=session, actor=maya)
    ready = [r for r in rows if r.status == "completed"]
    assert len(ready) == len(DEMO_LESSONS) and all(r.published and r.chapter_count >= 3
                                                   and r.thumbnail_url for r in ready)
    waiting = [r for r in rows if r.source_type == "youtube"]
    assert {r.status for r in waiting} == {"needs_transcript"}
    # A small discussion on the published lessons, seeded once.
    from chronos_app.services import comments

    with session_scope() as session:
        assert demo.seed_discussion(session=session) == len(demo.DEMO_DISCUSSION)
        assert demo.seed_discussion(session=session) == 0
        sam = accounts.load_actor(session=session, user_id=session.exec(
            select(User.id).where(User.username == "sam")).one())
        lesson = next(r for r in ready if r.title == DEMO_LESSONS[0].title)
        threads = comments.list_threads(session=session, actor=sam, video_id=lesson.id)
    assert len(threads) == 2 and all(t.replies and t.replies[0].is_creator for t in threads)
    assert any(p.seconds == 55 for t in threads for p in t.comment.parts)

    # And a published course of the four lessons, once.
    from chronos_app.services import learning

    with session_scope() as session:
        assert demo.seed_course(session=session) is True
        assert demo.seed_course(session=session) is False
        catalog = learning.catalog(session=session, actor=sam)
    assert [c.title for c in catalog] == [demo.DEMO_COURSE] and catalog[0].lesson_count == 4

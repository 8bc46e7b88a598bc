"""The video library service: imports per source, uploads, transcripts, filters, chapters,
publishing, and who may do what. Each test runs in a rolled-back transaction."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import text
from sqlmodel import select

from chronos_app.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from chronos_app.core.storage import LocalStorage
from chronos_app.models import Chapter, Video, VideoSegment
from chronos_app.pipeline import media
from chronos_app.pipeline.captions import InvalidCaptions
from chronos_app.pipeline.sources import InvalidVideoUrl
from chronos_app.services import videos
from tests.factories import make_creator, make_student

VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:04.500\nHello and welcome.\n\n" \
      b"00:00:04.500 --> 00:00:09.250\nToday: linear regression.\n"


@pytest.mark.parametrize("url, columns", [
    ("https://www.youtube.com/watch?v=aircAruvnKk&list=PLZHQObOWTQDNU6R1_67000Dx_ZCJB-3pi&t=95",
     {"source_type": "youtube", "youtube_video_id": "aircAruvnKk", "embed_type": "youtube",
      "embed_id": "aircAruvnKk"}),
    ("https://www.loom.com/share/0281766fa2d04bb788eaf19e65135184?sid=abc",
     {"source_type": "loom", "embed_type": "loom",
      "embed_id": "0281766fa2d04bb788eaf19e65135184"}),
    ("https://vimeo.com/76979871", {"source_type": "vimeo", "embed_type": "vimeo",
                                    "embed_id": "76979871"}),
    ("https://support.wistia.com/medias/e4a27b971d",
     {"source_type": "wistia", "embed_type": "wistia", "embed_id": "e4a27b971d"}),
    ("https://stream.mux.com/EcHgOK9coz5K4rjSwOkoE7Y7O01201YMIC200RI6lNxnhs.m3u8",
     {"source_type": "mux", "mux_playback_id": "EcHgOK9coz5K4rjSwOkoE7Y7O01201YMIC200RI6lNxnhs"}),
    ("EcHgOK9coz5K4rjSwOkoE7Y7O01201YMIC200RI6lNxnhs",
     {"source_type": "mux", "mux_playback_id": "EcHgOK9coz5K4rjSwOkoE7Y7O01201YMIC200RI6lNxnhs"}),
])
def test_import_stores_the_ids_in_the_schema_columns_and_queues_the_video(session, url,
                                                                          columns):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url=url, title="")
    video = session.get(Video, uuid.UUID(row.id))
    for column, value in columns.items():
        assert getattr(video, column) == value
    assert video.status == "pending" and row.status_label == "Queued" and row.active
    assert row.title.startswith(row.source_label)  # a sensible default title
    job = session.execute(text("SELECT job_type, status FROM processing_jobs "
                               "WHERE video_id = :v"), {"v": video.id}).one()
    assert tuple(job) == ("video_processing", "pending")


@pytest.mark.parametrize("url", ["", "not a link", "https://example.com/video.mp4",
                                 "https://www.youtube.com/watch?v=short",
                                 "ftp://vimeo.com/123"])
def test_a_bad_link_gets_a_clear_message_and_stores_nothing(session, url):
    creator = make_creator(session)
    with pytest.raises(InvalidVideoUrl) as err:
        videos.import_url(session=session, actor=creator, url=url)
    assert err.value.message
    assert session.exec(select(Video).where(Video.creator_id == creator.creator_id)).all() == []


def test_the_same_video_twice_is_a_conflict(session):
    creator = make_creator(session)
    videos.import_url(session=session, actor=creator, url="https://youtu.be/aircAruvnKk")
    with pytest.raises(Conflict, match="already in your library"):
        videos.import_url(session=session, actor=creator,
                          url="https://www.youtube.com/embed/aircAruvnKk?start=3")


def test_only_creators_manage_videos_and_only_their_own(session):
    owner, other = make_creator(session), make_creator(session)
    student = make_student(session, owner)
    row = videos.import_url(session=session, actor=owner, url="https://vimeo.com/76979871")
    with pytest.raises(Forbidden):
        videos.import_url(session=session, actor=student, url="https://vimeo.com/1")
    with pytest.raises(Forbidden):
        videos.list_videos(session=session, actor=student)
    for fn in (videos.video_detail, videos.retry, videos.cancel, videos.delete_video):
        with pytest.raises(NotFound):
            fn(session=session, actor=other, video_id=row.id)
    with pytest.raises(NotFound):
        videos.attach_transcript(session=session, actor=other, video_id=row.id,
                                 filename="a.vtt", data=VTT)
    with pytest.raises(NotFound):
        videos.save_chapters(session=session, actor=other, video_id=row.id,
                             chapters=[("0:00", "Stolen chapter")])
    with pytest.raises(NotFound):
        videos.video_detail(session=session, actor=owner, video_id="not-a-uuid")
    assert videos.list_videos(session=session, actor=other) == []
    assert videos.progress_of(session=session, actor=other, video_ids=[row.id]) == []


def test_attach_transcript_stores_segments_and_a_bad_file_changes_nothing(session):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url="https://vimeo.com/76979871")
    videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                             filename="lesson.vtt", data=VTT)
    vid = uuid.UUID(row.id)
    segments = session.exec(select(VideoSegment).where(VideoSegment.video_id == vid)
                            .order_by(VideoSegment.segment_index)).all()
    assert [(s.start_seconds, s.end_seconds) for s in segments] == [(0.0, 4.5), (4.5, 9.25)]
    assert session.get(Video, vid).duration_seconds == 10
    for name, data in (("broken.vtt", b"WEBVTT\n\nthis is not a cue\n"),
                       ("empty.srt", b""), ("movie.mp4", b"\x00\x00\x00\x18ftypmp42"),
                       ("bad.json", b'[{"start": "x"}]')):
        with pytest.raises(InvalidCaptions):
            videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                     filename=name, data=data)
    assert len(session.exec(select(VideoSegment).where(VideoSegment.video_id == vid)).all()) == 2


def test_a_transcript_longer_than_the_video_is_refused(session):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url="https://vimeo.com/76979871")
    session.get(Video, uuid.UUID(row.id)).duration_seconds = 5
    with pytest.raises(InvalidInput, match="only 0:05 long"):
        videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                                 filename="lesson.vtt", data=VTT)


def test_plain_text_is_timed_over_the_video_or_an_estimate(session):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url="https://vimeo.com/76979871")
    text_ = ("One sentence here. " * 150).encode()  # 450 words ≈ 3 minutes at 150 wpm
    videos.attach_transcript(session=session, actor=creator, video_id=row.id,
                             filename="notes.txt", data=text_)
    video = session.get(Video, uuid.UUID(row.id))
    assert video.duration_seconds == 180 and video.meta["timing"] == "estimated"
    last = session.exec(select(VideoSegment).where(VideoSegment.video_id == video.id)
                        .order_by(VideoSegment.segment_index.desc())).first()
    assert last.end_seconds == pytest.approx(180, abs=0.01)


def test_filters_and_search_cover_status_source_date_title_and_transcript(session):
    creator = make_creator(session)
    a = videos.import_url(session=session, actor=creator, url="https://vimeo.com/1111111",
                          title="Linear models")
    b = videos.import_url(session=session, actor=creator, url="https://youtu.be/aircAruvnKk",
                          title="Neural networks")
    videos.attach_transcript(session=session, actor=creator, video_id=b.id, filename="b.vtt",
                             data=VTT)
    session.get(Video, uuid.UUID(a.id)).status = "failed"
    session.flush()

    def ids(**kw):
        return {v.id for v in videos.list_videos(session=session, actor=creator, **kw)}

    assert ids() == {a.id, b.id}
    assert ids(status="failed") == {a.id}
    assert ids(status="active") == {b.id}
    assert ids(source="youtube") == {b.id}
    assert ids(search="linear") == {a.id, b.id}  # title of a, transcript of b
    assert ids(search="REGRESSION") == {b.id}
    assert ids(search="100%_") == set()  # LIKE wildcards are literal
    import datetime as dt
    assert ids(since=dt.date.today() + dt.timedelta(days=1)) == set()


def test_upload_checks_type_and_plan_size_and_stores_nothing_on_refusal(session, tmp_path):
    store = LocalStorage(tmp_path / "media")
    basic = make_creator(session, tier="basic")
    with pytest.raises(media.InvalidVideoFile, match="not a video file"):
        videos.upload_video(session=session, actor=basic, filename="virus.exe",
                            stream=io.BytesIO(b"MZ" + b"\x00" * 100), size=102, storage=store)
    with pytest.raises(media.InvalidVideoFile):
        videos.upload_video(session=session, actor=basic, filename="notes.mp4",
                            stream=io.BytesIO(b"just some text, not a movie"), size=27,
                            storage=store)
    with pytest.raises(InvalidInput, match="Basic plan accepts files up to 500 MB"):
        videos.upload_video(session=session, actor=basic, filename="big.mp4",
                            stream=io.BytesIO(b"\x00\x00\x00\x18ftypmp42"),
                            size=600 * 1024 ** 2, storage=store)
    assert session.exec(select(Video).where(Video.creator_id == basic.creator_id)).all() == []
    assert not any((tmp_path / "media").rglob("*.mp4"))


def test_chapters_are_validated_with_every_problem_listed_then_saved(session):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url="https://vimeo.com/76979871")
    vid = uuid.UUID(row.id)
    session.get(Video, vid).duration_seconds = 600
    with pytest.raises(InvalidInput) as err:
        videos.save_chapters(session=session, actor=creator, video_id=row.id,
                             chapters=[("0:05", "Intro"), ("0:10", "The main idea here")])
    problems = " ".join(err.value.details)
    assert "0:00" in problems and "2–8 words" in problems.replace("2-8", "2–8")
    assert "at least 3" in problems
    with pytest.raises(InvalidInput) as err:
        videos.save_chapters(session=session, actor=creator, video_id=row.id,
                             chapters=[("soon", "Welcome to the course")])
    assert err.value.details == ["Chapter 1: “soon” is not a time; write it like 1:05."]
    detail = videos.save_chapters(session=session, actor=creator, video_id=row.id, chapters=[
        ("0:00", "Welcome to the course"), ("2:30", "Fitting a line"),
        ("7:05", "Checking the residuals")])
    assert [(c.start, c.title, c.ai) for c in detail.chapters] == [
        ("0:00", "Welcome to the course", False), ("2:30", "Fitting a line", False),
        ("7:05", "Checking the residuals", False)]
    session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the bounds trigger agrees
    ends = session.exec(select(Chapter.end_time_seconds).where(Chapter.video_id == vid)
                        .order_by(Chapter.chapter_order)).all()
    assert ends == [150, 425, 600]
    assert session.get(Video, vid).meta["chapters_reviewed"] is True


def test_publish_needs_a_processed_video_with_valid_chapters(session):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url="https://vimeo.com/76979871")
    with pytest.raises(InvalidInput, match="processed"):
        videos.set_published(session=session, actor=creator, video_id=row.id, published=True)
    video = session.get(Video, uuid.UUID(row.id))
    video.status, video.duration_seconds = "completed", 100
    session.flush()
    with pytest.raises(InvalidInput, match="Fix the chapters") as err:
        videos.set_published(session=session, actor=creator, video_id=row.id, published=True)
    assert err.value.details == ["Add at least one chapter."]
    videos.save_chapters(session=session, actor=creator, video_id=row.id,
                         chapters=[("0:00", "The whole lesson")])
    detail = videos.set_published(session=session, actor=creator, video_id=row.id,
                                  published=True)
    assert detail.published is True and session.get(Video, video.id).published_at is not None
    detail = videos.set_published(session=session, actor=creator, video_id=row.id,
                                  published=False)
    assert detail.published is False


def test_cancel_retry_and_delete(session):
    creator = make_creator(session)
    row = videos.import_url(session=session, actor=creator, url="https://vimeo.com/76979871")
    with pytest.raises(Conflict):
        videos.retry(session=session, actor=creator, video_id=row.id)  # already queued
    cancelled = videos.cancel(session=session, actor=creator, video_id=row.id)
    assert cancelled.status == "cancelled" and not cancelled.active
    with pytest.raises(Conflict):
        videos.cancel(session=session, actor=creator, video_id=row.id)
    again = videos.retry(session=session, actor=creator, video_id=row.id)
    assert again.status == "pending"
    videos.delete_video(session=session, actor=creator, video_id=row.id)
    assert videos.list_videos(session=session, actor=creator) == []
    with pytest.raises(NotFound):
        videos.video_detail(session=session, actor=creator, video_id=row.id)
    statuses = session.execute(text("SELECT status FROM processing_jobs WHERE video_id = :v"),
                               {"v": uuid.UUID(row.id)}).scalars().all()
    assert "pending" not in statuses and "running" not in statuses

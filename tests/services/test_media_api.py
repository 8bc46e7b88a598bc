"""The media API: who may fetch a stored video or thumbnail, and HTTP Range streaming.

The API opens its own sessions with `core.db.session_scope`, so these tests commit their rows
into a separate migrated database (dropped at the end of the run) and point `core.db` at it.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from chronos_app.api import SESSION_COOKIE, create_media_api, media_api, parse_range
from chronos_app.core import db
from chronos_app.core.errors import NotFound
from chronos_app.core.storage import LocalStorage, thumbnail_key, video_key
from chronos_app.models import Student, Video
from chronos_app.schemas.accounts import Actor
from chronos_app.services import accounts
from chronos_app.services.media import MediaFile, media_access
from tests.factories import PASSWORD, make_creator, make_student, make_user, make_video

PAYLOAD = bytes(range(256)) * 4096 + b"tail-bytes"  # 1 MiB + 10: several stream chunks
THUMB = b"\xff\xd8\xff\xe0" + b"\x10" * 200 + b"\xff\xd9"


@pytest.fixture(scope="module")
def media_db_url(make_database) -> str:
    from chronos_app.core import migrate

    url = make_database("chronos_media")
    migrate.upgrade(url)
    return url


@pytest.fixture
def app_db(media_db_url, monkeypatch):
    """Point core.db (session_scope) at the committed-data database for this test."""
    monkeypatch.setattr(db, "_url", media_db_url)
    monkeypatch.setattr(db, "_engine", None)
    yield media_db_url
    if db._engine is not None:
        db._engine.dispose()


@pytest.fixture
def store(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


@dataclass
class World:
    owner: Actor
    owner_token: str
    student: Actor
    student_token: str
    outsider_token: str
    private: Video      # published, members only
    public: Video       # published, public
    draft: Video        # unpublished
    deleted: Video      # published but deleted
    no_file: Video      # YouTube import: nothing stored


def _token(session, actor: Actor) -> str:
    return accounts.log_in(session=session, login=actor.username, password=PASSWORD).token


def _upload(session, store, creator, **fields) -> Video:
    video = make_video(session, creator, source_type="upload", youtube_video_id=None,
                       embed_type=None, embed_id=None, storage_path="pending",
                       mime_type="video/mp4", **fields)
    video.storage_path = video_key(video.id, "mp4")
    video.file_size_bytes = len(PAYLOAD)
    session.add(video)
    session.flush()
    store.save(video.storage_path, io.BytesIO(PAYLOAD))
    store.save(thumbnail_key(video.id), io.BytesIO(THUMB))
    return video


@pytest.fixture
def world(app_db, store) -> World:
    now = datetime.now(UTC)
    with db.session_scope() as session:
        owner = make_creator(session)
        student = make_student(session, owner)
        other_school = make_creator(session)
        outsider = make_student(session, other_school)  # a student, but of another school
        world = World(
            owner=owner, owner_token=_token(session, owner),
            student=student, student_token=_token(session, student),
            outsider_token=_token(session, outsider),
            private=_upload(session, store, owner, is_public=False, published_at=now),
            public=_upload(session, store, owner, is_public=True, published_at=now),
            draft=_upload(session, store, owner, is_public=True, published_at=None),
            deleted=_upload(session, store, owner, is_public=True, published_at=now,
                            is_deleted=True),
            no_file=make_video(session, owner, published_at=now),
        )
    return world


@pytest.fixture
def client(store, app_db):
    app = create_media_api(storage=lambda: store)
    with TestClient(app) as c:
        yield c


def get(client, path, token=None, **headers):
    client.cookies.clear()
    if token:
        client.cookies.set(SESSION_COOKIE, token)
    return client.get(path, headers=headers)


def url(video: Video, kind: str = "videos") -> str:
    return f"/media/{kind}/{video.id}"


# -- range parsing --------------------------------------------------------------------------

@pytest.mark.parametrize("header, expected", [
    (None, None), ("", None), ("bytes=0-9", (0, 9)), ("bytes=5-", (5, 99)),
    ("bytes=-10", (90, 99)), ("bytes=-500", (0, 99)), ("bytes=90-1000", (90, 99)),
    ("bytes=99-99", (99, 99)), ("items=0-9", None), ("bytes=0-1,5-6", None),
    ("bytes=9-0", None), ("bytes=abc", None), ("bytes=-", None), ("BYTES = 1-2", (1, 2)),
])
def test_parse_range(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header, size", [("bytes=100-", 100), ("bytes=-0", 100),
                                          ("bytes=0-", 0), ("bytes=-5", 0)])
def test_parse_range_unsatisfiable(header, size):
    from chronos_app.api import RangeNotSatisfiable

    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, size)


# -- owner and Range ------------------------------------------------------------------------

def test_owner_gets_the_whole_file(client, world):
    r = get(client, url(world.draft), world.owner_token)
    assert r.status_code == 200
    assert r.content == PAYLOAD
    assert r.headers["content-length"] == str(len(PAYLOAD))
    assert r.headers["content-type"] == "video/mp4"
    assert r.headers["accept-ranges"] == "bytes"
    assert r.headers["cache-control"] == "private"
    assert "content-range" not in r.headers


def test_owner_gets_partial_content(client, world):
    r = get(client, url(world.draft), world.owner_token, Range="bytes=1000-1999")
    assert r.status_code == 206
    assert r.content == PAYLOAD[1000:2000]
    assert r.headers["content-range"] == f"bytes 1000-1999/{len(PAYLOAD)}"
    assert r.headers["content-length"] == "1000"
    assert r.headers["accept-ranges"] == "bytes"


def test_open_ended_and_suffix_ranges(client, world):
    size = len(PAYLOAD)
    r = get(client, url(world.draft), world.owner_token, Range=f"bytes={size - 300_000}-")
    assert r.status_code == 206
    assert r.content == PAYLOAD[size - 300_000:]
    assert r.headers["content-range"] == f"bytes {size - 300_000}-{size - 1}/{size}"

    r = get(client, url(world.draft), world.owner_token, Range="bytes=-10")
    assert r.status_code == 206
    assert r.content == b"tail-bytes"
    assert r.headers["content-range"] == f"bytes {size - 10}-{size - 1}/{size}"
    assert r.headers["content-length"] == "10"

    r = get(client, url(world.draft), world.owner_token, Range="bytes=0-0")
    assert r.status_code == 206 and r.content == PAYLOAD[:1]

    # a last byte past the end is clamped
    r = get(client, url(world.draft), world.owner_token, Range=f"bytes={size - 5}-{size + 50}")
    assert r.status_code == 206 and r.content == PAYLOAD[-5:]


def test_unsatisfiable_range(client, world):
    size = len(PAYLOAD)
    for header in (f"bytes={size}-", f"bytes={size + 10}-{size + 20}", "bytes=-0"):
        r = get(client, url(world.draft), world.owner_token, Range=header)
        assert r.status_code == 416, header
        assert r.headers["content-range"] == f"bytes */{size}"
        assert r.content == b""


def test_ignored_ranges_send_the_whole_file(client, world):
    for header in ("bytes=0-1,5-6", "lines=1-2", "bytes=9-0"):
        r = get(client, url(world.draft), world.owner_token, Range=header)
        assert r.status_code == 200 and r.content == PAYLOAD, header
    r = get(client, url(world.draft), world.owner_token, Range="bytes=0-9", **{"If-Range": '"x"'})
    assert r.status_code == 200 and len(r.content) == len(PAYLOAD)


def test_head(client, world):
    client.cookies.set(SESSION_COOKIE, world.owner_token)
    r = client.head(url(world.draft))
    assert r.status_code == 200
    assert r.headers["content-length"] == str(len(PAYLOAD))
    assert r.headers["accept-ranges"] == "bytes"
    assert r.content == b""
    r = client.head(url(world.draft), headers={"Range": "bytes=-10"})
    assert r.status_code == 206 and r.headers["content-length"] == "10"
    client.cookies.clear()
    assert client.head(url(world.draft)).status_code == 404


# -- who may fetch --------------------------------------------------------------------------

def test_anonymous(client, world):
    assert get(client, url(world.draft)).status_code == 404
    assert get(client, url(world.private)).status_code == 404
    assert get(client, url(world.deleted)).status_code == 404
    r = get(client, url(world.public))
    assert r.status_code == 200 and r.content == PAYLOAD


def test_bad_or_stale_cookie_is_anonymous(client, world):
    assert get(client, url(world.private), "not-a-token").status_code == 404
    assert get(client, url(world.public), "not-a-token").status_code == 200
    with db.session_scope() as session:
        accounts.log_out(session=session, token=world.owner_token)
    assert get(client, url(world.draft), world.owner_token).status_code == 404


def test_students_of_the_school_see_members_only_videos(client, world):
    r = get(client, url(world.private), world.student_token, Range="bytes=0-99")
    assert r.status_code == 206 and r.content == PAYLOAD[:100]
    assert get(client, url(world.draft), world.student_token).status_code == 404
    assert get(client, url(world.deleted), world.student_token).status_code == 404


def test_student_of_another_school_cannot_see_members_only_videos(client, world):
    r = get(client, url(world.private), world.outsider_token)
    assert r.status_code == 404
    assert r.json() == {"detail": "Not found"}
    assert get(client, url(world.public), world.outsider_token).status_code == 200


def test_inactive_membership_loses_access(client, world):
    with db.session_scope() as session:
        row = session.get(Student, world.student.student_of[world.owner.creator_id])
        row.is_active = False
        session.add(row)
    assert get(client, url(world.private), world.student_token).status_code == 404


def test_owner_sees_deleted_and_private(client, world):
    assert get(client, url(world.deleted), world.owner_token).status_code == 200
    assert get(client, url(world.private), world.owner_token).status_code == 200


def test_unknown_ids_and_missing_files(client, world, store):
    assert get(client, f"/media/videos/{uuid.uuid4()}", world.owner_token).status_code == 404
    assert get(client, "/media/videos/not-a-uuid", world.owner_token).status_code == 404
    assert get(client, url(world.no_file), world.owner_token).status_code == 404
    store.delete(world.public.storage_path)
    assert get(client, url(world.public), world.owner_token).status_code == 404


def test_thumbnail_endpoint(client, world, store):
    r = get(client, url(world.public, "thumbnails"))
    assert r.status_code == 200
    assert r.content == THUMB
    assert r.headers["content-type"] == "image/jpeg"
    assert r.headers["cache-control"] == "private"
    assert get(client, url(world.private, "thumbnails")).status_code == 404
    assert get(client, url(world.private, "thumbnails"), world.student_token).status_code == 200
    assert get(client, url(world.private, "thumbnails"), world.outsider_token).status_code == 404
    assert get(client, url(world.no_file, "thumbnails"), world.owner_token).status_code == 404
    store.delete(thumbnail_key(world.public.id))
    assert get(client, url(world.public, "thumbnails")).status_code == 404


def test_other_methods_are_not_allowed(client, world):
    assert client.post(url(world.public)).status_code == 405


def test_default_app_uses_the_configured_store(app_db, world, store, monkeypatch):
    import chronos_app.api as api_module

    monkeypatch.setattr(api_module, "get_storage", lambda: store)
    with TestClient(media_api) as c:
        r = c.get(url(world.public), headers={"Range": "bytes=-4"})
    assert r.status_code == 206 and r.content == b"ytes"


# -- the service directly (rolled-back session) ---------------------------------------------

def test_media_access_service(session, tmp_path):
    store = LocalStorage(tmp_path)
    owner = make_creator(session)
    video = make_video(session, owner, source_type="upload", storage_path="videos/x/source.webm",
                       mime_type=None, published_at=None)
    store.save("videos/x/source.webm", io.BytesIO(b"12345"))
    assert media_access(session=session, actor=owner, video_id=video.id, kind="video",
                        storage=store) == MediaFile("videos/x/source.webm", "video/webm", 5)
    for actor in (None, make_user(session), make_student(session, owner)):
        with pytest.raises(NotFound):
            media_access(session=session, actor=actor, video_id=video.id, kind="video",
                         storage=store)
    # a storage_path that is no key (an absolute path, a URL) is simply not found
    video.storage_path = "/etc/passwd"
    with pytest.raises(NotFound):
        media_access(session=session, actor=owner, video_id=video.id, kind="video", storage=store)


def test_closed_school_hides_even_public_videos(session, tmp_path):
    from tests.factories import creator_row

    store = LocalStorage(tmp_path)
    owner = make_creator(session)
    video = make_video(session, owner, source_type="upload", storage_path="videos/y/source.mp4",
                       mime_type="video/mp4", is_public=True, published_at=datetime.now(UTC))
    store.save("videos/y/source.mp4", io.BytesIO(b"abc"))
    assert media_access(session=session, actor=None, video_id=video.id, kind="video",
                        storage=store).size == 3
    creator_row(session, owner).is_active = False
    session.flush()
    with pytest.raises(NotFound):
        media_access(session=session, actor=None, video_id=video.id, kind="video", storage=store)
    assert media_access(session=session, actor=owner, video_id=video.id, kind="video",
                        storage=store).mime == "video/mp4"

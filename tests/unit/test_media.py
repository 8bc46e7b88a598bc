"""Upload checks (type by extension and magic bytes, size by plan), ffmpeg helpers, and the
local file store."""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

import pytest

from chronos_app.core.errors import ChronosError, InvalidInput, NotFound
from chronos_app.core.plans import MB
from chronos_app.core.storage import (
    LocalStorage,
    Storage,
    format_bytes,
    thumbnail_key,
    video_key,
    video_prefix,
)
from chronos_app.pipeline.media import (
    ALLOWED_VIDEO_TYPES,
    SNIFF_BYTES,
    InvalidVideoFile,
    MediaError,
    check_upload,
    extension_for,
    extract_thumbnail,
    make_demo_video,
    probe_duration,
    sniff_video_type,
)

EXE_HEAD = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
WEBM_HEAD = bytes.fromhex("1a45dfa3") + b"\x9f\x42\x86\x81\x01\x42\xf7\x81\x01webm" + b"\x00" * 40


@pytest.fixture(scope="module")
def demo_mp4(tmp_path_factory) -> Path:
    return make_demo_video(tmp_path_factory.mktemp("media") / "demo.mp4", seconds=3,
                           color="darkgreen", tone_hz=330)


# -- sniffing -------------------------------------------------------------------------------

def test_generated_mp4_is_accepted(demo_mp4):
    head = demo_mp4.read_bytes()[:SNIFF_BYTES]
    assert sniff_video_type(head, "lesson.mp4") == "video/mp4"
    assert sniff_video_type(head, "Lesson.M4V") == "video/mp4"
    assert sniff_video_type(head, "lesson.mov") == "video/quicktime"


def test_webm_magic_is_accepted():
    assert sniff_video_type(WEBM_HEAD, "talk.webm") == "video/webm"


def test_old_quicktime_without_ftyp_is_accepted_as_mov_only():
    head = (8).to_bytes(4, "big") + b"wide" + (1000).to_bytes(4, "big") + b"mdat" + b"\0" * 48
    assert sniff_video_type(head, "old.mov") == "video/quicktime"
    with pytest.raises(InvalidVideoFile):
        sniff_video_type(head, "old.mp4")


@pytest.mark.parametrize("head, filename", [
    (EXE_HEAD, "setup.mp4"),                       # an executable renamed .mp4
    (b"hello, this is just text\n" * 3, "notes.mp4"),  # text renamed .mp4
    (b"<html><script>alert(1)</script></html>", "x.webm"),
    (WEBM_HEAD, "talk.mp4"),                       # real WebM bytes, wrong extension for them
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 40, "photo.mp4"),  # HEIF image
])
def test_fake_content_is_rejected(head, filename):
    with pytest.raises(InvalidVideoFile, match="does not contain") as info:
        sniff_video_type(head, filename)
    assert isinstance(info.value, InvalidInput)
    assert info.value.field == "file"


@pytest.mark.parametrize("filename", ["x.exe", "movie.avi", "clip.mkv", "noextension", "mp4", ""])
def test_wrong_extension_is_rejected_even_with_video_bytes(demo_mp4, filename):
    head = demo_mp4.read_bytes()[:SNIFF_BYTES]
    with pytest.raises(InvalidVideoFile, match="is not a video file we accept: MP4, WebM or MOV."):
        sniff_video_type(head, filename)


def test_rejection_message_names_the_file():
    with pytest.raises(InvalidVideoFile) as info:
        sniff_video_type(EXE_HEAD, "x.exe")
    assert info.value.message == "x.exe is not a video file we accept: MP4, WebM or MOV."


def test_empty_file_is_rejected(demo_mp4):
    with pytest.raises(InvalidVideoFile, match="empty"):
        sniff_video_type(b"", "a.mp4")
    with pytest.raises(InvalidVideoFile, match="empty"):
        check_upload("a.mp4", 0, b"", tier="basic")


def test_check_upload_size_limit_names_the_limit_and_plan(demo_mp4):
    head = demo_mp4.read_bytes()[:SNIFF_BYTES]
    assert check_upload("a.mp4", 500 * MB, head, tier="basic") == "video/mp4"
    with pytest.raises(InvalidVideoFile) as info:
        check_upload("big.mp4", 612 * MB, head, tier="basic")
    assert info.value.message == "big.mp4 is 612 MB; the Basic plan accepts files up to 500 MB."
    assert check_upload("big.mp4", 612 * MB, head, tier="pro") == "video/mp4"
    with pytest.raises(InvalidVideoFile, match="the Pro plan accepts files up to 2 GB"):
        check_upload("huge.mp4", 3 * 1024 * MB, head, tier="pro")


def test_unknown_size_checks_only_the_type(demo_mp4):
    head = demo_mp4.read_bytes()[:SNIFF_BYTES]
    assert check_upload("a.mov", None, head, tier="basic") == "video/quicktime"
    with pytest.raises(InvalidVideoFile, match="empty"):
        check_upload("a.mp4", None, b"", tier="basic")


def test_extension_for():
    assert extension_for("video/mp4") == "mp4"
    assert extension_for("video/quicktime") == "mov"
    assert extension_for("video/webm; codecs=vp9") == "webm"
    with pytest.raises(InvalidVideoFile):
        extension_for("application/x-msdownload")


def test_allowed_types_are_browser_playable():
    assert set(ALLOWED_VIDEO_TYPES) == {"mp4", "m4v", "mov", "webm"}


def test_format_bytes():
    assert format_bytes(0) == "0 bytes"
    assert format_bytes(1536) == "1.5 KB"
    assert format_bytes(500 * MB) == "500 MB"
    assert format_bytes(5 * 1024 * MB) == "5 GB"


# -- ffmpeg ---------------------------------------------------------------------------------

def test_probe_duration_of_generated_clip(demo_mp4):
    duration = probe_duration(demo_mp4)
    assert duration == pytest.approx(3.0, abs=0.15)


def test_probe_duration_of_non_video_is_none(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(EXE_HEAD * 10)
    assert probe_duration(junk) is None
    assert probe_duration(tmp_path / "missing.mp4") is None


def test_thumbnail_is_a_640_wide_jpeg(demo_mp4, tmp_path):
    out = tmp_path / "thumbs" / "thumbnail.jpg"
    extract_thumbnail(demo_mp4, out, at_seconds=1.5)
    data = out.read_bytes()
    assert data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9"
    assert _jpeg_size(data) == (640, 360)
    assert not [p for p in out.parent.iterdir() if p.name != "thumbnail.jpg"]  # no temp files


def test_thumbnail_past_the_end_uses_the_middle(demo_mp4, tmp_path):
    out = tmp_path / "late.jpg"
    extract_thumbnail(demo_mp4, out, at_seconds=999)
    assert out.read_bytes()[:3] == b"\xff\xd8\xff"


def test_thumbnail_of_a_broken_file_raises_media_error(tmp_path):
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x20ftypisom" + b"\x00" * 500)
    with pytest.raises(MediaError) as info:
        extract_thumbnail(broken, tmp_path / "t.jpg", at_seconds=1)
    assert isinstance(info.value, ChronosError) and "thumbnail" in info.value.message
    assert not (tmp_path / "t.jpg").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["broken.mp4"]
    with pytest.raises(MediaError, match="missing"):
        extract_thumbnail(tmp_path / "nope.mp4", tmp_path / "t.jpg", at_seconds=1)


def test_demo_video_is_quick_small_and_fast_start(tmp_path):
    started = time.perf_counter()
    out = make_demo_video(tmp_path / "minute.mp4", seconds=60, color="#7c3aed", tone_hz=523.25)
    elapsed = time.perf_counter() - started
    assert elapsed < 5  # ≈ 0.7 s here; generous for slow CI machines
    data = out.read_bytes()
    assert len(data) < 5 * MB
    assert sniff_video_type(data[:SNIFF_BYTES], out.name) == "video/mp4"
    # +faststart: the index (moov) comes before the media data (mdat).
    assert 0 <= data.find(b"moov") < data.find(b"mdat")
    assert probe_duration(out) == pytest.approx(60, abs=0.5)


def test_demo_video_rejects_bad_arguments(tmp_path):
    with pytest.raises(InvalidInput):
        make_demo_video(tmp_path / "x.mp4", seconds=0)
    with pytest.raises(InvalidInput):
        make_demo_video(tmp_path / "x.mp4", seconds=1, size="big")
    with pytest.raises(InvalidInput):
        make_demo_video(tmp_path / "x.mp4", seconds=1, color="red:s=1x1")


def _jpeg_size(data: bytes) -> tuple[int, int]:
    i = 2
    while i < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(data[i + 5:i + 7], "big")
            width = int.from_bytes(data[i + 7:i + 9], "big")
            return width, height
        i += 2 + length
    raise AssertionError("no SOF marker")


# -- storage --------------------------------------------------------------------------------

@pytest.fixture
def store(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "media")


def test_keys():
    vid = uuid.uuid4()
    assert video_key(vid, ".MP4") == f"videos/{vid}/source.mp4"
    assert video_key(str(vid), "webm") == f"videos/{vid}/source.webm"
    assert thumbnail_key(vid) == f"videos/{vid}/thumbnail.jpg"
    assert video_prefix(vid) == f"videos/{vid}/"
    with pytest.raises(InvalidInput):
        video_key(vid, "mp4/../../x")
    with pytest.raises(ValueError):
        thumbnail_key("../../etc")


def test_local_storage_is_a_storage(store):
    assert isinstance(store, Storage)


def test_save_open_size_delete(store):
    key = video_key(uuid.uuid4(), "mp4")
    payload = bytes(range(256)) * 10_000  # 2.5 MB: several chunks
    assert not store.exists(key)
    assert store.save(key, io.BytesIO(payload)) == len(payload)
    assert store.exists(key)
    assert store.size(key) == len(payload)
    with store.open(key) as f:
        assert f.read() == payload
    with store.local_path(key) as path:
        assert path.read_bytes() == payload and path.is_relative_to(store.root)
    # overwrite atomically
    assert store.save(key, io.BytesIO(b"new")) == 3
    assert store.open(key).read() == b"new"
    assert [p.name for p in store.path_for(key).parent.iterdir()] == ["source.mp4"]
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # deleting twice is fine
    with pytest.raises(NotFound):
        store.open(key)
    with pytest.raises(NotFound):
        store.size(key)
    with pytest.raises(NotFound):
        with store.local_path(key):
            pass


def test_max_bytes_exceeded_leaves_no_file(store):
    key = video_key(uuid.uuid4(), "mp4")
    with pytest.raises(InvalidInput, match="too large") as info:
        store.save(key, io.BytesIO(b"x" * (3 * 1024 * 1024)), max_bytes=2 * 1024 * 1024)
    assert info.value.field == "file"
    assert not store.exists(key)
    assert list(store.path_for(key).parent.iterdir()) == []  # no partial temp file
    assert store.save(key, io.BytesIO(b"x" * 100), max_bytes=100) == 100


def test_max_bytes_exceeded_keeps_the_previous_version(store):
    key = "videos/keep/source.mp4"
    store.save(key, io.BytesIO(b"old"))
    with pytest.raises(InvalidInput):
        store.save(key, io.BytesIO(b"y" * 11), max_bytes=10)
    assert store.open(key).read() == b"old"


def test_failing_stream_leaves_no_file(store):
    class Broken(io.RawIOBase):
        calls = 0

        def read(self, n=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("connection reset")
            return b"z" * 1000

    key = "videos/x/source.mp4"
    with pytest.raises(OSError):
        store.save(key, Broken())
    assert not store.exists(key)
    assert list(store.path_for(key).parent.iterdir()) == []


def test_delete_prefix(store):
    vid = uuid.uuid4()
    store.save(video_key(vid, "mp4"), io.BytesIO(b"v"))
    store.save(thumbnail_key(vid), io.BytesIO(b"t"))
    other = video_key(uuid.uuid4(), "mp4")
    store.save(other, io.BytesIO(b"o"))
    assert store.delete_prefix(video_prefix(vid)) == 2
    assert not store.exists(thumbnail_key(vid))
    assert store.exists(other)
    assert store.delete_prefix(video_prefix(vid)) == 0


@pytest.mark.parametrize("key", [
    "../outside.txt", "videos/../../outside.txt", "/etc/passwd", "videos//x", "./x", "videos/.",
    "", "videos\\..\\..\\x", "a/\x00b", "videos/..",
])
def test_keys_escaping_the_root_are_rejected(store, key, tmp_path):
    with pytest.raises(InvalidInput, match="Invalid storage key"):
        store.save(key, io.BytesIO(b"evil"))
    with pytest.raises(InvalidInput):
        store.open(key)
    with pytest.raises(InvalidInput):
        store.delete(key)
    assert not (tmp_path / "outside.txt").exists()


def test_symlink_out_of_the_root_is_rejected(store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    store.root.mkdir(parents=True, exist_ok=True)
    (store.root / "link").symlink_to(outside)
    with pytest.raises(InvalidInput):
        store.save("link/x.txt", io.BytesIO(b"evil"))
    assert not (outside / "x.txt").exists()

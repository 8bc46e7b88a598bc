"""Video files: upload checks (type by extension *and* magic bytes, size by plan), and ffmpeg
helpers (duration, thumbnail, demo clips) through the static binary of imageio-ffmpeg."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path, PurePath

from chronos_app.core.errors import ChronosError, InvalidInput
from chronos_app.core.plans import plan_for
from chronos_app.core.storage import format_bytes

# Extensions we accept -> the MIME type we store and serve. Matroska (.mkv) is left out on
# purpose: browsers do not play it reliably in a <video> element.
ALLOWED_VIDEO_TYPES: dict[str, str] = {
    "mp4": "video/mp4",
    "m4v": "video/mp4",
    "mov": "video/quicktime",
    "webm": "video/webm",
}
ACCEPTED_LABEL = "MP4, WebM or MOV"
# The `accept` attribute for an upload widget.
ACCEPT_ATTRIBUTE = ",".join([*(f".{ext}" for ext in ALLOWED_VIDEO_TYPES),
                             *sorted(set(ALLOWED_VIDEO_TYPES.values()))])
# How many leading bytes `sniff_video_type` wants to see.
SNIFF_BYTES = 64

_ISO_BMFF = {"mp4", "m4v", "mov"}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
# Major brands of ISO-BMFF files that are not videos (HEIF/AVIF images, iTunes audio).
_NON_VIDEO_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1",
                     b"avif", b"avis", b"M4A ", b"M4B ", b"M4P ", b"crx "}
# Old QuickTime files may start with one of these atoms instead of `ftyp`.
_QUICKTIME_FIRST_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

_DURATION_RE = re.compile(r"Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)")
_FFMPEG_TIMEOUT = 120


class InvalidVideoFile(InvalidInput):
    """An upload that is not a video we accept (wrong type, fake content, too large, empty)."""

    def __init__(self, message: str):
        super().__init__(message, field="file")


class MediaError(ChronosError):
    """ffmpeg could not do what was asked; the message says what and why, briefly."""


# -- upload checks --------------------------------------------------------------------------

def extension_of(filename: str) -> str:
    return PurePath(filename or "").suffix.lower().lstrip(".")


def _display_name(filename: str) -> str:
    name = PurePath(filename or "").name.strip() or "This file"
    return name if len(name) <= 80 else name[:77] + "..."


def _not_accepted(filename: str) -> InvalidVideoFile:
    return InvalidVideoFile(f"{_display_name(filename)} is not a video file we accept: "
                            f"{ACCEPTED_LABEL}.")


def _looks_iso_bmff(head: bytes, ext: str) -> bool:
    if len(head) < 12:
        return False
    box_size = int.from_bytes(head[0:4], "big")
    box_type = head[4:8]
    if box_type == b"ftyp":
        # size 1 means a 64-bit size follows; otherwise the box holds at least the brand fields
        return (box_size == 1 or box_size >= 16) and head[8:12] not in _NON_VIDEO_BRANDS
    return ext == "mov" and box_type in _QUICKTIME_FIRST_ATOMS and (box_size in (0, 1)
                                                                     or box_size >= 8)


def sniff_video_type(head: bytes, filename: str) -> str:
    """The MIME type of an upload whose extension is allowed AND whose first bytes match it.

    `head` is the start of the file (`SNIFF_BYTES` is plenty). Raises `InvalidVideoFile`.
    """
    ext = extension_of(filename)
    if ext not in ALLOWED_VIDEO_TYPES:
        raise _not_accepted(filename)
    if ext in _ISO_BMFF:
        ok = _looks_iso_bmff(head, ext)
    else:  # webm: an EBML header
        ok = head[:4] == _EBML_MAGIC
    if not ok:
        if not head:
            raise InvalidVideoFile(f"{_display_name(filename)} is empty.")
        raise InvalidVideoFile(f"{_display_name(filename)} does not contain {ext.upper()} video "
                               f"data; we accept {ACCEPTED_LABEL} files.")
    return ALLOWED_VIDEO_TYPES[ext]


def extension_for(mime: str) -> str:
    """The extension we store a file of `mime` under: video/mp4 -> mp4, video/quicktime -> mov."""
    for ext, known in ALLOWED_VIDEO_TYPES.items():
        if known == mime.split(";")[0].strip().lower():
            return ext
    raise InvalidVideoFile(f"{mime} is not a video type we accept: {ACCEPTED_LABEL}.")


def check_upload(filename: str, size: int | None, head: bytes, *, tier: str) -> str:
    """Check an upload against the accepted types and the plan's size limit; return its MIME.

    `size` None means "not known yet": only the type is checked here, and the caller enforces
    the limit while copying (`Storage.save(..., max_bytes=plan.max_upload_bytes)`).
    """
    plan = plan_for(tier)
    if size is not None and size <= 0:
        raise InvalidVideoFile(f"{_display_name(filename)} is empty.")
    if size is not None and size > plan.max_upload_bytes:
        raise InvalidVideoFile(
            f"{_display_name(filename)} is {format_bytes(size)}; the {plan.label} plan accepts "
            f"files up to {format_bytes(plan.max_upload_bytes)}.")
    return sniff_video_type(head, filename)


# -- ffmpeg ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary (imageio-ffmpeg's static build, or IMAGEIO_FFMPEG_EXE)."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # pragma: no cover - dependency is pinned
        raise MediaError("ffmpeg is not available: install imageio-ffmpeg.") from exc
    try:
        return imageio_ffmpeg.get_ffmpeg_exe()
    except RuntimeError as exc:  # pragma: no cover
        raise MediaError(f"ffmpeg is not available: {exc}") from exc


def _run(args: list[str], *, what: str, timeout: float = _FFMPEG_TIMEOUT) -> subprocess.CompletedProcess:
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *args]
    try:
        return subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise MediaError(f"{what} took longer than {int(timeout)} s and was stopped.") from exc
    except OSError as exc:
        raise MediaError(f"{what} failed: ffmpeg could not be started ({exc}).") from exc


def _last_error_line(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    interesting = [ln for ln in lines if not ln.startswith(("Input #", "Output #", "Stream #",
                                                             "Duration:", "Metadata:"))]
    return (interesting or lines or ["unknown error"])[-1][:300]


def probe_duration(path: Path | str) -> float | None:
    """Duration in seconds from the container header, or None when unknown/unreadable."""
    path = Path(path)
    if not path.is_file():
        return None
    result = _run(["-i", str(path)], what="Reading the video")  # exits 1: no output given
    match = _DURATION_RE.search(result.stderr.decode("utf-8", "replace"))
    if match:
        hours, minutes, seconds = match.groups()
        total = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
        if total > 0:
            return total
    # No header duration (e.g. a live-recorded WebM): decode and count.
    try:
        import imageio_ffmpeg

        _frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(path))
    except Exception:  # noqa: BLE001 - not a video ffmpeg can read
        return None
    return float(seconds) if seconds and seconds > 0 else None


def extract_thumbnail(video_path: Path | str, out_path: Path | str, *, at_seconds: float,
                      width: int = 640) -> None:
    """Write one frame near `at_seconds` as a JPEG `width` pixels wide to `out_path`.

    A time past the end falls back to the middle of the video. Raises `MediaError`.
    """
    video_path, out_path = Path(video_path), Path(out_path)
    if not video_path.is_file():
        raise MediaError("The video file to take a thumbnail from is missing.")
    at = max(0.0, float(at_seconds))
    duration = probe_duration(video_path)
    if duration is not None and at >= duration:
        at = duration / 2
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.stem}.", suffix=".jpg")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = None
        for seek in dict.fromkeys((at, 0.0)):  # retry from the start if the seek finds no frame
            result = _run(["-y", "-loglevel", "error", "-ss", f"{seek:.3f}", "-i", str(video_path),
                           "-map", "0:v:0", "-frames:v", "1", "-vf", f"scale={width}:-2",
                           "-q:v", "3", "-f", "image2", "-c:v", "mjpeg", str(tmp)],
                          what="Making the thumbnail")
            if result.returncode == 0 and tmp.stat().st_size > 0:
                os.replace(tmp, out_path)
                return
        raise MediaError("Could not make a thumbnail: "
                         f"{_last_error_line(result.stderr) if result else 'no frame'}")
    finally:
        tmp.unlink(missing_ok=True)


_MP4_CODECS = ("-c:v", "libx264", "-preset", "ultrafast", "-crf", "30",
               "-c:a", "aac", "-b:a", "64k", "-ac", "1", "-movflags", "+faststart")
_WEBM_CODECS = ("-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "400k",
                "-c:a", "libopus", "-b:a", "48k", "-ac", "1")


def make_demo_video(out_path: Path | str, *, seconds: float, color: str = "#1e3a8a",
                    tone_hz: float = 440.0, size: str = "640x360", fps: int = 12,
                    container: str = "mp4") -> Path:
    """Generate a small video (a colored background with a moving test pattern and a sine
    tone): H.264/AAC MP4, fast-start so browsers can play it while it downloads, or VP8/Opus
    WebM with `container="webm"`. Returns `out_path`."""
    out_path = Path(out_path)
    if container not in ("mp4", "webm"):
        raise InvalidInput(f"Container must be mp4 or webm, not {container!r}.")
    if seconds <= 0:
        raise InvalidInput("A demo video needs a positive length.")
    if not re.fullmatch(r"\d{2,5}x\d{2,5}", size):
        raise InvalidInput(f"Size must look like 640x360, not {size!r}.")
    if not re.fullmatch(r"#?[0-9A-Za-z]+", color):
        raise InvalidInput(f"Unusable color {color!r}: use a name or #rrggbb.")
    w, h = (int(v) for v in size.split("x"))
    pattern = f"{max(16, w // 4) // 2 * 2}x{max(16, h // 4) // 2 * 2}"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=out_path.parent, prefix=f".{out_path.stem}.",
                                    suffix=f".{container}")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = _run([
            "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"color=c={color}:s={size}:r={fps}:d={seconds}",
            "-f", "lavfi", "-i", f"testsrc2=s={pattern}:r={fps}:d={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency={tone_hz}:sample_rate=44100:duration={seconds}",
            "-filter_complex",
            "[0:v][1:v]overlay=x='mod(t*80\\,W-w)':y=(H-h)/2:shortest=1,format=yuv420p[v]",
            "-map", "[v]", "-map", "2:a",
            *(_WEBM_CODECS if container == "webm" else _MP4_CODECS),
            "-g", str(fps * 2), "-shortest", "-f", container, str(tmp),
        ], what="Making the demo video")
        if result.returncode != 0 or tmp.stat().st_size == 0:
            raise MediaError(f"Could not make the demo video: {_last_error_line(result.stderr)}")
        os.replace(tmp, out_path)
    finally:
        tmp.unlink(missing_ok=True)
    return out_path

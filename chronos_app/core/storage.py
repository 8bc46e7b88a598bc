"""Where uploaded files live: a small `Storage` protocol and the local-disk implementation.

Keys are relative POSIX paths such as ``videos/<video_id>/source.mp4``. The local store keeps
them under ``<data_dir>/media``; an S3-compatible store can implement the same protocol later
(``local_path`` would download to a temporary file for ffmpeg).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol, runtime_checkable

from chronos_app.core.errors import InvalidInput, NotFound
from chronos_app.core.settings import get_settings

CHUNK_SIZE = 1024 * 1024
THUMBNAIL_NAME = "thumbnail.jpg"


def video_key(video_id: uuid.UUID | str, ext: str) -> str:
    """Key of a video's uploaded source file: ``videos/<id>/source.<ext>``."""
    ext = ext.lower().lstrip(".")
    if not ext or not ext.isalnum():
        raise InvalidInput(f"Unusable file extension: {ext!r}.")
    return f"videos/{uuid.UUID(str(video_id))}/source.{ext}"


def thumbnail_key(video_id: uuid.UUID | str) -> str:
    """Key of a video's generated thumbnail: ``videos/<id>/thumbnail.jpg``."""
    return f"videos/{uuid.UUID(str(video_id))}/{THUMBNAIL_NAME}"


def video_prefix(video_id: uuid.UUID | str) -> str:
    """The folder holding every file of one video (for ``delete_prefix``)."""
    return f"videos/{uuid.UUID(str(video_id))}/"


def _too_large(max_bytes: int) -> InvalidInput:
    return InvalidInput(f"The file is too large: the limit is {format_bytes(max_bytes)}.",
                        field="file")


def format_bytes(n: int) -> str:
    """1536 -> '1.5 KB', 500 * 1024**2 -> '500 MB' (binary units, short labels)."""
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{int(value)} bytes"
            text = f"{value:.1f}".rstrip("0").rstrip(".")
            return f"{text} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


@runtime_checkable
class Storage(Protocol):
    """A flat key -> bytes store. Every method raises `InvalidInput` for a malformed key."""

    def save(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
        """Copy `stream` to `key` in chunks; return the number of bytes written.

        Atomic: readers see the old file or the whole new one, never a partial one. When more
        than `max_bytes` arrive, nothing is stored and `InvalidInput` ("too large") is raised.
        """
        ...

    def open(self, key: str) -> BinaryIO:
        """A binary, seekable file object for reading; `NotFound` when missing."""
        ...

    def size(self, key: str) -> int:
        """Size in bytes; `NotFound` when missing."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> None:
        """Remove `key`; a missing key is not an error."""
        ...

    def delete_prefix(self, prefix: str) -> int:
        """Remove every key under `prefix` (e.g. ``videos/<id>/``); return how many."""
        ...

    def local_path(self, key: str) -> AbstractContextManager[Path]:
        """A local filesystem path holding the file for the duration of the block."""
        ...


class LocalStorage:
    """Files on the local disk (or a shared volume) under `root`."""

    def __init__(self, root: Path | str):
        self.root = Path(root).resolve()

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    # -- keys -----------------------------------------------------------------------------
    def path_for(self, key: str) -> Path:
        """The absolute path of `key`; rejects keys that could leave the root."""
        if not isinstance(key, str) or not key or "\\" in key or "\x00" in key:
            raise InvalidInput(f"Invalid storage key: {key!r}.")
        pure = PurePosixPath(key)
        if pure.is_absolute() or any(part in ("", ".", "..") for part in key.split("/")):
            raise InvalidInput(f"Invalid storage key: {key!r}.")
        path = (self.root / Path(*pure.parts)).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise InvalidInput(f"Invalid storage key: {key!r}.")
        return path

    def _existing(self, key: str) -> Path:
        path = self.path_for(key)
        if not path.is_file():
            raise NotFound("That file does not exist.")
        return path

    # -- protocol -------------------------------------------------------------------------
    def save(self, key: str, stream: BinaryIO, *, max_bytes: int | None = None) -> int:
        path = self.path_for(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        total = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = stream.read(CHUNK_SIZE)
                    if not chunk:
                        break
                    total += len(chunk)
                    if max_bytes is not None and total > max_bytes:
                        raise _too_large(max_bytes)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return total

    def open(self, key: str) -> BinaryIO:
        return self._existing(key).open("rb")

    def size(self, key: str) -> int:
        return self._existing(key).stat().st_size

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def delete(self, key: str) -> None:
        # Empty folders are left in place: pruning them would race with a concurrent save.
        self.path_for(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        folder = self.path_for(prefix.rstrip("/"))
        if not folder.is_dir():
            return 0
        count = sum(1 for p in folder.rglob("*") if p.is_file())
        shutil.rmtree(folder, ignore_errors=True)
        return count

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        yield self._existing(key)


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    """The configured store: local files under ``<data_dir>/media``."""
    return LocalStorage(get_settings().data_dir / "media")

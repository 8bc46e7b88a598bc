"""HTTP routes beside the Reflex app: stored video files and thumbnails, with Range support,
and avatars.

    GET|HEAD /media/videos/{video_id}
    GET|HEAD /media/thumbnails/{video_id}
    GET|HEAD /media/avatars/{user_id}

The session cookie (the same one the Reflex app sets) names the actor; a missing or invalid
one means anonymous. `services.media.media_access` decides; anything not allowed is a 404.
Avatars are public (no cookie read) and cacheable for a few minutes: their URL carries a
version (`?v=<n>`) that changes with every new avatar. Files are streamed from `Storage.open`
in chunks, never read whole into memory.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import BinaryIO

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from chronos_app.core.db import session_scope
from chronos_app.core.errors import ChronosError, NotFound
from chronos_app.core.storage import Storage, get_storage
from chronos_app.services.accounts import resolve_session
from chronos_app.services.media import MediaFile, MediaKind, media_access
from chronos_app.services.social import AvatarFile, avatar_file

log = logging.getLogger(__name__)

# Must match chronos_app.state.auth.SESSION_COOKIE (not imported: that module imports reflex).
SESSION_COOKIE = "chronos_session"
STREAM_CHUNK = 256 * 1024
AVATAR_CACHE_CONTROL = "public, max-age=300"
_RANGE_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The single byte range (first, last inclusive) a Range header asks for, within `size`.

    None means "send the whole file": no header, another unit, a malformed or multi-part
    range (a server may ignore those, RFC 9110 §14.2). Raises `RangeNotSatisfiable`.
    """
    if not header:
        return None
    unit, sep, spec = header.partition("=")
    if not sep or unit.strip().lower() != "bytes" or "," in spec:
        return None
    match = _RANGE_SPEC.match(spec)
    if not match:
        return None
    first, last = match.groups()
    if first:
        start = int(first)
        end = int(last) if last else size - 1
        if last and end < start:
            return None  # invalid range-spec: ignore the header
        if start >= size:
            raise RangeNotSatisfiable
        return start, min(end, size - 1)
    if not last:
        return None  # "bytes=-"
    suffix = int(last)
    if suffix == 0 or size == 0:
        raise RangeNotSatisfiable
    return max(0, size - suffix), size - 1


def _iter_file(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(STREAM_CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _not_found() -> Response:
    return JSONResponse({"detail": "Not found"}, status_code=404,
                        headers={"Cache-Control": "no-store"})


def create_media_api(
    *,
    storage: Callable[[], Storage] | None = None,
    sessions: Callable[[], AbstractContextManager[Session]] | None = None,
) -> Starlette:
    """Build the media app. `storage` and `sessions` default to the configured store and
    `core.db.session_scope`, looked up per request."""

    def _storage() -> Storage:
        return storage() if storage is not None else get_storage()

    def _sessions() -> AbstractContextManager[Session]:
        return sessions() if sessions is not None else session_scope()

    def lookup(token: str | None, video_id: uuid.UUID, kind: MediaKind) -> MediaFile | None:
        store = _storage()
        with _sessions() as session:
            actor = None
            if token:
                try:
                    actor = resolve_session(session=session, token=token)
                except ChronosError:
                    actor = None
            try:
                return media_access(session=session, actor=actor, video_id=video_id, kind=kind,
                                    storage=store)
            except NotFound:
                return None

    def open_file(key: str) -> BinaryIO | None:
        try:
            return _storage().open(key)
        except NotFound:
            return None

    async def serve(request: Request, kind: MediaKind) -> Response:
        try:
            video_id = uuid.UUID(request.path_params["video_id"])
        except ValueError:
            return _not_found()
        token = request.cookies.get(SESSION_COOKIE) or None
        media = await run_in_threadpool(lookup, token, video_id, kind)
        if media is None:
            return _not_found()

        size = media.size
        headers = {
            "Accept-Ranges": "bytes",
            "Cache-Control": "private",
            "Content-Type": media.mime,
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        }
        range_header = request.headers.get("range")
        if request.headers.get("if-range"):
            range_header = None  # we send no validators, so none can match: whole file
        try:
            byte_range = parse_range(range_header, size)
        except RangeNotSatisfiable:
            return Response(status_code=416, headers={
                "Accept-Ranges": "bytes", "Content-Range": f"bytes */{size}",
                "Cache-Control": "private"})
        if byte_range is None:
            status, start, length = 200, 0, size
        else:
            start, end = byte_range
            status, length = 206, end - start + 1
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(length)

        if request.method == "HEAD":
            return Response(status_code=status, headers=headers)
        handle = await run_in_threadpool(open_file, media.key)
        if handle is None:  # deleted between the check and now
            return _not_found()
        return StreamingResponse(_iter_file(handle, start, length), status_code=status,
                                 headers=headers, media_type=media.mime)

    def lookup_avatar(user_id: uuid.UUID) -> AvatarFile | None:
        store = _storage()
        with _sessions() as session:
            try:
                return avatar_file(session=session, user_id=user_id, storage=store)
            except NotFound:
                return None

    async def avatar(request: Request) -> Response:
        try:
            user_id = uuid.UUID(request.path_params["user_id"])
        except ValueError:
            return _not_found()
        found = await run_in_threadpool(lookup_avatar, user_id)
        if found is None:
            return _not_found()
        headers = {
            "Cache-Control": AVATAR_CACHE_CONTROL,
            "Content-Type": found.mime,
            "Content-Length": str(found.size),
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
        }
        if request.method == "HEAD":
            return Response(status_code=200, headers=headers)
        handle = await run_in_threadpool(open_file, found.key)
        if handle is None:  # removed between the lookup and now
            return _not_found()
        # The file may have been replaced since the lookup: send what was opened.
        size = await run_in_threadpool(handle.seek, 0, 2)
        headers["Content-Length"] = str(size)
        return StreamingResponse(_iter_file(handle, 0, size), status_code=200,
                                 headers=headers, media_type=found.mime)

    async def video(request: Request) -> Response:
        return await serve(request, "video")

    async def thumbnail(request: Request) -> Response:
        return await serve(request, "thumbnail")

    return Starlette(routes=[
        Route("/media/videos/{video_id}", video, methods=["GET", "HEAD"]),
        Route("/media/thumbnails/{video_id}", thumbnail, methods=["GET", "HEAD"]),
        Route("/media/avatars/{user_id}", avatar, methods=["GET", "HEAD"]),
    ])


media_api = create_media_api()

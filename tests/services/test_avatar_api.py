"""The avatar route of the media API: public, cacheable, the right type, 404 otherwise.

The API opens its own sessions with `core.db.session_scope` and uses the configured store, so
these tests commit their rows into the module's `app_database` (its own database and media
folder).
"""

from __future__ import annotations

import uuid

import pytest
from starlette.testclient import TestClient

from chronos_app.api import SESSION_COOKIE, media_api
from chronos_app.core import db
from chronos_app.core.storage import get_storage
from chronos_app.models import User
from chronos_app.services import social
from chronos_app.services.accounts import load_actor
from tests.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x07" * 300 + b"\xff\xd9"


@pytest.fixture
def client(app_database):
    with TestClient(media_api) as c:
        yield c


def _user_with_avatar(filename: str | None = None, data: bytes = PNG) -> tuple[uuid.UUID, str]:
    with db.session_scope() as session:
        actor = make_user(session)
        url = ""
        if filename:
            url = social.set_avatar(session=session, actor=actor, filename=filename,
                                    data=data).avatar_url
    return actor.user_id, url


def test_the_stored_avatar_is_served_publicly_with_its_type(client):
    user_id, url = _user_with_avatar("me.png")
    assert url == f"/media/avatars/{user_id}?v=1"
    r = client.get(url)
    assert r.status_code == 200
    assert r.content == PNG
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-length"] == str(len(PNG))
    assert r.headers["cache-control"] == "public, max-age=300"
    assert r.headers["x-content-type-options"] == "nosniff"

    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(PNG))
    assert head.headers["content-type"] == "image/png"


def test_a_cookie_changes_nothing(client):
    user_id, url = _user_with_avatar("me.png")
    client.cookies.set(SESSION_COOKIE, "not-a-token")
    try:
        assert client.get(url).content == PNG
    finally:
        client.cookies.clear()


def test_a_new_avatar_of_another_type_replaces_the_old_one(client):
    user_id, _ = _user_with_avatar("me.png")
    with db.session_scope() as session:
        view = social.set_avatar(session=session,
                                 actor=load_actor(session=session, user_id=user_id),
                                 filename="me.jpg", data=JPEG)
    assert view.avatar_url.endswith("?v=2")
    r = client.get(view.avatar_url)
    assert r.status_code == 200 and r.content == JPEG
    assert r.headers["content-type"] == "image/jpeg"
    assert not get_storage().exists(f"avatars/{user_id}.png")


def test_not_found_otherwise(client):
    no_avatar, _ = _user_with_avatar(None)
    for path in (f"/media/avatars/{no_avatar}", f"/media/avatars/{uuid.uuid4()}",
                 "/media/avatars/not-a-uuid"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert r.json() == {"detail": "Not found"}
        assert r.headers["cache-control"] == "no-store"

    # the file is gone from storage
    user_id, url = _user_with_avatar("me.png")
    get_storage().delete(f"avatars/{user_id}.png")
    assert client.get(url).status_code == 404

    # removed, or the account is no longer active
    user_id, url = _user_with_avatar("me.png")
    with db.session_scope() as session:
        social.remove_avatar(session=session, actor=load_actor(session=session, user_id=user_id))
    assert client.get(url).status_code == 404
    user_id, url = _user_with_avatar("me.png")
    assert client.get(url).status_code == 200
    with db.session_scope() as session:
        session.get(User, user_id).is_active = False
    assert client.get(url).status_code == 404


def test_other_methods_are_not_allowed(client):
    user_id, url = _user_with_avatar("me.png")
    assert client.post(url).status_code == 405

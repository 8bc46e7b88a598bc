"""Who is logged in: the session cookie, the acting user, and page guards."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.core.errors import ChronosError
from chronos_app.core.settings import get_settings
from chronos_app.schemas.accounts import Actor
from chronos_app.services import accounts
from chronos_app.state.base import call

SESSION_COOKIE = "chronos_session"


class AuthState(rx.State):
    session_token: str = rx.Cookie("", name=SESSION_COOKIE,
                                   max_age=get_settings().session_days * 86400, same_site="lax")
    # The acting user lives only on the backend; the browser sees the fields below.
    _actor: Actor | None = None
    username: str = ""
    is_creator: bool = False
    is_student: bool = False
    auth_checked: bool = False

    @rx.var
    def is_authenticated(self) -> bool:
        return self.username != ""

    @rx.var
    def avatar_letter(self) -> str:
        return self.username[:1].upper()

    def _set_actor(self, actor: Actor | None) -> None:
        self._actor = actor
        self.username = actor.username if actor else ""
        self.is_creator = bool(actor and actor.is_creator)
        self.is_student = bool(actor and actor.student_of)
        self.auth_checked = True

    async def refresh_actor(self) -> Actor | None:
        """Re-read the session from the database: revocation and expiry take effect at once."""
        actor = None
        if self.session_token:
            actor = await call(accounts.resolve_session, token=self.session_token)
            if actor is None:
                self.session_token = ""
        self._set_actor(actor)
        return actor

    @rx.event
    async def check_session(self):
        await self.refresh_actor()

    @rx.event
    async def require_login(self):
        if await self.refresh_actor() is None:
            return rx.redirect(routes.login_then(self.router.url.path + _query(self)))
        return None

    @rx.event
    async def require_creator(self):
        actor = await self.refresh_actor()
        if actor is None:
            return rx.redirect(routes.login_then(self.router.url.path + _query(self)))
        if not actor.is_creator:
            return [rx.redirect(routes.OPEN_SCHOOL),
                    rx.toast.info("Open a school first to use the studio.")]
        return None

    @rx.event
    async def log_out(self):
        token = self.session_token
        self.session_token = ""
        self._set_actor(None)
        try:
            await call(accounts.log_out, token=token)
        except ChronosError:
            pass
        return [rx.redirect(routes.HOME), rx.toast.success("You are logged out.")]


async def current_actor(state: rx.State) -> Actor | None:
    """The acting user of the browser tab behind `state` (checked when the page loaded)."""
    auth = await state.get_state(AuthState)
    return auth._actor


def _query(state: rx.State) -> str:
    query = state.router.url.query
    return f"?{query}" if query else ""

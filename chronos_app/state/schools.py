"""Browsing, joining and opening schools; the creator's studio overview."""

from __future__ import annotations

import uuid

import reflex as rx

from chronos_app import routes
from chronos_app.core.errors import ChronosError, NotFound
from chronos_app.core.plans import PLANS
from chronos_app.schemas.accounts import SchoolView, StudentRow
from chronos_app.services import schools
from chronos_app.state.auth import AuthState
from chronos_app.state.base import call


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError):
        raise NotFound("That school does not exist.") from None


class SchoolsState(rx.State):
    schools: list[SchoolView] = []
    search: str = ""
    loaded: bool = False
    busy_id: str = ""

    @rx.event
    async def load(self):
        auth = await self.get_state(AuthState)
        await auth.refresh_actor()
        self.schools = await call(schools.list_schools, actor=auth._actor, search=self.search)
        self.loaded = True

    @rx.event
    async def set_search(self, value: str):
        self.search = value[:100]
        auth = await self.get_state(AuthState)
        self.schools = await call(schools.list_schools, actor=auth._actor, search=self.search)

    @rx.event
    async def join(self, creator_id: str):
        auth = await self.get_state(AuthState)
        if auth._actor is None:
            yield rx.redirect(routes.login_then(routes.SCHOOLS))
            return
        self.busy_id = creator_id
        yield
        try:
            actor = await call(schools.join_school, actor=auth._actor, creator_id=_uuid(creator_id))
        except ChronosError as err:
            self.busy_id = ""
            yield rx.toast.error(err.message)
            return
        auth._set_actor(actor)
        self.schools = await call(schools.list_schools, actor=actor, search=self.search)
        self.busy_id = ""
        name = next((s.name for s in self.schools if s.creator_id == creator_id), "the school")
        yield rx.toast.success(f"You joined {name}.")

    @rx.event
    async def leave(self, creator_id: str):
        auth = await self.get_state(AuthState)
        if auth._actor is None:
            return rx.redirect(routes.login_then(routes.SCHOOLS))
        try:
            actor = await call(schools.leave_school, actor=auth._actor, creator_id=_uuid(creator_id))
        except ChronosError as err:
            return rx.toast.error(err.message)
        auth._set_actor(actor)
        self.schools = await call(schools.list_schools, actor=actor, search=self.search)
        return rx.toast.success("You left the school.")


class OpenSchoolState(rx.State):
    error: str = ""
    tier: str = "basic"
    submitting: bool = False

    @rx.var
    def plans(self) -> list[dict[str, str]]:
        return [{"tier": p.tier, "label": p.label, "summary": p.summary} for p in PLANS.values()]

    @rx.event
    def set_tier(self, value: str):
        self.tier = value if value in PLANS else "basic"

    @rx.event
    async def redirect_if_creator(self):
        auth = await self.get_state(AuthState)
        self.error = ""
        if auth._actor is not None and auth._actor.is_creator:
            return rx.redirect(routes.STUDIO)
        return None

    @rx.event
    async def open_school(self, form: dict):
        auth = await self.get_state(AuthState)
        if auth._actor is None:
            yield rx.redirect(routes.login_then(routes.OPEN_SCHOOL))
            return
        self.error = ""
        self.submitting = True
        yield
        try:
            actor = await call(schools.open_school, actor=auth._actor,
                               name=form.get("name", ""), tier=self.tier)
        except ChronosError as err:
            self.error = err.message
            self.submitting = False
            return
        auth._set_actor(actor)
        self.submitting = False
        yield rx.redirect(routes.STUDIO)
        yield rx.toast.success("Your school is open.")


class StudioState(rx.State):
    school: SchoolView = SchoolView()
    students: list[StudentRow] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        auth = await self.get_state(AuthState)
        actor = auth._actor
        if actor is None or not actor.is_creator:
            return
        found = await call(schools.list_schools, actor=actor, creator_id=actor.creator_id)
        self.school = found[0] if found else SchoolView()
        self.students = await call(schools.list_students, actor=actor)
        self.loaded = True

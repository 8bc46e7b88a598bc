"""Sign-up, log-in and the profile page."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.core.errors import ChronosError, InvalidInput
from chronos_app.schemas.accounts import AccountView
from chronos_app.services import accounts, schools
from chronos_app.state.auth import AuthState
from chronos_app.state.base import call


class SignupState(rx.State):
    errors: list[str] = []
    submitting: bool = False

    @rx.event
    async def sign_up(self, form: dict):
        self.errors = []
        self.submitting = True
        yield
        username, password = form.get("username", ""), form.get("password", "")
        try:
            if password != form.get("confirm", ""):
                raise InvalidInput("The two passwords differ.")
            await call(accounts.sign_up, username=username, email=form.get("email", ""),
                       password=password, display_name=form.get("display_name", ""))
            result = await call(accounts.log_in, login=username, password=password,
                                ip_address=self.router.session.client_ip,
                                user_agent=self.router.headers.user_agent)
        except ChronosError as err:
            self.errors = err.details or [err.message]
            self.submitting = False
            yield rx.toast.error(err.message)
            return
        auth = await self.get_state(AuthState)
        auth.session_token = result.token
        auth._set_actor(result.actor)
        self.submitting = False
        next_path = routes.safe_next(self.router.url.query_parameters.get("next"))
        yield rx.redirect(next_path)
        yield rx.toast.success(f"Welcome to Chronos, {result.actor.username}!")


class LoginState(rx.State):
    error: str = ""
    submitting: bool = False

    @rx.event
    async def log_in(self, form: dict):
        self.error = ""
        self.submitting = True
        yield
        try:
            result = await call(accounts.log_in, login=form.get("login", ""),
                                password=form.get("password", ""),
                                ip_address=self.router.session.client_ip,
                                user_agent=self.router.headers.user_agent)
        except ChronosError as err:
            self.error = err.message
            self.submitting = False
            return
        auth = await self.get_state(AuthState)
        auth.session_token = result.token
        auth._set_actor(result.actor)
        self.submitting = False
        yield rx.redirect(routes.safe_next(self.router.url.query_parameters.get("next")))

    @rx.event
    async def redirect_if_logged_in(self):
        auth = await self.get_state(AuthState)
        self.error = ""
        if await auth.refresh_actor() is not None:
            return rx.redirect(routes.safe_next(self.router.url.query_parameters.get("next")))
        return None


class ProfileState(rx.State):
    account: AccountView = AccountView()
    loaded: bool = False
    saving: bool = False

    @rx.event
    async def load(self):
        auth = await self.get_state(AuthState)
        if auth._actor is None:
            return
        self.account = await call(schools.get_account, actor=auth._actor)
        self.loaded = True

    @rx.event
    async def save(self, form: dict):
        auth = await self.get_state(AuthState)
        if auth._actor is None:
            return rx.redirect(routes.login_then(routes.PROFILE))
        self.saving = True
        try:
            await call(schools.update_profile, actor=auth._actor,
                       display_name=form.get("display_name", ""), bio=form.get("bio", ""))
            self.account = await call(schools.get_account, actor=auth._actor)
        except ChronosError as err:
            return rx.toast.error(err.message)
        finally:
            self.saving = False
        return rx.toast.success("Profile saved.")

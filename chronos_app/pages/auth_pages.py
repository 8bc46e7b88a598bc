"""Log in and sign up."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import error_callout, page_shell
from chronos_app.services.accounts import PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN
from chronos_app.state.account import LoginState, SignupState


def _field(label: str, name: str, *, type_: str = "text", placeholder: str = "",
           hint: str = "", autocomplete: str = "", required: bool = True) -> rx.Component:
    return rx.vstack(
        rx.el.label(rx.text(label, size="2", weight="medium"), html_for=name),
        rx.input(id=name, name=name, type=type_, placeholder=placeholder, required=required,
                 auto_complete=autocomplete, size="3", width="100%"),
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")),
        spacing="1", width="100%", align="stretch",
    )


def _auth_card(title: str, subtitle: rx.Component, form: rx.Component) -> rx.Component:
    return page_shell(
        rx.center(
            rx.card(
                rx.vstack(rx.heading(title, size="6"), subtitle, form, spacing="4",
                          align="stretch"),
                size="4", width="100%", max_width="26rem",
            ),
            width="100%",
        ),
    )


@rx.page(route=routes.LOGIN, title="Log in · Chronos", on_load=LoginState.redirect_if_logged_in)
def login_page() -> rx.Component:
    return _auth_card(
        "Log in",
        rx.text("New here? ", rx.link("Create an account", href=routes.SIGNUP), size="2"),
        rx.form(
            rx.vstack(
                error_callout(LoginState.error),
                _field("Username or email", "login", autocomplete="username"),
                _field("Password", "password", type_="password", autocomplete="current-password"),
                rx.button("Log in", type="submit", size="3", width="100%",
                          loading=LoginState.submitting),
                spacing="3", align="stretch",
            ),
            on_submit=LoginState.log_in, reset_on_submit=False,
        ),
    )


@rx.page(route=routes.SIGNUP, title="Sign up · Chronos", on_load=LoginState.redirect_if_logged_in)
def signup_page() -> rx.Component:
    return _auth_card(
        "Create your account",
        rx.text("Already have one? ", rx.link("Log in", href=routes.LOGIN), size="2"),
        rx.form(
            rx.vstack(
                rx.cond(
                    SignupState.errors.length() > 0,
                    rx.callout(
                        rx.vstack(rx.foreach(SignupState.errors, lambda e: rx.text(e, size="2")),
                                  spacing="1"),
                        icon="triangle-alert", color_scheme="red", role="alert",
                        custom_attrs={"data-testid": "form-error"},
                    ),
                ),
                _field("Username", "username", autocomplete="username",
                       hint=f"{USERNAME_MIN}–{USERNAME_MAX} letters, digits, '_', '.' or '-'."),
                _field("Email", "email", type_="email", autocomplete="email"),
                _field("Display name", "display_name", required=False, autocomplete="name",
                       hint="Optional: how others see you."),
                _field("Password", "password", type_="password", autocomplete="new-password",
                       hint=f"At least {PASSWORD_MIN} characters with an uppercase letter, "
                            "a lowercase letter and a digit."),
                _field("Repeat password", "confirm", type_="password",
                       autocomplete="new-password"),
                rx.button("Create account", type="submit", size="3", width="100%",
                          loading=SignupState.submitting),
                spacing="3", align="stretch",
            ),
            on_submit=SignupState.sign_up, reset_on_submit=False,
        ),
    )

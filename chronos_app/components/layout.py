"""The page shell: navigation by role, a centred content column, the hydration marker."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes, styles
from chronos_app.state.auth import AuthState


def _nav_link(label: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2", weight="medium"),
                  spacing="1", align="center"),
        href=href, color_scheme="gray", high_contrast=True, underline="none",
        padding_x="0.5rem", padding_y="0.25rem", border_radius="6px",
        _hover={"background": rx.color("gray", 3)},
    )


def _links() -> list[rx.Component]:
    return [
        _nav_link("Home", routes.HOME, "house"),
        _nav_link("Feed", routes.FEED, "rss"),
        _nav_link("Schools", routes.SCHOOLS, "graduation-cap"),
        rx.cond(AuthState.is_creator, _nav_link("Studio", routes.STUDIO, "clapperboard")),
        rx.cond(AuthState.is_creator, _nav_link("Videos", routes.STUDIO_VIDEOS, "film")),
        rx.cond(AuthState.is_creator, _nav_link("Courses", routes.STUDIO_COURSES, "layers")),
        rx.cond(AuthState.is_student, _nav_link("Learn", routes.COURSES, "book-open")),
        rx.cond(AuthState.is_authenticated, _nav_link("Tutor", routes.CHAT, "sparkles")),
    ]


def _account_menu() -> rx.Component:
    return rx.cond(
        AuthState.is_authenticated,
        rx.menu.root(
            rx.menu.trigger(
                rx.button(
                    rx.avatar(fallback=AuthState.avatar_letter, size="1", radius="full"),
                    rx.text(AuthState.username, size="2", display=["none", "none", "block"]),
                    rx.icon("chevron-down", size=14),
                    variant="ghost", color_scheme="gray", aria_label="Account menu",
                    custom_attrs={"data-testid": "account-menu"},
                ),
            ),
            rx.menu.content(
                rx.menu.item(rx.hstack(rx.icon("user", size=14), rx.text("Profile")),
                             on_click=rx.redirect(routes.PROFILE)),
                rx.cond(~AuthState.is_creator,
                        rx.menu.item(rx.hstack(rx.icon("school", size=14), rx.text("Open a school")),
                                     on_click=rx.redirect(routes.OPEN_SCHOOL))),
                rx.menu.separator(),
                rx.menu.item(rx.hstack(rx.icon("log-out", size=14), rx.text("Log out")),
                             on_click=AuthState.log_out, color_scheme="red",
                             custom_attrs={"data-testid": "logout"}),
            ),
        ),
        rx.hstack(
            link_button("Log in", routes.LOGIN, variant="soft"),
            link_button("Sign up", routes.SIGNUP),
            spacing="2",
        ),
    )


def navbar() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            rx.link(
                rx.hstack(rx.icon("circle-play", size=22, color=rx.color(styles.ACCENT, 9)),
                          rx.heading("Chronos", size="5", weight="bold"), align="center",
                          spacing="2"),
                href=routes.HOME, underline="none", color_scheme="gray", high_contrast=True,
            ),
            rx.hstack(*_links(), spacing="1", display=["none", "none", "flex"]),
            rx.spacer(),
            rx.link(rx.icon("search", size=18), href=routes.SEARCH, aria_label="Search",
                    color_scheme="gray", high_contrast=True,
                    display=["none", "none", "block"]),
            rx.box(
                rx.menu.root(
                    rx.menu.trigger(rx.icon_button(rx.icon("menu"), variant="ghost",
                                                   aria_label="Navigation")),
                    rx.menu.content(
                        rx.menu.item("Home", on_click=rx.redirect(routes.HOME)),
                        rx.menu.item("Feed", on_click=rx.redirect(routes.FEED)),
                        rx.menu.item("Search", on_click=rx.redirect(routes.SEARCH)),
                        rx.menu.item("Schools", on_click=rx.redirect(routes.SCHOOLS)),
                        rx.cond(AuthState.is_student,
                                rx.menu.item("Learn", on_click=rx.redirect(routes.COURSES))),
                        rx.cond(AuthState.is_authenticated,
                                rx.menu.item("Tutor", on_click=rx.redirect(routes.CHAT))),
                        rx.cond(AuthState.is_creator,
                                rx.menu.item("Studio", on_click=rx.redirect(routes.STUDIO))),
                        rx.cond(AuthState.is_creator,
                                rx.menu.item("Videos",
                                             on_click=rx.redirect(routes.STUDIO_VIDEOS))),
                        rx.cond(AuthState.is_creator,
                                rx.menu.item("Courses",
                                             on_click=rx.redirect(routes.STUDIO_COURSES))),
                    ),
                ),
                display=["block", "block", "none"],
            ),
            _account_menu(),
            align="center", spacing="4", max_width=styles.MAX_WIDTH, margin_x="auto",
            padding_x=styles.PAGE_PADDING_X, height="3.5rem",
        ),
        aria_label="Main", border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 1), position="sticky", top="0", z_index="10",
    )


def link_button(label, href: str, **props) -> rx.Component:  # noqa: ANN001
    """A link that looks like a button (one interactive element, not a button in a link)."""
    return rx.button(rx.link(label, href=href, underline="none"), as_child=True, **props)


def hydration_marker() -> rx.Component:
    """Tests wait for this to carry the client token before they touch the page."""
    return rx.el.span(id="hydrated", custom_attrs={"data-token": rx.State.router.session.client_token},
                      display="none")


def page_shell(*children: rx.Component, width: str = styles.MAX_WIDTH) -> rx.Component:
    return rx.box(
        navbar(),
        rx.el.main(
            rx.vstack(*children, spacing="5", width="100%", align="stretch"),
            max_width=width, margin_x="auto", padding_x=styles.PAGE_PADDING_X,
            padding_y="2rem",
        ),
        hydration_marker(),
        min_height="100vh", background=rx.color("gray", 2),
    )


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.card(*children, size="2", width="100%", **props)


def empty_state(icon: str, title: str, body: str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=36, color=rx.color("gray", 9)),
            rx.heading(title, size="4"),
            rx.text(body, color_scheme="gray", align="center", max_width="28rem"),
            rx.hstack(*actions, spacing="2"),
            align="center", spacing="2",
        ),
        padding="2.5rem", border=f"1px dashed {rx.color('gray', 6)}", border_radius="12px",
        width="100%",
    )


def error_callout(message) -> rx.Component:  # noqa: ANN001
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert",
                   custom_attrs={"data-testid": "form-error"}),
    )


def loading_block() -> rx.Component:
    return rx.center(rx.spinner(size="3"), padding="3rem", width="100%")

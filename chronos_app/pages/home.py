"""Home: a welcome for visitors; for members, their schools and what to do next."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import card, empty_state, link_button, page_shell
from chronos_app.components.videos import lesson_card
from chronos_app.schemas.accounts import MembershipView
from chronos_app.state.account import ProfileState
from chronos_app.state.auth import AuthState
from chronos_app.state.watch import LessonsState


def _feature(icon: str, title: str, body: str) -> rx.Component:
    return card(rx.vstack(rx.icon(icon, size=22, color=rx.color("indigo", 9)),
                          rx.heading(title, size="3"), rx.text(body, size="2", color_scheme="gray"),
                          spacing="2"))


def _visitor() -> rx.Component:
    return rx.vstack(
        rx.vstack(
            rx.heading("Turn your videos into courses students can talk to.", size="8",
                       max_width="40rem"),
            rx.text("Chronos chapters and transcribes your videos, arranges them into courses, "
                    "and gives every student a tutor that answers from your videos and cites "
                    "the exact moment.", size="4", color_scheme="gray", max_width="40rem"),
            rx.hstack(
                link_button("Get started", routes.SIGNUP, size="3"),
                link_button("Browse schools", routes.SCHOOLS, size="3", variant="soft"),
                spacing="3",
            ),
            spacing="4", padding_y="2rem",
        ),
        rx.grid(
            _feature("list-video", "Chapters", "Every video is split into titled chapters "
                                               "you can review and edit."),
            _feature("messages-square", "Discussion", "Students discuss each lesson in "
                                                      "threaded comments."),
            _feature("sparkles", "A tutor that cites", "Answers come only from your videos, "
                                                       "with a link to the moment."),
            columns=rx.breakpoints(initial="1", md="3"), spacing="4", width="100%",
        ),
        spacing="5", width="100%",
    )


def _membership(m: MembershipView) -> rx.Component:
    return card(
        rx.hstack(
            rx.avatar(fallback=m.school_name[:1], size="3", radius="large"),
            rx.vstack(rx.text(m.school_name, weight="bold"),
                      rx.text("by @", m.owner_username, " · joined ", m.joined, size="1",
                              color_scheme="gray"),
                      spacing="0"),
            rx.spacer(),
            rx.badge(m.tier, variant="soft"),
            align="center", width="100%",
        ),
        custom_attrs={"data-testid": "membership"},
    )


def _member() -> rx.Component:
    account = ProfileState.account
    return rx.vstack(
        rx.heading("Welcome back, ", AuthState.username, size="7"),
        rx.cond(
            AuthState.is_creator,
            card(rx.hstack(
                rx.icon("clapperboard", size=28, color=rx.color("indigo", 9)),
                rx.vstack(rx.text("Your school", size="1", color_scheme="gray"),
                          rx.heading(account.school.name, size="4"), spacing="0"),
                rx.spacer(),
                link_button("Open studio", routes.STUDIO),
                align="center", width="100%", wrap="wrap",
            )),
        ),
        rx.cond(
            LessonsState.continuing.length() > 0,
            rx.vstack(
                rx.heading("Continue watching", size="4"),
                rx.grid(rx.foreach(LessonsState.continuing, lesson_card),
                        columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="4",
                        width="100%"),
                width="100%", spacing="3", custom_attrs={"data-testid": "continue-watching"},
            ),
        ),
        rx.cond(
            LessonsState.lessons.length() > 0,
            rx.vstack(
                rx.heading("New in your schools", size="4"),
                rx.grid(rx.foreach(LessonsState.lessons, lesson_card),
                        columns=rx.breakpoints(initial="1", sm="2", md="4"), spacing="4",
                        width="100%"),
                width="100%", spacing="3", custom_attrs={"data-testid": "school-lessons"},
            ),
        ),
        rx.heading("Schools you learn in", size="4"),
        rx.cond(
            account.memberships.length() > 0,
            rx.grid(rx.foreach(account.memberships, _membership),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="3", width="100%"),
            empty_state("graduation-cap", "You have not joined a school yet",
                        "Join a creator's school to watch their courses.",
                        link_button("Browse schools", routes.SCHOOLS)),
        ),
        rx.cond(
            ~AuthState.is_creator,
            rx.text("Teaching something? ", rx.link("Open your own school", href=routes.OPEN_SCHOOL),
                    ".", size="2", color_scheme="gray"),
        ),
        spacing="4", width="100%", align="stretch",
    )


@rx.page(route=routes.HOME, title="Chronos",
         on_load=[AuthState.check_session, ProfileState.load, LessonsState.load])
def home_page() -> rx.Component:
    return page_shell(rx.cond(AuthState.is_authenticated, _member(), _visitor()))

"""The catalogue of schools (join one) and the form to open your own."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import (
    card,
    empty_state,
    error_callout,
    link_button,
    loading_block,
    page_shell,
)
from chronos_app.components.subscribe import plans_dialog
from chronos_app.schemas.accounts import SchoolView
from chronos_app.state.auth import AuthState
from chronos_app.state.schools import OpenSchoolState, SchoolsState
from chronos_app.state.subscriptions import SubscribeState


def plan_badge(plan) -> rx.Component:  # noqa: ANN001
    return rx.badge(plan, color_scheme=rx.match(plan, ("enterprise", "purple"), ("pro", "indigo"),
                                                "gray"), variant="soft")


def school_card(school: SchoolView) -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.avatar(fallback=school.name[:1], size="4", radius="large"),
                rx.vstack(
                    rx.heading(school.name, size="4"),
                    rx.text("by @", school.owner_username, size="2", color_scheme="gray"),
                    spacing="0",
                ),
                align="center",
            ),
            rx.hstack(
                rx.badge(rx.icon("users", size=12), school.student_count, " students",
                         variant="surface"),
                rx.badge(rx.icon("video", size=12), school.video_count, " videos",
                         variant="surface"),
                spacing="2", wrap="wrap",
            ),
            rx.cond(
                school.is_owner,
                link_button("Open studio", routes.STUDIO, variant="soft", width="100%"),
                rx.cond(
                    school.is_member,
                    rx.hstack(
                        rx.badge(rx.icon("check", size=12), "Member", color_scheme="green",
                                 size="2"),
                        rx.spacer(),
                        rx.button("Leave", variant="ghost", color_scheme="gray", size="1",
                                  on_click=SchoolsState.leave(school.creator_id)),
                        width="100%", align="center",
                    ),
                    rx.button("Join school", width="100%",
                              loading=SchoolsState.busy_id == school.creator_id,
                              on_click=SchoolsState.join(school.creator_id),
                              aria_label="Join " + school.name),
                ),
            ),
            rx.cond(~school.is_owner,
                    rx.button(rx.icon("crown", size=14), "Plans", variant="ghost", size="1",
                              on_click=SubscribeState.open_plans(school.creator_id),
                              aria_label="Plans of " + school.name,
                              custom_attrs={"data-testid": "school-plans"})),
            spacing="3", align="stretch",
        ),
        custom_attrs={"data-testid": "school-card", "data-school": school.name},
    )


@rx.page(route=routes.SCHOOLS, title="Schools · Chronos", on_load=SchoolsState.load)
def schools_page() -> rx.Component:
    return page_shell(
        rx.hstack(
            rx.vstack(rx.heading("Schools", size="7"),
                      rx.text("Join a creator's school to watch its courses and ask its tutor.",
                              color_scheme="gray"),
                      spacing="1"),
            rx.spacer(),
            rx.cond(AuthState.is_authenticated & ~AuthState.is_creator,
                    link_button("Open your school", routes.OPEN_SCHOOL, variant="soft")),
            align="end", wrap="wrap", spacing="3",
        ),
        rx.input(rx.input.slot(rx.icon("search", size=16)), placeholder="Search schools",
                 value=SchoolsState.search, on_change=SchoolsState.set_search.debounce(300),
                 aria_label="Search schools", max_width="24rem"),
        rx.cond(
            ~SchoolsState.loaded,
            loading_block(),
            rx.cond(
                SchoolsState.schools.length() > 0,
                rx.grid(rx.foreach(SchoolsState.schools, school_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="3"), spacing="4",
                        width="100%"),
                empty_state("school", "No schools found",
                            "No school matches that search yet. Creators open schools from "
                            "their account menu."),
            ),
        ),
        plans_dialog(),
    )


@rx.page(route=routes.OPEN_SCHOOL, title="Open a school · Chronos",
         on_load=[AuthState.require_login, OpenSchoolState.redirect_if_creator])
def open_school_page() -> rx.Component:
    return page_shell(
        rx.center(
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading("Open your school", size="6"),
                        rx.text("Your school holds your videos and courses. Students join it "
                                "to learn from them.", color_scheme="gray", size="2"),
                        error_callout(OpenSchoolState.error),
                        rx.el.label(rx.text("School name", size="2", weight="medium"),
                                    html_for="school-name"),
                        rx.input(id="school-name", name="name", required=True, size="3",
                                 max_length=100, placeholder="e.g. Practical Python"),
                        rx.text("Plan", size="2", weight="medium"),
                        rx.radio_group.root(
                            rx.vstack(
                                rx.foreach(
                                    OpenSchoolState.plans,
                                    lambda p: rx.el.label(
                                        rx.hstack(
                                            rx.radio_group.item(value=p["tier"]),
                                            rx.vstack(rx.text(p["label"], weight="medium"),
                                                      rx.text(p["summary"], size="1",
                                                              color_scheme="gray"),
                                                      spacing="0"),
                                            align="start", spacing="2",
                                        ),
                                    ),
                                ),
                                spacing="2",
                            ),
                            value=OpenSchoolState.tier, on_change=OpenSchoolState.set_tier,
                            name="tier", aria_label="Plan",
                        ),
                        rx.button("Open school", type="submit", size="3",
                                  loading=OpenSchoolState.submitting),
                        spacing="3", align="stretch",
                    ),
                    on_submit=OpenSchoolState.open_school, reset_on_submit=False,
                ),
                size="4", width="100%", max_width="32rem",
            ),
            width="100%",
        ),
    )

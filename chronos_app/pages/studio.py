"""The creator's studio overview: the school, its plan and its students."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import (
    card,
    empty_state,
    link_button,
    loading_block,
    page_shell,
)
from chronos_app.pages.schools import plan_badge
from chronos_app.schemas.accounts import StudentRow
from chronos_app.state.auth import AuthState
from chronos_app.state.schools import StudioState
from chronos_app.state.subscriptions import TierSettingsState


def _stat(label: str, value, icon: str) -> rx.Component:  # noqa: ANN001
    return card(rx.hstack(
        rx.icon(icon, size=26, color=rx.color("indigo", 9)),
        rx.vstack(rx.text(label, size="1", color_scheme="gray"), rx.heading(value, size="6"),
                  spacing="0"),
        align="center", spacing="3",
    ))


def _student_row(s: StudentRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(rx.avatar(fallback=s.username[:1], size="1", radius="full"),
                                rx.text(s.display_name), align="center")),
        rx.table.cell("@", s.username), rx.table.cell(rx.badge(s.tier, variant="soft")),
        rx.table.cell(s.joined),
    )


def _tier_row(label: str, enabled, set_enabled, price, set_price) -> rx.Component:  # noqa: ANN001
    return rx.hstack(
        rx.checkbox(f"Offer {label}", checked=enabled, on_change=set_enabled,
                    custom_attrs={"data-testid": f"offer-{label.lower()}"}),
        rx.input(value=price, on_change=set_price, placeholder="9.99", width="6rem",
                 aria_label=f"{label} price", disabled=~enabled),
        rx.text("$ every 30 days", size="1", color_scheme="gray"),
        align="center", spacing="3",
    )


@rx.page(route=routes.STUDIO, title="Studio · Chronos",
         on_load=[AuthState.require_creator, StudioState.load, TierSettingsState.load])
def studio_page() -> rx.Component:
    school = StudioState.school
    return page_shell(
        rx.cond(
            ~StudioState.loaded,
            loading_block(),
            rx.vstack(
                rx.hstack(
                    rx.vstack(rx.text("Studio", size="2", color_scheme="gray"),
                              rx.heading(school.name, size="7"), spacing="0"),
                    plan_badge(school.plan),
                    align="center", spacing="3", wrap="wrap",
                ),
                rx.grid(
                    _stat("Students", school.student_count, "users"),
                    _stat("Published videos", school.video_count, "video"),
                    _stat("Open since", school.created, "calendar"),
                    columns=rx.breakpoints(initial="1", sm="3"), spacing="4", width="100%",
                ),
                rx.hstack(
                    link_button(rx.hstack(rx.icon("film", size=14), rx.text("Video library"),
                                          align="center", spacing="1"), routes.STUDIO_VIDEOS),
                    link_button(rx.hstack(rx.icon("layers", size=14), rx.text("Courses"),
                                          align="center", spacing="1"), routes.STUDIO_COURSES,
                                variant="soft"),
                    link_button(rx.hstack(rx.icon("chart-line", size=14), rx.text("Analytics"),
                                          align="center", spacing="1"),
                                routes.STUDIO_ANALYTICS, variant="soft"),
                    link_button(rx.hstack(rx.icon("gauge", size=14), rx.text("Usage"),
                                          align="center", spacing="1"), routes.STUDIO_USAGE,
                                variant="soft"),
                    spacing="3", wrap="wrap",
                ),
                card(rx.vstack(
                    rx.heading("Plans", size="4"),
                    rx.text("Joining your school is free (Basic). Offer paid tiers and mark "
                            "videos or courses as Premium or Pro in their settings.", size="2",
                            color_scheme="gray"),
                    _tier_row("Premium", TierSettingsState.premium_enabled,
                              TierSettingsState.set_premium_enabled,
                              TierSettingsState.premium_price,
                              TierSettingsState.set_premium_price),
                    _tier_row("Pro", TierSettingsState.pro_enabled,
                              TierSettingsState.set_pro_enabled, TierSettingsState.pro_price,
                              TierSettingsState.set_pro_price),
                    rx.cond(TierSettingsState.error != "",
                            rx.text(TierSettingsState.error, size="1", color_scheme="red",
                                    role="alert")),
                    rx.button("Save plans", on_click=TierSettingsState.save, size="2",
                              custom_attrs={"data-testid": "save-plans"}),
                    spacing="3", align="start",
                )),
                card(
                    rx.heading("Students", size="4", margin_bottom="0.5rem"),
                    rx.cond(
                        StudioState.students.length() > 0,
                        rx.table.root(
                            rx.table.header(rx.table.row(
                                rx.table.column_header_cell("Name"),
                                rx.table.column_header_cell("Username"),
                                rx.table.column_header_cell("Tier"),
                                rx.table.column_header_cell("Joined"))),
                            rx.table.body(rx.foreach(StudioState.students, _student_row)),
                            width="100%", custom_attrs={"data-testid": "students-table"},
                        ),
                        empty_state("users", "No students yet",
                                    "Share your school's page; students join it from the "
                                    "schools catalogue.",
                                    link_button("See the catalogue", routes.SCHOOLS, variant="soft")),
                    ),
                ),
                spacing="5", width="100%", align="stretch",
            ),
        ),
    )

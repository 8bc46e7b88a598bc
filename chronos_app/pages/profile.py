"""The user's own account: details, editable profile, school and memberships."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import card, link_button, loading_block, page_shell
from chronos_app.schemas.accounts import MembershipView
from chronos_app.state.account import ProfileState
from chronos_app.state.auth import AuthState


def _row(label: str, value) -> rx.Component:  # noqa: ANN001
    return rx.data_list.item(rx.data_list.label(label), rx.data_list.value(value))


def _membership_row(m: MembershipView) -> rx.Component:
    return rx.table.row(
        rx.table.cell(m.school_name), rx.table.cell("@", m.owner_username),
        rx.table.cell(rx.badge(m.tier, variant="soft")), rx.table.cell(m.joined),
    )


@rx.page(route=routes.PROFILE, title="Your profile · Chronos",
         on_load=[AuthState.require_login, ProfileState.load])
def profile_page() -> rx.Component:
    account = ProfileState.account
    return page_shell(
        rx.cond(
            ~ProfileState.loaded,
            loading_block(),
            rx.vstack(
                rx.hstack(
                    rx.avatar(fallback=AuthState.avatar_letter, size="6", radius="full"),
                    rx.vstack(rx.heading(rx.cond(account.display_name != "",
                                                 account.display_name, account.username),
                                         size="7"),
                              rx.text("@", account.username, color_scheme="gray"),
                              spacing="0"),
                    align="center", spacing="4",
                ),
                rx.grid(
                    card(
                        rx.heading("Account", size="4", margin_bottom="0.75rem"),
                        rx.data_list.root(
                            _row("Username", account.username),
                            _row("Email", account.email),
                            _row("Member since", account.member_since),
                            _row("Last login", account.last_login),
                            _row("Roles", rx.hstack(
                                rx.cond(AuthState.is_creator, rx.badge("Creator", color_scheme="indigo")),
                                rx.cond(AuthState.is_student, rx.badge("Student", color_scheme="green")),
                                rx.cond(~AuthState.is_creator & ~AuthState.is_student,
                                        rx.text("Member", size="2")),
                                spacing="1")),
                            custom_attrs={"data-testid": "account-details"},
                        ),
                    ),
                    card(
                        rx.heading("Public profile", size="4", margin_bottom="0.75rem"),
                        rx.form(
                            rx.vstack(
                                rx.el.label(rx.text("Display name", size="2"), html_for="display_name"),
                                rx.input(id="display_name", name="display_name",
                                         default_value=account.display_name, max_length=100),
                                rx.el.label(rx.text("Bio", size="2"), html_for="bio"),
                                rx.text_area(id="bio", name="bio", default_value=account.bio,
                                             max_length=1000, rows="4"),
                                rx.button("Save profile", type="submit",
                                          loading=ProfileState.saving),
                                spacing="2", align="stretch",
                            ),
                            on_submit=ProfileState.save, reset_on_submit=False,
                        ),
                    ),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%",
                ),
                card(
                    rx.heading("Your school", size="4", margin_bottom="0.5rem"),
                    rx.cond(
                        AuthState.is_creator,
                        rx.hstack(rx.text(account.school.name, weight="bold"),
                                  rx.badge(account.school.plan, variant="soft"),
                                  rx.text(account.school.student_count, " students", size="2",
                                          color_scheme="gray"),
                                  rx.spacer(),
                                  link_button("Studio", routes.STUDIO, variant="soft"),
                                  align="center", width="100%", wrap="wrap"),
                        rx.hstack(rx.text("You don't run a school.", color_scheme="gray"),
                                  rx.link("Open one", href=routes.OPEN_SCHOOL), spacing="2"),
                    ),
                ),
                card(
                    rx.heading("Memberships", size="4", margin_bottom="0.5rem"),
                    rx.cond(
                        account.memberships.length() > 0,
                        rx.table.root(
                            rx.table.header(rx.table.row(
                                rx.table.column_header_cell("School"),
                                rx.table.column_header_cell("Creator"),
                                rx.table.column_header_cell("Tier"),
                                rx.table.column_header_cell("Joined"))),
                            rx.table.body(rx.foreach(account.memberships, _membership_row)),
                            width="100%",
                        ),
                        rx.hstack(rx.text("You have not joined a school.", color_scheme="gray"),
                                  rx.link("Browse schools", href=routes.SCHOOLS), spacing="2"),
                    ),
                ),
                spacing="5", width="100%", align="stretch",
            ),
        ),
    )

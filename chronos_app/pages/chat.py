"""The tutor's own page (/chat): conversations (search, rename, delete, export) and a chat about a
whole school; creators read their students' conversations here (read-only)."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.chat import chat_panel
from chronos_app.components.layout import card, empty_state, link_button, page_shell
from chronos_app.schemas.chat import ChatSessionRow
from chronos_app.state.auth import AuthState
from chronos_app.state.chat import ChatPageState
from chronos_app.state.chat import ChatState as T

P = ChatPageState


def _row(c: ChatSessionRow) -> rx.Component:
    active = T.chat_id == c.id
    return rx.hstack(
        rx.el.button(
            rx.vstack(
                rx.text(rx.cond(c.title != "", c.title, "New conversation"), size="2",
                        weight=rx.cond(active, "bold", "medium")),
                rx.text(rx.cond(c.student_username != "", "@" + c.student_username + " · ", ""),
                        c.scope_label, " · ", c.last_message, size="1", color_scheme="gray"),
                spacing="0", align="start",
            ),
            on_click=T.open_chat(c.id),
            style={"flex": "1", "textAlign": "left", "border": "none", "background": "none",
                   "cursor": "pointer", "padding": "0", "color": "inherit", "font": "inherit",
                   "minWidth": "0"},
        ),
        rx.menu.root(
            rx.menu.trigger(rx.icon_button(rx.icon("ellipsis", size=14), size="1",
                                           variant="ghost", color_scheme="gray",
                                           aria_label="Conversation actions",
                                           custom_attrs={"data-testid": "chat-actions"})),
            rx.menu.content(
                rx.cond(~P.creator_view,
                        rx.menu.item("Rename", on_click=P.start_rename(c.id, c.title))),
                rx.menu.item("Export as Markdown", on_click=P.export(c.id, "md")),
                rx.menu.item("Export as JSON", on_click=P.export(c.id, "json")),
                rx.cond(~P.creator_view, rx.menu.separator()),
                rx.cond(~P.creator_view,
                        rx.menu.item("Delete", color_scheme="red", on_click=P.delete(c.id))),
            ),
        ),
        width="100%", align="center", padding="0.5rem", border_radius="8px",
        background=rx.cond(active, rx.color("indigo", 3), "transparent"),
        custom_attrs={"data-testid": "chat-row"},
    )


def _rename_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Rename conversation"),
            rx.input(value=P.new_title, on_change=P.set_new_title, max_length=120,
                     aria_label="Conversation title", width="100%"),
            rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                      rx.button("Save", on_click=P.rename,
                                custom_attrs={"data-testid": "rename-save"}),
                      justify="end", spacing="2", margin_top="1rem"),
            max_width="28rem",
        ),
        open=P.renaming != "", on_open_change=P.close_rename,
    )


def _sidebar() -> rx.Component:
    return card(rx.vstack(
        rx.hstack(rx.heading(rx.cond(P.creator_view, "Students' conversations",
                                     "Conversations"), size="3"),
                  rx.spacer(),
                  rx.cond(~P.creator_view,
                          rx.button(rx.icon("plus", size=12), "New", size="1", variant="soft",
                                    on_click=T.new_chat)),
                  width="100%", align="center"),
        rx.input(rx.input.slot(rx.icon("search", size=14)), placeholder="Search conversations",
                 value=P.search, on_change=P.set_search.debounce(250), width="100%",
                 aria_label="Search conversations"),
        rx.cond(P.chats.length() > 0,
                rx.vstack(rx.foreach(P.chats, _row), spacing="1", width="100%"),
                rx.text(rx.cond(P.search != "", "No conversation matches.",
                                "No conversations yet."), size="2", color_scheme="gray")),
        spacing="3", width="100%",
    ))


def _main() -> rx.Component:
    return card(rx.vstack(
        rx.hstack(
            rx.heading(rx.cond(T.title != "", T.title, "Ask the tutor"), size="4",
                       custom_attrs={"data-testid": "chat-title"}),
            rx.spacer(),
            rx.cond(~P.creator_view & (P.schools.length() > 1),
                    rx.select.root(
                        rx.select.trigger(aria_label="School"),
                        rx.select.content(rx.foreach(P.schools, lambda m: rx.select.item(
                            m.school_name, value=m.creator_id))),
                        value=P.school, on_change=P.set_school, size="1")),
            width="100%", align="center",
        ),
        rx.cond(P.creator_view & (T.chat_id == ""),
                rx.text("Pick a conversation to read it.", size="2", color_scheme="gray"),
                rx.cond(T.can_ask | T.read_only, chat_panel(height=["24rem", "24rem", "32rem"]),
                        empty_state("sparkles", "Join a school to ask its tutor",
                                    "The tutor answers from the videos of the schools you "
                                    "learn in.", link_button("Browse schools", routes.SCHOOLS)))),
        spacing="3", width="100%",
    ))


@rx.page(route=routes.CHAT, title="Tutor · Chronos", on_load=[AuthState.require_login, P.load])
def chat_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.heading("AI tutor", size="7"),
        rx.box(
            rx.box(_sidebar(), grid_area="side", min_width="0"),
            rx.box(_main(), grid_area="main", min_width="0"),
            display="grid", width="100%", gap="1.25rem",
            grid_template_columns=["minmax(0, 1fr)", "minmax(0, 1fr)",
                                   "minmax(16rem, 1fr) minmax(0, 2.5fr)"],
            grid_template_areas=['"main" "side"', '"main" "side"', '"side main"'],
        ),
        _rename_dialog(),
        spacing="4", width="100%",
    ))

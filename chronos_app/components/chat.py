"""The tutor's conversation: messages (Markdown without raw HTML), citation chips, the streaming
answer with a stop button, the scope picker and the question box."""

from __future__ import annotations

import reflex as rx

from chronos_app.schemas.chat import Citation, MessageView
from chronos_app.state.chat import ChatState as T

QUESTION_MAX = 2000


def _chip(c: Citation) -> rx.Component:
    return rx.button(
        rx.text("[", c.n, "]", weight="bold"), rx.icon("play", size=12), c.label,
        size="1", variant="soft", on_click=T.cite(c.video_id, c.start),
        title="Go to this moment", custom_attrs={"data-testid": "citation"},
    )


def _answer_markdown(content) -> rx.Component:  # noqa: ANN001
    # react-markdown renders no raw HTML: user or model text can never inject markup.
    return rx.markdown(content, component_map={"p": lambda text: rx.text(text, size="2")})


def _message(m: MessageView) -> rx.Component:
    return rx.cond(
        m.role == "user",
        rx.box(rx.text(m.content, size="2", white_space="pre-wrap"),
               background=rx.color("indigo", 3), padding="0.5rem 0.75rem",
               border_radius="10px", align_self="end", max_width="90%",
               custom_attrs={"data-testid": "chat-question"}),
        rx.vstack(
            rx.box(_answer_markdown(m.content), width="100%",
                   custom_attrs={"data-testid": "chat-answer"}),
            rx.cond(m.citations.length() > 0,
                    rx.flex(rx.foreach(m.citations, _chip), wrap="wrap", gap="0.4rem")),
            rx.hstack(
                rx.cond(m.interrupted, rx.badge("Stopped before the end", color_scheme="amber",
                                                size="1",
                                                custom_attrs={"data-testid": "interrupted"})),
                rx.cond(m.model != "", rx.text(m.model, size="1", color_scheme="gray")),
                spacing="2",
            ),
            spacing="2", width="100%", align="start",
            custom_attrs={"data-testid": "chat-reply"},
        ),
    )


def _streaming() -> rx.Component:
    return rx.cond(
        T.streaming,
        rx.vstack(
            rx.box(rx.text(T.asking, size="2", white_space="pre-wrap"),
                   background=rx.color("indigo", 3), padding="0.5rem 0.75rem",
                   border_radius="10px", align_self="end", max_width="90%"),
            # Stop sits above the growing answer, so it stays put while the text streams.
            rx.button(rx.icon("square", size=12), "Stop", size="1", variant="soft",
                      color_scheme="gray", on_click=T.stop,
                      custom_attrs={"data-testid": "chat-stop"}),
            rx.cond(T.partial == "",
                    rx.hstack(rx.spinner(size="1"),
                              rx.text("Looking through the videos…", size="2",
                                      color_scheme="gray"), align="center"),
                    rx.box(_answer_markdown(T.partial), width="100%",
                           custom_attrs={"data-testid": "chat-streaming"})),
            spacing="2", width="100%", align="start",
        ),
    )


def _scope_picker() -> rx.Component:
    return rx.cond(
        T.scope_options.length() > 1,
        rx.hstack(
            rx.text("Ask about", size="1", color_scheme="gray"),
            rx.select(T.scope_options, value=T.scope_choice, on_change=T.set_scope, size="1",
                      aria_label="Ask about", custom_attrs={"data-testid": "chat-scope"}),
            align="center", spacing="2",
        ),
        rx.cond(T.scope_label != "",
                rx.text("Asking about: ", T.scope_label, size="1", color_scheme="gray")),
    )


def chat_panel(*, height: str | list[str] = "28rem") -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _scope_picker(),
            rx.spacer(),
            rx.cond(T.quota_left >= 0,
                    rx.text(T.quota_left, " questions left this month", size="1",
                            color_scheme="gray")),
            rx.cond(T.messages.length() > 0,
                    rx.button(rx.icon("plus", size=12), "New chat", size="1", variant="ghost",
                              on_click=T.new_chat)),
            width="100%", align="center", wrap="wrap",
        ),
        rx.box(
            rx.cond(
                (T.messages.length() == 0) & ~T.streaming,
                rx.vstack(
                    rx.icon("sparkles", size=22, color=rx.color("indigo", 9)),
                    rx.text("Ask anything about the lesson. The tutor answers only from the "
                            "videos and shows the moment each answer comes from.", size="2",
                            color_scheme="gray", text_align="center"),
                    align="center", padding="1.5rem 0.5rem",
                ),
            ),
            rx.vstack(rx.foreach(T.messages, _message), _streaming(), spacing="4",
                      width="100%"),
            id="chat-scroll", max_height=height, overflow_y="auto", width="100%",
            padding_right="0.25rem", custom_attrs={"data-testid": "chat-messages"},
        ),
        rx.cond(
            T.read_only,
            rx.callout("You are reading a student's conversation; only they can write in it.",
                       icon="eye", size="1", width="100%"),
            rx.form(
                rx.vstack(
                    rx.text_area(value=T.draft, on_change=T.set_draft, name="question",
                                 placeholder="Ask the tutor…", rows="2", width="100%",
                                 max_length=QUESTION_MAX, aria_label="Ask the tutor",
                                 custom_attrs={"data-testid": "chat-input"}),
                    rx.hstack(
                        rx.text(T.draft_length, f" / {QUESTION_MAX}", size="1",
                                color_scheme="gray"),
                        rx.spacer(),
                        rx.button(rx.icon("send", size=14), "Ask", type="submit",
                                  loading=T.streaming,
                                  disabled=T.streaming | (T.draft.strip() == ""),
                                  custom_attrs={"data-testid": "chat-send"}),
                        width="100%", align="center",
                    ),
                    rx.cond(T.error != "", rx.text(T.error, size="1", color_scheme="red",
                                                   role="alert")),
                    spacing="2", width="100%",
                ),
                on_submit=lambda _: T.ask, reset_on_submit=False, width="100%",
            ),
        ),
        spacing="3", width="100%", custom_attrs={"data-testid": "chat-panel"},
    )

"""Comment threads: one comment (text with timestamp links, likes, reply/edit/delete) and a thread.

User text is rendered as text nodes, never as HTML. Timestamps in it are links that seek the
player through the `seek` event handler the page passes in.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from chronos_app.schemas.comments import CommentView, TextPart, ThreadView
from chronos_app.state.comments import MAX_CHARS
from chronos_app.state.comments import CommentsState as C

Seek = Callable[[rx.Var], rx.event.EventSpec]


def counter(length, limit: int = MAX_CHARS) -> rx.Component:  # noqa: ANN001
    return rx.text(length, f" / {limit}", size="1",
                   color=rx.cond(length > limit, rx.color("red", 11), rx.color("gray", 10)),
                   custom_attrs={"data-testid": "char-counter"})


def _part(part: TextPart, seek: Seek) -> rx.Component:
    return rx.cond(
        part.seconds >= 0,
        rx.link(part.text, href="#", on_click=seek(part.seconds).prevent_default,
                custom_attrs={"data-testid": "comment-timestamp"}),
        rx.text.span(part.text),
    )


def _avatar(c: CommentView, size: str = "2") -> rx.Component:
    return rx.avatar(fallback=c.initials, size=size, radius="full", variant="soft")


def _editor(value, on_change, on_save, on_cancel, error, length, *,  # noqa: ANN001
            label: str, save_label: str, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text_area(value=value, on_change=on_change, auto_focus=True, rows="2",
                     aria_label=label, width="100%", custom_attrs={"data-testid": testid}),
        rx.hstack(
            counter(length),
            rx.spacer(),
            rx.button("Cancel", variant="soft", color_scheme="gray", size="1", on_click=on_cancel),
            rx.button(save_label, size="1", on_click=on_save,
                      disabled=(length > MAX_CHARS) | (length == 0),
                      custom_attrs={"data-testid": f"{testid}-save"}),
            width="100%", align="center",
        ),
        rx.cond(error != "", rx.text(error, size="1", color_scheme="red", role="alert")),
        width="100%", spacing="1",
    )


def comment_item(c: CommentView, seek: Seek, *, is_reply: bool = False) -> rx.Component:
    body = rx.cond(
        c.deleted,
        rx.text("This comment was deleted.", size="2", color_scheme="gray", font_style="italic",
                custom_attrs={"data-testid": "comment-deleted"}),
        rx.cond(
            C.editing == c.id,
            _editor(C.edit_draft, C.set_edit_draft, C.save_edit, C.cancel_forms, C.edit_error,
                    C.edit_length, label="Edit your comment", save_label="Save",
                    testid="edit-input"),
            rx.text(rx.cond(c.reply_to != "", rx.text.span("@", c.reply_to, " ",
                                                           color=rx.color("indigo", 11))),
                    rx.foreach(c.parts, lambda p: _part(p, seek)),
                    size="2", white_space="pre-wrap", word_break="break-word",
                    custom_attrs={"data-testid": "comment-text"}),
        ),
    )
    actions = rx.cond(
        ~c.deleted & (C.editing != c.id),
        rx.hstack(
            rx.button(rx.icon("thumbs-up", size=14), c.like_count, size="1",
                      variant=rx.cond(c.liked, "soft", "ghost"),
                      color_scheme=rx.cond(c.liked, "indigo", "gray"),
                      on_click=C.toggle_like(c.id),
                      aria_label=rx.cond(c.liked, "Unlike comment", "Like comment"),
                      custom_attrs={"data-testid": "comment-like"}),
            rx.button("Reply", size="1", variant="ghost", color_scheme="gray",
                      on_click=C.open_reply(c.id), custom_attrs={"data-testid": "reply"}),
            rx.cond(c.can_edit,
                    rx.button("Edit", size="1", variant="ghost", color_scheme="gray",
                              on_click=C.open_edit(c.id, c.content),
                              custom_attrs={"data-testid": "edit"})),
            rx.cond(c.can_delete,
                    rx.alert_dialog.root(
                        rx.alert_dialog.trigger(
                            rx.button("Delete", size="1", variant="ghost", color_scheme="red",
                                      custom_attrs={"data-testid": "delete"})),
                        rx.alert_dialog.content(
                            rx.alert_dialog.title("Delete this comment?"),
                            rx.alert_dialog.description(
                                "Its replies stay readable; the text is replaced by “This "
                                "comment was deleted”."),
                            rx.hstack(
                                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft",
                                                                 color_scheme="gray")),
                                rx.alert_dialog.action(rx.button(
                                    "Delete", color_scheme="red", on_click=C.delete(c.id),
                                    custom_attrs={"data-testid": "confirm-delete"})),
                                justify="end", spacing="2", margin_top="1rem",
                            ),
                        ),
                    )),
            spacing="2", align="center",
        ),
    )
    return rx.hstack(
        _avatar(c, size=rx.cond(is_reply, "1", "2")),
        rx.vstack(
            rx.hstack(
                rx.text(c.author_name, size="2", weight="bold"),
                rx.cond(c.is_creator, rx.badge("Creator", size="1", color_scheme="indigo")),
                rx.text(c.created, size="1", color_scheme="gray", title=c.created_iso),
                rx.cond(c.edited & ~c.deleted,
                        rx.text("(edited)", size="1", color_scheme="gray",
                                custom_attrs={"data-testid": "edited-mark"})),
                rx.cond(c.chapter_title != "",
                        rx.badge(rx.icon("bookmark", size=11), c.chapter_title, size="1",
                                 variant="surface", color_scheme="gray")),
                spacing="2", align="center", wrap="wrap",
            ),
            body,
            actions,
            rx.cond(
                C.reply_to == c.id,
                _editor(C.reply_draft, C.set_reply_draft, C.send_reply, C.cancel_forms,
                        C.reply_error, C.reply_length, label="Write a reply",
                        save_label="Reply", testid="reply-input"),
            ),
            spacing="1", align="start", width="100%",
        ),
        spacing="3", align="start", width="100%",
        custom_attrs={"data-testid": rx.cond(is_reply, "reply-item", "comment-item"),
                      "data-comment-id": c.id},
    )


def thread(t: ThreadView, seek: Seek) -> rx.Component:
    return rx.vstack(
        comment_item(t.comment, seek),
        rx.cond(
            t.replies.length() > 0,
            rx.vstack(rx.foreach(t.replies, lambda r: comment_item(r, seek, is_reply=True)),
                      padding_left="2.75rem", spacing="3", width="100%"),
        ),
        spacing="3", width="100%", custom_attrs={"data-testid": "thread"},
    )

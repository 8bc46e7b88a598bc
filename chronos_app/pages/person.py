"""A public profile (/u/<username>): who they are, counts, follow, their videos and likes."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import card, empty_state, link_button, loading_block, page_shell
from chronos_app.components.videos import poster
from chronos_app.schemas.social import PersonCard, VideoCard
from chronos_app.state.auth import AuthState
from chronos_app.state.social import AVATAR_ACCEPT
from chronos_app.state.social import PersonState as P


def video_tile(v: VideoCard) -> rx.Component:
    return rx.link(
        rx.vstack(
            poster(v.poster_url, v.duration),
            rx.text(v.title, weight="bold", size="2", color=rx.color("gray", 12)),
            rx.text(v.school_name, size="1", color_scheme="gray"),
            rx.text(v.views, " views · ", v.likes, " likes · ", v.comments, " comments",
                    size="1", color_scheme="gray"),
            spacing="1", width="100%",
        ),
        href="/watch/" + v.id, underline="none", width="100%",
        custom_attrs={"data-testid": "video-tile"},
    )


def _person_row(p: PersonCard) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.avatar(src=p.avatar_url, fallback=p.initials, size="2", radius="full"),
            rx.vstack(rx.hstack(rx.text(p.display_name, weight="medium", size="2"),
                                rx.cond(p.is_verified, rx.icon("badge-check", size=14,
                                                               color=rx.color("indigo", 9))),
                                spacing="1", align="center"),
                      rx.text("@", p.username, size="1", color_scheme="gray"), spacing="0"),
            align="center", padding_y="0.35rem",
        ),
        href="/u/" + p.username, underline="none", color="inherit",
        custom_attrs={"data-testid": "person-row"},
    )


def _count(value, label: str, on_click=None) -> rx.Component:  # noqa: ANN001
    inner = rx.vstack(rx.text(value, weight="bold", size="4"),
                      rx.text(label, size="1", color_scheme="gray"), spacing="0",
                      align="center")
    if on_click is None:
        return inner
    return rx.el.button(inner, on_click=on_click,
                        style={"border": "none", "background": "none", "cursor": "pointer",
                               "color": "inherit", "font": "inherit", "padding": "0"},
                        custom_attrs={"data-testid": f"count-{label.lower()}"})


def _header() -> rx.Component:
    p = P.person
    return card(rx.flex(
        rx.avatar(src=P.avatar_src, fallback=p.initials, size="7", radius="full"),
        rx.vstack(
            rx.hstack(rx.heading(p.display_name, size="6",
                                 custom_attrs={"data-testid": "person-name"}),
                      rx.cond(p.is_verified,
                              rx.tooltip(rx.icon("badge-check", size=20,
                                                 color=rx.color("indigo", 9),
                                                 custom_attrs={"data-testid": "verified"}),
                                         content="Verified")),
                      align="center", spacing="2"),
            rx.text("@", p.username, color_scheme="gray", size="2"),
            rx.cond(p.school_name != "", rx.badge(rx.icon("school", size=12), p.school_name,
                                                  variant="soft")),
            rx.cond(p.bio != "", rx.text(p.bio, size="2", white_space="pre-wrap")),
            rx.text("Member since ", p.member_since, size="1", color_scheme="gray"),
            rx.hstack(
                _count(p.video_count, "Videos"),
                _count(p.followers_count, "Followers", P.show_people("followers")),
                _count(p.following_count, "Following", P.show_people("following")),
                _count(p.subscribers_count, "Subscribers"),
                spacing="5", padding_top="0.5rem",
            ),
            spacing="1", align="start", flex="1",
        ),
        rx.cond(
            p.is_me,
            rx.button(rx.icon("pencil", size=14), "Edit profile", variant="soft",
                      on_click=P.start_edit),
            rx.cond(AuthState.is_authenticated,
                    rx.button(rx.cond(p.is_following, "Following", "Follow"),
                              variant=rx.cond(p.is_following, "soft", "solid"),
                              on_click=P.toggle_follow,
                              custom_attrs={"data-testid": "follow"})),
        ),
        gap="1.25rem", direction=rx.breakpoints(initial="column", sm="row"), align="start",
        width="100%",
    ))


def _grid(items, empty_title: str, empty_body: str) -> rx.Component:  # noqa: ANN001
    return rx.cond(
        items.length() > 0,
        rx.grid(rx.foreach(items, video_tile), columns=rx.breakpoints(initial="1", sm="2",
                                                                      md="3"),
                spacing="4", width="100%"),
        empty_state("video", empty_title, empty_body),
    )


def _people_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(P.people_title),
            rx.cond(P.people.length() > 0,
                    rx.vstack(rx.foreach(P.people, _person_row), spacing="1",
                              max_height="24rem", overflow_y="auto"),
                    rx.text("No one yet.", size="2", color_scheme="gray")),
            rx.hstack(rx.dialog.close(rx.button("Close", variant="soft")), justify="end",
                      margin_top="1rem"),
            max_width="26rem",
        ),
        open=P.people_title != "", on_open_change=P.close_people,
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Edit profile"),
            rx.vstack(
                rx.hstack(
                    rx.avatar(src=P.avatar_src, fallback=P.person.initials, size="5",
                              radius="full"),
                    rx.vstack(
                        rx.upload.root(
                            rx.button(rx.icon("image-up", size=14), "Choose an image",
                                      variant="soft", size="1"),
                            id="avatar-upload", max_files=1, accept=AVATAR_ACCEPT,
                            on_drop=P.upload_avatar(rx.upload_files(upload_id="avatar-upload")),
                            custom_attrs={"data-testid": "avatar-upload"},
                        ),
                        rx.text("PNG, JPEG, WebP or GIF, up to 2 MB.", size="1",
                                color_scheme="gray"),
                        rx.cond(P.person.avatar_url != "",
                                rx.link("Remove avatar", href="#", size="1", color_scheme="red",
                                        on_click=P.remove_avatar.prevent_default)),
                        spacing="1", align="start",
                    ),
                    align="center", spacing="3",
                ),
                rx.cond(P.avatar_error != "",
                        rx.text(P.avatar_error, size="1", color_scheme="red", role="alert",
                                custom_attrs={"data-testid": "avatar-error"})),
                rx.text("Display name", size="2", weight="medium"),
                rx.input(value=P.display_name, on_change=P.set_display_name, max_length=100,
                         aria_label="Display name", width="100%"),
                rx.text("Bio", size="2", weight="medium"),
                rx.text_area(value=P.bio, on_change=P.set_bio, rows="4", width="100%",
                             aria_label="Bio"),
                rx.cond(P.edit_error != "", rx.text(P.edit_error, size="1", color_scheme="red",
                                                    role="alert")),
                rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft",
                                                    color_scheme="gray")),
                          rx.button("Save", on_click=P.save_profile),
                          justify="end", spacing="2", width="100%"),
                spacing="2", width="100%",
            ),
            max_width="30rem",
        ),
        open=P.editing, on_open_change=P.stop_edit,
    )


@rx.page(route=routes.PERSON, title="Profile · Chronos",
         on_load=[AuthState.check_session, P.load])
def person_page() -> rx.Component:
    return page_shell(rx.cond(
        ~P.loaded, loading_block(),
        rx.cond(P.not_found,
                empty_state("user-x", "No one here goes by that name",
                            "Check the spelling of the username.",
                            link_button("Home", routes.HOME)),
                rx.vstack(
                    _header(),
                    rx.tabs.root(
                        rx.tabs.list(rx.tabs.trigger("Videos", value="videos"),
                                     rx.tabs.trigger("Liked", value="liked")),
                        rx.tabs.content(_grid(P.videos, "No videos to show",
                                              "Videos you may watch appear here."),
                                        value="videos", padding_top="1rem"),
                        rx.tabs.content(_grid(P.liked, "No liked videos to show",
                                              "Liked videos you may watch appear here."),
                                        value="liked", padding_top="1rem"),
                        value=P.tab, on_change=P.set_tab, width="100%",
                    ),
                    _people_dialog(),
                    _edit_dialog(),
                    spacing="4", width="100%",
                ))))

"""The watch page: player, chapter timeline and list, transcript, likes, speed, comments."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.chat import chat_panel
from chronos_app.components.comments import counter, thread
from chronos_app.components.layout import card, empty_state, link_button, loading_block, page_shell
from chronos_app.components.player import loom_embed, player
from chronos_app.components.subscribe import gate, plans_dialog
from chronos_app.schemas.watch import ChapterMark, CueLine
from chronos_app.state.auth import AuthState
from chronos_app.state.chat import ChatState
from chronos_app.state.comments import ALL_CHAPTERS, WHOLE_VIDEO
from chronos_app.state.comments import CommentsState as C
from chronos_app.state.watch import SPEED_LABELS
from chronos_app.state.watch import WatchState as W

THROTTLE_MS = 1000


def _player(on_ended=None) -> rx.Component:  # noqa: ANN001
    v = W.view
    return rx.match(
        v.player,
        ("loom", loom_embed(v.embed_url)),
        ("none", rx.center(rx.text("This video has no playable source.", color="white"),
                           width="100%", aspect_ratio="16 / 9", background="black",
                           border_radius="10px")),
        player(
            W.media_src, rate=W.rate, poster=W.poster,
            on_play=W.started,
            on_time_update=W.time_update.throttle(THROTTLE_MS),
            on_seeked=W.seeked,
            on_pause=W.paused,
            on_ended=[W.ended, on_ended] if on_ended is not None else W.ended,
            on_rate_change=W.rate_changed,
            on_error=rx.toast.error("The video could not be played. Check your connection and "
                                    "reload the page."),
        ),
    )


def _marker(ch: ChapterMark, i) -> rx.Component:  # noqa: ANN001
    return rx.tooltip(
        rx.el.button(
            on_click=W.seek(ch.start), aria_label=ch.label + " " + ch.title,
            style={"position": "absolute", "top": "0", "bottom": "0", "padding": "0",
                   "border": "none", "cursor": "pointer", "borderRadius": "3px",
                   "left": f"{ch.left_pct}%", "width": f"calc({ch.width_pct}% - 3px)",
                   "background": rx.cond(W.active_chapter == i, rx.color("indigo", 9),
                                         rx.color("gray", 7))},
            custom_attrs={"data-testid": "chapter-marker",
                          "data-active": rx.cond(W.active_chapter == i, "true", "false")},
        ),
        content=ch.label + " · " + ch.title,
    )


def _timeline() -> rx.Component:
    """Chapter segments under the player, with the played part and a hover title each."""
    return rx.cond(
        W.view.chapters.length() > 0,
        rx.vstack(
            rx.box(
                rx.foreach(W.view.chapters, _marker),
                rx.box(position="absolute", top="-3px", width="3px", height="14px",
                       left=f"calc({W.played_pct}% - 1px)", background=rx.color("red", 9),
                       border_radius="2px", pointer_events="none",
                       transition="left 0.9s linear",
                       custom_attrs={"data-testid": "timeline-playhead"}),
                position="relative", width="100%", height="8px",
                custom_attrs={"data-testid": "chapter-timeline"},
            ),
            rx.hstack(
                rx.text(W.clock, size="1", color_scheme="gray",
                        custom_attrs={"data-testid": "clock"}),
                rx.cond(W.active_chapter_title != "",
                        rx.text("· ", W.active_chapter_title, size="1", weight="medium",
                                custom_attrs={"data-testid": "current-chapter"})),
                spacing="1",
            ),
            width="100%", spacing="2", padding_top="0.25rem",
        ),
        rx.text(W.clock, size="1", color_scheme="gray", custom_attrs={"data-testid": "clock"}),
    )


def _controls() -> rx.Component:
    v = W.view
    return rx.hstack(
        rx.button(
            rx.icon("thumbs-up", size=16), v.like_count,
            variant=rx.cond(v.liked, "solid", "soft"), on_click=W.toggle_like,
            aria_pressed=v.liked, aria_label=rx.cond(v.liked, "Unlike this video",
                                                     "Like this video"),
            custom_attrs={"data-testid": "video-like"},
        ),
        rx.cond(
            W.controllable,
            rx.hstack(
                rx.icon("gauge", size=16, color=rx.color("gray", 10)),
                rx.select(SPEED_LABELS, value=W.speed_label, on_change=W.set_speed, size="2",
                          aria_label="Playback speed",
                          custom_attrs={"data-testid": "speed-select"}),
                align="center", spacing="1",
            ),
        ),
        rx.cond(W.controllable,
                rx.button(rx.icon("link", size=16), "Share at ", W.clock, variant="soft",
                          color_scheme="gray", on_click=W.copy_link,
                          custom_attrs={"data-testid": "share"})),
        rx.cond(v.is_owner,
                link_button(rx.hstack(rx.icon("pencil", size=14), rx.text("Edit in studio"),
                                      align="center", spacing="1"),
                            routes.STUDIO_VIDEOS + "/" + v.id, variant="soft",
                            color_scheme="gray")),
        spacing="3", wrap="wrap", align="center",
    )


def _about() -> rx.Component:
    v = W.view
    return rx.vstack(
        rx.heading(v.title, size="6", custom_attrs={"data-testid": "watch-title"}),
        rx.hstack(
            rx.text(v.school_name, weight="medium"),
            rx.text("·"),
            rx.text(v.view_count, rx.cond(v.view_count == 1, " view", " views"),
                    custom_attrs={"data-testid": "view-count"}),
            rx.cond(v.published != "", rx.text("· ", v.published)),
            rx.cond(v.published == "",
                    rx.badge("Not published: only you can see this", color_scheme="amber")),
            rx.cond(v.duration != "", rx.text("· ", v.duration)),
            spacing="2", color=rx.color("gray", 11), font_size="0.875rem", wrap="wrap",
            align="center",
        ),
        _controls(),
        rx.cond(v.player == "loom",
                rx.callout("Loom videos play in Loom's own player. Chronos cannot seek it, "
                           "change its speed, follow along in the transcript or record your "
                           "progress; use the times shown to find your place.", icon="info",
                           color_scheme="gray", size="1",
                           custom_attrs={"data-testid": "loom-note"})),
        rx.cond(W.resumed_from != "",
                rx.callout(
                    rx.hstack(rx.text("Continuing where you left off, at ", W.resumed_from, "."),
                              rx.link("Start over", href="#",
                                      on_click=W.start_over.prevent_default),
                              spacing="2", wrap="wrap"),
                    icon="history", size="1", color_scheme="indigo",
                    custom_attrs={"data-testid": "resume-note"})),
        rx.cond(v.description != "",
                rx.text(rx.foreach(W.description_parts, lambda part: rx.cond(
                            part[1] != "",
                            rx.link(part[0], href="/tags/" + part[1],
                                    custom_attrs={"data-testid": "tag-link"}),
                            rx.text.span(part[0]))),
                        size="2", white_space="pre-wrap", color=rx.color("gray", 12),
                        custom_attrs={"data-testid": "description"})),
        spacing="3", width="100%", align="start",
    )


def _chapter_row(ch: ChapterMark, i) -> rx.Component:  # noqa: ANN001
    active = W.active_chapter == i
    return rx.el.button(
        rx.hstack(
            rx.text(ch.label, size="1", font_family="monospace", color_scheme="indigo",
                    min_width="3.25rem"),
            rx.text(ch.title, size="2", flex="1", weight=rx.cond(active, "bold", "regular")),
            align="center", width="100%",
        ),
        on_click=W.seek(ch.start), aria_current=rx.cond(active, "true", "false"),
        style={"display": "block", "width": "100%", "textAlign": "left", "border": "none",
               "cursor": "pointer", "padding": "0.5rem", "borderRadius": "6px",
               "color": "inherit", "font": "inherit",
               "background": rx.cond(active, rx.color("indigo", 4), "transparent")},
        custom_attrs={"data-testid": "chapter-item",
                      "data-active": rx.cond(active, "true", "false")},
    )


def _chapters() -> rx.Component:
    return rx.cond(
        W.view.chapters.length() > 0,
        rx.vstack(rx.foreach(W.view.chapters, _chapter_row), spacing="1", width="100%"),
        rx.text("This video has no chapters.", size="2", color_scheme="gray"),
    )


def _cue(c: CueLine, i) -> rx.Component:  # noqa: ANN001
    active = (W.cue_filter == "") & (W.active_cue == i)
    return rx.el.button(
        rx.hstack(
            rx.text(c.label, size="1", font_family="monospace", color_scheme="indigo",
                    min_width="3.25rem"),
            rx.text(c.text, size="2", flex="1"),
            align="start", width="100%",
        ),
        on_click=W.seek(c.start),
        id=rx.cond(W.cue_filter == "", "cue-" + i.to_string(), ""),
        style={"display": "block", "width": "100%", "textAlign": "left", "border": "none",
               "cursor": "pointer", "padding": "0.35rem 0.5rem", "borderRadius": "6px",
               "color": "inherit", "font": "inherit",
               "background": rx.cond(active, rx.color("indigo", 4), "transparent")},
        custom_attrs={"data-testid": "cue", "data-active": rx.cond(active, "true", "false")},
    )


def _transcript() -> rx.Component:
    return rx.vstack(
        rx.input(rx.input.slot(rx.icon("search", size=14)), placeholder="Search the transcript",
                 value=W.cue_filter, on_change=W.set_cue_filter.debounce(250), width="100%",
                 aria_label="Search the transcript",
                 custom_attrs={"data-testid": "transcript-search"}),
        rx.cond(
            W.view.cues.length() == 0,
            rx.text("This video has no transcript yet.", size="2", color_scheme="gray"),
            rx.cond(W.shown_cues.length() == 0,
                    rx.text("No line of the transcript matches.", size="2",
                            color_scheme="gray"),
                    rx.box(rx.foreach(W.shown_cues, _cue), id="transcript-scroll",
                           max_height=["18rem", "18rem", "26rem"], overflow_y="auto",
                           width="100%", position="relative",
                           custom_attrs={"data-testid": "transcript"})),
        ),
        spacing="2", width="100%",
    )


def _side() -> rx.Component:
    return card(
        rx.tabs.root(
            rx.tabs.list(
                rx.tabs.trigger(rx.hstack(rx.icon("list", size=14), "Chapters", spacing="1",
                                          align="center"), value="chapters"),
                rx.tabs.trigger(rx.hstack(rx.icon("captions", size=14), "Transcript",
                                          spacing="1", align="center"), value="transcript"),
                rx.tabs.trigger(rx.hstack(rx.icon("sparkles", size=14), "Ask AI",
                                          spacing="1", align="center"), value="tutor",
                                custom_attrs={"data-testid": "tutor-tab"}),
            ),
            rx.tabs.content(_chapters(), value="chapters", padding_top="0.75rem"),
            rx.tabs.content(_transcript(), value="transcript", padding_top="0.75rem"),
            rx.tabs.content(
                rx.cond(ChatState.can_ask, chat_panel(),
                        rx.callout(ChatState.cannot_ask, icon="info", size="1")),
                value="tutor", padding_top="0.75rem"),
            value=W.side_tab, on_change=W.set_side_tab, width="100%",
        ),
    )


def _chapter_options(first_value: str, first_label: str) -> rx.Component:
    return [rx.select.item(first_label, value=first_value),
            rx.foreach(W.view.chapters,
                       lambda ch: rx.select.item(ch.label + " · " + ch.title, value=ch.id))]


def _composer() -> rx.Component:
    return rx.hstack(
        rx.avatar(fallback=AuthState.avatar_letter, size="2", radius="full", variant="soft"),
        rx.vstack(
            rx.text_area(value=C.draft, on_change=C.set_draft, placeholder="Add a comment… "
                         "(write 1:23 to link a moment)", rows="2", width="100%",
                         aria_label="Add a comment",
                         custom_attrs={"data-testid": "comment-input"}),
            rx.hstack(
                rx.cond(W.view.chapters.length() > 0,
                        rx.select.root(
                            rx.select.trigger(aria_label="Comment on",
                                              custom_attrs={"data-testid": "comment-chapter"}),
                            rx.select.content(*_chapter_options(WHOLE_VIDEO, "Whole video")),
                            value=C.draft_chapter, on_change=C.set_draft_chapter, size="1")),
                counter(C.draft_length),
                rx.spacer(),
                rx.button("Comment", on_click=C.post, loading=C.posting,
                          disabled=C.draft_blank | C.draft_over,
                          custom_attrs={"data-testid": "post-comment"}),
                width="100%", align="center", spacing="3", wrap="wrap",
            ),
            rx.cond(C.draft_error != "",
                    rx.text(C.draft_error, size="1", color_scheme="red", role="alert",
                            custom_attrs={"data-testid": "comment-error"})),
            width="100%", spacing="2",
        ),
        width="100%", spacing="3", align="start",
    )


def _comments() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(C.count, rx.cond(C.count == 1, " comment", " comments"), size="4",
                       custom_attrs={"data-testid": "comment-count"}),
            rx.spacer(),
            rx.cond(W.view.chapters.length() > 0,
                    rx.select.root(
                        rx.select.trigger(aria_label="Filter by chapter",
                                          custom_attrs={"data-testid": "chapter-filter"}),
                        rx.select.content(*_chapter_options(ALL_CHAPTERS, "All chapters")),
                        value=C.chapter_filter, on_change=C.set_chapter_filter, size="1")),
            rx.segmented_control.root(
                rx.segmented_control.item("Newest", value="newest"),
                rx.segmented_control.item("Top", value="top"),
                value=C.sort, on_change=C.set_sort, size="1",
                custom_attrs={"data-testid": "comment-sort"},
            ),
            width="100%", align="center", spacing="3", wrap="wrap",
        ),
        _composer(),
        rx.cond(
            C.threads.length() == 0,
            rx.text(rx.cond(C.chapter_filter == ALL_CHAPTERS,
                            "No comments yet. Start the discussion.",
                            "No comments on this chapter yet."),
                    size="2", color_scheme="gray", custom_attrs={"data-testid": "no-comments"}),
            rx.vstack(rx.foreach(C.threads, lambda t: thread(t, W.seek)), spacing="5",
                      width="100%", custom_attrs={"data-testid": "threads"}),
        ),
        spacing="4", width="100%", align="start",
        custom_attrs={"data-testid": "comments"},
    )


def not_available() -> rx.Component:
    return empty_state(
        "video-off", "This video is not available",
        "It may have been removed, not be published yet, or belong to a school you have not "
        "joined. Ask its creator for access or browse the schools.",
        link_button("Browse schools", routes.SCHOOLS),
        link_button("Home", routes.HOME, variant="soft"),
    )


def watch_body(*, on_ended=None, single_column: bool = False) -> rx.Component:  # noqa: ANN001
    """The player with everything around it. Laptop: player and comments on the left,
    chapters/transcript beside them. Phone (or `single_column`, inside the course viewer): one
    column with chapters right under the video, comments last (as YouTube does)."""
    one = '"main" "side" "comments"'
    return rx.box(
        rx.vstack(_player(on_ended), _timeline(), _about(), spacing="4", width="100%",
                  grid_area="main", min_width="0"),
        rx.box(_side(), grid_area="side", align_self="start", min_width="0",
               position=["static", "static", "static" if single_column else "sticky"],
               top="1rem"),
        rx.vstack(rx.divider(), _comments(), spacing="4", width="100%", grid_area="comments",
                  min_width="0"),
        display="grid", width="100%", gap="1.25rem",
        grid_template_columns=(["minmax(0, 1fr)"] * 3 if single_column else
                               ["minmax(0, 1fr)", "minmax(0, 1fr)",
                                "minmax(0, 2fr) minmax(18rem, 1fr)"]),
        grid_template_areas=[one, one, one if single_column else '"main side" "comments side"'],
        grid_template_rows=["auto", "auto", "auto" if single_column else "auto 1fr"],
    )


@rx.page(route=routes.WATCH, title="Watch · Chronos",
         on_load=[AuthState.require_login, W.load, C.load])
def watch_page() -> rx.Component:
    return page_shell(
        rx.cond(
            ~W.loaded,
            loading_block(),
            rx.cond(W.gated,
                    gate(title=W.gate_title, school=W.gate_school, tier_label=W.gate_tier,
                         creator_id=W.gate_creator),
                    rx.cond(W.not_found, not_available(), watch_body())),
        ),
        plans_dialog(),
    )

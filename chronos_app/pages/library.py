"""The creator's video library: import by link, upload, live processing, filters."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import card, empty_state, error_callout, page_shell
from chronos_app.components.videos import progress_bar, source_icon, status_badge
from chronos_app.pipeline.media import ACCEPTED_LABEL
from chronos_app.schemas.videos import SOURCE_LABELS, VideoRow
from chronos_app.state.auth import AuthState
from chronos_app.state.library import LibraryState

STATUS_OPTIONS = [("all", "Any status"), ("active", "Processing"), ("completed", "Ready"),
                  ("needs_transcript", "Needs a transcript"), ("failed", "Failed"),
                  ("cancelled", "Cancelled")]
SOURCE_OPTIONS = [("all", "Any source"), *SOURCE_LABELS.items()]
SINCE_OPTIONS = [("all", "Any time"), ("7", "Last 7 days"), ("30", "Last 30 days"),
                 ("365", "Last year")]


def _select(options, value, on_change, label: str) -> rx.Component:  # noqa: ANN001
    return rx.select.root(
        rx.select.trigger(aria_label=label, min_width="9rem"),
        rx.select.content(*[rx.select.item(text, value=key) for key, text in options]),
        value=value, on_change=on_change,
    )


def import_card() -> rx.Component:
    return card(
        rx.form(
            rx.vstack(
                rx.hstack(rx.icon("link", size=18), rx.heading("Import from a link", size="4"),
                          align="center"),
                rx.text("YouTube, Loom, Vimeo or Wistia links (watch, share, embed or short "
                        "links), or a Mux playback id.", size="2", color_scheme="gray"),
                rx.input(name="url", id="import-url", placeholder="https://youtu.be/…",
                         aria_label="Video link", width="100%", required=True),
                rx.input(name="title", id="import-title", placeholder="Title (optional)",
                         aria_label="Title", width="100%", max_length=200),
                rx.cond(LibraryState.import_error != "",
                        rx.callout(LibraryState.import_error, icon="triangle-alert",
                                   color_scheme="red", role="alert", width="100%",
                                   custom_attrs={"data-testid": "import-error"})),
                rx.button(rx.icon("plus", size=16), "Import video", type="submit",
                          loading=LibraryState.importing),
                spacing="3", align="start", width="100%",
            ),
            on_submit=LibraryState.import_video, width="100%",
        ),
    )


def upload_card() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(rx.icon("upload", size=18), rx.heading("Upload a video file", size="4"),
                      align="center"),
            rx.upload.root(
                rx.vstack(
                    rx.icon("file-video", size=28, color=rx.color("gray", 9)),
                    rx.text("Drop a video here or click to choose", size="2", weight="medium"),
                    rx.text(ACCEPTED_LABEL, size="1", color_scheme="gray"),
                    rx.foreach(rx.selected_files("video-upload"),
                               lambda name: rx.badge(name, variant="surface")),
                    align="center", spacing="1",
                ),
                id="video-upload", multiple=False, max_files=1,
                accept={"video/mp4": [".mp4", ".m4v"], "video/webm": [".webm"],
                        "video/quicktime": [".mov"]},
                border=f"1px dashed {rx.color('gray', 7)}", border_radius="10px",
                padding="1rem", width="100%", cursor="pointer",
                custom_attrs={"data-testid": "video-dropzone"},
            ),
            rx.input(placeholder="Title (optional)", aria_label="Upload title",
                     value=LibraryState.upload_title, on_change=LibraryState.set_upload_title,
                     width="100%", max_length=200),
            rx.cond(LibraryState.uploading,
                    rx.progress(value=LibraryState.upload_percent, max=100, width="100%")),
            error_callout(LibraryState.upload_error),
            rx.button(rx.icon("upload", size=16), "Upload",
                      on_click=LibraryState.handle_upload(rx.upload_files(
                          upload_id="video-upload",
                          on_upload_progress=LibraryState.upload_progress)),
                      loading=LibraryState.uploading,
                      disabled=rx.selected_files("video-upload").length() == 0),
            spacing="3", align="start", width="100%",
        ),
    )


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(rx.input.slot(rx.icon("search", size=14)), placeholder="Search titles and "
                 "transcripts", value=LibraryState.search, on_change=LibraryState.set_search,
                 debounce_timeout=300, aria_label="Search videos", min_width="14rem",
                 flex="1"),
        _select(STATUS_OPTIONS, LibraryState.status_filter, LibraryState.set_status_filter,
                "Status"),
        _select(SOURCE_OPTIONS, LibraryState.source_filter, LibraryState.set_source_filter,
                "Source"),
        _select(SINCE_OPTIONS, LibraryState.since_filter, LibraryState.set_since_filter,
                "Added"),
        rx.cond(LibraryState.filtered,
                rx.button("Clear", variant="ghost", on_click=LibraryState.clear_filters)),
        spacing="2", wrap="wrap", width="100%", align="center",
    )


def _thumbnail(v: VideoRow) -> rx.Component:
    return rx.box(
        rx.cond(v.thumbnail_url != "",
                rx.image(src=v.thumbnail_url, alt="", width="100%", height="100%",
                         object_fit="cover"),
                rx.center(source_icon(v.source_type), width="100%", height="100%",
                          color=rx.color("gray", 9))),
        width="96px", height="54px", flex_shrink="0", border_radius="6px", overflow="hidden",
        background=rx.color("gray", 4),
    )


def _actions(v: VideoRow) -> rx.Component:
    return rx.hstack(
        rx.cond(v.status == "needs_transcript",
                rx.button(rx.link("Add transcript", href=routes.STUDIO_VIDEOS + "/" + v.id,
                                  underline="none"), as_child=True, size="1")),
        rx.cond((v.status == "failed") | (v.status == "cancelled"),
                rx.button(rx.icon("rotate-ccw", size=14), "Retry", size="1", variant="soft",
                          on_click=LibraryState.retry(v.id))),
        rx.cond(v.active,
                rx.button("Cancel", size="1", variant="soft", color_scheme="gray",
                          on_click=LibraryState.cancel(v.id))),
        rx.alert_dialog.root(
            rx.alert_dialog.trigger(rx.icon_button(rx.icon("trash-2", size=14), size="1",
                                                   variant="ghost", color_scheme="red",
                                                   aria_label="Delete video")),
            rx.alert_dialog.content(
                rx.alert_dialog.title("Delete this video?"),
                rx.alert_dialog.description(
                    "“", v.title, "” disappears from your library, courses and search."),
                rx.hstack(
                    rx.alert_dialog.cancel(rx.button("Keep it", variant="soft",
                                                     color_scheme="gray")),
                    rx.alert_dialog.action(rx.button("Delete", color_scheme="red",
                                                     on_click=LibraryState.delete(v.id))),
                    spacing="3", justify="end", margin_top="1rem",
                ),
            ),
        ),
        spacing="2", align="center",
    )


def video_row(v: VideoRow) -> rx.Component:
    return rx.box(
        rx.hstack(
            _thumbnail(v),
            rx.vstack(
                rx.hstack(
                    rx.link(v.title, href=routes.STUDIO_VIDEOS + "/" + v.id, weight="medium",
                            color_scheme="gray", high_contrast=True,
                            custom_attrs={"data-testid": "video-title"}),
                    rx.cond(v.published, rx.badge("Published", color_scheme="green",
                                                  variant="outline")),
                    spacing="2", align="center", wrap="wrap",
                ),
                rx.hstack(
                    status_badge(v.status, v.status_label),
                    rx.hstack(source_icon(v.source_type), rx.text(v.source_label, size="1"),
                              spacing="1", align="center", color=rx.color("gray", 11)),
                    rx.cond(v.duration != "", rx.text(v.duration, size="1",
                                                      color_scheme="gray")),
                    rx.cond(v.chapter_count > 0, rx.text(v.chapter_count, " chapters", size="1",
                                                         color_scheme="gray")),
                    rx.text("Added ", v.created, size="1", color_scheme="gray"),
                    spacing="3", align="center", wrap="wrap",
                ),
                progress_bar(v.progress, v.active),
                rx.cond(v.error_message != "",
                        rx.text(v.error_message, size="1",
                                color_scheme=rx.cond(v.status == "failed", "red", "gray"),
                                custom_attrs={"data-testid": "video-error"})),
                spacing="1", flex="1", min_width="min(14rem, 100%)",
            ),
            _actions(v),
            align="center", spacing="3", width="100%", wrap="wrap",
        ),
        padding_y="0.75rem", border_bottom=f"1px solid {rx.color('gray', 4)}", width="100%",
        custom_attrs={"data-testid": "video-row", "data-video-id": v.id},
    )


def _list() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.heading("Videos", size="4"),
                rx.cond(LibraryState.active_count > 0,
                        rx.badge(LibraryState.active_count, " processing", color_scheme="indigo",
                                 variant="soft")),
                align="center", spacing="2",
            ),
            _filters(),
            rx.cond(
                LibraryState.videos.length() > 0,
                rx.vstack(rx.foreach(LibraryState.videos, video_row), spacing="0",
                          width="100%", custom_attrs={"data-testid": "video-list"}),
                rx.cond(
                    LibraryState.filtered,
                    empty_state("search-x", "No videos match",
                                "Try another search or clear the filters.",
                                rx.button("Clear filters", variant="soft",
                                          on_click=LibraryState.clear_filters)),
                    empty_state("clapperboard", "Your library is empty",
                                "Import a video by its link or upload a file: Chronos "
                                "transcribes, chapters and indexes it for your students."),
                ),
            ),
            spacing="3", width="100%",
        ),
    )


@rx.page(route=routes.STUDIO_VIDEOS, title="Video library · Chronos",
         on_load=[AuthState.require_creator, LibraryState.load])
def library_page() -> rx.Component:
    return page_shell(
        rx.vstack(
            rx.text("Studio", size="2", color_scheme="gray"),
            rx.heading("Video library", size="7"),
            spacing="0",
        ),
        rx.grid(import_card(), upload_card(), columns=rx.breakpoints(initial="1", md="2"),
                spacing="4", width="100%"),
        _list(),
    )

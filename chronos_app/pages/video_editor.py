"""One video in the studio: processing status, transcript, chapter editor, publishing."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.ai.chapters import RULES_TEXT
from chronos_app.components.layout import card, empty_state, link_button, loading_block, page_shell
from chronos_app.components.videos import progress_bar, source_icon, status_badge
from chronos_app.schemas.videos import ChapterRow, CueRow
from chronos_app.state.auth import AuthState
from chronos_app.state.library import VideoEditorState as S

CAPTION_ACCEPT = {"text/vtt": [".vtt"], "application/x-subrip": [".srt"],
                  "application/json": [".json"], "text/plain": [".txt"]}


def _header() -> rx.Component:
    d = S.detail
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Video library", size="2"),
                          align="center", spacing="1"),
                href=routes.STUDIO_VIDEOS, color_scheme="gray"),
        rx.hstack(
            rx.heading(d.title, size="6", custom_attrs={"data-testid": "video-heading"}),
            status_badge(d.status, d.status_label),
            rx.cond(d.published, rx.badge("Published", color_scheme="green", variant="outline",
                                          custom_attrs={"data-testid": "published-badge"})),
            align="center", spacing="3", wrap="wrap",
        ),
        rx.hstack(
            rx.hstack(source_icon(d.source_type), rx.text(d.source_label), spacing="1",
                      align="center"),
            rx.cond(d.duration != "", rx.text(d.duration)),
            rx.cond(d.chunk_count > 0, rx.text(d.chunk_count, " passages indexed")),
            rx.cond(d.url != "", rx.link("Open source", href=d.url, is_external=True)),
            rx.link(rx.hstack(rx.icon("play", size=14), rx.text("Watch page"), spacing="1",
                              align="center"),
                    href="/watch/" + d.id, custom_attrs={"data-testid": "watch-link"}),
            spacing="4", color=rx.color("gray", 11), font_size="0.875rem", wrap="wrap",
        ),
        rx.cond(d.media_url != "",
                rx.el.video(src=S.media_src, controls=True, preload="metadata",
                            width="100%", max_width="32rem", border_radius="8px",
                            custom_attrs={"data-testid": "upload-preview"})),
        rx.hstack(
            rx.icon("lock", size=14, color=rx.color("gray", 10)),
            rx.text("Who can watch", size="2", color_scheme="gray"),
            rx.select.root(
                rx.select.trigger(aria_label="Who can watch",
                                  custom_attrs={"data-testid": "video-tier"}),
                rx.select.content(rx.select.item("All members", value="members"),
                                  rx.select.item("Premium subscribers", value="premium"),
                                  rx.select.item("Pro subscribers", value="pro")),
                value=rx.cond(d.required_tier == "", "members", d.required_tier),
                on_change=S.set_tier, size="1"),
            align="center", spacing="2",
        ),
        progress_bar(d.progress, S.active),
        rx.cond(d.error_message != "",
                rx.callout(d.error_message, icon="info",
                           color_scheme=rx.cond(d.status == "failed", "red", "gray"),
                           width="100%", custom_attrs={"data-testid": "video-error"})),
        rx.cond((d.status == "failed") | (d.status == "cancelled"),
                rx.button(rx.icon("rotate-ccw", size=14), "Process again",
                          on_click=S.retry, variant="soft")),
        spacing="2", width="100%", align="start",
    )


def _transcript_upload() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(rx.icon("captions", size=18),
                      rx.heading(rx.cond(S.detail.cues.length() > 0, "Replace the transcript",
                                         "Add a transcript"), size="4"),
                      align="center"),
            rx.cond(
                S.detail.status == "needs_transcript",
                rx.callout("This video has no transcript yet: Chronos could not get captions "
                           "from the source. Upload a caption file and it will be chaptered "
                           "and indexed for the AI tutor.", icon="file-warning",
                           color_scheme="amber", custom_attrs={"data-testid": "needs-transcript"}),
            ),
            rx.upload.root(
                rx.vstack(
                    rx.text("Drop a caption file or click to choose", size="2",
                            weight="medium"),
                    rx.text("WebVTT, SRT, a JSON list of {start, end, text}, or plain text",
                            size="1", color_scheme="gray"),
                    rx.foreach(rx.selected_files("caption-upload"),
                               lambda name: rx.badge(name, variant="surface")),
                    align="center", spacing="1",
                ),
                id="caption-upload", max_files=1, accept=CAPTION_ACCEPT,
                border=f"1px dashed {rx.color('gray', 7)}", border_radius="10px",
                padding="1rem", width="100%", cursor="pointer",
                custom_attrs={"data-testid": "caption-dropzone"},
            ),
            rx.cond(S.caption_error != "",
                    rx.callout(S.caption_error, icon="triangle-alert", color_scheme="red",
                               role="alert", width="100%",
                               custom_attrs={"data-testid": "caption-error"})),
            rx.button(rx.icon("upload", size=14), "Upload transcript",
                      on_click=S.handle_captions(rx.upload_files(upload_id="caption-upload")),
                      loading=S.attaching,
                      disabled=rx.selected_files("caption-upload").length() == 0),
            spacing="3", align="start", width="100%",
        ),
    )


def _chapter_row(ch: ChapterRow, i) -> rx.Component:  # noqa: ANN001
    return rx.hstack(
        rx.text(i + 1, size="2", color_scheme="gray", width="1.5rem"),
        rx.input(value=ch.start, on_change=lambda v: S.set_chapter_start(i, v),
                 placeholder="0:00", width="5.5rem", aria_label="Chapter start",
                 custom_attrs={"data-testid": "chapter-start"}),
        rx.input(value=ch.title, on_change=lambda v: S.set_chapter_title(i, v),
                 placeholder="Chapter title", flex="1", aria_label="Chapter title",
                 max_length=255, custom_attrs={"data-testid": "chapter-title"}),
        rx.cond(ch.ai,
                rx.tooltip(rx.badge(rx.icon("sparkles", size=12), ch.confidence,
                                    variant="soft", color_scheme="violet"),
                           content="Suggested by Chronos (confidence)")),
        rx.icon_button(rx.icon("x", size=14), variant="ghost", color_scheme="gray",
                       on_click=S.remove_chapter(i), aria_label="Remove chapter"),
        align="center", spacing="2", width="100%",
        custom_attrs={"data-testid": "chapter-row"},
    )


def _chapter_editor() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(
                rx.icon("list-video", size=18), rx.heading("Chapters", size="4"),
                rx.spacer(),
                rx.cond(S.detail.published,
                        rx.button("Unpublish", variant="soft", color_scheme="gray",
                                  on_click=S.set_published(False)),
                        rx.button(rx.icon("send", size=14), "Publish",
                                  on_click=S.set_published(True),
                                  disabled=(S.detail.status != "completed") | S.dirty,
                                  custom_attrs={"data-testid": "publish"})),
                align="center", width="100%",
            ),
            rx.cond(
                S.draft.length() > 0,
                rx.vstack(rx.foreach(S.draft, _chapter_row), spacing="2", width="100%",
                          custom_attrs={"data-testid": "chapter-editor"}),
                rx.text("No chapters yet. They are suggested once the video is processed; "
                        "you can also add them yourself.", size="2", color_scheme="gray"),
            ),
            rx.cond(S.chapter_message != "",
                    rx.callout(
                        rx.vstack(rx.text(S.chapter_message, weight="medium"),
                                  rx.foreach(S.problems, lambda p: rx.text("• ", p, size="2")),
                                  spacing="1"),
                        icon="triangle-alert", color_scheme="red", role="alert", width="100%",
                        custom_attrs={"data-testid": "chapter-problems"})),
            rx.hstack(
                rx.button(rx.icon("plus", size=14), "Add chapter", variant="soft",
                          on_click=S.add_chapter),
                rx.button("Save chapters", on_click=S.save_chapters, loading=S.saving,
                          disabled=~S.dirty, custom_attrs={"data-testid": "save-chapters"}),
                rx.cond(S.dirty, rx.button("Discard changes", variant="ghost",
                                           color_scheme="gray", on_click=S.reset_chapters)),
                spacing="2", wrap="wrap",
            ),
            rx.box(
                rx.text("Chapter rules", size="1", weight="bold", color_scheme="gray"),
                *[rx.text("• ", rule, size="1", color_scheme="gray") for rule in RULES_TEXT],
            ),
            spacing="3", width="100%", align="start",
        ),
    )


def _cue(c: CueRow) -> rx.Component:
    return rx.hstack(
        rx.code(c.label, variant="ghost", min_width="3.5rem"),
        rx.text(c.text, size="2"),
        align="start", spacing="3", padding_y="0.2rem",
    )


def _transcript() -> rx.Component:
    return card(
        rx.vstack(
            rx.hstack(rx.icon("scroll-text", size=18), rx.heading("Transcript", size="4"),
                      rx.spacer(),
                      rx.cond(S.detail.transcript_source != "",
                              rx.text("from ", S.detail.transcript_source, size="1",
                                      color_scheme="gray")),
                      align="center", width="100%"),
            rx.cond(
                S.detail.cues.length() > 0,
                rx.vstack(
                    rx.input(placeholder="Find in transcript", value=S.cue_filter,
                             on_change=S.set_cue_filter, width="100%",
                             aria_label="Find in transcript"),
                    rx.scroll_area(
                        rx.vstack(rx.foreach(S.shown_cues, _cue), spacing="0"),
                        max_height="28rem", type="auto", scrollbars="vertical",
                        custom_attrs={"data-testid": "transcript"},
                    ),
                    width="100%",
                ),
                rx.text("No transcript yet.", size="2", color_scheme="gray"),
            ),
            spacing="3", width="100%", align="start",
        ),
    )


@rx.page(route=routes.STUDIO_VIDEO, title="Video · Chronos",
         on_load=[AuthState.require_creator, S.load])
def video_editor_page() -> rx.Component:
    return page_shell(
        rx.cond(
            ~S.loaded,
            loading_block(),
            rx.cond(
                S.not_found,
                empty_state("video-off", "Video not found",
                            "It was deleted, or it belongs to another school.",
                            link_button("Back to the library", routes.STUDIO_VIDEOS,
                                        variant="soft")),
                rx.vstack(
                    _header(),
                    rx.grid(
                        rx.vstack(_chapter_editor(), _transcript_upload(), spacing="4",
                                  width="100%"),
                        _transcript(),
                        columns=rx.breakpoints(initial="1", lg="2"), spacing="4",
                        width="100%",
                    ),
                    spacing="4", width="100%",
                ),
            ),
        ),
    )


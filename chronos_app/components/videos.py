"""Pieces of the video library: status badges, progress, source icons."""

from __future__ import annotations

import reflex as rx

STATUS_COLORS = {
    "completed": "green", "failed": "red", "cancelled": "gray", "needs_transcript": "amber",
}
SOURCE_ICONS = {
    "youtube": "circle-play", "vimeo": "video", "loom": "circle-dot", "wistia": "tv",
    "mux": "film", "upload": "upload",
}


def status_badge(status, label) -> rx.Component:  # noqa: ANN001
    return rx.badge(
        rx.cond(status == "completed", rx.icon("circle-check", size=12),
                rx.cond(status == "failed", rx.icon("circle-x", size=12),
                        rx.cond(status == "needs_transcript", rx.icon("file-warning", size=12),
                                rx.cond(status == "cancelled", rx.icon("ban", size=12),
                                        rx.icon("loader", size=12))))),
        label,
        color_scheme=rx.match(status, *STATUS_COLORS.items(), "indigo"),
        variant="soft", radius="full",
        custom_attrs={"data-testid": "video-status", "data-status": status},
    )


def source_icon(source_type) -> rx.Component:  # noqa: ANN001
    return rx.match(
        source_type,
        *[(k, rx.icon(v, size=16)) for k, v in SOURCE_ICONS.items()],
        rx.icon("video", size=16),
    )


def progress_bar(value, active) -> rx.Component:  # noqa: ANN001
    return rx.cond(
        active,
        rx.hstack(
            rx.progress(value=value, max=100, size="1", width="100%",
                        custom_attrs={"data-testid": "video-progress"}),
            rx.text(value, "%", size="1", color_scheme="gray", min_width="2.5rem",
                    align="right"),
            align="center", width="100%", spacing="2",
        ),
    )

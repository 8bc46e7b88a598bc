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


def poster(poster_url, duration, *overlays: rx.Component) -> rx.Component:  # noqa: ANN001
    """A 16:9 thumbnail (or a play icon), the duration in a corner, and any overlays."""
    return rx.box(
        rx.cond(poster_url != "",
                rx.image(src=poster_url, alt="", width="100%", height="100%",
                         object_fit="cover", loading="lazy"),
                rx.center(rx.icon("circle-play", size=32, color=rx.color("gray", 9)),
                          width="100%", height="100%")),
        rx.cond(duration != "",
                rx.badge(duration, variant="solid", color_scheme="gray",
                         position="absolute", bottom="0.4rem", right="0.4rem")),
        *overlays,
        position="relative", width="100%", aspect_ratio="16 / 9", overflow="hidden",
        border_radius="8px", background=rx.color("gray", 4),
    )


def lesson_card(c) -> rx.Component:  # noqa: ANN001
    """A lesson to watch: poster, title, school, length and how far the student got."""
    return rx.link(
        rx.vstack(
            poster(c.poster_url, c.duration,
                   rx.cond(c.percent > 0,
                           rx.box(rx.box(width=c.percent.to_string() + "%", height="100%",
                                         background=rx.color("red", 9)),
                                  position="absolute", left="0", right="0", bottom="0",
                                  height="4px", background=rx.color("gray", 6)))),
            rx.text(c.title, weight="bold", size="2", color=rx.color("gray", 12)),
            rx.text(c.school_name, size="1", color_scheme="gray"),
            rx.cond(c.completed,
                    rx.text("Watched", size="1", color_scheme="green"),
                    rx.cond(c.resume_label != "",
                            rx.text("Continue at ", c.resume_label, size="1",
                                    color_scheme="indigo"))),
            spacing="1", width="100%",
        ),
        href=c.href, underline="none", width="100%",
        custom_attrs={"data-testid": "lesson-card"},
    )

"""Students' courses: the catalog (/courses) and the course viewer (/courses/<id>)."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import card, empty_state, link_button, loading_block, page_shell
from chronos_app.components.subscribe import gate, plans_dialog
from chronos_app.pages.watch import watch_body
from chronos_app.schemas.learning import CatalogCourse, ViewerLesson, ViewerModule
from chronos_app.state.auth import AuthState
from chronos_app.state.learning import SORTS, STATUS_FILTERS
from chronos_app.state.learning import CatalogState as C
from chronos_app.state.learning import CourseViewerState as V
from chronos_app.state.watch import WatchState

STATUS_COLORS = (("completed", "green"), ("in_progress", "indigo"), "gray")

# --- the catalog ---------------------------------------------------------------------------------


def _course_card(c: CatalogCourse) -> rx.Component:
    return rx.link(
        card(rx.vstack(
            rx.box(
                rx.cond(c.thumbnail_url != "",
                        rx.image(src=c.thumbnail_url, alt="", width="100%", height="100%",
                                 object_fit="cover"),
                        rx.center(rx.icon("layers", size=36, color=rx.color("indigo", 8)),
                                  width="100%", height="100%")),
                width="100%", aspect_ratio="16 / 9", border_radius="8px", overflow="hidden",
                background=rx.color("indigo", 3),
            ),
            rx.hstack(rx.badge(c.status_label, color_scheme=rx.match(c.status, *STATUS_COLORS)),
                      rx.text(c.school_name, size="1", color_scheme="gray"), align="center"),
            rx.text(c.title, weight="bold"),
            rx.text(c.description, size="2", color_scheme="gray",
                    style={"display": "-webkit-box", "WebkitLineClamp": "2",
                           "WebkitBoxOrient": "vertical", "overflow": "hidden"}),
            rx.text(c.lesson_count, rx.cond(c.lesson_count == 1, " lesson · ~", " lessons · ~"),
                    c.minutes, " min", size="1",
                    color_scheme="gray"),
            rx.hstack(rx.progress(value=c.percent, flex="1"), rx.text(c.percent, "%", size="1"),
                      align="center", width="100%"),
            spacing="2", width="100%",
        )),
        href="/courses/" + c.id, underline="none", color="inherit",
        custom_attrs={"data-testid": "catalog-course"},
    )


@rx.page(route=routes.COURSES, title="Courses · Chronos",
         on_load=[AuthState.require_login, C.load])
def catalog_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.heading("Your courses", size="7"),
        rx.text("Courses of the schools you learn in.", color_scheme="gray"),
        rx.flex(
            rx.input(rx.input.slot(rx.icon("search", size=14)), placeholder="Search courses",
                     value=C.search, on_change=C.set_search.debounce(250),
                     aria_label="Search courses", flex="1", min_width="12rem"),
            rx.segmented_control.root(
                *[rx.segmented_control.item(label, value=key)
                  for key, label in STATUS_FILTERS.items()],
                value=C.status, on_change=C.set_status,
                custom_attrs={"data-testid": "status-filter"},
            ),
            rx.select.root(
                rx.select.trigger(aria_label="Sort courses"),
                rx.select.content(*[rx.select.item(label, value=key)
                                    for key, label in SORTS.items()]),
                value=C.sort, on_change=C.set_sort,
            ),
            gap="0.75rem", wrap="wrap", width="100%", align="center",
        ),
        rx.cond(
            ~C.loaded, loading_block(),
            rx.cond(C.courses.length() > 0,
                    rx.grid(rx.foreach(C.courses, _course_card),
                            columns=rx.breakpoints(initial="1", sm="2", md="3"), spacing="4",
                            width="100%"),
                    rx.cond(C.filtered,
                            empty_state("search-x", "No course matches",
                                        "Try another search or filter."),
                            empty_state("book-open", "No courses yet",
                                        "When the schools you joined publish courses, they "
                                        "appear here.",
                                        link_button("Browse schools", routes.SCHOOLS))))),
        spacing="4", width="100%",
    ))


# --- the viewer ----------------------------------------------------------------------------------

def _lesson_link(le: ViewerLesson) -> rx.Component:
    current = V.lesson_id == le.id
    return rx.el.button(
        rx.hstack(
            rx.cond(le.completed,
                    rx.icon("circle-check", size=16, color=rx.color("green", 9),
                            aria_label="Completed", custom_attrs={"data-testid": "lesson-tick"}),
                    rx.icon("circle", size=16, color=rx.color("gray", 8))),
            rx.vstack(
                rx.text(le.number, " ", le.title, size="2",
                        weight=rx.cond(current, "bold", "regular")),
                rx.hstack(rx.text(le.duration, size="1", color_scheme="gray"),
                          rx.cond(~le.required, rx.text("optional", size="1",
                                                        color_scheme="gray")),
                          rx.cond((le.percent > 0) & ~le.completed,
                                  rx.text(le.percent, "%", size="1", color_scheme="indigo")),
                          spacing="2"),
                spacing="0", align="start", flex="1", min_width="0",
            ),
            align="start", spacing="2", width="100%",
        ),
        on_click=V.open_lesson(le.id), aria_current=rx.cond(current, "true", "false"),
        style={"display": "block", "width": "100%", "textAlign": "left", "border": "none",
               "cursor": "pointer", "padding": "0.45rem 0.5rem", "borderRadius": "6px",
               "color": "inherit", "font": "inherit",
               "background": rx.cond(current, rx.color("indigo", 4), "transparent")},
        custom_attrs={"data-testid": "outline-lesson",
                      "data-completed": rx.cond(le.completed, "true", "false"),
                      "data-current": rx.cond(current, "true", "false")},
    )


def _outline_module(m: ViewerModule) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(m.title, weight="bold", size="2", flex="1"),
                  rx.text(m.completed_count, "/", m.required_count, size="1",
                          color_scheme="gray"), width="100%", align="center"),
        rx.progress(value=m.percent, size="1", width="100%",
                    custom_attrs={"data-testid": "module-progress"}),
        rx.foreach(m.lessons, _lesson_link),
        spacing="1", width="100%",
    )


def _outline() -> rx.Component:
    c = V.course
    return card(rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Courses", size="2"),
                          spacing="1", align="center"),
                href=rx.cond(c.is_owner, "/studio/courses/" + c.id, routes.COURSES),
                color_scheme="gray"),
        rx.heading(c.title, size="4"),
        rx.text(c.school_name, size="1", color_scheme="gray"),
        rx.cond(~c.is_owner, rx.vstack(
            rx.hstack(rx.progress(value=c.percent, flex="1",
                                  custom_attrs={"data-testid": "course-progress"}),
                      rx.text(c.percent, "%", size="1",
                              custom_attrs={"data-testid": "course-percent"}),
                      align="center", width="100%"),
            rx.text(c.completed_count, " of ", c.required_count, " required lessons done",
                    size="1", color_scheme="gray"),
            spacing="1", width="100%")),
        rx.divider(),
        rx.vstack(rx.foreach(c.modules, _outline_module), spacing="4", width="100%"),
        spacing="2", width="100%",
    ), custom_attrs={"data-testid": "course-outline"})


def _completion() -> rx.Component:
    return rx.cond(
        V.course.completed & ~V.course.is_owner,
        rx.callout(
            rx.vstack(
                rx.text("You completed this course!", weight="bold", size="3"),
                rx.text("Every required lesson is done. Rewatch any lesson from the outline, "
                        "or find your next course."),
                link_button("Find another course", routes.COURSES, size="2"),
                spacing="2", align="start",
            ),
            icon="party-popper", color_scheme="green", width="100%",
            custom_attrs={"data-testid": "course-complete"},
        ),
    )


def _lesson_nav() -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("chevron-left", size=14), "Previous", variant="soft",
                  color_scheme="gray", disabled=V.prev_id == "",
                  on_click=V.open_lesson(V.prev_id), custom_attrs={"data-testid": "prev-lesson"}),
        rx.text("Lesson ", V.current.number, size="2", color_scheme="gray"),
        rx.button("Next", rx.icon("chevron-right", size=14), variant="soft",
                  disabled=V.next_id == "", on_click=V.open_lesson(V.next_id),
                  custom_attrs={"data-testid": "next-lesson"}),
        justify="between", align="center", width="100%",
    )


def _up_next() -> rx.Component:
    return rx.cond(
        V.up_next != "",
        rx.callout(
            rx.hstack(rx.text("Up next in ", V.countdown, " s: ", rx.text.strong(V.up_next)),
                      rx.button("Play now", size="1", on_click=V.open_lesson(V.next_id)),
                      rx.button("Cancel", size="1", variant="soft", color_scheme="gray",
                                on_click=V.cancel_advance),
                      align="center", spacing="3", wrap="wrap"),
            icon="skip-forward", color_scheme="indigo", width="100%",
            custom_attrs={"data-testid": "up-next"},
        ),
    )


def _viewer() -> rx.Component:
    return rx.box(
        rx.box(_outline(), grid_area="outline", min_width="0", align_self="start"),
        rx.vstack(
            _completion(),
            _up_next(),
            _lesson_nav(),
            rx.cond(V.lesson_id == "",
                    empty_state("list-video", "This course has no lessons yet", ""),
                    rx.cond(WatchState.not_found,
                            rx.callout("This lesson's video is not available.", icon="video-off"),
                            watch_body(on_ended=V.lesson_ended, single_column=True))),
            spacing="3", width="100%", grid_area="main", min_width="0",
        ),
        display="grid", width="100%", gap="1.25rem",
        grid_template_columns=["minmax(0, 1fr)", "minmax(0, 1fr)",
                               "minmax(16rem, 1fr) minmax(0, 3fr)"],
        grid_template_areas=['"main" "outline"', '"main" "outline"', '"outline main"'],
    )


@rx.page(route=routes.COURSE, title="Course · Chronos",
         on_load=[AuthState.require_login, V.load])
def course_viewer_page() -> rx.Component:
    return page_shell(rx.cond(
        ~V.loaded, loading_block(),
        rx.cond(V.gated,
                gate(title=V.gate_title, school=V.gate_school, tier_label=V.gate_tier,
                     creator_id=V.gate_creator, what="course"),
        rx.cond(V.not_found,
                empty_state("layers", "This course is not available",
                            "It may be unpublished, deleted, or belong to a school you have "
                            "not joined.",
                            link_button("Your courses", routes.COURSES),
                            link_button("Browse schools", routes.SCHOOLS, variant="soft")),
                _viewer()))),
        plans_dialog(),
        width="90rem")


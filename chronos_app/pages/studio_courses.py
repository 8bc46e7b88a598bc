"""The creator's courses: the list (/studio/courses) and the builder (/studio/courses/<id>)."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import (
    card,
    empty_state,
    error_callout,
    link_button,
    loading_block,
    page_shell,
)
from chronos_app.schemas.courses import CourseSummary, LessonItem, ModuleItem, PickableVideo
from chronos_app.schemas.learning import StudentProgress
from chronos_app.state.auth import AuthState
from chronos_app.state.courses import CourseBuilderState as B
from chronos_app.state.courses import CoursesState as L

# --- the list ------------------------------------------------------------------------------------


def _course_row(c: CourseSummary) -> rx.Component:
    return rx.link(
        card(rx.hstack(
            rx.icon("layers", size=22, color=rx.color("indigo", 9)),
            rx.vstack(
                rx.text(c.title, weight="bold"),
                rx.text(c.module_count, rx.cond(c.module_count == 1, " module · ", " modules · "),
                        c.lesson_count, rx.cond(c.lesson_count == 1, " lesson · ~", " lessons · ~"),
                        c.minutes, " min · updated ", c.updated, size="1", color_scheme="gray"),
                spacing="0", align="start",
            ),
            rx.spacer(),
            rx.cond(c.published, rx.badge("Published", color_scheme="green"),
                    rx.badge("Draft", color_scheme="gray")),
            align="center", width="100%",
        )),
        href=routes.STUDIO_COURSES + "/" + c.id, underline="none", color="inherit",
        custom_attrs={"data-testid": "course-row"},
    )


def _create_form() -> rx.Component:
    return card(rx.vstack(
        rx.heading("New course", size="4"),
        rx.input(value=L.new_title, on_change=L.set_new_title, placeholder="Course title",
                 aria_label="Course title", max_length=200, width="100%"),
        rx.text_area(value=L.new_description, on_change=L.set_new_description,
                     placeholder="What will students learn? (optional)",
                     aria_label="Course description", width="100%", rows="2"),
        rx.cond(L.create_error != "", error_callout(L.create_error)),
        rx.button(rx.icon("plus", size=14), "Create course", on_click=L.create,
                  loading=L.creating, disabled=L.new_title.strip() == ""),
        spacing="3", width="100%", align="start",
    ))


@rx.page(route=routes.STUDIO_COURSES, title="Courses · Chronos",
         on_load=[AuthState.require_creator, L.load])
def studio_courses_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.heading("Courses", size="7"),
        rx.text("Arrange your videos into modules and lessons, then publish for your students.",
                color_scheme="gray"),
        _create_form(),
        rx.cond(
            ~L.loaded, loading_block(),
            rx.cond(L.courses.length() > 0,
                    rx.vstack(rx.foreach(L.courses, _course_row), spacing="2", width="100%"),
                    empty_state("layers", "No courses yet",
                                "Create your first course above, then add lessons from your "
                                "video library."))),
        spacing="4", width="100%",
    ))


# --- the builder ---------------------------------------------------------------------------------

def _handle(on_mouse_down, label) -> rx.Component:  # noqa: ANN001
    return rx.box(
        rx.icon("grip-vertical", size=16),
        on_mouse_down=on_mouse_down, cursor="grab", color=rx.color("gray", 9),
        padding="0.25rem", aria_label=label, title="Drag to reorder",
        custom_attrs={"data-testid": "drag-handle"},
    )


def _lesson_row(le: LessonItem, i, m: ModuleItem) -> rx.Component:  # noqa: ANN001
    dragging = (B.drag_kind == "lesson") & (B.drag_id == le.id)
    drop_here = (B.drag_kind == "lesson") & (B.drop_module == m.id) & (B.drop_index == i)
    return rx.box(
        rx.hstack(
            _handle(B.drag_lesson(le.id), "Drag lesson"),
            rx.text(le.order, size="1", color_scheme="gray", min_width="1.25rem"),
            rx.vstack(
                rx.input(default_value=le.custom_title, placeholder=le.video_title,
                         on_blur=lambda v: B.set_lesson_title(le.id, v), size="1",
                         aria_label="Lesson title", width="100%", max_length=200,
                         key=le.id + le.custom_title,
                         custom_attrs={"data-testid": "lesson-title"}),
                rx.hstack(
                    rx.cond(le.video_ready, rx.badge("Ready", color_scheme="green", size="1"),
                            rx.badge(le.video_status, color_scheme="amber", size="1")),
                    rx.text(le.duration, size="1", color_scheme="gray"),
                    rx.text(le.video_title, size="1", color_scheme="gray", trim="end",
                            max_width="16rem"),
                    spacing="2", align="center", wrap="wrap",
                ),
                spacing="1", flex="1", min_width="0",
            ),
            rx.hstack(
                rx.popover.root(
                    rx.popover.trigger(rx.button(
                        rx.icon("notebook-pen", size=14),
                        rx.cond(le.description != "", "Notes", "Add notes"), size="1",
                        variant="ghost", color_scheme="gray",
                        on_click=B.open_notes(le.description),
                        custom_attrs={"data-testid": "lesson-notes"})),
                    rx.popover.content(
                        rx.vstack(
                            rx.text("Lesson description", size="2", weight="bold"),
                            rx.text_area(value=B.notes_draft, on_change=B.set_notes_draft,
                                         rows="4", width="18rem", max_length=5000,
                                         aria_label="Lesson description",
                                         placeholder="What should students take away?"),
                            rx.popover.close(rx.button(
                                "Save notes", size="1",
                                on_click=B.save_notes(le.id))),
                            spacing="2", align="end",
                        ),
                    ),
                ),
                rx.checkbox("Required", checked=le.required, size="1",
                            on_change=lambda v: B.set_lesson_required(le.id, v)),
                rx.input(default_value=le.minutes.to_string(), size="1", width="3.5rem",
                         key=le.id + le.minutes.to_string(), aria_label="Estimated minutes",
                         on_blur=lambda v: B.set_lesson_minutes(le.id, v), type="number",
                         min=1, max=1440),
                rx.text("min", size="1", color_scheme="gray"),
                spacing="2", align="center",
            ),
            rx.hstack(
                rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="ghost",
                               color_scheme="gray", aria_label="Move lesson up",
                               disabled=i == 0, on_click=B.move_lesson(le.id, m.id, i - 1)),
                rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="ghost",
                               color_scheme="gray", aria_label="Move lesson down",
                               disabled=i == m.lessons.length() - 1,
                               on_click=B.move_lesson(le.id, m.id, i + 1)),
                rx.menu.root(
                    rx.menu.trigger(rx.icon_button(rx.icon("ellipsis", size=14), size="1",
                                                   variant="ghost", color_scheme="gray",
                                                   aria_label="More lesson actions")),
                    rx.menu.content(
                        rx.menu.sub(
                            rx.menu.sub_trigger("Move to module"),
                            rx.menu.sub_content(rx.foreach(
                                B.module_options,
                                lambda o: rx.menu.item(
                                    o[1], on_click=B.move_lesson_to_module(le.id, o[0]),
                                    disabled=o[0] == m.id))),
                        ),
                        rx.menu.item("Open watch page",
                                     on_click=rx.redirect("/watch/" + le.video_id)),
                        rx.menu.separator(),
                        rx.menu.item("Remove from course", color_scheme="red",
                                     on_click=B.delete_lesson(le.id)),
                    ),
                ),
                spacing="1", align="center",
            ),
            align="center", spacing="2", width="100%", wrap="wrap",
        ),
        rx.cond(le.description != "", rx.text(le.description, size="1", color_scheme="gray",
                                               padding_left="3rem")),
        on_mouse_enter=B.over_lesson(m.id, i),
        padding="0.5rem", border_radius="8px", width="100%", user_select="none",
        opacity=rx.cond(dragging, "0.45", "1"),
        border_top=rx.cond(drop_here, f"3px solid {rx.color('indigo', 9)}",
                           "3px solid transparent"),
        background=rx.color("gray", 2),
        custom_attrs={"data-testid": "lesson-row", "data-lesson-id": le.id},
    )


def _module_card(m: ModuleItem, i) -> rx.Component:  # noqa: ANN001
    dragging = (B.drag_kind == "module") & (B.drag_id == m.id)
    drop_here = (B.drag_kind == "module") & (B.drop_module == m.id)
    lesson_end = (B.drag_kind == "lesson") & (B.drop_module == m.id) & (
        B.drop_index == m.lessons.length())
    return card(
        rx.vstack(
            rx.hstack(
                _handle(B.drag_module(m.id), "Drag module"),
                rx.text("Module ", i + 1, size="1", color_scheme="gray", white_space="nowrap"),
                rx.input(default_value=m.title, key=m.id + m.title,
                         on_blur=lambda v: B.rename_module(m.id, v), aria_label="Module title",
                         size="2", flex="1", max_length=200,
                         custom_attrs={"data-testid": "module-title"}),
                rx.text(m.lessons.length(), rx.cond(m.lessons.length() == 1, " lesson", " lessons"),
                        " · ~", m.minutes, " min", size="1",
                        color_scheme="gray", white_space="nowrap"),
                rx.icon_button(rx.icon("arrow-up", size=14), size="1", variant="ghost",
                               color_scheme="gray", aria_label="Move module up",
                               disabled=i == 0, on_click=B.move_module(m.id, i - 1)),
                rx.icon_button(rx.icon("arrow-down", size=14), size="1", variant="ghost",
                               color_scheme="gray", aria_label="Move module down",
                               disabled=i == B.draft.modules.length() - 1,
                               on_click=B.move_module(m.id, i + 1)),
                rx.icon_button(rx.icon("trash-2", size=14), size="1", variant="ghost",
                               color_scheme="red", aria_label="Delete module",
                               on_click=B.delete_module(m.id)),
                align="center", width="100%", spacing="2",
                on_mouse_enter=B.over_module(m.id, i),
            ),
            rx.cond(
                m.lessons.length() > 0,
                rx.vstack(rx.foreach(m.lessons, lambda le, j: _lesson_row(le, j, m)),
                          spacing="1", width="100%"),
                rx.text("No lessons yet. Add videos from your library.", size="2",
                        color_scheme="gray", padding="0.5rem"),
            ),
            rx.box(
                rx.button(rx.icon("plus", size=14), "Add lessons", variant="soft", size="1",
                          on_click=B.open_picker(m.id),
                          custom_attrs={"data-testid": "add-lessons"}),
                on_mouse_enter=B.over_module(m.id, i), width="100%", padding_top="0.25rem",
                border_top=rx.cond(lesson_end, f"3px solid {rx.color('indigo', 9)}",
                                   "3px solid transparent"),
                custom_attrs={"data-testid": "module-end"},
            ),
            spacing="2", width="100%",
        ),
        opacity=rx.cond(dragging, "0.45", "1"),
        border=rx.cond(drop_here, f"2px solid {rx.color('indigo', 9)}",
                       "2px solid transparent"),
        custom_attrs={"data-testid": "module-card", "data-module-id": m.id},
    )


def _picker_row(v: PickableVideo) -> rx.Component:
    return rx.hstack(
        rx.vstack(rx.text(v.title, size="2", weight="medium"),
                  rx.text(v.duration, " · ", v.status, size="1", color_scheme="gray"),
                  spacing="0", flex="1", min_width="0"),
        rx.cond(v.in_course, rx.badge("In this course", color_scheme="gray", size="1")),
        rx.button("Add", size="1", on_click=B.add_lesson(v.id),
                  aria_label="Add " + v.title, custom_attrs={"data-testid": "pick-video"}),
        align="center", width="100%", padding_y="0.35rem",
        custom_attrs={"data-testid": "picker-row"},
    )


def _picker() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Add lessons"),
            rx.dialog.description("Pick videos from your library, or import a new one.",
                                  size="2", color_scheme="gray"),
            rx.tabs.root(
                rx.tabs.list(rx.tabs.trigger("From the library", value="library"),
                             rx.tabs.trigger("Import a video", value="import")),
                rx.tabs.content(
                    rx.vstack(
                        rx.input(rx.input.slot(rx.icon("search", size=14)),
                                 placeholder="Search your videos", value=B.picker_search,
                                 on_change=B.set_picker_search.debounce(250), width="100%",
                                 aria_label="Search your videos"),
                        rx.cond(B.picker.length() > 0,
                                rx.box(rx.foreach(B.picker, _picker_row), max_height="22rem",
                                       overflow_y="auto", width="100%"),
                                rx.text("No video matches. Import one in the other tab.",
                                        size="2", color_scheme="gray")),
                        spacing="3", padding_top="0.75rem",
                    ),
                    value="library",
                ),
                rx.tabs.content(
                    rx.vstack(
                        rx.input(value=B.import_url, on_change=B.set_import_url,
                                 placeholder="https://www.youtube.com/watch?v=…", width="100%",
                                 aria_label="Video link"),
                        rx.cond(B.import_error != "", error_callout(B.import_error)),
                        rx.button("Import and add", on_click=B.import_and_add,
                                  loading=B.importing, disabled=B.import_url.strip() == ""),
                        spacing="3", padding_top="0.75rem", align="start",
                    ),
                    value="import",
                ),
                default_value="library",
            ),
            rx.hstack(rx.dialog.close(rx.button("Done", variant="soft")), justify="end",
                      margin_top="1rem"),
            max_width="36rem",
        ),
        open=B.picker_module != "", on_open_change=B.close_picker,
    )


def _details() -> rx.Component:
    return card(rx.vstack(
        rx.input(value=B.title, on_change=B.set_title, on_blur=B.save_details, size="3",
                 aria_label="Course title", max_length=200, width="100%",
                 custom_attrs={"data-testid": "course-title"}),
        rx.text_area(value=B.description, on_change=B.set_description, on_blur=B.save_details,
                     placeholder="Describe the course", aria_label="Course description",
                     width="100%", rows="3"),
        rx.input(value=B.thumbnail_url, on_change=B.set_thumbnail_url, on_blur=B.save_details,
                 placeholder="Thumbnail image URL (https://…)", aria_label="Thumbnail URL",
                 width="100%"),
        spacing="3", width="100%",
    ))


def _publish_bar() -> rx.Component:
    d = B.draft
    return card(rx.vstack(
        rx.hstack(
            rx.cond(d.published, rx.badge("Published", color_scheme="green", size="2"),
                    rx.badge("Draft", color_scheme="gray", size="2")),
            rx.text(d.lesson_count, rx.cond(d.lesson_count == 1, " lesson · ~", " lessons · ~"),
                    d.minutes, " min", size="2",
                    color_scheme="gray"),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(aria_label="Who can take it"),
                rx.select.content(rx.select.item("All members", value="members"),
                                  rx.select.item("Premium subscribers", value="premium"),
                                  rx.select.item("Pro subscribers", value="pro")),
                value=rx.cond(d.required_tier == "", "members", d.required_tier),
                on_change=B.set_tier, size="2"),
            rx.cond(d.published,
                    rx.button("Unpublish", variant="soft", color_scheme="gray",
                              on_click=B.publish(False)),
                    rx.button(rx.icon("send", size=14), "Publish", on_click=B.publish(True),
                              disabled=~B.can_publish,
                              custom_attrs={"data-testid": "publish-course"})),
            align="center", width="100%",
        ),
        rx.cond(~d.published & (d.blockers.length() > 0),
                rx.callout(rx.vstack(rx.text("Before you can publish:", weight="bold"),
                                     rx.foreach(d.blockers, lambda b: rx.text("• ", b)),
                                     spacing="1"),
                           icon="list-checks", color_scheme="amber", width="100%",
                           custom_attrs={"data-testid": "publish-blockers"})),
        spacing="3", width="100%",
    ))


def _outline() -> rx.Component:
    return rx.vstack(
        rx.cond(B.undo_label != "",
                rx.callout(rx.hstack(rx.text("Deleted ", B.undo_label, "."),
                                     rx.button("Undo", size="1", on_click=B.undo,
                                               custom_attrs={"data-testid": "undo"}),
                                     rx.icon_button(rx.icon("x", size=12), size="1",
                                                    variant="ghost", on_click=B.dismiss_undo,
                                                    aria_label="Dismiss"),
                                     align="center", spacing="3"),
                           icon="undo-2", color_scheme="gray", width="100%")),
        rx.cond(B.field_error != "", error_callout(B.field_error)),
        rx.box(
            rx.cond(B.draft.modules.length() > 0,
                    rx.vstack(rx.foreach(B.draft.modules, _module_card), spacing="3",
                              width="100%"),
                    empty_state("list-tree", "No modules yet",
                                "Add a module, then put lessons from your library in it.")),
            on_mouse_up=B.drop, on_mouse_leave=B.cancel_drag, width="100%",
            custom_attrs={"data-testid": "outline"},
        ),
        rx.hstack(
            rx.input(value=B.new_module, on_change=B.set_new_module, placeholder="New module title",
                     aria_label="New module title", max_length=200, flex="1"),
            rx.button(rx.icon("plus", size=14), "Add module", on_click=B.add_module,
                      disabled=B.new_module.strip() == ""),
            width="100%",
        ),
        _picker(),
        spacing="3", width="100%",
    )


def _student_row(s: StudentProgress) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(s.name, weight="medium"),
                                rx.text("@", s.username, size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.badge(s.status_label, color_scheme=rx.match(
            s.status, ("completed", "green"), ("in_progress", "indigo"), "gray"))),
        rx.table.cell(rx.hstack(rx.progress(value=s.percent, width="6rem"),
                                rx.text(s.percent, "%", size="1"), align="center")),
        rx.table.cell(s.completed_count, " / ", s.required_count),
        rx.table.cell(s.watch_minutes, " min"),
        rx.table.cell(rx.cond(s.last_activity != "", s.last_activity, "—")),
        custom_attrs={"data-testid": "student-progress"},
    )


def _students() -> rx.Component:
    return rx.cond(
        B.students.length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(
                rx.table.column_header_cell("Student"), rx.table.column_header_cell("Status"),
                rx.table.column_header_cell("Progress"),
                rx.table.column_header_cell("Required done"),
                rx.table.column_header_cell("Watched"),
                rx.table.column_header_cell("Last activity"))),
            rx.table.body(rx.foreach(B.students, _student_row)),
            width="100%", variant="surface",
        ),
        empty_state("users", "No students yet",
                    "Students who join your school see this course once it is published."),
    )


def _builder() -> rx.Component:
    return rx.vstack(
        rx.link(rx.hstack(rx.icon("arrow-left", size=14), rx.text("Courses", size="2"),
                          align="center", spacing="1"),
                href=routes.STUDIO_COURSES, color_scheme="gray"),
        _details(),
        _publish_bar(),
        rx.tabs.root(
            rx.tabs.list(rx.tabs.trigger("Outline", value="outline"),
                         rx.tabs.trigger("Students", value="students")),
            rx.tabs.content(_outline(), value="outline", padding_top="1rem"),
            rx.tabs.content(_students(), value="students", padding_top="1rem"),
            value=B.tab, on_change=B.set_tab, width="100%",
        ),
        rx.hstack(
            rx.cond(B.draft.published,
                    link_button("View as a student", "/courses/" + B.draft.id, variant="soft")),
            rx.spacer(),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button("Delete course", color_scheme="red",
                                                  variant="soft")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title("Delete this course?"),
                    rx.alert_dialog.description("Its modules and lessons go with it; the "
                                                "videos stay in your library."),
                    rx.hstack(rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                              rx.alert_dialog.action(rx.button("Delete", color_scheme="red",
                                                               on_click=B.delete_course)),
                              justify="end", spacing="2", margin_top="1rem"),
                ),
            ),
            width="100%",
        ),
        spacing="4", width="100%",
    )


@rx.page(route=routes.STUDIO_COURSE, title="Course builder · Chronos",
         on_load=[AuthState.require_creator, B.load])
def course_builder_page() -> rx.Component:
    return page_shell(rx.cond(
        ~B.loaded, loading_block(),
        rx.cond(B.not_found,
                empty_state("layers", "This course does not exist",
                            "It may have been deleted, or belong to another school.",
                            link_button("Your courses", routes.STUDIO_COURSES)),
                _builder())))

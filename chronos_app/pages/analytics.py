"""The creator's analytics (/studio/analytics) and usage (/studio/usage): charts of real events."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import card, empty_state, loading_block, page_shell
from chronos_app.schemas.analytics import DropoffRow, Metric, QuestionRow, UsageItem, VideoStatsRow
from chronos_app.state.analytics import WEEKDAYS
from chronos_app.state.analytics import AnalyticsState as A
from chronos_app.state.analytics import UsageState as U
from chronos_app.state.auth import AuthState

CHART_H = 240


def _metric(m: Metric) -> rx.Component:
    up = m.change_pct >= 0
    return card(rx.vstack(
        rx.text(m.label, size="1", color_scheme="gray"),
        rx.heading(m.value, size="6"),
        rx.cond(m.change_pct.is_not_none(),
                rx.text(rx.cond(up, "▲ ", "▼ "), m.change_pct, " % vs previous", size="1",
                        color=rx.cond(up, rx.color("green", 11), rx.color("red", 11))),
                rx.text("no earlier data", size="1", color_scheme="gray")),
        spacing="1",
    ), custom_attrs={"data-testid": "metric-" + m.key})


def _chart_card(title: str, chart: rx.Component, empty: rx.Var, *actions) -> rx.Component:
    return card(rx.vstack(
        rx.hstack(rx.heading(title, size="3"), rx.spacer(), *actions, width="100%",
                  align="center"),
        rx.cond(empty, rx.center(rx.text("No data for this period yet.", size="2",
                                         color_scheme="gray"), height=f"{CHART_H}px",
                                 width="100%"),
                chart),
        spacing="2", width="100%",
    ))


def _views_chart() -> rx.Component:
    return rx.recharts.line_chart(
        rx.recharts.line(data_key="views", name="Views", stroke=rx.color("indigo", 9),
                         dot=False, stroke_width=2),
        rx.recharts.line(data_key="unique_viewers", name="Unique viewers",
                         stroke=rx.color("teal", 9), dot=False, stroke_width=2),
        rx.recharts.line(data_key="previous_views", name="Views, previous period",
                         stroke=rx.color("gray", 8), dot=False, stroke_dasharray="4 4"),
        rx.recharts.x_axis(data_key="date"), rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"), rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=A.series_chart, height=CHART_H, width="100%",
    )


def _watch_chart() -> rx.Component:
    return rx.recharts.area_chart(
        rx.recharts.area(data_key="watch_minutes", name="Watch minutes",
                         stroke=rx.color("indigo", 9), fill=rx.color("indigo", 4)),
        rx.recharts.area(data_key="active_students", name="Active students",
                         stroke=rx.color("amber", 9), fill=rx.color("amber", 3)),
        rx.recharts.x_axis(data_key="date"), rx.recharts.y_axis(),
        rx.recharts.cartesian_grid(stroke_dasharray="3 3"), rx.recharts.graphing_tooltip(),
        rx.recharts.legend(),
        data=A.series_chart, height=CHART_H, width="100%",
    )


def _ai_chart() -> rx.Component:
    return rx.recharts.bar_chart(
        rx.recharts.bar(data_key="ai_questions", name="AI questions",
                        fill=rx.color("violet", 9)),
        rx.recharts.bar(data_key="previous_ai_questions", name="Previous period",
                        fill=rx.color("gray", 6)),
        rx.recharts.x_axis(data_key="date"), rx.recharts.y_axis(allow_decimals=False),
        rx.recharts.graphing_tooltip(), rx.recharts.legend(),
        data=A.series_chart, height=CHART_H, width="100%",
    )


def _retention() -> rx.Component:
    return card(rx.vstack(
        rx.hstack(
            rx.heading("Audience retention", size="3"),
            rx.spacer(),
            rx.cond(A.video_options.length() > 0,
                    rx.select.root(
                        rx.select.trigger(aria_label="Video"),
                        rx.select.content(rx.foreach(A.video_options, lambda o: rx.select.item(
                            o[1], value=o[0]))),
                        value=A.retention_video, on_change=A.set_retention_video, size="1")),
            width="100%", align="center",
        ),
        rx.text("Share of viewers still watching at each point of the video; chapter starts "
                "are marked.", size="1", color_scheme="gray"),
        rx.cond(
            A.retention.sessions > 0,
            rx.recharts.line_chart(
                rx.recharts.line(data_key="share", name="% of viewers",
                                 stroke=rx.color("indigo", 9), dot=False, stroke_width=2),
                rx.foreach(A.retention.chapters, lambda ch: rx.recharts.reference_line(
                    x=ch.start_pct.to(int), stroke=rx.color("gray", 8),
                    stroke_dasharray="3 3", label=ch.title)),
                rx.recharts.x_axis(data_key="at", type_="number", domain=[0, 100], unit="%"),
                rx.recharts.y_axis(domain=[0, 100], unit="%"),
                rx.recharts.graphing_tooltip(),
                data=A.retention_chart, height=CHART_H, width="100%",
            ),
            rx.center(rx.text("No one has watched this video yet.", size="2",
                              color_scheme="gray"), height=f"{CHART_H}px", width="100%"),
        ),
        rx.cond(A.retention.sessions > 0,
                rx.text(A.retention.sessions, " viewing sessions", size="1",
                        color_scheme="gray")),
        spacing="2", width="100%",
    ), custom_attrs={"data-testid": "retention"})


def _heat_cell(value, max_value) -> rx.Component:  # noqa: ANN001
    return rx.box(
        width="100%", height="1.1rem", border_radius="3px",
        background=rx.cond(value > 0, rx.color("indigo", 9), rx.color("gray", 3)),
        opacity=rx.cond(value > 0, 0.25 + 0.75 * value / rx.cond(max_value > 0, max_value, 1),
                        1),
        title=value.to_string() + " sessions",
    )


def _heatmap() -> rx.Component:
    return card(rx.vstack(
        rx.heading("When students watch", size="3"),
        rx.text("Sessions started, by weekday and hour (UTC).", size="1", color_scheme="gray"),
        rx.cond(A.heat_max > 0,
                rx.vstack(
                    rx.foreach(A.heat_rows, lambda row, i: rx.hstack(
                        rx.text(rx.Var.create(WEEKDAYS)[i], size="1", width="2.25rem"),
                        rx.grid(rx.foreach(row, lambda v: _heat_cell(v, A.heat_max)),
                                columns="24", spacing="1", width="100%"),
                        width="100%", align="center")),
                    rx.hstack(rx.text("0h", size="1"), rx.spacer(), rx.text("12h", size="1"),
                              rx.spacer(), rx.text("23h", size="1"), width="100%",
                              padding_left="2.5rem", color=rx.color("gray", 10)),
                    spacing="1", width="100%"),
                rx.text("No sessions in this period yet.", size="2", color_scheme="gray")),
        spacing="2", width="100%",
    ), custom_attrs={"data-testid": "heatmap"})


def _sort_header(label: str, column: str) -> rx.Component:
    return rx.table.column_header_cell(
        rx.el.button(label, rx.cond(A.sort == column, rx.cond(A.desc, " ▼", " ▲"), ""),
                     on_click=A.sort_by(column),
                     style={"border": "none", "background": "none", "cursor": "pointer",
                            "font": "inherit", "fontWeight": "bold", "padding": "0",
                            "color": "inherit"}))


def _video_row(r: VideoStatsRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(r.title, href="/watch/" + r.video_id)),
        rx.table.cell(r.views), rx.table.cell(r.unique_viewers), rx.table.cell(r.watch_minutes),
        rx.table.cell(r.avg_completion_pct, " %"), rx.table.cell(r.likes),
        rx.table.cell(r.comments), rx.table.cell(r.ai_interactions),
        custom_attrs={"data-testid": "video-stats-row"},
    )


def _top_videos() -> rx.Component:
    t = A.table
    return card(rx.vstack(
        rx.hstack(rx.heading("Videos", size="3"), rx.spacer(),
                  rx.button(rx.icon("download", size=14), "CSV", size="1", variant="soft",
                            on_click=A.export_videos,
                            custom_attrs={"data-testid": "export-videos"}),
                  width="100%", align="center"),
        rx.cond(t.rows.length() > 0,
                rx.box(rx.table.root(
                    rx.table.header(rx.table.row(
                        _sort_header("Video", "title"), _sort_header("Views", "views"),
                        _sort_header("Unique", "unique_viewers"),
                        _sort_header("Watch min", "watch_minutes"),
                        _sort_header("Completion", "avg_completion_pct"),
                        _sort_header("Likes", "likes"), _sort_header("Comments", "comments"),
                        _sort_header("AI", "ai_interactions"))),
                    rx.table.body(rx.foreach(t.rows, _video_row)),
                    width="100%", size="1"), overflow_x="auto", width="100%"),
                rx.text("No videos yet.", size="2", color_scheme="gray")),
        rx.cond(t.pages > 1,
                rx.hstack(rx.button("Previous", size="1", variant="soft", disabled=t.page <= 1,
                                    on_click=A.go_page(t.page - 1)),
                          rx.text("Page ", t.page, " of ", t.pages, size="1"),
                          rx.button("Next", size="1", variant="soft",
                                    disabled=t.page >= t.pages,
                                    on_click=A.go_page(t.page + 1)),
                          align="center", spacing="3")),
        spacing="2", width="100%",
    ))


def _question_row(q: QuestionRow) -> rx.Component:
    return rx.table.row(rx.table.cell(q.question), rx.table.cell(q.count),
                        rx.table.cell(q.last_asked.split("T")[0]),
                        custom_attrs={"data-testid": "question-row"})


def _questions() -> rx.Component:
    return card(rx.vstack(
        rx.hstack(rx.heading("Most asked questions", size="3"), rx.spacer(),
                  rx.button(rx.icon("download", size=14), "CSV", size="1", variant="soft",
                            on_click=A.export_questions), width="100%", align="center"),
        rx.cond(A.questions.length() > 0,
                rx.table.root(rx.table.header(rx.table.row(
                    rx.table.column_header_cell("Question"),
                    rx.table.column_header_cell("Asked"),
                    rx.table.column_header_cell("Last"))),
                    rx.table.body(rx.foreach(A.questions, _question_row)), width="100%",
                    size="1"),
                rx.text("No questions to the tutor in this period.", size="2",
                        color_scheme="gray")),
        spacing="2", width="100%",
    ))


def _dropoff_row(r: DropoffRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(r.position), rx.table.cell(r.title), rx.table.cell(r.started),
        rx.table.cell(r.completed),
        rx.table.cell(rx.hstack(rx.progress(value=r.stopped_pct.to(int), width="4rem",
                                            color_scheme="red"),
                                rx.text(r.stopped, " (", r.stopped_pct, " %)", size="1"),
                                align="center")),
    )


def _dropoff() -> rx.Component:
    return card(rx.vstack(
        rx.hstack(
            rx.heading("Where students stop", size="3"), rx.spacer(),
            rx.cond(A.course_options.length() > 0,
                    rx.select.root(
                        rx.select.trigger(aria_label="Course"),
                        rx.select.content(rx.foreach(A.course_options, lambda o: rx.select.item(
                            o[1], value=o[0]))),
                        value=A.dropoff_course, on_change=A.set_dropoff_course, size="1")),
            rx.button(rx.icon("download", size=14), "CSV", size="1", variant="soft",
                      on_click=A.export_dropoff),
            width="100%", align="center"),
        rx.cond(A.dropoff.length() > 0,
                rx.table.root(rx.table.header(rx.table.row(
                    rx.table.column_header_cell("#"), rx.table.column_header_cell("Lesson"),
                    rx.table.column_header_cell("Started"),
                    rx.table.column_header_cell("Completed"),
                    rx.table.column_header_cell("Stopped here"))),
                    rx.table.body(rx.foreach(A.dropoff, _dropoff_row)), width="100%",
                    size="1"),
                rx.text("No course with lessons yet.", size="2", color_scheme="gray")),
        spacing="2", width="100%",
    ))


def _range() -> rx.Component:
    return rx.flex(
        rx.segmented_control.root(
            rx.segmented_control.item("7 days", value="7"),
            rx.segmented_control.item("28 days", value="28"),
            rx.segmented_control.item("90 days", value="90"),
            value=A.preset, on_change=A.set_preset,
        ),
        rx.input(type="date", value=A.start, on_change=A.set_start, aria_label="From",
                 width="10rem"),
        rx.text("to", size="2"),
        rx.input(type="date", value=A.end, on_change=A.set_end, aria_label="To", width="10rem"),
        gap="0.75rem", align="center", wrap="wrap",
    )


@rx.page(route=routes.STUDIO_ANALYTICS, title="Analytics · Chronos",
         on_load=[AuthState.require_creator, A.load])
def analytics_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.hstack(rx.heading("Analytics", size="7"), rx.spacer(), _range(), width="100%",
                  align="center", wrap="wrap"),
        rx.text("Compared with the previous ", A.overview.days, " days (", A.overview.previous_start,
                " – ", A.overview.previous_end, ").", size="2", color_scheme="gray"),
        rx.cond(A.error != "", rx.callout(A.error, icon="triangle-alert", color_scheme="red")),
        rx.cond(
            ~A.loaded, loading_block(),
            rx.vstack(
                rx.grid(rx.foreach(A.metrics, _metric),
                        columns=rx.breakpoints(initial="2", sm="3", lg="5"), spacing="3",
                        width="100%"),
                rx.grid(
                    _chart_card("Views", _views_chart(), A.series.length() == 0,
                                rx.button(rx.icon("download", size=14), "CSV", size="1",
                                          variant="soft", on_click=A.export_series)),
                    _chart_card("Watch time and active students", _watch_chart(),
                                A.series.length() == 0),
                    columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
                rx.grid(_retention(),
                        _chart_card("AI questions", _ai_chart(), A.series.length() == 0),
                        columns=rx.breakpoints(initial="1", md="2"), spacing="4",
                        width="100%"),
                _top_videos(),
                rx.grid(_heatmap(), _questions(), columns=rx.breakpoints(initial="1", md="2"),
                        spacing="4", width="100%"),
                _dropoff(),
                spacing="4", width="100%",
            ),
        ),
        spacing="4", width="100%",
    ))


def _usage_item(item: UsageItem, i) -> rx.Component:  # noqa: ANN001
    color = rx.match(item.warning, ("warning", "amber"), ("critical", "red"), ("over", "red"),
                     "indigo")
    return card(rx.vstack(
        rx.hstack(rx.text(item.label, weight="bold"), rx.spacer(),
                  rx.cond(item.warning != "",
                          rx.badge(rx.match(item.warning, ("warning", "75 % used"),
                                            ("critical", "90 % used"), ("over", "Over the limit"),
                                            ""), color_scheme=color)),
                  width="100%", align="center"),
        rx.progress(value=rx.cond(item.percent > 100, 100, item.percent).to(int),
                    color_scheme=color, width="100%"),
        rx.text(U.labels[i], size="1", color_scheme="gray"),
        spacing="2", width="100%",
    ), custom_attrs={"data-testid": "usage-" + item.key, "data-warning": item.warning})


@rx.page(route=routes.STUDIO_USAGE, title="Usage · Chronos",
         on_load=[AuthState.require_creator, U.load])
def usage_page() -> rx.Component:
    u = U.usage
    return page_shell(rx.vstack(
        rx.heading("Usage", size="7"),
        rx.text(u.plan_label, " plan · this month started ", u.month_start, " and renews on ",
                u.renews_on, ".", color_scheme="gray", size="2"),
        rx.cond(u.warning != "",
                rx.callout("You are close to a limit of your plan. Remove unused videos or move "
                           "to a larger plan before work is refused.", icon="triangle-alert",
                           color_scheme=rx.cond(u.warning == "warning", "amber", "red"))),
        rx.cond(~U.loaded, loading_block(),
                rx.cond(U.item_list.length() > 0,
                        rx.grid(rx.foreach(U.item_list, _usage_item),
                                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                                spacing="4", width="100%"),
                        empty_state("gauge", "No usage yet", ""))),
        spacing="4", width="100%",
    ))

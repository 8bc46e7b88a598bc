"""Discover: the feed (/feed: For you, Following), tags (/tags/<tag>) and search (/search)."""

from __future__ import annotations

import reflex as rx

from chronos_app import routes
from chronos_app.components.layout import empty_state, link_button, loading_block, page_shell
from chronos_app.components.videos import poster
from chronos_app.schemas.discover import ChapterLink, CreatorHit, FeedCard, SearchHit, TagCount
from chronos_app.state.auth import AuthState
from chronos_app.state.discover import FeedState as F
from chronos_app.state.discover import SearchState as S


def _chapter_item(card: FeedCard, ch: ChapterLink) -> rx.Component:
    return rx.menu.item(
        rx.hstack(rx.text(ch.label, font_family="monospace", size="1", color_scheme="indigo"),
                  rx.text(ch.title, size="2"), spacing="2"),
        on_click=rx.redirect("/watch/" + card.id + "?t=" + ch.start.to(int).to_string()),
    )


def feed_card(c: FeedCard) -> rx.Component:
    return rx.vstack(
        rx.link(
            poster(c.poster_url, c.duration),
            href="/watch/" + c.id, width="100%",
        ),
        rx.hstack(
            rx.vstack(
                rx.link(c.title, href="/watch/" + c.id, weight="bold", size="2",
                        color=rx.color("gray", 12), underline="none"),
                rx.link(c.creator_display_name, href="/u/" + c.creator_username, size="1",
                        color_scheme="gray"),
                rx.text(c.views, " views · ", c.published, size="1", color_scheme="gray"),
                rx.hstack(
                    rx.hstack(rx.icon("thumbs-up", size=12), rx.text(c.likes), spacing="1",
                              align="center"),
                    rx.hstack(rx.icon("message-square", size=12), rx.text(c.comments),
                              spacing="1", align="center"),
                    rx.hstack(rx.icon("list", size=12), rx.text(c.chapter_count), spacing="1",
                              align="center"),
                    spacing="3", color=rx.color("gray", 10), font_size="0.75rem",
                ),
                spacing="1", flex="1", min_width="0",
            ),
            rx.cond(
                c.chapters.length() > 0,
                rx.menu.root(
                    rx.menu.trigger(rx.icon_button(rx.icon("list-video", size=14), size="1",
                                                   variant="ghost", color_scheme="gray",
                                                   aria_label="Jump to chapter",
                                                   custom_attrs={"data-testid": "jump"})),
                    rx.menu.content(
                        rx.text("Jump to chapter", size="1", weight="bold", color_scheme="gray",
                                padding="0.25rem 0.5rem"),
                        rx.foreach(c.chapters, lambda ch: _chapter_item(c, ch)),
                    ),
                ),
            ),
            width="100%", align="start",
        ),
        spacing="2", width="100%", custom_attrs={"data-testid": "feed-card"},
    )


def _cards(cards) -> rx.Component:  # noqa: ANN001
    return rx.grid(rx.foreach(cards, feed_card),
                   columns=rx.breakpoints(initial="1", sm="2", md="3", lg="4"), spacing="4",
                   width="100%")


def _more() -> rx.Component:
    # Infinite scroll: the sentinel loads the next page when it scrolls into view; the button
    # does the same for keyboards and when scrolling is not possible.
    return rx.cond(
        F.has_more,
        rx.center(
            rx.button("Load more", variant="soft", on_click=F.more, loading=F.loading,
                      custom_attrs={"data-testid": "load-more"}),
            rx.box(id="feed-sentinel", height="1px", width="1px",
                   on_mount=rx.call_script(OBSERVE_SENTINEL)),
            width="100%", padding="1rem",
        ),
    )


OBSERVE_SENTINEL = (
    "(()=>{const el=document.getElementById('feed-sentinel');"
    "if(!el||el.dataset.observed)return;el.dataset.observed='1';"
    "new IntersectionObserver((entries)=>{if(entries.some(e=>e.isIntersecting)){"
    "const b=document.querySelector('[data-testid=load-more]');"
    "if(b&&!b.disabled)b.click();}},{rootMargin:'400px'}).observe(el);})()")


def _tag_chip(t: TagCount) -> rx.Component:
    return rx.link(rx.badge("#", t.tag, " ", rx.text.span(t.count, color=rx.color("gray", 10)),
                            variant="soft", size="2"),
                   href="/tags/" + t.tag, underline="none")


def _feed_body(empty_title, empty_body) -> rx.Component:  # noqa: ANN001
    return rx.cond(
        ~F.loaded, loading_block(),
        rx.cond(F.cards.length() > 0, rx.vstack(_cards(F.cards), _more(), width="100%"),
                empty_state("rss", empty_title, empty_body,
                            link_button("Search", routes.SEARCH, variant="soft"))),
    )


@rx.page(route=routes.FEED, title="Feed · Chronos", on_load=[AuthState.check_session, F.load])
def feed_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.hstack(
            rx.heading("Feed", size="7"),
            rx.spacer(),
            rx.segmented_control.root(
                rx.segmented_control.item("For you", value="for_you"),
                rx.segmented_control.item("Following", value="following"),
                value=F.tab, on_change=F.set_tab, custom_attrs={"data-testid": "feed-tabs"},
            ),
            width="100%", align="center", wrap="wrap",
        ),
        rx.cond(F.trending.length() > 0,
                rx.flex(rx.text("Trending", size="2", weight="bold"),
                        rx.foreach(F.trending, _tag_chip), gap="0.5rem", wrap="wrap",
                        align="center")),
        _feed_body(rx.cond(F.tab == "following", "Nothing from people you follow yet",
                           "No videos yet"),
                   rx.cond(F.tab == "following",
                           "Follow creators from their profile to see their new videos here.",
                           "Published public videos appear here.")),
        spacing="4", width="100%",
    ))


@rx.page(route=routes.TAG, title="Tag · Chronos", on_load=[AuthState.check_session, F.load_tag])
def tag_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.heading("#", F.tag, size="7"),
        _feed_body("No videos with this tag", "Try another tag or search."),
        spacing="4", width="100%",
    ))


def _snippet(text) -> rx.Component:  # noqa: ANN001
    # «word» marks a match: split on the markers and bold every other piece (still text nodes).
    parts = text.split("«")
    return rx.text(
        rx.foreach(parts, lambda part, i: rx.cond(
            i == 0, rx.text.span(part),
            rx.fragment(rx.text.strong(part.split("»")[0], background=rx.color("amber", 4)),
                        rx.text.span(part.split("»")[1:].join("»"))))),
        size="2", color_scheme="gray",
    )


def _hit(h: SearchHit) -> rx.Component:
    href = rx.cond(h.at >= 0,
                   "/watch/" + h.card.id + "?ref=search&t=" + h.at.to(int).to_string(),
                   "/watch/" + h.card.id + "?ref=search")
    return rx.link(
        rx.hstack(
            rx.box(rx.cond(h.card.poster_url != "",
                           rx.image(src=h.card.poster_url, alt="", width="100%", height="100%",
                                    object_fit="cover")),
                   width="10rem", min_width="10rem", aspect_ratio="16 / 9", border_radius="6px",
                   overflow="hidden", background=rx.color("gray", 4),
                   display=["none", "block"]),
            rx.vstack(
                rx.text(h.card.title, weight="bold", color=rx.color("gray", 12)),
                rx.text(h.card.school_name, " · ", h.card.views, " views", size="1",
                        color_scheme="gray"),
                _snippet(h.snippet),
                rx.cond(h.at >= 0, rx.badge(rx.icon("play", size=11), "at ", h.at_label,
                                            variant="soft", size="1")),
                spacing="1", align="start", min_width="0",
            ),
            align="start", spacing="3", width="100%",
        ),
        href=href, underline="none", width="100%", custom_attrs={"data-testid": "search-hit"},
    )


def _creator(c: CreatorHit) -> rx.Component:
    return rx.link(rx.hstack(rx.avatar(src=c.avatar_url, fallback=c.username[:1], size="2",
                                       radius="full"),
                             rx.vstack(rx.text(c.display_name, weight="medium", size="2"),
                                       rx.text(c.school_name, " · ", c.followers, " followers",
                                               size="1", color_scheme="gray"), spacing="0"),
                             align="center"),
                   href="/u/" + c.username, underline="none", color="inherit",
                   custom_attrs={"data-testid": "creator-hit"})


@rx.page(route=routes.SEARCH, title="Search · Chronos",
         on_load=[AuthState.check_session, S.load])
def search_page() -> rx.Component:
    return page_shell(rx.vstack(
        rx.heading("Search", size="7"),
        rx.form(
            rx.hstack(
                rx.input(rx.input.slot(rx.icon("search", size=14)), name="q", value=S.query,
                         on_change=S.set_query, placeholder="Titles, tags, or words spoken "
                         "in a video — use \"quotes\" for a phrase", flex="1",
                         aria_label="Search", max_length=200,
                         custom_attrs={"data-testid": "search-input"}),
                rx.button("Search", type="submit"),
                width="100%",
            ),
            on_submit=S.submit, reset_on_submit=False, width="100%",
        ),
        rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red")),
        rx.cond(S.creators.length() > 0,
                rx.vstack(rx.text("Creators", weight="bold", size="2"),
                          rx.flex(rx.foreach(S.creators, _creator), gap="1.25rem", wrap="wrap"),
                          spacing="2", width="100%")),
        rx.cond(
            S.hits.length() > 0,
            rx.vstack(rx.foreach(S.hits, _hit), spacing="4", width="100%"),
            rx.cond(S.searched & (S.error == ""),
                    empty_state("search-x", "Nothing found",
                                "Try other words, or fewer of them."))),
        spacing="4", width="100%",
    ))

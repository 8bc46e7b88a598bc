"""The feed (Following / For you, infinite scroll by cursor), search, tags."""

from __future__ import annotations

import reflex as rx

from chronos_app.core.errors import ChronosError
from chronos_app.schemas.discover import CreatorHit, FeedCard, SearchHit, TagCount
from chronos_app.services import feed, search
from chronos_app.state.auth import current_actor
from chronos_app.state.base import backend_url, call

PAGE = 12




def _absolute(cards: list[FeedCard]) -> list[FeedCard]:
    for card in cards:
        card.poster_url = backend_url(card.poster_url)
    return cards


class FeedState(rx.State):
    tab: str = "for_you"        # "for_you" | "following" | "tag"
    tag: str = ""
    cards: list[FeedCard] = []
    cursor: str = ""
    loading: bool = False
    loaded: bool = False
    trending: list[TagCount] = []

    @rx.var
    def has_more(self) -> bool:
        return self.cursor != ""

    async def _page(self, cursor: str):  # noqa: ANN202
        actor = await current_actor(self)
        if self.tab == "tag":
            return await call(feed.tag_feed, actor=actor, tag=self.tag, cursor=cursor,
                              limit=PAGE)
        fn = feed.following_feed if self.tab == "following" else feed.for_you
        return await call(fn, actor=actor, cursor=cursor, limit=PAGE)

    async def _first(self) -> None:
        self.loaded, self.cards, self.cursor = False, [], ""
        try:
            page = await self._page("")
        except ChronosError:
            self.loaded = True
            return
        self.cards, self.cursor, self.loaded = _absolute(page.cards), page.next_cursor, True

    @rx.event
    async def load(self):
        self.tab, self.tag = "for_you", ""
        await self._first()
        try:
            self.trending = await call(search.trending_tags, actor=await current_actor(self))
        except ChronosError:
            self.trending = []

    @rx.event
    async def load_tag(self):
        self.tab, self.tag = "tag", self.router.page.params.get("tag", "")
        await self._first()

    @rx.event
    async def set_tab(self, value: str | list[str]):
        value = value[0] if isinstance(value, list) and value else value
        self.tab = value if value in ("for_you", "following") else "for_you"
        await self._first()

    @rx.event
    async def more(self):
        """The sentinel at the end of the list came into view (or the button was pressed)."""
        if not self.cursor or self.loading:
            return None
        self.loading = True
        try:
            page = await self._page(self.cursor)
        except ChronosError as err:
            self.loading = False
            return rx.toast.error(err.message)
        self.cards = [*self.cards, *_absolute(page.cards)]
        self.cursor, self.loading = page.next_cursor, False
        return None


class SearchState(rx.State):
    query: str = ""
    hits: list[SearchHit] = []
    creators: list[CreatorHit] = []
    searched: bool = False
    error: str = ""

    async def _run(self) -> None:
        actor = await current_actor(self)
        self.error = ""
        if not self.query.strip():
            self.hits, self.creators, self.searched = [], [], False
            return
        try:
            hits = await call(search.search_videos, actor=actor, query=self.query)
            self.creators = await call(search.search_creators, actor=actor, query=self.query)
        except ChronosError as err:
            self.hits, self.creators, self.error = [], [], err.message
            self.searched = True
            return
        for hit in hits:
            hit.card.poster_url = backend_url(hit.card.poster_url)
        self.hits, self.searched = hits, True

    @rx.event
    async def load(self):
        self.query = self.router.url.query_parameters.get("q", "")[:200]
        await self._run()

    @rx.event
    async def set_query(self, value: str):
        self.query = value

    @rx.event
    async def submit(self, form: dict):
        self.query = str(form.get("q", ""))[:250]
        await self._run()

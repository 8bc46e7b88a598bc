"""What the discovery pages show: feed cards, search hits, creators and tags."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ChapterLink:
    title: str = ""
    start: float = 0.0       # seconds: the UI opens /watch/<id>?t=<start>
    label: str = ""          # "1:02"


@dataclass
class FeedCard:
    id: str = ""
    title: str = ""
    poster_url: str = ""     # "/media/thumbnails/<id>" for uploads (prefix the backend URL)
    duration: str = ""       # "10:00", "" when unknown
    school_name: str = ""
    creator_username: str = ""
    creator_display_name: str = ""
    published: str = ""      # relative: "3 days ago"
    views: int = 0
    likes: int = 0
    comments: int = 0
    chapter_count: int = 0
    chapters: list[ChapterLink] = field(default_factory=list)  # the first 12, in order
    description: str = ""
    tags: list[str] = field(default_factory=list)
    required_tier: str = ""  # "premium" | "pro" for a subscriber-only video, else ""
    locked: bool = False     # the actor's tier does not reach it: the watch page shows a gate


@dataclass
class FeedPage:
    cards: list[FeedCard] = field(default_factory=list)
    next_cursor: str = ""    # "" when there is no further page


@dataclass
class SearchHit:
    card: FeedCard = field(default_factory=FeedCard)
    # Plain text with the matched words wrapped as «word»; never HTML.
    snippet: str = ""
    # When the match is in the transcript: the segment's start in seconds (-1.0 otherwise).
    at: float = -1.0
    at_label: str = ""       # "1:02" when `at` is set
    rank: float = 0.0        # >= 1.0 when the title, tags or description matched


@dataclass
class CreatorHit:
    username: str = ""
    display_name: str = ""
    school_name: str = ""
    avatar_url: str = ""
    followers: int = 0


@dataclass
class TagCount:
    tag: str = ""
    count: int = 0

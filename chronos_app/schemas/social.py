"""What the UI may know about a person, their profile and a video in a grid of cards."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PersonCard:
    """One row of a follower / following list."""

    username: str = ""
    display_name: str = ""
    avatar_url: str = ""        # "/media/avatars/<user_id>?v=<n>" (prefix the backend URL), or ""
    initials: str = ""          # 1-2 letters for an avatar without a picture
    is_verified: bool = False
    bio: str = ""
    followers: int = 0
    is_following: bool = False  # the actor follows this person
    is_creator: bool = False    # runs an active school


@dataclass
class VideoCard:
    """A video in a grid (profile tabs; the feed and search later)."""

    id: str = ""
    title: str = ""
    poster_url: str = ""        # "/media/thumbnails/<id>" for stored thumbnails, a URL, or ""
    duration: str = ""          # "12:34"
    school_name: str = ""
    creator_username: str = ""
    views: int = 0
    likes: int = 0
    comments: int = 0
    chapters: int = 0
    published: str = ""         # "Nov 22, 2026"
    required_tier: str = ""     # "premium" | "pro" for a subscriber-only video, else ""
    locked: bool = False        # the actor's tier does not reach it: the watch page shows a gate


@dataclass
class ProfileView:
    """The page at /u/<username>."""

    username: str = ""
    display_name: str = ""
    bio: str = ""
    avatar_url: str = ""        # "/media/avatars/<user_id>?v=<n>", or ""
    initials: str = ""
    is_verified: bool = False
    member_since: str = ""      # "Nov 22, 2026"
    video_count: int = 0        # public, undeleted videos (the `user_stats` view)
    followers_count: int = 0
    following_count: int = 0
    subscribers_count: int = 0  # active subscriptions to this user's school
    is_me: bool = False
    is_following: bool = False  # the actor follows them
    follows_me: bool = False    # they follow the actor
    school_name: str = ""
    school_id: str = ""         # the creator id when they run an active school

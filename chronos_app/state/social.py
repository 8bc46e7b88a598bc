"""Public profiles (/u/<username>): the person, their videos and likes, follows, editing your own
profile and avatar."""

from __future__ import annotations

import reflex as rx

from chronos_app.core.errors import ChronosError
from chronos_app.schemas.social import PersonCard, ProfileView, VideoCard
from chronos_app.services import social
from chronos_app.state.auth import current_actor
from chronos_app.state.base import backend_url, call

AVATAR_ACCEPT = {"image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"],
                 "image/webp": [".webp"], "image/gif": [".gif"]}




def _absolute(cards: list) -> list:
    for card in cards:
        card.poster_url = backend_url(card.poster_url)
    return cards


class PersonState(rx.State):
    person: ProfileView = ProfileView()
    loaded: bool = False
    not_found: bool = False
    tab: str = "videos"
    videos: list[VideoCard] = []
    liked: list[VideoCard] = []
    people: list[PersonCard] = []      # followers or following, for the open list
    people_title: str = ""
    editing: bool = False
    display_name: str = ""
    bio: str = ""
    edit_error: str = ""
    avatar_error: str = ""

    @rx.var
    def avatar_src(self) -> str:
        return backend_url(self.person.avatar_url)

    async def _reload(self) -> bool:
        actor = await current_actor(self)
        try:
            self.person = await call(social.profile, actor=actor,
                                     username=self.username)  # the route's [username]
        except ChronosError:
            self.person, self.not_found = ProfileView(), True
            return False
        return True

    @rx.event
    async def load(self):
        self.loaded, self.not_found, self.tab, self.editing = False, False, "videos", False
        self.people, self.people_title = [], ""
        if await self._reload():
            actor = await current_actor(self)
            self.videos = _absolute(await call(social.profile_videos, actor=actor,
                                               username=self.person.username))
        self.loaded = True

    @rx.event
    async def set_tab(self, value: str):
        self.tab = value
        actor = await current_actor(self)
        try:
            if value == "liked":
                self.liked = _absolute(await call(social.liked_videos, actor=actor,
                                                  username=self.person.username))
            elif value == "videos":
                self.videos = _absolute(await call(social.profile_videos, actor=actor,
                                                   username=self.person.username))
        except ChronosError as err:
            return rx.toast.error(err.message)
        return None

    @rx.event
    async def toggle_follow(self):
        actor = await current_actor(self)
        if actor is None:
            return rx.toast.info("Log in to follow people.")
        fn = social.unfollow if self.person.is_following else social.follow
        try:
            self.person = await call(fn, actor=actor, username=self.person.username)
        except ChronosError as err:
            return rx.toast.error(err.message)
        return None

    @rx.event
    async def show_people(self, which: str):
        actor = await current_actor(self)
        fn = social.followers if which == "followers" else social.following
        try:
            self.people = await call(fn, actor=actor, username=self.person.username)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.people_title = "Followers" if which == "followers" else "Following"
        return None

    @rx.event
    def close_people(self, open_: bool = False):
        if not open_:
            self.people_title = ""

    # --- editing your own profile ------------------------------------------------------------
    @rx.event
    def start_edit(self):
        self.editing = True
        self.display_name, self.bio = self.person.display_name, self.person.bio
        self.edit_error, self.avatar_error = "", ""

    @rx.event
    def stop_edit(self, open_: bool = False):
        if not open_:
            self.editing = False

    @rx.event
    def set_display_name(self, value: str):
        self.display_name = value

    @rx.event
    def set_bio(self, value: str):
        self.bio = value

    @rx.event
    async def save_profile(self):
        actor = await current_actor(self)
        try:
            self.person = await call(social.update_profile, actor=actor,
                                     display_name=self.display_name, bio=self.bio)
        except ChronosError as err:
            self.edit_error = " ".join([err.message, *err.details])
            return rx.toast.error(err.message)
        self.editing = False
        return rx.toast.success("Profile saved.")

    @rx.event
    async def upload_avatar(self, files: list[rx.UploadFile]):
        actor = await current_actor(self)
        if actor is None or not files:
            return None
        upload = files[0]
        if upload.size and upload.size > social.AVATAR_MAX_BYTES:
            self.avatar_error = (f"Avatars can be at most {social.AVATAR_MAX_BYTES // 2**20} MB; "
                                 f"this file is {upload.size / 2**20:.1f} MB.")
            return rx.toast.error(self.avatar_error)
        data = await upload.read()
        try:
            self.person = await call(social.set_avatar, actor=actor,
                                     filename=upload.name or "avatar", data=data)
        except ChronosError as err:
            self.avatar_error = err.message
            return rx.toast.error(err.message)
        self.avatar_error = ""
        return rx.toast.success("New avatar saved.")

    @rx.event
    async def remove_avatar(self):
        actor = await current_actor(self)
        try:
            self.person = await call(social.remove_avatar, actor=actor)
        except ChronosError as err:
            return rx.toast.error(err.message)
        return None

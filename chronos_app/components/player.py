"""The video player: react-player 3 for YouTube, Vimeo, Wistia, Mux/HLS and files; Loom's embed.

react-player 3 renders each source as a media element (`<video>`, `<youtube-video>`,
`<vimeo-video>`, `<wistia-video>`, `<hls-video>`, `<mux-player>` ...) that exposes
`currentTime`, `playbackRate`, `play()` and `pause()` like a `<video>`, so one small script
seeks every source: `seek_script`. The player reports its time through `on_time_update`
(about 4 Hz; callers throttle it) with our own signature reading the element directly.
"""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var
from reflex_components_react_player.react_player import ReactPlayer, ReactPlayerEvent

PLAYER_ID = "chronos-player"
MEDIA_SELECTOR = ("video, audio, youtube-video, vimeo-video, wistia-video, hls-video, "
                  "mux-player, mux-video, dash-video")


def _media_time(event: ReactPlayerEvent) -> list[Var[float]]:
    """The element's current time in seconds (0 when unknown)."""
    target = event["target"].to(dict)
    return [rx.cond(target["currentTime"], target["currentTime"], 0.0).to(float)]


def _media_rate(event: ReactPlayerEvent) -> list[Var[float]]:
    target = event["target"].to(dict)
    return [rx.cond(target["playbackRate"], target["playbackRate"], 1.0).to(float)]


class MediaPlayer(ReactPlayer):
    """ReactPlayer with the props and event signatures the watch page needs."""

    playback_rate: Var[float]
    plays_inline: Var[bool]
    preload: Var[str]
    poster: Var[str]

    on_time_update: rx.EventHandler[_media_time]
    on_seeked: rx.EventHandler[_media_time]
    on_pause: rx.EventHandler[_media_time]
    on_rate_change: rx.EventHandler[_media_rate]


def _media_js() -> str:
    return (f"const r=document.getElementById('{PLAYER_ID}');"
            f"const m=r&&r.querySelector('{MEDIA_SELECTOR}');")


def seek_script(seconds: float, play: bool = True) -> str:
    """JavaScript that moves the player to `seconds` (and plays, after a user's click)."""
    start = max(float(seconds), 0.0)
    then = "const p=m.play&&m.play();if(p&&p.catch)p.catch(()=>{});" if play else ""
    return f"(()=>{{{_media_js()}if(m){{m.currentTime={start:.3f};{then}}}}})()"


def start_script(seconds: float) -> str:
    """JavaScript that starts the player at `seconds` as soon as its media can seek.

    It runs right after the page's data arrives, before the player exists, so it waits for
    the element; a player that resets its time while settling is moved again."""
    start = max(float(seconds), 0.0)
    return ("(()=>{let n=0,set=false;const go=()=>{" + _media_js()
            + "if(m&&(m.readyState>=1||m.duration>0)){"
            + f"if(set&&Math.abs(m.currentTime-{start:.3f})<1.5)return;"
            + f"m.currentTime={start:.3f};set=true;}}"
            + "if(++n<100)setTimeout(go,150);};go();})()")


def rate_script(rate: float) -> str:
    return f"(()=>{{{_media_js()}if(m){{m.playbackRate={float(rate):.2f};}}}})()"


def player(src: Var[str], *, rate: Var[float], poster: Var[str] | str = "",
           **events: Any) -> rx.Component:
    """A 16:9 responsive player for `src`; `events` are MediaPlayer event triggers."""
    return rx.box(
        MediaPlayer.create(
            src=src, controls=True, playback_rate=rate, plays_inline=True, preload="auto",
            poster=poster, width="100%", height="100%",
            style={"position": "absolute", "inset": "0", "width": "100%", "height": "100%",
                   "background": "black"},
            **events,
        ),
        id=PLAYER_ID, position="relative", width="100%", aspect_ratio="16 / 9",
        background="black", border_radius="10px", overflow="hidden",
        custom_attrs={"data-testid": "player"},
    )


def loom_embed(embed_url: Var[str]) -> rx.Component:
    return rx.box(
        rx.el.iframe(src=embed_url, title="Loom video", allow="fullscreen; picture-in-picture",
                     allow_full_screen=True,
                     style={"position": "absolute", "inset": "0", "width": "100%",
                            "height": "100%", "border": "0"}),
        id=PLAYER_ID, position="relative", width="100%", aspect_ratio="16 / 9",
        background="black", border_radius="10px", overflow="hidden",
        custom_attrs={"data-testid": "loom-embed"},
    )

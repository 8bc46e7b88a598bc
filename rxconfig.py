import os

import reflex as rx

config = rx.Config(
    app_name="chronos_app",
    telemetry_enabled=False,
    # Several backend workers share state through Redis when it is configured.
    redis_url=os.environ.get("REFLEX_REDIS_URL") or None,
    show_built_with_reflex=False,
    disable_plugins=[rx.plugins.SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium",
                           appearance="light"),
        ),
    ],
)

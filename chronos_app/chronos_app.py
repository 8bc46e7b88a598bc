"""The Reflex app: pages are registered by importing their modules."""

from __future__ import annotations

import reflex as rx

from chronos_app import styles
from chronos_app.pages import auth_pages, home, profile, schools, studio  # noqa: F401

app = rx.App(style=styles.base_style)

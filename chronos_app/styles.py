"""Design tokens shared by every page."""

ACCENT = "indigo"
MAX_WIDTH = "72rem"
CARD_PADDING = "1.25rem"
PAGE_PADDING_X = ["1rem", "1rem", "2rem"]

base_style = {
    "font_family": "Inter, system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
}

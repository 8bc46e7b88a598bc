"""The plans dialog of a school (tiers, a simulated checkout, cancel and resume) and the gate a
subscriber-only video or course shows instead of its content."""

from __future__ import annotations

import reflex as rx

from chronos_app.schemas.subscriptions import TierOption
from chronos_app.state.subscriptions import SubscribeState as S

ACTION_LABELS = (("join", "Join for free"), ("subscribe", "Subscribe"), ("upgrade", "Upgrade"),
                 ("downgrade", "Switch"), "Choose")


def _tier(t: TierOption) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading(t.label, size="4"), rx.spacer(),
                      rx.cond(t.is_current, rx.badge("Your plan", color_scheme="green")),
                      width="100%", align="center"),
            rx.hstack(rx.text(t.price_label, size="5", weight="bold"),
                      rx.text(t.period_label, size="1", color_scheme="gray"), align="baseline",
                      spacing="1"),
            rx.text(t.unlocks, size="2", color_scheme="gray"),
            rx.cond(S.offer.is_owner & (t.tier != "basic"),
                    rx.text(t.subscribers, " active subscribers", size="1", color_scheme="gray")),
            rx.cond(t.action != "",
                    rx.button(rx.match(t.action, *ACTION_LABELS), width="100%",
                              on_click=S.choose(t.tier),
                              variant=rx.cond(t.action == "downgrade", "soft", "solid"),
                              custom_attrs={"data-testid": "choose-" + t.tier})),
            spacing="2", width="100%",
        ),
        width="100%", opacity=rx.cond(t.enabled, "1", "0.5"),
        custom_attrs={"data-testid": "tier-" + t.tier},
    )


def _plans() -> rx.Component:
    o = S.offer
    return rx.vstack(
        rx.text(o.status, size="2", custom_attrs={"data-testid": "plan-status"}),
        rx.grid(rx.foreach(o.tiers, lambda t: rx.cond(t.enabled | t.is_current, _tier(t))),
                columns=rx.breakpoints(initial="1", sm="3"), spacing="3", width="100%"),
        rx.cond(
            (o.current_tier == "premium") | (o.current_tier == "pro"),
            rx.cond(o.cancel_at_period_end,
                    rx.hstack(rx.text("Your plan ends on ", o.expires_at, ".", size="2"),
                              rx.button("Keep it", size="1", variant="soft", on_click=S.resume),
                              align="center", spacing="3"),
                    rx.button("Cancel subscription", size="1", variant="ghost",
                              color_scheme="red", on_click=S.start_cancel,
                              custom_attrs={"data-testid": "cancel-subscription"}))),
        spacing="3", width="100%",
    )


def _checkout() -> rx.Component:
    c = S.checkout
    return rx.vstack(
        rx.heading(c.tier_label, " · ", c.school_name, size="4"),
        rx.hstack(rx.text(c.price_label, size="6", weight="bold"),
                  rx.text(c.period_label, size="2", color_scheme="gray"), align="baseline"),
        rx.text(c.summary, size="2"),
        rx.cond(c.unlocks.label != "",
                rx.callout(rx.vstack(rx.text("Opens ", c.unlocks.label, weight="bold"),
                                     rx.foreach(c.unlocks.titles, lambda t: rx.text("• ", t)),
                                     spacing="1"),
                           icon="lock-open", color_scheme="green", width="100%")),
        rx.cond(c.locks.label != "",
                rx.callout(rx.vstack(rx.text("You will lose ", c.locks.label, weight="bold"),
                                     rx.foreach(c.locks.titles, lambda t: rx.text("• ", t)),
                                     spacing="1"),
                           icon="lock", color_scheme="amber", width="100%")),
        rx.cond(c.price_cents > 0,
                rx.text("This is a simulated checkout: no payment is taken. The plan renews "
                        "every ", c.period_days, " days until you cancel.", size="1",
                        color_scheme="gray")),
        rx.hstack(rx.button("Back", variant="soft", color_scheme="gray", on_click=S.back),
                  rx.button(rx.cond(c.price_cents > 0, "Confirm and pay " + c.price_label,
                                    "Confirm"),
                            on_click=S.confirm, loading=S.busy,
                            custom_attrs={"data-testid": "confirm-checkout"}),
                  justify="end", width="100%", spacing="2"),
        spacing="3", width="100%",
    )


def _cancel() -> rx.Component:
    c = S.cancel_view
    return rx.vstack(
        rx.heading("Cancel ", c.tier_label, "?", size="4"),
        rx.text(c.summary, size="2", custom_attrs={"data-testid": "cancel-warning"}),
        rx.cond(c.lost.label != "",
                rx.callout(rx.vstack(rx.text("On ", c.effective, " you lose ", c.lost.label,
                                             weight="bold"),
                                     rx.foreach(c.lost.titles, lambda t: rx.text("• ", t)),
                                     spacing="1"),
                           icon="lock", color_scheme="amber", width="100%")),
        rx.hstack(rx.button("Keep my plan", variant="soft", on_click=S.back),
                  rx.button("Cancel at period end", color_scheme="red",
                            on_click=S.confirm_cancel,
                            custom_attrs={"data-testid": "confirm-cancel"}),
                  justify="end", width="100%", spacing="2"),
        spacing="3", width="100%",
    )


def plans_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Plans of ", S.offer.school_name),
            rx.match(S.step, ("checkout", _checkout()), ("cancel", _cancel()), _plans()),
            rx.hstack(rx.dialog.close(rx.button("Close", variant="ghost", color_scheme="gray")),
                      justify="end", margin_top="0.75rem"),
            max_width="48rem",
        ),
        open=S.step != "", on_open_change=S.close,
    )


def gate(*, title, school, tier_label, creator_id, what: str = "video") -> rx.Component:  # noqa: ANN001
    return rx.center(
        rx.vstack(
            rx.icon("lock", size=32, color=rx.color("indigo", 9)),
            rx.heading(title, size="5", text_align="center"),
            rx.text(f"This {what} is for ", rx.text.strong(tier_label), " subscribers of ",
                    school, ".", text_align="center", color_scheme="gray"),
            rx.button("See plans", size="3", on_click=S.open_plans(creator_id),
                      custom_attrs={"data-testid": "see-plans"}),
            align="center", spacing="3", max_width="28rem",
        ),
        width="100%", padding="3rem 1rem", border_radius="12px",
        background=rx.color("indigo", 2), border=f"1px solid {rx.color('indigo', 5)}",
        custom_attrs={"data-testid": "gate"},
    )

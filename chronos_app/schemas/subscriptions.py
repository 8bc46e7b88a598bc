"""What the UI may know about a school's subscription tiers, a checkout and a cancellation.

Tiers are "basic" (the free membership), "premium" and "pro", in that order. Dates are labels
like "Dec 22, 2026"; the matching `*_iso` fields carry the exact moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GatedContent:
    """Subscriber-only content of a school: what a tier opens, or what a cancellation locks."""

    video_count: int = 0
    course_count: int = 0
    titles: list[str] = field(default_factory=list)  # up to 10: courses first, then videos
    more: int = 0               # titles not listed
    label: str = ""             # "3 videos and 1 course", or "" when there is none


@dataclass
class TierOption:
    tier: str = ""              # "basic" | "premium" | "pro"
    label: str = ""             # "Basic", "Premium", "Pro"
    enabled: bool = False       # the creator offers it (basic always)
    price_cents: int = 0        # per period; 0 for basic
    price_label: str = ""       # "Free", "$9.99"
    period_label: str = ""      # "every 30 days" for paid tiers, "" for basic
    video_count: int = 0        # subscriber-only videos this tier opens (its own and lower tiers')
    course_count: int = 0       # subscriber-only courses this tier opens
    unlocks: str = ""           # "All members' lessons", "Everything in Basic + 3 videos and 1 course"
    is_current: bool = False    # the actor's tier now
    included: bool = False      # the actor's tier reaches it (the owner: every tier)
    action: str = ""            # what its button does for the actor: "join", "subscribe",
    #                             "upgrade", "downgrade", or "" (current, owner, not offered)
    subscribers: int = 0        # active subscribers on this tier (only shown to the owner)


@dataclass
class SchoolOffer:
    creator_id: str = ""
    school_name: str = ""
    owner_username: str = ""
    is_owner: bool = False
    is_member: bool = False
    current_tier: str = ""      # "" (not a member) | "basic" | "premium" | "pro", effective now
    current_label: str = ""     # "Not a member", "Basic", ...
    price_cents: int = 0        # what the actor's subscription costs per period
    price_label: str = ""
    started: str = ""           # start of the current period ("" for basic / none)
    expires_at: str = ""        # end of the current paid period, "" for basic / none
    expires_at_iso: str = ""
    cancel_at_period_end: bool = False  # the paid tier ends at `expires_at` (then basic)
    status: str = ""            # "Premium · renews on Dec 22, 2026", "Basic membership", ...
    period_days: int = 30
    tiers: list[TierOption] = field(default_factory=list)  # basic, premium, pro


@dataclass
class CheckoutView:
    """A simulated checkout: the summary before confirming, and the result after."""

    creator_id: str = ""
    school_name: str = ""
    tier: str = ""
    tier_label: str = ""
    action: str = ""            # "join" | "subscribe" | "upgrade" | "downgrade"
    current_tier: str = ""      # before the checkout ("" not a member)
    current_label: str = ""
    price_cents: int = 0
    price_label: str = ""       # "Free", "$9.99"
    period_days: int = 30
    period_label: str = ""      # "every 30 days", "" for basic
    renews: bool = False        # paid tiers renew automatically until cancelled
    expires_at: str = ""        # end of the first period ("" for basic)
    expires_at_iso: str = ""
    unlocks: GatedContent = field(default_factory=GatedContent)  # newly opened content
    locks: GatedContent = field(default_factory=GatedContent)    # lost by a downgrade
    summary: str = ""           # one sentence for above the confirm button
    confirmed: bool = False     # True once the subscription is in place
    message: str = ""           # after confirming: "You're now Premium in X until ..."


@dataclass
class CancelView:
    """What cancelling a paid tier means (and, once confirmed, that it is cancelled)."""

    creator_id: str = ""
    school_name: str = ""
    tier: str = ""              # the paid tier being cancelled
    tier_label: str = ""
    falls_back_to: str = "basic"  # the free membership stays
    effective: str = ""         # when access is lost: "Dec 22, 2026"
    effective_iso: str = ""
    lost: GatedContent = field(default_factory=GatedContent)
    summary: str = ""           # the warning to show before confirming
    confirmed: bool = False
    message: str = ""

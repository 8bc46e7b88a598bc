"""Plans of a school: the subscribe dialog (tiers, simulated checkout, cancel with its warning,
resume), and the creator's tier settings."""

from __future__ import annotations

import reflex as rx

from chronos_app.core.errors import ChronosError
from chronos_app.schemas.subscriptions import CancelView, CheckoutView, SchoolOffer
from chronos_app.services import subscriptions as subs
from chronos_app.state.auth import AuthState, current_actor
from chronos_app.state.base import call


def _cents(text: str) -> int | None:
    try:
        value = round(float((text or "0").replace(",", ".").strip()) * 100)
    except ValueError:
        return None
    return value


class SubscribeState(rx.State):
    offer: SchoolOffer = SchoolOffer()
    step: str = ""                 # "" closed | "plans" | "checkout" | "cancel"
    checkout: CheckoutView = CheckoutView()
    cancel_view: CancelView = CancelView()
    busy: bool = False

    async def _load(self, creator_id: str) -> bool:
        actor = await current_actor(self)
        try:
            self.offer = await call(subs.offer, actor=actor, creator_id=creator_id)
        except ChronosError:
            return False
        return True

    @rx.event
    async def open_plans(self, creator_id: str):
        if not await self._load(creator_id):
            return rx.toast.error("That school does not exist.")
        self.step = "plans"
        return None

    @rx.event
    def close(self, open_: bool = False):
        if not open_:
            self.step = ""

    @rx.event
    def back(self):
        self.step = "plans"

    @rx.event
    async def choose(self, tier: str):
        actor = await current_actor(self)
        if actor is None:
            return rx.toast.info("Log in to subscribe.")
        try:
            self.checkout = await call(subs.checkout, actor=actor,
                                       creator_id=self.offer.creator_id, tier=tier,
                                       confirm=False)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.step = "checkout"
        return None

    @rx.event
    async def confirm(self):
        actor = await current_actor(self)
        self.busy = True
        try:
            done = await call(subs.checkout, actor=actor, creator_id=self.offer.creator_id,
                              tier=self.checkout.tier, confirm=True)
        except ChronosError as err:
            return rx.toast.error(err.message)
        finally:
            self.busy = False
        self.step = ""
        auth = await self.get_state(AuthState)
        await auth.refresh_actor()  # the membership is in the acting user now
        # The page behind the dialog (a gate, a catalogue) shows what is open now.
        return [rx.toast.success(done.message), rx.call_script("window.location.reload()")]

    @rx.event
    async def start_cancel(self):
        actor = await current_actor(self)
        try:
            self.cancel_view = await call(subs.cancel, actor=actor,
                                          creator_id=self.offer.creator_id, confirm=False)
        except ChronosError as err:
            return rx.toast.error(err.message)
        self.step = "cancel"
        return None

    @rx.event
    async def confirm_cancel(self):
        actor = await current_actor(self)
        try:
            done = await call(subs.cancel, actor=actor, creator_id=self.offer.creator_id,
                              confirm=True)
        except ChronosError as err:
            return rx.toast.error(err.message)
        await self._load(self.offer.creator_id)
        self.step = "plans"
        return rx.toast.success(done.message)

    @rx.event
    async def resume(self):
        actor = await current_actor(self)
        try:
            self.offer = await call(subs.resume, actor=actor, creator_id=self.offer.creator_id)
        except ChronosError as err:
            return rx.toast.error(err.message)
        return rx.toast.success("Your subscription will renew again.")


class TierSettingsState(rx.State):
    """The creator's offer: which paid tiers exist and their price per 30 days."""

    offer: SchoolOffer = SchoolOffer()
    premium_enabled: bool = False
    premium_price: str = ""
    pro_enabled: bool = False
    pro_price: str = ""
    error: str = ""

    @rx.event
    async def load(self):
        actor = await current_actor(self)
        if actor is None or not actor.is_creator:
            return
        try:
            self.offer = await call(subs.offer, actor=actor, creator_id=str(actor.creator_id))
        except ChronosError:
            return
        by_tier = {t.tier: t for t in self.offer.tiers}
        premium, pro = by_tier.get("premium"), by_tier.get("pro")
        self.premium_enabled = bool(premium and premium.enabled)
        self.premium_price = f"{premium.price_cents / 100:.2f}" if premium and premium.price_cents else ""
        self.pro_enabled = bool(pro and pro.enabled)
        self.pro_price = f"{pro.price_cents / 100:.2f}" if pro and pro.price_cents else ""
        self.error = ""

    @rx.event
    def set_premium_enabled(self, value: bool):
        self.premium_enabled = value

    @rx.event
    def set_premium_price(self, value: str):
        self.premium_price = value

    @rx.event
    def set_pro_enabled(self, value: bool):
        self.pro_enabled = value

    @rx.event
    def set_pro_price(self, value: str):
        self.pro_price = value

    @rx.event
    async def save(self):
        premium, pro = _cents(self.premium_price), _cents(self.pro_price)
        if premium is None or pro is None:
            self.error = "Prices are amounts like 9.99."
            return rx.toast.error(self.error)
        actor = await current_actor(self)
        try:
            self.offer = await call(subs.set_offer, actor=actor,
                                    premium_enabled=self.premium_enabled,
                                    premium_price_cents=premium, pro_enabled=self.pro_enabled,
                                    pro_price_cents=pro)
        except ChronosError as err:
            self.error = " ".join([err.message, *err.details])
            return rx.toast.error(err.message)
        self.error = ""
        return rx.toast.success("Plans saved.")

"""Verification and orders: ``validate_verify_form``, status, cancel, change of address, slot reset.

Every action that shows or changes an order calls ``order_and_customer`` first: nothing happens unless the
conversation is verified (``verified`` true and ``customer_id`` set); the shop then only finds orders of that
customer, so another customer's order is answered exactly like a missing one.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict

from actions.base import (
    ShopAction,
    ShopFormValidation,
    StopForm,
    answers_errors,
    client_address,
    get_logger,
    get_shop,
    idempotency_key,
    money,
    normalise_order_id,
    order_and_customer,
    stop_form,
    verified_customer,
)
from actions.state import record
from shop import validation
from shop.errors import Locked, ShopError

logger = get_logger(__name__)

ADDRESS_SLOTS = ("new_address_street", "new_address_city", "new_address_postcode")
# Flow slots that belong to one request about an order (not the verification, which lasts for the conversation).
ORDER_FLOW_SLOTS = ("return_item_id", "reason", "size", "colour", "confirm_cancel", *ADDRESS_SLOTS)


def _date(moment: Any) -> str:
    return f"{moment:%d %b %Y}" if moment else ""


def describe_order(order: Any) -> str:
    """Status, items, delivery address and shipment tracking of an ``OrderView`` as chat text."""
    items = "; ".join(f"{ln.quantity}× {ln.title}" for ln in order.lines)
    lines = [f"Order {order.id}: {order.status} (placed {_date(order.placed_at)}, total {money(order.total)}).",
             f"Items: {items}."]
    if order.status == "cancelled":
        lines.append(f"It was cancelled on {_date(order.cancelled_at)}.")
    elif order.status in ("placed", "paid"):
        lines.append(f"It hasn't shipped yet and will go to {order.ship_street}, {order.ship_city} "
                     f"{order.ship_postcode}.")
    if order.delivered_at:
        lines.append(f"Delivered on {_date(order.delivered_at)}.")
    for shipment in order.shipments:
        lines.append(f"Shipped {_date(shipment.shipped_at)} with {shipment.carrier}, "
                     f"tracking number {shipment.tracking_number}.")
        for event in shipment.events[-5:]:
            where = f" — {event.location}" if event.location else ""
            lines.append(f"  • {event.at:%d %b %H:%M} {event.status.replace('_', ' ')}{where}"
                         + (f": {event.description}" if event.description else ""))
    return "\n".join(lines)


def order_events(order: Any) -> List[EventType]:
    """Bookkeeping for the dialogue state: the order's items were talked about; a one-item order makes its
    item the product "it" refers to."""
    events: List[EventType] = [record("ordered", order.lines)]
    if len(order.lines) == 1:
        events.append(SlotSet("product", order.lines[0].item_id))
    return events


# -------------------------------------------------------------------------------------------- verification
class ValidateVerifyForm(ShopFormValidation):
    """Order id + email → ``shop.verification.verify``.

    Failed attempts are counted per conversation and per client address (``client_address`` in the message's
    metadata, set by the REST channel ``channels.rest``; absent on other channels).

    Success: ``verified`` true, ``customer_id`` set, ``verification_failures`` 0. Failure: both slots cleared (the
    form asks again), the same message whether the order is missing or the email wrong, ``verification_failures``
    = the shop's count. Locked (3 failures): the offer of a human (``utter_verification_locked``, buttons) and the
    form stops. Already verified: the slots are only normalised.
    """

    def name(self) -> Text:
        return "validate_verify_form"

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> List[EventType]:
        order_id, email = tracker.get_slot("order_id"), tracker.get_slot("email")
        if not (order_id and email) or verified_customer(tracker) is not None:
            return []
        return self.verify(dispatcher, tracker, order_id, email)

    def verify(self, dispatcher: CollectingDispatcher, tracker: Tracker, order_id: str,
               email: str) -> List[EventType]:
        shop = get_shop()
        try:
            customer = shop.verification.verify(order_id, email, conversation_key=tracker.sender_id,
                                                client_key=client_address(tracker))
        except ShopError as exc:  # NotFound (one message for both causes), Invalid, or Locked after 3 failures
            locked = isinstance(exc, Locked)
            logger.info("verification failed for %s with %s (%s)", tracker.sender_id, email, exc.code)
            if locked:
                dispatcher.utter_message(response="utter_verification_locked")
            else:
                dispatcher.utter_message(text=exc.user_message)
            cleared = [SlotSet("order_id", None), SlotSet("email", None), SlotSet("verified", False),
                       SlotSet("verification_failures", float(shop.verification.failures(tracker.sender_id)))]
            return cleared + (stop_form() if locked else [SlotSet(REQUESTED_SLOT, "order_id")])
        logger.info("verified customer %s for %s with %s", customer.id, tracker.sender_id, email)
        first_name = customer.name.split()[0] if customer.name else ""
        dispatcher.utter_message(text=f"Thanks{', ' + first_name if first_name else ''}, you're verified.")
        return [SlotSet("verified", True), SlotSet("customer_id", float(customer.id)),
                SlotSet("order_id", customer.order_id), SlotSet("verification_failures", 0.0)]

    def validate_order_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("order_id", validation.order_id, normalise_order_id(value) or value, dispatcher)

    def validate_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("email", validation.email, value, dispatcher)


# -------------------------------------------------------------------------------------------------- orders
class ActionOrderStatus(ShopAction):
    """Status, items, shipment and tracking events of the order in ``order_id``. Sets ``dialogue_events``
    (``ordered``) and, for a one-item order, ``product``."""

    def name(self) -> Text:
        return "action_order_status"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        order = get_shop().orders.status(order_id, customer_id)
        dispatcher.utter_message(text=describe_order(order))
        return order_events(order)


def _asked_to_confirm_cancel(tracker: Tracker) -> bool:
    """Whether the assistant's last turn (before the latest message) asked to confirm the cancellation."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    if not users:
        return False
    start = users[-2] if len(users) > 1 else 0
    return any((e.get("event") == "bot" and (e.get("metadata") or {}).get("utter_action") == "utter_confirm_cancel")
               or (e.get("event") == "action" and e.get("name") == "utter_confirm_cancel")
               for e in tracker.events[start:users[-1]])


class ActionCancelOrder(ShopAction):
    """Cancel after an explicit confirmation.

    First call: ``utter_confirm_cancel`` (buttons) when the shop says the order can still be cancelled; a
    shipped order is refused at once with the shop's reason. Next call, after the answer: ``confirm_cancel``
    true *and* the question asked in the previous turn → cancelled (idempotent: a repeated "yes" returns the same
    result); false → ``utter_cancel_kept``. An order that is already cancelled is said to be so, without a question. Always resets ``confirm_cancel`` (a stale "yes" never cancels).
    """

    def name(self) -> Text:
        return "action_cancel_order"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        reset = [SlotSet("confirm_cancel", None)]
        shop, answer = get_shop(), tracker.get_slot("confirm_cancel")
        key = idempotency_key(tracker.sender_id, "cancel", order_id)
        if answer is not None and _asked_to_confirm_cancel(tracker):
            if answer is not True:
                dispatcher.utter_message(response="utter_cancel_kept", order_id=order_id)
                return reset
            order = shop.orders.cancel(order_id, customer_id, idempotency_key=key)
            refunds = [r for r in shop.after_sales.refund_status(order_id, customer_id) if r.rma is None]
            refund = (f" A refund of {money(refunds[-1].amount)} is {refunds[-1].status} and goes back to your "
                      "original payment method." if refunds else "")
            dispatcher.utter_message(text=f"Order {order.id} is cancelled.{refund}")
            return reset
        order = shop.orders.status(order_id, customer_id)
        if order.status == "cancelled":  # done already (maybe by a repeated "yes"): nothing to confirm
            dispatcher.utter_message(text=f"Order {order.id} is already cancelled: there's nothing more to do.")
            return reset
        if not order.can_cancel:
            shop.orders.cancel(order_id, customer_id, idempotency_key=key)  # refused by the shop with its reason
        dispatcher.utter_message(response="utter_confirm_cancel", order_id=order_id)
        return reset


class ValidateAddressForm(ShopFormValidation):
    """New delivery address: street, city, postcode checked by ``shop.validation``; the form stops at once
    (with an explanation) when the order has already shipped."""

    needs_verification = True
    fresh_slots = ADDRESS_SLOTS

    def name(self) -> Text:
        return "validate_address_form"

    async def on_activation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> List[EventType]:
        order = get_shop().orders.status(normalise_order_id(tracker.get_slot("order_id")), verified_customer(tracker))
        if not order.can_change_address:
            dispatcher.utter_message(text=f"Order {order.id} is already {order.status}, so its delivery address "
                                          "can't be changed any more.")
            raise StopForm
        return []

    def validate_new_address_street(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("new_address_street", validation.street, value, dispatcher)

    def validate_new_address_city(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("new_address_city", validation.city, value, dispatcher)

    def validate_new_address_postcode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("new_address_postcode", validation.postcode, value, dispatcher)


class ActionChangeAddress(ShopAction):
    """Submit of ``address_form``: the shop changes the address (only before shipment). Resets the address slots.
    Without a complete address (the form was stopped, and said why) it changes nothing."""

    def name(self) -> Text:
        return "action_change_address"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        reset = [SlotSet(slot, None) for slot in ADDRESS_SLOTS]
        street, city, postcode = (tracker.get_slot(slot) for slot in ADDRESS_SLOTS)
        if not (street and city and postcode):
            return reset
        key = idempotency_key(tracker.sender_id, "change_address", order_id, f"{street}|{city}|{postcode}")
        order = get_shop().orders.change_address(order_id, customer_id, street, city, postcode, idempotency_key=key)
        logger.info("delivery address of %s changed (conversation %s)", order.id, tracker.sender_id)
        dispatcher.utter_message(text=f"Done: order {order.id} will now be delivered to {order.ship_street}, "
                                      f"{order.ship_city} {order.ship_postcode}.")
        return reset


class ActionResetOrderSlots(ShopAction):
    """Clears the slots of one order request (item, reason, size, colour, cancel answer, new address) so that the
    next request starts clean; the verification (``verified``, ``customer_id``, ``order_id``) is kept."""

    def name(self) -> Text:
        return "action_reset_order_slots"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return [SlotSet(slot, None) for slot in ORDER_FLOW_SLOTS if tracker.get_slot(slot) is not None]

"""Tickets for people: the hand-off to a human colleague (``action_human_handoff``) and the shared ticket helper
that complaints and the last fallback stage use too.

A ticket carries the transcript (customer and assistant texts from the tracker). Each ticket the conversation
got is noted in ``dialogue_events`` (``{"kind": "ticket", "about", "ticket", "ref"}``), so asking again -- a
repeated "agent", the same complaint resent -- gives the same ticket number instead of a second ticket; a retry
of the very same action call is covered by the shop's idempotency key.
"""
from __future__ import annotations

import hashlib
from typing import Callable, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    ShopAction,
    answers_errors,
    get_logger,
    get_shop,
    idempotency_key,
    latest_intents,
    normalise_order_id,
    transcript,
    verified_customer,
)

logger = get_logger(__name__)


def earlier_ticket(tracker: Tracker, about: str, ref: str) -> Optional[str]:
    """The number of a ticket this conversation already got for the same thing, if any."""
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") == "slot" and event.get("name") == "dialogue_events":
            for rec in event.get("value") or []:
                if isinstance(rec, dict) and rec.get("kind") == "ticket" and rec.get("about") == about \
                        and rec.get("ref") == ref:
                    return rec.get("ticket")
    return None


def open_ticket(tracker: Tracker, about: str, ref: str, create: Callable[..., object]) -> tuple[str, bool, List[EventType]]:
    """(ticket number, whether it is new, events) for a ticket ``about`` "complaint" / "handoff".

    ``ref`` identifies what the ticket is for within the conversation (the complaint's text, the hand-off);
    ``create(transcript=..., customer_id=..., order_id=..., conversation_id=..., idempotency_key=...)`` calls the
    shop. A verified customer's order is linked; otherwise no customer data is attached.
    """
    known = earlier_ticket(tracker, about, ref)
    if known:
        return known, False, []
    customer_id = verified_customer(tracker)
    order_id = normalise_order_id(tracker.get_slot("order_id")) if customer_id is not None else None
    turn = sum(1 for e in tracker.events if e.get("event") == "user")
    key = idempotency_key(tracker.sender_id, about, order_id, f"{turn}|{ref}")
    ticket = create(transcript=transcript(tracker), customer_id=customer_id, order_id=order_id,
                    conversation_id=tracker.sender_id, idempotency_key=key)
    logger.info("%s ticket %s for conversation %s", about, ticket.number, tracker.sender_id)
    note = SlotSet("dialogue_events", [{"kind": "ticket", "about": about, "ticket": ticket.number, "ref": ref}])
    return ticket.number, True, [note]


def text_ref(text: str) -> str:
    """A short fingerprint of a customer's text (tickets are matched by it, the text itself stays out)."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()[:16]


def handoff_reason(tracker: Tracker, default: str = "the customer asked for a person") -> str:
    """Why the conversation goes to a human, for the agent picking up the ticket."""
    if (tracker.get_slot("verification_failures") or 0) >= 3:
        return "verification failed 3 times; the customer needs help to access their order"
    intents = latest_intents(tracker)
    if "complaint" in intents:
        return "complaint: the customer wants to talk to a person"
    if "payment_issue" in intents:
        return "payment issue"
    return default


def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str) -> List[EventType]:
    """Create (or find) the hand-off ticket with the transcript and tell the customer its number."""
    number, new, events = open_ticket(
        tracker, "handoff", "handoff",
        lambda **kw: get_shop().tickets.handoff(kw.pop("transcript"), reason=reason, **kw))
    if new:
        dispatcher.utter_message(text=f"I've passed our conversation to a colleague: your ticket number is {number}. "
                                      "They can see everything we've said here, so you won't need to repeat it, "
                                      "and they'll get back to you as soon as possible.")
    else:
        dispatcher.utter_message(text=f"You already have ticket {number} with our team; a colleague will get back "
                                      "to you about it. Is there anything I can do in the meantime?")
    return events


class ActionHumanHandoff(ShopAction):
    """Ticket for a human colleague with the transcript (``shop.tickets.handoff``); the customer gets its number.
    Sets ``dialogue_events`` (the ticket note) and resets ``fallback_count``."""

    def name(self) -> Text:
        return "action_human_handoff"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return hand_off(dispatcher, tracker, handoff_reason(tracker)) + [SlotSet("fallback_count", 0.0)]

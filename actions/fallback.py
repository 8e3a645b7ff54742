"""``action_default_fallback``: a rephrase prompt, then options, then a human.

Follows Rasa's fallback pattern: the first two stages return ``UserUtteranceReverted()`` so that the message the
assistant didn't understand doesn't steer the dialogue policies, and set ``fallback_count`` *after* the revert
(a ``SlotSet`` before it would be reverted too). How many fallbacks came in a row is read from the tracker's
events (the slot is kept for stories and bookkeeping), so a successful turn in between starts the count afresh.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import ShopAction, get_logger
from actions.handoff import hand_off
from shop.errors import ShopError

logger = get_logger(__name__)

NAME = "action_default_fallback"
IGNORED_ACTIONS = frozenset({"action_listen", "action_session_start", "action_extract_slots"})


def fallbacks_in_a_row(tracker: Tracker) -> int:
    """Fallbacks since the last turn the assistant handled (or the last hand-off, which resets the count)."""
    count = 0
    for event in reversed(tracker.events_after_latest_restart()):
        kind = event.get("event")
        if kind == "action":
            if event.get("name") == NAME:
                count += 1
            elif event.get("name") not in IGNORED_ACTIONS:
                break
        elif kind == "slot" and event.get("name") == "fallback_count" and not event.get("value"):
            break
        elif kind == "session_started":
            break
    return count


class ActionDefaultFallback(ShopAction):
    """1st in a row: ``utter_ask_rephrase``; 2nd: ``utter_fallback_options`` (buttons) -- both revert the user
    message and set ``fallback_count`` to 1 / 2; 3rd: a hand-off ticket with the transcript and
    ``fallback_count`` back to 0 (no revert)."""

    def name(self) -> Text:
        return NAME

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        previous = fallbacks_in_a_row(tracker)
        if previous == 0:
            dispatcher.utter_message(response="utter_ask_rephrase")
            return [UserUtteranceReverted(), SlotSet("fallback_count", 1.0)]
        if previous == 1:
            dispatcher.utter_message(response="utter_fallback_options")
            return [UserUtteranceReverted(), SlotSet("fallback_count", 2.0)]
        try:
            events = hand_off(dispatcher, tracker, "the assistant didn't understand the customer 3 times in a row")
        except ShopError as exc:
            dispatcher.utter_message(text=exc.user_message)
            events = []
        except Exception:  # noqa: BLE001 - shop down: the customer still gets an answer
            logger.exception("hand-off after fallbacks failed for %s", tracker.sender_id)
            dispatcher.utter_message(response="utter_service_unavailable")
            events = []
        return events + [SlotSet("fallback_count", 0.0)]

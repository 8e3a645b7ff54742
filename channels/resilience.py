"""An apology instead of silence when the action server cannot be reached.

Rasa 3.6 logs a failed custom action ("Bot will continue, but the actions events are lost") and goes on predicting
as if it had run, so a customer whose question needed the action server gets no answer, or an answer to something
else (e.g. the offer of related items that normally follows a product answer). ``install()`` wraps
``RemoteAction.run``: when the call fails for any reason other than the action's own rejection
(``ActionExecutionRejection``: a form that does not accept a value), the action's result becomes

* ``utter_service_unavailable`` (the domain's apology), sent on the customer's channel;
* ``ActiveLoop(None)`` and ``requested_slot`` cleared when a form was active (it cannot go on without its
  validation);
* ``FollowupAction("action_listen")``: the turn ends there, nothing else is predicted on top of the failure.

Nothing of the conversation is lost: the customer's message stays in the tracker, and when the action server is
back the next message is served normally. Idempotent (installing twice wraps once).
"""
from __future__ import annotations

import functools
import logging
from typing import Any, List

from rasa.core.actions import action as rasa_action
from rasa.shared.core.events import ActiveLoop, Event, FollowupAction, SlotSet
from rasa.shared.exceptions import RasaException

logger = logging.getLogger(__name__)
APOLOGY = "utter_service_unavailable"
FALLBACK_TEXT = "Sorry, something went wrong on our side. Please try again in a minute, or ask for a person."


async def apology_events(output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    """The events that replace a failed custom action's result (see the module docstring)."""
    try:
        message = await nlg.generate(APOLOGY, tracker, output_channel.name())
    except Exception:  # noqa: BLE001 - the apology must not fail too
        message = None
    events: List[Event] = [rasa_action.create_bot_utterance(dict(message or {"text": FALLBACK_TEXT}))]
    if tracker.active_loop_name:
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return events + [FollowupAction("action_listen")]


def install() -> None:
    remote = rasa_action.RemoteAction
    if getattr(remote.run, "_shopmate_resilient", False):
        return
    original = remote.run

    @functools.wraps(original)
    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except rasa_action.ActionExecutionRejection:
            raise
        except RasaException as exc:
            logger.error("custom action '%s' failed (%s): answering with %s", self.name(), exc, APOLOGY)
            return await apology_events(output_channel, nlg, tracker, domain)

    run._shopmate_resilient = True  # type: ignore[attr-defined]
    remote.run = run

"""Fixtures for the action tests: real rasa-sdk trackers and dispatchers against the real shop of
``tests/conftest.py`` (``shop`` fixture: ``tests.factories.standard_dataset`` on SQLite, and on PostgreSQL when
available).

``Chat`` plays the Rasa server's part: it keeps the event list the way Rasa records it (user message, then
``action`` + the bot messages + the events an action returned), applies slot / loop / revert events, and builds
a fresh ``rasa_sdk.Tracker`` for every action call.
"""
from __future__ import annotations

import asyncio
import copy
import time
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

import pytest
import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import base

ROOT = Path(__file__).resolve().parents[2]


def load_domain() -> Dict[str, Any]:
    with open(ROOT / "domain.yml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return load_domain()


def initial_slots(domain: Dict[str, Any]) -> Dict[str, Any]:
    return {name: spec.get("initial_value") for name, spec in domain.get("slots", {}).items()}


class Chat:
    """One conversation as the Rasa server would record it."""

    def __init__(self, domain: Dict[str, Any], sender_id: str = "conv-1"):
        self.domain, self.sender_id = domain, sender_id
        self.events: List[Dict[str, Any]] = []
        self.slots = initial_slots(domain)
        self.active_loop: Dict[str, Any] = {}
        self.latest_message: Dict[str, Any] = {}
        self.messages: List[Dict[str, Any]] = []  # of the last action run

    def _t(self) -> float:
        return time.time()

    def user(self, text: str, intent: str = "inform", entities: Iterable[tuple] = (), **slots: Any) -> "Chat":
        """A user message: ``entities`` are ``(entity, value)`` pairs or whole entity dicts; ``slots`` are filled like Rasa's slot
        mappings would (``SlotSet`` events right after the message)."""
        parse = {"text": text, "intent": {"name": intent, "confidence": 0.99},
                 "intent_ranking": [{"name": intent, "confidence": 0.99}],
                 "entities": [e if isinstance(e, dict) else {"entity": e[0], "value": e[1], "start": 0, "end": 0}
                              for e in entities]}
        self.events.append({"event": "action", "name": "action_listen", "timestamp": self._t()})
        self.events.append({"event": "user", "text": text, "parse_data": parse, "timestamp": self._t()})
        self.latest_message = parse
        self.set(**slots)
        return self

    def set(self, **slots: Any) -> "Chat":
        for name, value in slots.items():
            self.events.append({"event": "slot", "name": name, "value": value, "timestamp": self._t()})
            self.slots[name] = value
        return self

    def bot(self, text: str = "", response: Optional[str] = None) -> "Chat":
        self.events.append({"event": "bot", "text": text, "metadata": {"utter_action": response} if response else {},
                            "timestamp": self._t()})
        return self

    def activate(self, form: str) -> "Chat":
        self.events.append({"event": "active_loop", "name": form, "timestamp": self._t()})
        self.active_loop = {"name": form}
        return self

    def tracker(self) -> Tracker:
        latest_action = next((e["name"] for e in reversed(self.events) if e["event"] == "action"), None)
        return Tracker(self.sender_id, copy.deepcopy(self.slots), copy.deepcopy(self.latest_message),
                       copy.deepcopy(self.events), False, None, dict(self.active_loop), latest_action)

    def run(self, action: Action, *, record: bool = True) -> List[Dict[str, Any]]:
        """Run ``action`` on a fresh tracker; record it like Rasa (action event, bot messages, returned events)."""
        dispatcher = CollectingDispatcher()
        # as Rasa sends it with `enable_selective_domain` (endpoints.yml): the domain only to the form validators
        domain = self.domain if action.name().startswith("validate_") else {}
        events = asyncio.run(action.run(dispatcher, self.tracker(), domain))
        self.messages = dispatcher.messages
        if record:
            self.events.append({"event": "action", "name": action.name(), "timestamp": self._t()})
            for m in dispatcher.messages:
                self.bot(m.get("text") or "", m.get("response"))
            self.apply(events)
        return events

    def apply(self, events: List[Dict[str, Any]]) -> None:
        for e in events:
            self.events.append({**e, "timestamp": self._t()})
            if e["event"] == "slot":
                self.slots[e["name"]] = e["value"]
            elif e["event"] == "active_loop":
                self.active_loop = {"name": e["name"]} if e.get("name") else {}
            elif e["event"] == "rewind":
                self.latest_message = {}

    # --- what the last action said ----------------------------------------------------------------------------
    @property
    def texts(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def responses(self) -> List[str]:
        return [m["response"] for m in self.messages if m.get("response")]

    @property
    def buttons(self) -> List[Dict[str, str]]:
        return [b for m in self.messages for b in m.get("buttons") or []]


@pytest.fixture
def chat(domain, shop):
    """A conversation against the real test shop (``shop`` installed as the actions' shop)."""
    base.use_shop(shop)
    yield Chat(domain)
    base.use_shop(None)


def verified(chat: Chat, dataset, order: str, who: str = "alice") -> Chat:
    """Slots as ``validate_verify_form`` leaves them after a successful verification."""
    customer = getattr(dataset, who)
    return chat.set(order_id=dataset.orders[order], email=dataset.emails[who], verified=True,
                    customer_id=float(customer))


def slot_events(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """``{slot: value}`` of the SlotSet events (last one wins)."""
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def form_stopped(events: List[Dict[str, Any]]) -> bool:
    """Whether the events end the active form (``ActiveLoop(None)`` and no slot requested)."""
    return any(e["event"] == "active_loop" and e.get("name") is None for e in events) \
        and slot_events(events).get("requested_slot", "missing") is None

"""``dialogue_state(tracker) -> DialogueState``: what the conversation so far tells the recommender.

A pure function of the tracker's events (the tracker is the single source of truth, so the state can't drift):
events are replayed in order, honouring ``restart`` / ``session_started`` (start afresh), ``undo`` and ``rewind``
(reverted user turns don't count, as in ``Tracker.applied_events``). ``T`` is the number of applied user turns;
something that happened in turn ``t`` has age ``T - t``.

* **needs**: each intent of a user turn (multi-intents split on ``+``) maps to a need (``NEED_OF_INTENT``);
  strength = ``NEED_DECAY ** age`` of the latest turn that expressed it.
* **mentions** (types, categories, items): from the user's entities (``content_type`` with the ``category``
  it names, if any: see ``nlu.gazetteer``; item ids in ``product`` / the text), from slots the actions set
  (``product`` = viewed item, ``shown_items`` = cards shown) and from the actions' bookkeeping records in
  ``dialogue_events`` (``{"kind", "item", "type", "category"}``, kinds ``viewed`` / ``ordered`` / ``shown`` /
  ``negative``). Value = ``source weight x MENTION_DECAY ** age``, the maximum over mentions; values below
  ``MIN_WEIGHT`` are dropped. An item also mentions its content type (from the record, or from its id prefix)
  and its category (from the record).
* **help topics**: an intent of ``TOPICS_OF_INTENT`` mentions its help categories (``returns`` for a return, ...)
  like a category the customer named (weight 1, same decay).
* **negatives**: what is returned, exchanged, claimed or complained about: ``return_item_id``, ``negative``
  records, and the entities / viewed product of a turn whose intent is one of ``NEGATIVE_INTENTS`` (those
  entities are negatives, not mentions). Value = ``NEGATIVE_DECAY ** age``.
* **frustration**: a sum of ``FRUSTRATION`` increments (complaint, handoff request, the ``n``-th fallback in a
  row adds ``n x`` the fallback step, the ``n``-th deny in a row from the second on), each decayed by
  ``FRUSTRATION_DECAY ** age``, clipped to [0, 1]. Fallbacks are counted on all events (their user turns are
  reverted by the fallback itself).
* **verified_customer_id**: ``customer_id`` when ``verified`` is true (last values set).
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import item_id_in, type_of_item
from recommender.state import DialogueState

NEED_OF_INTENT = {
    "product_info": "product_info",
    "order_status": "orders", "cancel_order": "orders", "change_address": "orders",
    "delivery_options": "orders", "payment_issue": "orders",
    "return_item": "after_sales", "refund_status": "after_sales", "exchange_item": "after_sales",
    "warranty_claim": "after_sales", "complaint": "after_sales",
    "ask_recommendation": "related_items",
}
# Help topics an intent is about: help-article / service categories of the catalog, mentioned like a category the
# customer named, so that "I want to return the jacket" brings the return policy before payment methods. Categories
# the catalog does not have are ignored by the recommender.
TOPICS_OF_INTENT = {
    "return_item": ("returns",), "refund_status": ("refunds",), "exchange_item": ("exchanges", "sizing"),
    "warranty_claim": ("warranty",), "complaint": ("returns", "contact"), "human_handoff": ("contact",),
    "delivery_options": ("shipping", "delivery"), "payment_issue": ("payment",),
}  # not the order intents: a status question is not a request for help content (the products stay in front)
NEGATIVE_INTENTS = frozenset({"return_item", "exchange_item", "warranty_claim", "complaint"})
NEED_DECAY = 0.6  # per user turn
MENTION_DECAY = 0.75
NEGATIVE_DECAY = 0.9
FRUSTRATION_DECAY = 0.8
MIN_WEIGHT = 0.05
# Weight of a mention by its source: what the customer named or looked at counts fully, the lines of an order
# they asked about less, cards the assistant merely showed least.
SOURCE_WEIGHT = {"user": 1.0, "viewed": 1.0, "ordered": 0.6, "shown": 0.3}
FRUSTRATION = {"complaint": 0.6, "human_handoff": 0.4, "fallback": 0.15, "deny": 0.15, "stop": 0.1}
FRUSTRATION_HIGH = 0.4  # at or above: no product promotion (see actions.recommendations)
FALLBACK_ACTIONS = frozenset({"action_default_fallback"})
FALLBACK_INTENTS = frozenset({"nlu_fallback"})
RESET_EVENTS = frozenset({"restart", "session_started"})


def record(kind: str, items: Iterable[Any]) -> SlotSet:
    """The ``dialogue_events`` bookkeeping for catalog items / order lines an action just handled.

    ``kind`` is ``viewed``, ``ordered``, ``shown`` or ``negative``; each item contributes
    ``{"kind", "item", "type", "category"}`` (objects with ``id`` or ``item_id``, ``content_type`` and
    optionally ``category``)."""
    rows = [{"kind": kind, "item": getattr(i, "item_id", None) or i.id,
             "type": getattr(i, "content_type", None), "category": getattr(i, "category", None)} for i in items]
    return SlotSet("dialogue_events", rows)


class _Recency:
    """key -> every (weight, turn) it got; ``values(now, decay)`` = the strongest ``weight * decay ** age``."""

    def __init__(self) -> None:
        self.seen: Dict[str, List[tuple[float, int]]] = {}

    def add(self, key: Optional[str], weight: float, turn: int) -> None:
        if key:
            self.seen.setdefault(key, []).append((weight, turn))

    def values(self, now: int, decay: float) -> Dict[str, float]:
        out = {k: max(w * decay ** (now - t) for w, t in marks) for k, marks in sorted(self.seen.items())}
        return {k: round(v, 6) for k, v in out.items() if v >= MIN_WEIGHT}


def applied_indices(events: List[Dict[str, Any]]) -> List[int]:
    """Indices of the events that are in effect (``Tracker.applied_events`` semantics, by position)."""
    applied: List[int] = []

    def undo_till(kind: str) -> None:
        while applied:
            if events[applied.pop()].get("event") == kind:
                break

    for i, event in enumerate(events):
        kind = event.get("event")
        if kind == "restart":
            applied = []
        elif kind == "undo":
            undo_till("action")
        elif kind == "rewind":
            undo_till("user")
            undo_till("action")
        else:
            applied.append(i)
    return applied


def _intents(event: Dict[str, Any]) -> List[str]:
    name = ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""
    return [part for part in name.split("+") if part]


def dialogue_state(tracker: Tracker) -> DialogueState:
    """The ``DialogueState`` of the conversation in ``tracker`` (see the module docstring for the rules)."""
    events = list(tracker.events)
    applied = set(applied_indices(events))
    needs: Dict[str, int] = {}
    types, categories, items = _Recency(), _Recency(), _Recency()
    neg_types, neg_items = _Recency(), _Recency()
    bumps: List[tuple[float, int]] = []  # frustration increments (amount, turn)
    slots: Dict[str, Any] = {}
    turn, fallback_streak, deny_streak, negative_turn = 0, 0, 0, False

    def mention(item: Optional[str], weight: float, type_: Optional[str] = None, category: Optional[str] = None,
                negative: bool = False) -> None:
        type_ = type_ or (type_of_item(item) if item else None)
        if negative:
            neg_items.add(item, 1.0, turn)
            neg_types.add(type_, 1.0, turn)
        else:
            items.add(item, weight, turn)
            types.add(type_, weight, turn)
            categories.add(category, weight, turn)

    for i, event in enumerate(events):
        kind = event.get("event")
        if kind in RESET_EVENTS:
            needs, slots, bumps = {}, {}, []
            types, categories, items, neg_types, neg_items = (_Recency() for _ in range(5))
            fallback_streak = deny_streak = 0
            continue
        if kind == "action" and event.get("name") in FALLBACK_ACTIONS:
            fallback_streak += 1  # counted even though the fallback reverts its user turn
            bumps.append((FRUSTRATION["fallback"] * fallback_streak, turn))
            continue
        if i not in applied:
            continue
        if kind == "user":
            intents = _intents(event)
            if set(intents) <= FALLBACK_INTENTS:
                continue
            turn += 1
            fallback_streak = 0
            negative_turn = bool(NEGATIVE_INTENTS.intersection(intents))
            deny_streak = deny_streak + 1 if intents == ["deny"] else 0
            for intent in intents:
                if intent in NEED_OF_INTENT:
                    needs[NEED_OF_INTENT[intent]] = turn
                if intent in FRUSTRATION and intent != "deny":
                    bumps.append((FRUSTRATION[intent], turn))
                for topic in TOPICS_OF_INTENT.get(intent, ()):
                    categories.add(topic, SOURCE_WEIGHT["user"], turn)
            if deny_streak >= 2:
                bumps.append((FRUSTRATION["deny"], turn))
            for entity in (event.get("parse_data") or {}).get("entities") or []:
                name, value = entity.get("entity"), entity.get("value")
                if not isinstance(value, str):
                    continue
                if name == "content_type":
                    mention(None, SOURCE_WEIGHT["user"], type_=value.lower(), negative=negative_turn)
                    if isinstance(entity.get("category"), str) and not negative_turn:
                        # categories have no negative counterpart in the state
                        categories.add(entity["category"].lower(), SOURCE_WEIGHT["user"], turn)
                elif name == "product" and item_id_in(value):
                    mention(item_id_in(value), SOURCE_WEIGHT["user"], negative=negative_turn)
            if negative_turn and slots.get("product") and "complaint" in intents:
                mention(slots["product"], 1.0, negative=True)  # complaining about what was just discussed
        elif kind == "slot":
            name, value = event.get("name"), event.get("value")
            slots[name] = value
            if name == "product" and item_id_in(value):
                mention(item_id_in(value), SOURCE_WEIGHT["viewed"], negative=negative_turn)
            elif name == "shown_items" and isinstance(value, list):
                for item in value:
                    mention(item_id_in(item), SOURCE_WEIGHT["shown"])
            elif name == "return_item_id" and item_id_in(value):
                mention(item_id_in(value), 1.0, negative=True)
            elif name == "content_type" and isinstance(value, str) and not negative_turn:
                types.add(value.lower(), SOURCE_WEIGHT["user"], turn)
            elif name == "dialogue_events" and isinstance(value, list):
                for rec in value:
                    if isinstance(rec, dict) and rec.get("kind") in SOURCE_WEIGHT.keys() | {"negative"}:
                        mention(item_id_in(rec.get("item")), SOURCE_WEIGHT.get(rec["kind"], 1.0), rec.get("type"),
                                rec.get("category"), negative=rec["kind"] == "negative")

    frustration = sum(amount * FRUSTRATION_DECAY ** (turn - t) for amount, t in bumps)
    customer_id = slots.get("customer_id")
    verified = slots.get("verified") is True and customer_id is not None
    return DialogueState(
        needs={need: round(NEED_DECAY ** (turn - t), 6) for need, t in sorted(needs.items())},
        mentioned_types=types.values(turn, MENTION_DECAY),
        mentioned_categories=categories.values(turn, MENTION_DECAY),
        mentioned_items=items.values(turn, MENTION_DECAY),
        negative_types=neg_types.values(turn, NEGATIVE_DECAY),
        negative_items=neg_items.values(turn, NEGATIVE_DECAY),
        frustration=round(min(1.0, frustration), 6),
        verified_customer_id=int(customer_id) if verified else None,
    )

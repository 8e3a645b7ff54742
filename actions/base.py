"""What every action shares: the store, the recommender, error answers, cards and private-data masking.

* ``get_shop()`` / ``get_recommender()``: one ``Shop`` and one ``Recommender`` per process, created on
  first use. The recommender is loaded from ``models/recommender`` (``SHOPMATE_RECOMMENDER_DIR``
  overrides); when the artefacts are missing or unreadable a popularity ranking fitted on the shop's
  own data replaces it and a warning is logged once. ``use_shop`` / ``use_recommender`` install
  instances explicitly (tests, scripts).
* ``answers_errors``: decorator for ``run`` methods: a ``ShopError`` becomes its ``user_message``; any
  other failure (database down, recommender broken) becomes an apology and is logged, so the
  conversation goes on and nothing fails silently.
* ``ShopFormValidation``: base form validator: verification guard, stale-slot reset at activation, hooks,
  error answers, and slot checks through ``shop.validation`` (``checked``, ``validate_reason``).
* ``render_cards``: recommendation cards as text lines, a ``custom`` payload and buttons.
* ``mask``: emails and street addresses hidden in log records (``get_logger`` installs the filter).
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Sequence, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from shop import validation
from shop.errors import ShopError

ROOT = Path(__file__).resolve().parent.parent
ORDER_ID_RE = re.compile(r"\bSM-?(\d{6})\b", re.IGNORECASE)
ITEM_ID_RE = re.compile(r"\b([A-Z]{2})-(\d{6})\b", re.IGNORECASE)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Item id prefix -> content type (the id format is part of the contract; the catalog is the truth).
TYPE_OF_PREFIX = {"BK": "books", "EL": "electronics", "CL": "clothing", "HM": "home", "HA": "help_article",
                  "SV": "service"}


# --------------------------------------------------------------------------------------------- masking
_STREET_RE = re.compile(r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'.-]*\s?){1,4}"
                        r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Way|Drive|Dr|Close|Place|Square|Court|Strasse)\b\.?")


def mask_email(email: str) -> str:
    """``alex.morgan@example.com`` -> ``a***@example.com``."""
    local, _, host = email.partition("@")
    return f"{local[:1]}***@{host}" if host else "***"


def mask(text: Any) -> str:
    """The text with every email address and street address replaced by a masked form."""
    text = EMAIL_RE.sub(lambda m: mask_email(m.group(0)), str(text))
    return _STREET_RE.sub("<street>", text)


class MaskingFilter(logging.Filter):
    """Masks emails / street addresses in a record's message and arguments before it is emitted."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = ()
        return True


def get_logger(name: str) -> logging.Logger:
    log = logging.getLogger(name)
    if not any(isinstance(f, MaskingFilter) for f in log.filters):
        log.addFilter(MaskingFilter())
    return log


logger = get_logger(__name__)


# ------------------------------------------------------------------------------------ shop & recommender
_lock = threading.Lock()
_shop: Any = None
_recommender: Any = None


def use_shop(shop: Any) -> None:
    """Install the ``Shop`` every action uses (``None``: create it again from ``SHOP_DB_URL`` on next use)."""
    global _shop
    _shop = shop


def use_recommender(recommender: Any) -> None:
    """Install the recommender every action uses (``None``: load it again on next use)."""
    global _recommender
    _recommender = recommender


def get_shop() -> Any:
    """The process-wide ``shop.services.Shop`` (``SHOP_DB_URL`` or the default SQLite file)."""
    global _shop
    if _shop is None:
        with _lock:
            if _shop is None:
                from shop.services import Shop

                _shop = Shop()
    return _shop


def recommender_dir() -> Path:
    return Path(os.environ.get("SHOPMATE_RECOMMENDER_DIR") or ROOT / "models" / "recommender")


def load_recommender(path: Path, shop: Any = None) -> Any:
    """``Recommender.load(path)``; if the artefacts are missing or corrupt, a popularity-only model fitted on the
    shop's catalog and interactions (``Recommender.load_or_fallback`` logs the warning). Both answer the same
    ``recommend(customer_id, state, k, exclude)`` call."""
    from recommender import Recommender
    from recommender.train import read_frames

    def shop_frames() -> tuple:
        interactions, items = read_frames((shop or get_shop()).url)
        return items, interactions

    return Recommender.load_or_fallback(path, shop_frames)


def get_recommender() -> Any:
    """The process-wide recommender (loaded lazily, once)."""
    global _recommender
    if _recommender is None:
        with _lock:
            if _recommender is None:
                _recommender = load_recommender(recommender_dir())
    return _recommender


# ------------------------------------------------------------------------------------------ errors
Run = Callable[[Any, CollectingDispatcher, Tracker, DomainDict], Awaitable[List[EventType]]]


def answers_errors(run: Run) -> Run:
    """Wrap an action's ``run``: shop errors are answered with their message, failures with an apology.

    ``ShopError.user_message`` is written for customers (it never reveals other people's data); any other
    exception -- ``sqlalchemy.exc.OperationalError`` when the database is down, a broken recommender --
    is logged with its traceback and answered with ``utter_service_unavailable``. No events are returned
    then, so the conversation continues from where it was.
    """

    @functools.wraps(run)
    async def wrapper(self: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> List[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except ShopError as exc:
            logger.info("%s: %s (%s)", self.name(), exc.code, exc.user_message)
            dispatcher.utter_message(text=exc.user_message)
        except Exception:  # noqa: BLE001 - deliberately broad: the customer must get an answer
            logger.exception("%s failed (conversation %s)", self.name(), tracker.sender_id)
            dispatcher.utter_message(response="utter_service_unavailable")
        return []

    return wrapper


def idempotency_key(sender_id: str, action: str, order_id: Optional[str] = None, item: Optional[str] = None) -> str:
    """A stable key for one state change: the same conversation, action, order and item give the same key,
    so a repeated "yes" or a resent message returns the first result instead of doing it twice."""
    digest = hashlib.sha256("\x1f".join([sender_id, action, order_id or "", item or ""]).encode()).hexdigest()
    return f"{action}:{digest[:40]}"


# ------------------------------------------------------------------------------------------ slots
def normalise_order_id(value: Any) -> Optional[str]:
    """``sm123456`` / ``SM-123456`` / ``my order is SM-123456`` -> ``SM-123456``; None if there is none."""
    match = ORDER_ID_RE.search(str(value or ""))
    return f"SM-{match.group(1)}" if match else None


def item_id_in(value: Any) -> Optional[str]:
    """The first catalog item id (``EL-000042``) in a value, upper-cased, or None."""
    match = ITEM_ID_RE.search(str(value or ""))
    return f"{match.group(1).upper()}-{match.group(2)}" if match else None


def type_of_item(item_id: str) -> Optional[str]:
    return TYPE_OF_PREFIX.get(item_id[:2].upper())


def verified_customer(tracker: Tracker) -> Optional[int]:
    """The verified customer's id, or None unless ``verified`` is true and ``customer_id`` is set."""
    customer_id = tracker.get_slot("customer_id")
    if tracker.get_slot("verified") is True and customer_id is not None:
        return int(customer_id)
    return None


def require_verified(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[int]:
    """Defence in depth for every action that shows or changes an order: the verified customer's id,
    or None after telling the customer that the order has to be verified first."""
    customer_id = verified_customer(tracker)
    if customer_id is None:
        dispatcher.utter_message(response="utter_verification_required")
    return customer_id


def order_and_customer(dispatcher: CollectingDispatcher, tracker: Tracker) -> tuple[Optional[str], Optional[int]]:
    """(order id, customer id) for an order action; (None, None) after explaining what is missing."""
    customer_id = require_verified(dispatcher, tracker)
    if customer_id is None:
        return None, None
    order_id = normalise_order_id(tracker.get_slot("order_id"))
    if order_id is None:
        dispatcher.utter_message(response="utter_ask_order_id")
        return None, None
    return order_id, customer_id


def client_address(tracker: Tracker) -> Optional[str]:
    """The address the latest message came from, as the channel saw it (``channels.rest`` sets it), or None."""
    metadata = tracker.latest_message.get("metadata") or {}
    value = metadata.get("client_address") if isinstance(metadata, dict) else None
    return str(value)[:100] if value else None


def latest_intents(tracker: Tracker) -> List[str]:
    """The intents of the latest message, multi-intents split on ``+``."""
    name = (tracker.latest_message.get("intent") or {}).get("name") or ""
    return [part for part in name.split("+") if part]


def transcript(tracker: Tracker, limit: int = 60) -> List[Dict[str, str]]:
    """The conversation so far as ``[{"speaker": "customer"|"assistant", "text": ...}]`` (last ``limit``)."""
    lines = [{"speaker": "customer" if e["event"] == "user" else "assistant", "text": e["text"]}
             for e in tracker.events_after_latest_restart()
             if e.get("event") in ("user", "bot") and e.get("text")]
    return lines[-limit:]


def buttons(options: Iterable[tuple[str, str]]) -> List[Dict[str, str]]:
    return [{"title": title, "payload": payload} for title, payload in options]


def slot_payload(intent: str, **entities: Any) -> str:
    """``/inform{"return_item_id":"CL-000001"}``: a button that sends an intent with entities."""
    import json

    return f"/{intent}{json.dumps(entities, separators=(',', ':'))}" if entities else f"/{intent}"


def money(amount: Any, currency: str = "€") -> str:
    return f"{currency}{float(amount):.2f}"


# ------------------------------------------------------------------------------------------ cards
# Channels whose output passes a custom payload through as ``{"custom": ...}``. The others break on it: Rasa 3.6's
# socket.io output calls ``emit(**payload)`` (a TypeError that aborts the turn before the tracker is saved), Slack
# and Messenger post it to their APIs as a message; they get the text lines and buttons only.
CUSTOM_PAYLOAD_CHANNELS = frozenset({None, "rest", "cmdline", "callback"})


def render_cards(cards: Sequence[Any], *, intro: str, channel: Optional[str] = None) -> Dict[str, Any]:
    """Keyword arguments for ``dispatcher.utter_message`` showing recommendation-like cards.

    ``cards`` have ``item_id``, ``title``, ``price`` (number) and ``reason`` (``Recommendation``) or
    ``id`` / ``title`` / ``price`` (catalog ``ItemView``). Channels without rich messages get the text
    lines ("1. Title — €12.99 — reason", no price for free items such as help articles); REST clients also get the
    ``custom`` payload ``{"type": "cards", "cards": [{"item_id", "title", "price", "reason", "content_type",
    "payload"}]}`` to render cards of their own;
    each card also gets a button asking for its details. ``channel`` is the conversation's input channel
    (``tracker.get_latest_input_channel()``): the payload is only added where ``CUSTOM_PAYLOAD_CHANNELS`` allows.
    """
    rows = []
    for card in cards:
        item_id = getattr(card, "item_id", None) or getattr(card, "id")
        reason = getattr(card, "reason", "") or ""
        rows.append({"item_id": item_id, "title": card.title, "price": round(float(card.price), 2),
                     "content_type": getattr(card, "content_type", None) or type_of_item(item_id),
                     "reason": reason, "payload": slot_payload("product_info", product=item_id)})
    lines = [intro] + [f"{i}. {r['title']}" + (f" — {money(r['price'])}" if r["price"] > 0 else "")
                       + (f" — {r['reason']}" if r["reason"] else "") for i, r in enumerate(rows, 1)]
    message = {"text": "\n".join(lines),
               "buttons": buttons((f"{i}. {r['title']}"[:60], r["payload"]) for i, r in enumerate(rows, 1))}
    if channel in CUSTOM_PAYLOAD_CHANNELS:
        message["json_message"] = {"type": "cards", "cards": rows}
    return message


# ------------------------------------------------------------------------------------- form validation
class ShopAction(Action, ABC):
    """Base of ShopMate's actions (abstract: ``rasa run actions`` registers only the concrete ones)."""

    @abstractmethod
    def name(self) -> Text:  # pragma: no cover - declared for the registry
        ...


class StopForm(Exception):
    """Raised inside a validator to end the form (the reason was already told to the customer)."""


class ShopFormValidation(FormValidationAction):
    """Shared slot validation for ShopMate's forms.

    ``run`` adds to rasa-sdk's validation: the verification guard (``needs_verification``: refuse and stop the
    form unless the conversation is verified), at activation the removal of stale values of ``fresh_slots`` (left
    from an earlier request; values given in the activating message are kept) and the ``on_activation`` hook,
    an ``after_validation`` hook, and answers for errors (``StopForm`` ends the form; a ``ShopError`` is told
    and ends it; any other failure -- database down -- gets an apology and ends it).
    """

    needs_verification = False
    fresh_slots: tuple = ()

    @abstractmethod
    def name(self) -> Text:  # pragma: no cover - declared for the registry
        ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if self.needs_verification and verified_customer(tracker) is None:
            dispatcher.utter_message(response="utter_verification_required")
            return stop_form()
        try:
            events: List[EventType] = []
            if self.activating(tracker):
                just_given = tracker.slots_to_validate()
                events = [SlotSet(slot, None) for slot in self.fresh_slots
                          if tracker.get_slot(slot) is not None and slot not in just_given]
                for event in events:
                    tracker.slots[event["name"]] = None
                events += await self.on_activation(dispatcher, tracker, domain)
            events += await super().run(dispatcher, tracker, domain)
            return events + await self.after_validation(dispatcher, tracker, domain)
        except StopForm:
            pass
        except ShopError as exc:
            dispatcher.utter_message(text=exc.user_message)
        except Exception:  # noqa: BLE001 - database down etc.: answer, stop the form, keep the conversation
            logger.exception("%s failed (conversation %s)", self.name(), tracker.sender_id)
            dispatcher.utter_message(response="utter_service_unavailable")
        return stop_form()

    def activating(self, tracker: Tracker) -> bool:
        """Whether this call validates the form's activation.

        Rasa validates at activation with a tracker whose ``requested_slot`` is None (``FormAction.
        get_slot_to_fill`` ignores the previous form's); the active loop may already be this form (e.g. when a rule
        starts it right after another form), so the active loop alone does not tell. While the form runs,
        ``requested_slot`` names the slot just asked for."""
        return tracker.active_loop_name != self.form_name() or tracker.get_slot(REQUESTED_SLOT) is None

    async def on_activation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> List[EventType]:
        """Runs once when the form starts, before validation; may raise ``StopForm``."""
        return []

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> List[EventType]:
        """Runs after every validation with the validated slots in ``tracker``; may raise ``StopForm``."""
        return []

    # --- shared slots ---------------------------------------------------------------------------------
    @staticmethod
    def checked(slot: str, check: Callable[[str], Any], value: Any, dispatcher: CollectingDispatcher
                ) -> Dict[Text, Any]:
        """``{slot: check(value)}`` with a ``shop.validation`` function, or ``{slot: None}`` after telling the
        customer its ``Invalid`` message (the form then asks again)."""
        try:
            return {slot: check(" ".join(str(value if value is not None else "").split()))}
        except ShopError as exc:
            dispatcher.utter_message(text=exc.user_message)
            return {slot: None}

    def validate_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("reason", lambda v: validation.text(v, "reason", min_len=3, max_len=500), value,
                            dispatcher)


def stop_form() -> List[EventType]:
    """Events that end the active form (a validator may return them)."""
    return [SlotSet(REQUESTED_SLOT, None), ActiveLoop(None)]

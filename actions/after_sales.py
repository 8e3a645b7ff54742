"""After-sales: returns, refunds, exchanges, warranty claims (forms + submit actions) and complaints.

The three item forms (``return_form``, ``exchange_form``, ``warranty_form``) share ``OrderItemFormValidation``:
at the start a one-item order fills ``return_item_id`` by itself and a several-item order gets one button per
item; the answer ("the jacket", "the second one", a button) is resolved against the verified order's lines; an
item the shop says can't be returned / exchanged is explained at once instead of after more questions. The rules
themselves (30-day window, final sale, variants in stock, warranty period) live in ``shop.after_sales``.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Sequence, Text

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
    buttons,
    get_shop,
    idempotency_key,
    item_id_in,
    latest_intents,
    money,
    normalise_order_id,
    order_and_customer,
    slot_payload,
    verified_customer,
)
from actions.handoff import open_ticket, text_ref
from actions.products import ordinal_in
from shop import validation

SIZE_WORDS = {"extra extra large": "XXL", "extra small": "XS", "extra large": "XL", "small": "S", "medium": "M",
              "large": "L", "2xl": "XXL"}


def line_buttons(lines: Sequence[Any]) -> List[Dict[str, str]]:
    """One button per order line: ``/inform{"mention":"<item id>"}`` (the form's ``return_item_id`` slot takes the
    message text, from which the id is read)."""
    return buttons((ln.title[:60], slot_payload("inform", mention=ln.item_id)) for ln in lines)


def resolve_line(text: str, lines: Sequence[Any]) -> Optional[Any]:
    """The order line meant by ``text``: an item id, a position ("the second one", "2", "last") or the words of
    a title / content type ("the jacket") matching exactly one line best."""
    wanted = item_id_in(text)
    if wanted:
        return next((ln for ln in lines if ln.item_id == wanted), None)
    position = ordinal_in(text)
    if position is not None:
        return lines[position] if -len(lines) <= position < len(lines) else None
    words = {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 2}
    scored = [(len(words & set(re.findall(r"[a-z]+", f"{ln.title} {ln.content_type}".lower()))), ln) for ln in lines]
    best = max((score for score, _ in scored), default=0)
    hits = [ln for score, ln in scored if score == best and best > 0]
    return hits[0] if len(hits) == 1 else None


def _order(tracker: Tracker) -> Any:
    return get_shop().orders.status(normalise_order_id(tracker.get_slot("order_id")), verified_customer(tracker))


class OrderItemFormValidation(ShopFormValidation):
    """Shared by the item forms: choosing the order line (``return_item_id``) and checking it early."""

    needs_verification = True
    fresh_slots: tuple = ("return_item_id",)

    async def on_activation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("return_item_id") is not None:
            return []
        order = _order(tracker)
        if len(order.lines) == 1:  # nothing to ask: validated below like an answer
            tracker.add_slots([SlotSet("return_item_id", order.lines[0].item_id)])
            return []
        dispatcher.utter_message(text=f"Order {order.id} has {len(order.lines)} items:", buttons=line_buttons(order.lines))
        return []

    def validate_return_item_id(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                domain: DomainDict) -> Dict[Text, Any]:
        order = _order(tracker)
        line = resolve_line(str(value or ""), order.lines)
        if line is None:
            dispatcher.utter_message(text="I couldn't match that to an item of this order. Please pick one:",
                                     buttons=line_buttons(order.lines))
            return {"return_item_id": None}
        if not self.item_ok(order, line, dispatcher):
            if len(order.lines) == 1:
                raise StopForm
            return {"return_item_id": None}
        return {"return_item_id": line.item_id}

    def item_ok(self, order: Any, line: Any, dispatcher: CollectingDispatcher) -> bool:
        """Whether the form can go on with this line; if not, tell the customer why."""
        return True

    @staticmethod
    def eligible(order: Any, line: Any, dispatcher: CollectingDispatcher) -> bool:
        verdict = get_shop().after_sales.return_eligibility(order.id, order.customer_id, line.item_id)
        if not verdict.ok:
            dispatcher.utter_message(text=verdict.reason)
        return verdict.ok


# ------------------------------------------------------------------------------------------------- returns
class ValidateReturnForm(OrderItemFormValidation):
    """``return_form``: which item (eligible for return), and why."""

    fresh_slots = ("return_item_id", "reason")

    def name(self) -> Text:
        return "validate_return_form"

    def item_ok(self, order: Any, line: Any, dispatcher: CollectingDispatcher) -> bool:
        return self.eligible(order, line, dispatcher)


class ActionStartReturn(ShopAction):
    """Submit of ``return_form``: RMA number and instructions (idempotent per conversation, order, item and
    reason). Resets ``return_item_id`` and ``reason``; without them (the form was stopped) it does nothing."""

    def name(self) -> Text:
        return "action_start_return"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        item_id, reason = tracker.get_slot("return_item_id"), tracker.get_slot("reason")
        reset = [SlotSet("return_item_id", None), SlotSet("reason", None)]
        if not (item_id and reason):
            return reset
        key = idempotency_key(tracker.sender_id, "return", order_id, f"{item_id}|{reason}")
        ret = get_shop().after_sales.start_return(order_id, customer_id, item_id, reason, idempotency_key=key)
        dispatcher.utter_message(text=f"Your return of {ret.quantity}× {ret.title} is registered under {ret.rma}. "
                                      f"{ret.instructions}")
        return reset


class ActionRefundStatus(ShopAction):
    """The refunds of the order in ``order_id`` (amount, status, dates, RMA)."""

    def name(self) -> Text:
        return "action_refund_status"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        refunds = get_shop().after_sales.refund_status(order_id, customer_id)
        if not refunds:
            dispatcher.utter_message(text=f"There's no refund for order {order_id} yet. A refund starts once a "
                                          "returned parcel reaches us or a paid order is cancelled.")
            return []
        lines = [f"Refunds for order {order_id}:"]
        for r in refunds:
            what = f"return {r.rma}" if r.rma else "the cancellation"
            when = (f", completed on {r.completed_at:%d %b %Y}" if r.completed_at
                    else f", started on {r.created_at:%d %b %Y}")
            lines.append(f"• {money(r.amount)} for {what}: {r.status}{when}")
        dispatcher.utter_message(text="\n".join(lines))
        return []


# ----------------------------------------------------------------------------------------------- exchanges
def _norm(attribute: str, value: Any) -> str:
    """Canonical size (``"large please"`` → ``L``, ``"eu 42"`` → ``42``) or lower-case colour."""
    text = " ".join(str(value or "").lower().split())
    if attribute != "size":
        return text
    for word, code in SIZE_WORDS.items():  # longest phrases first
        if re.search(rf"\b{word}\b", text):
            return code
    match = re.search(r"\b(xxl|xl|xs|s|m|l|\d{1,2})\b", text)
    return match.group(1).upper() if match else text.upper()


def _matches(attribute: str, option_value: Any, given: Any) -> bool:
    """Whether an option's size / colour is the one the customer gave (a colour may come in a phrase)."""
    if attribute == "size":
        return _norm("size", option_value) == _norm("size", given)
    value = _norm("colour", option_value)
    return bool(value) and re.search(rf"\b{re.escape(value)}\b", _norm("colour", given)) is not None


def exchange_choice(options: Sequence[Any], current: dict, size: Any, colour: Any) -> tuple[list, List[str]]:
    """(options matching the given size / colour, attributes still to ask).

    An attribute the options don't vary in needs no question, but the customer always names the variant they
    want (at least one of size / colour); a colour not asked for stays the current one when available."""
    def values(attr: str, among: Sequence[Any]) -> set:
        return {_norm(attr, o.attributes.get(attr)) for o in among if o.attributes.get(attr)}

    matching = [o for o in options
                if (size is None or _matches("size", o.attributes.get("size"), size))
                and (colour is None or _matches("colour", o.attributes.get("colour"), colour))]
    if colour is None and len(matching) > 1:
        same = [o for o in matching if _matches("colour", o.attributes.get("colour"), current.get("colour"))]
        matching = same or matching
    todo = []
    if size is None and len(values("size", options) | {_norm("size", current.get("size"))} - {""}) > 1:
        todo.append("size")
    if colour is None and len(values("colour", matching)) > 1:
        todo.append("colour")
    if not todo and size is None and colour is None:  # one obvious variant: still ask for what differs
        differs = [a for a in ("size", "colour") if values(a, options) - {_norm(a, current.get(a))}]
        todo.append(differs[0] if differs else "size" if values("size", options) else "colour")
    return matching, todo


class ValidateExchangeForm(OrderItemFormValidation):
    """``exchange_form``: which item (returnable, with other sizes / colours in stock), then the size and/or
    colour it varies in (``required_slots`` puts ``colour`` in place of ``size`` when only colours differ)."""

    fresh_slots = ("return_item_id", "size", "colour")

    def name(self) -> Text:
        return "validate_exchange_form"

    @staticmethod
    def _options(tracker: Tracker) -> tuple[list, dict]:
        """(in-stock variants, attributes of the ordered item); empty while the item isn't resolved yet."""
        item_id = item_id_in(tracker.get_slot("return_item_id"))
        if item_id is None:
            return [], {}
        shop = get_shop()
        options = shop.after_sales.exchange_options(normalise_order_id(tracker.get_slot("order_id")),
                                                    verified_customer(tracker), item_id)
        return options, shop.catalog.get(item_id).attributes

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> List[Text]:
        options, current = self._options(tracker)
        if not options:
            return domain_slots
        _, todo = exchange_choice(options, current, tracker.get_slot("size"), tracker.get_slot("colour"))
        given = [s for s in ("size", "colour") if tracker.get_slot(s) is not None]
        return ["return_item_id", *given, *todo]

    def item_ok(self, order: Any, line: Any, dispatcher: CollectingDispatcher) -> bool:
        if not self.eligible(order, line, dispatcher):
            return False
        if not get_shop().after_sales.exchange_options(order.id, order.customer_id, line.item_id):
            dispatcher.utter_message(text=f"Sorry, there's no other size or colour of {line.title} in stock right "
                                          "now. I can start a return instead.")
            return False
        return True

    async def after_validation(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                               domain: DomainDict) -> List[EventType]:
        """A size / colour given before the item was known, or not in stock: say what is available, ask again."""
        size, colour = tracker.get_slot("size"), tracker.get_slot("colour")
        options, current = self._options(tracker)
        if not options or (size is None and colour is None) or exchange_choice(options, current, size, colour)[0]:
            return []
        wrong = "size" if size is not None else "colour"
        available = sorted({str(o.attributes[wrong]) for o in options if o.attributes.get(wrong)})
        dispatcher.utter_message(text=f"Sorry, that {wrong} isn't in stock. Available: {', '.join(available)}.",
                                 buttons=buttons((v, slot_payload("inform", **{wrong: v})) for v in available))
        return [SlotSet("size", None), SlotSet("colour", None), SlotSet(REQUESTED_SLOT, wrong)]

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        # the form asks for the *last* requested slot set here (after_validation may have changed it)
        asked = [e for e in events if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT]
        return [e for e in events if e not in asked[:-1]]

    def validate_size(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("size", lambda v: validation.text(v, "size", max_len=20), value, dispatcher)

    def validate_colour(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("colour", lambda v: validation.text(v, "colour", max_len=30), value, dispatcher)


class ActionExchangeItem(ShopAction):
    """Submit of ``exchange_form``: exchange number, the replacement and instructions (idempotent per
    conversation, order, item and replacement). Resets ``return_item_id``, ``size``, ``colour``."""

    def name(self) -> Text:
        return "action_exchange_item"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        reset = [SlotSet("return_item_id", None), SlotSet("size", None), SlotSet("colour", None)]
        item_id = tracker.get_slot("return_item_id")
        if not item_id or not (tracker.get_slot("size") or tracker.get_slot("colour")):
            return reset
        shop = get_shop()
        options = shop.after_sales.exchange_options(order_id, customer_id, item_id)
        matching, _ = exchange_choice(options, shop.catalog.get(item_id).attributes, tracker.get_slot("size"),
                                      tracker.get_slot("colour"))
        if not matching:
            dispatcher.utter_message(text="Sorry, that variant has just sold out. I can start a return instead.")
            return reset
        new = matching[0]
        key = idempotency_key(tracker.sender_id, "exchange", order_id, f"{item_id}|{new.id}")
        ex = shop.after_sales.exchange(order_id, customer_id, item_id, new.id, idempotency_key=key)
        dispatcher.utter_message(text=f"Exchange {ex.number} is booked: you'll get {ex.new_title}. {ex.instructions}")
        return reset


# ------------------------------------------------------------------------------------------------ warranty
class ValidateWarrantyForm(OrderItemFormValidation):
    """``warranty_form``: which item, and a description of the fault (the shop checks the warranty period)."""

    fresh_slots = ("return_item_id", "reason")

    def name(self) -> Text:
        return "validate_warranty_form"

    def validate_reason(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                        domain: DomainDict) -> Dict[Text, Any]:
        return self.checked("reason", lambda v: validation.text(v, "description of the fault", min_len=5,
                                                                max_len=1000), value, dispatcher)


class ActionWarrantyClaim(ShopAction):
    """Submit of ``warranty_form``: claim number and warranty end (idempotent per conversation, order, item and
    description). Resets ``return_item_id`` and ``reason``."""

    def name(self) -> Text:
        return "action_warranty_claim"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        order_id, customer_id = order_and_customer(dispatcher, tracker)
        if order_id is None:
            return []
        item_id, description = tracker.get_slot("return_item_id"), tracker.get_slot("reason")
        reset = [SlotSet("return_item_id", None), SlotSet("reason", None)]
        if not (item_id and description):
            return reset
        key = idempotency_key(tracker.sender_id, "warranty", order_id, f"{item_id}|{description}")
        claim = get_shop().after_sales.warranty_claim(order_id, customer_id, item_id, description,
                                                      idempotency_key=key)
        dispatcher.utter_message(text=f"Warranty claim {claim.number} is open for {claim.title} (covered until "
                                      f"{claim.warranty_until:%d %b %Y}). Our team will review it and contact you "
                                      "about a repair or replacement.")
        return reset


# ----------------------------------------------------------------------------------------------- complaints
def complaint_text(tracker: Tracker) -> str:
    """The customer's complaint: the latest message classified as a complaint (else the latest message)."""
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") == "user" and "complaint" in ((event.get("parse_data") or {}).get("intent") or {}) \
                .get("name", "").split("+"):
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


class ActionFileComplaint(ShopAction):
    """A complaint ticket with the transcript; the customer gets its number (the apology, ``utter_complaint_apology``,
    comes just before from the rules). Never recommends anything. The same complaint sent again gets the same
    ticket. Sets ``dialogue_events`` (the ticket note)."""

    def name(self) -> Text:
        return "action_file_complaint"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        text = complaint_text(tracker).strip()
        if len(text) < 3 or text.startswith("/"):  # a button, not the customer's words
            text = "The customer wants to make a complaint (no details given yet)."
        number, new, events = open_ticket(
            tracker, "complaint", text_ref(text),
            lambda **kw: get_shop().tickets.complaint(text, kw.pop("transcript"), **kw))
        dispatcher.utter_message(text=f"Your complaint is logged as ticket {number}. Our customer care team will get "
                                      "back to you" + (" by email." if verified_customer(tracker) is not None else
                                                       "; if you share your order number they can reach you faster.")
                                 if new else f"This is already logged as ticket {number}; our team is on it.")
        if "human_handoff" in latest_intents(tracker):
            dispatcher.utter_message(text="A colleague will pick up this ticket personally.")
        return events

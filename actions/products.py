"""Products from the catalog: details / price / availability, comparison, delivery and payment help.

References are resolved knowledge-base style (``resolve_items``): an item id, a position in the cards last shown
(``shown_items``: "the second one", "the last one", "2"), a pronoun ("it", "that one": the product last shown,
``product``), or the words of a ``product`` entity searched in the catalog. ``product`` and ``shown_items`` are
set here so that the next reference resolves.
"""
from __future__ import annotations

import re
from typing import Any, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    ShopAction,
    answers_errors,
    get_shop,
    item_id_in,
    money,
    render_cards,
)
from actions.state import record

ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3, "4th": 3, "fifth": 4,
            "5th": 4, "last": -1, "latter": -1, "former": 0}
ORDINAL_RE = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b", re.IGNORECASE)
BARE_NUMBER_RE = re.compile(r"\s*(?:the\s+|number\s+|no\.?\s*|#|option\s+|item\s+)?([1-9])(?:\s+one)?\s*[.!?]?\s*",
                            re.IGNORECASE)
PRONOUN_RE = re.compile(r"\b(it|its|that|this|that one|this one|the one)\b", re.IGNORECASE)
SEARCH_LIMIT = 5


def ordinals_in(text: str) -> List[int]:
    """Positions named in ``text`` in order (0-based, -1 = last): "the first and the third" → [0, 2]; a bare
    "2" → [1]."""
    found = [ORDINALS[m.group(1).lower()] for m in ORDINAL_RE.finditer(text or "")]
    if not found and (m := BARE_NUMBER_RE.fullmatch(text or "")):
        found = [int(m.group(1)) - 1]
    return found


def ordinal_in(text: str) -> Optional[int]:
    found = ordinals_in(text)
    return found[0] if found else None


def _entities(tracker: Tracker, name: str) -> List[str]:
    return [str(v) for v in tracker.get_latest_entity_values(name) if v]


def named_phrases(tracker: Tracker) -> List[str]:
    """Phrases of the latest message that name one item, in order: each ``product`` entity, with the brand right
    before it ("Kestrel compact camera"), and a brand right before a singular category word ("the Kestrel camera";
    "Kestrel cameras" asks for a range, not an item)."""
    text = tracker.latest_message.get("text") or ""
    entities = sorted((e for e in tracker.latest_message.get("entities") or [] if e.get("value")),
                      key=lambda e: e.get("start") or 0)
    phrases = []
    for i, e in enumerate(entities):
        if e.get("entity") not in ("product", "content_type"):
            continue
        prev = entities[i - 1] if i else None
        spans = prev is not None and 0 <= prev.get("end", 0) <= e.get("start", 0) < e.get("end", 0) <= len(text)
        brand = prev if spans and prev.get("entity") == "brand" and not text[prev["end"]:e["start"]].strip() else None
        if e["entity"] == "content_type":
            if brand is None or text[e["start"]:e["end"]].lower() == str(e.get("category") or "").lower():
                continue
            phrases.append(text[brand["start"]:e["end"]])
        else:
            phrases.append(f"{text[brand['start']:brand['end']]} {e['value']}" if brand else str(e["value"]))
    return phrases


def resolve_items(tracker: Tracker, want: int = 1) -> List[str]:
    """Up to ``want`` item ids the latest message refers to, in the order they were named.

    Sources, most explicit first: item ids in the text or entities, positions in ``shown_items`` (from the
    ``mention`` entity or the text), ``named_phrases`` searched in the catalog, then a pronoun or the lack
    of any reference → the product last shown (``product``)."""
    text = tracker.latest_message.get("text") or ""
    found: List[str] = []

    def add(item_id: Optional[str]) -> None:
        if item_id and item_id not in found:
            found.append(item_id)

    for value in _entities(tracker, "product") + [text]:
        for match in re.finditer(r"\b[A-Za-z]{2}-\d{6}\b", value):
            add(item_id_in(match.group(0)))
    shown = [i for i in (tracker.get_slot("shown_items") or []) if item_id_in(i)]
    mentions = " ".join(_entities(tracker, "mention"))
    for position in ordinals_in(mentions) or ordinals_in(text):
        if shown and -len(shown) <= position < len(shown):
            add(shown[position])
    for value in named_phrases(tracker):
        if not item_id_in(value):
            hits = get_shop().catalog.search(value, limit=1)
            add(hits[0].id if hits else None)
    current = item_id_in(tracker.get_slot("product"))
    if len(found) < want and current and (PRONOUN_RE.search(mentions or text) or not found):
        add(current)
    return found[:want]


def describe_item(item: Any, availability: Any) -> str:
    """Title, brand, price, description, stock, variants in stock, key attributes and warranty."""
    lines = [f"{item.title}" + (f" by {item.brand}" if item.brand else "") + f" — {money(item.price)}"]
    if item.description:
        lines.append(item.description)
    if availability.in_stock:
        lines.append(f"In stock ({availability.stock} available)." if availability.stock < 10 else "In stock.")
    else:
        lines.append("Currently out of stock.")
    others = [v for v in availability.variants if v.item_id != item.id]
    for attribute in ("size", "colour"):
        values = sorted({getattr(v, attribute) for v in availability.variants if getattr(v, attribute)})
        if values and others:
            lines.append(f"{attribute.capitalize()}s in stock: {', '.join(values)}.")
    specs = {k: v for k, v in item.attributes.items() if k not in ("size", "colour") and isinstance(v, (str, int, float))}
    if specs:
        lines.append("Details: " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in list(specs.items())[:5]) + ".")
    if item.warranty_months:
        lines.append(f"Comes with a {item.warranty_months}-month warranty.")
    if item.final_sale:
        lines.append("Final sale: it can't be returned.")
    return "\n".join(lines)


def search_filters(tracker: Tracker) -> dict:
    """Catalog filters from the latest message's entities (the content type falling back to its slot): a
    ``content_type`` entity names a type ("gadgets") or a category of it ("laptops", under ``category``; see
    ``nlu.gazetteer``)."""
    def first(name: str) -> Optional[dict]:
        return next((e for e in tracker.latest_message.get("entities") or []
                     if e.get("entity") == name and e.get("value")), None)

    kind, brand = first("content_type") or {}, first("brand") or {}
    return {"content_type": kind.get("value") or tracker.get_slot("content_type"), "category": kind.get("category"),
            "brand": brand.get("value")}


class ActionProductInfo(ShopAction):
    """Details, price and availability of the product meant; or, for a type / category / brand / words, the
    best catalog matches as cards.

    One product: sets ``product`` and ``dialogue_events`` (``viewed``). Several: sets ``shown_items`` and
    ``dialogue_events`` (``shown``)."""

    def name(self) -> Text:
        return "action_product_info"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        shop = get_shop()
        text = tracker.latest_message.get("text") or ""
        # "how much is it": a pronoun (not an entity, see nlu/gazetteer.py) means the product last shown
        explicit = named_phrases(tracker) or _entities(tracker, "mention") or item_id_in(text) or (
            tracker.get_slot("product") and PRONOUN_RE.search(text))
        filters = search_filters(tracker)
        if not explicit and any(filters.values()):
            return self.search(dispatcher, tracker, filters)
        found = resolve_items(tracker)
        if not found:
            words = " ".join(_entities(tracker, "product"))
            if words or any(filters.values()):
                return self.search(dispatcher, tracker, filters, words)
            dispatcher.utter_message(response="utter_ask_which_product")
            return []
        item = shop.catalog.get(found[0])
        dispatcher.utter_message(text=describe_item(item, shop.catalog.availability(item.id)))
        return [SlotSet("product", item.id), record("viewed", [item])]

    @staticmethod
    def search(dispatcher: CollectingDispatcher, tracker: Tracker, filters: dict, words: str = "") -> List[EventType]:
        shop = get_shop()
        items = shop.catalog.search(words or None, **filters, limit=SEARCH_LIMIT)
        if not items and words:
            items = shop.catalog.search(None, **filters, limit=SEARCH_LIMIT) if any(filters.values()) else []
        if not items:
            dispatcher.utter_message(text="I couldn't find anything like that in our catalog. Could you describe it "
                                          "differently, or give a brand or a category?")
            return []
        dispatcher.utter_message(**render_cards(items, channel=tracker.get_latest_input_channel(),
                                                intro="Here's what I found:"))
        return [SlotSet("shown_items", [i.id for i in items]), record("shown", items)]


class ActionCompareProducts(ShopAction):
    """Compares two catalog items (named, or "the first and the second" of the cards shown, or "it" and a
    named one): price difference, what they share and how they differ. Sets ``shown_items`` to the pair."""

    def name(self) -> Text:
        return "action_compare_products"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        pair = resolve_items(tracker, want=2)
        if len(pair) < 2:
            shown = [i for i in (tracker.get_slot("shown_items") or []) if item_id_in(i)]
            pair = (pair + [i for i in shown if i not in pair])[:2] if len(shown) == 2 else pair
        if len(pair) < 2:
            dispatcher.utter_message(response="utter_ask_compare_products")
            return []
        c = get_shop().catalog.compare(pair[0], pair[1])
        lines = [f"{c.a.title}: {money(c.a.price)}", f"{c.b.title}: {money(c.b.price)}"]
        if c.cheaper:
            cheaper = c.a if c.cheaper == c.a.id else c.b
            lines.append(f"{cheaper.title} is {money(abs(c.price_difference))} cheaper.")
        else:
            lines.append("They cost the same.")
        shared = [f"{k.replace('_', ' ')} {v}" for k, v in c.shared.items() if k != "content_type" and v is not None]
        if shared:
            lines.append("Both: " + ", ".join(shared) + ".")
        for key, (va, vb) in c.different.items():
            lines.append(f"{key.replace('_', ' ').capitalize()}: {va if va is not None else '—'} vs "
                         f"{vb if vb is not None else '—'}")
        dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet("shown_items", [c.a.id, c.b.id]), record("viewed", [c.a, c.b])]


def _help(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str, intro: str) -> List[EventType]:
    """Help articles and services about ``topic`` from the catalog, as cards."""
    shop = get_shop()
    items = [i for content_type in ("help_article", "service")
             for i in shop.catalog.search(topic, content_type=content_type, limit=3)]
    if not items:
        return []
    dispatcher.utter_message(**render_cards(items, channel=tracker.get_latest_input_channel(), intro=intro))
    return [SlotSet("shown_items", [i.id for i in items])]


class ActionDeliveryOptions(ShopAction):
    """Delivery options: the shop's help articles and delivery services from the catalog. Sets ``shown_items``."""

    def name(self) -> Text:
        return "action_delivery_options"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = _help(dispatcher, tracker, "delivery", "Here's how delivery works and the options you can choose:")
        if not events:
            dispatcher.utter_message(response="utter_delivery_options")
        return events


class ActionPaymentIssue(ShopAction):
    """Payment problems: the payment help articles, plus the offer of a colleague. Sets ``shown_items``."""

    def name(self) -> Text:
        return "action_payment_issue"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events = _help(dispatcher, tracker, "payment", "These articles cover the most common payment problems:")
        dispatcher.utter_message(response="utter_payment_human_offer")
        return events

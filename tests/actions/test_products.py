"""Product details, references ("it", "the second one"), comparison, delivery and payment help."""
from __future__ import annotations

import pytest

from actions.products import (
    ActionCompareProducts,
    ActionDeliveryOptions,
    ActionPaymentIssue,
    ActionProductInfo,
    ordinals_in,
)
from shop.db import session_scope
from tests.actions.conftest import slot_events
from tests.factories import make_item


@pytest.mark.unit
@pytest.mark.parametrize("text, expected", [("the second one", [1]), ("compare the first and the third", [0, 2]),
                                            ("the last one", [-1]), ("2", [1]), ("number 3", [2]),
                                            ("I have 2 kids", []), ("SM-100002", [])])
def test_ordinals_in_text(text, expected):
    assert ordinals_in(text) == expected


def test_product_details_price_availability_and_warranty_from_the_catalog(chat, dataset):
    chat.user("tell me about the canon camera", "product_info", [("product", "canon camera")])
    events = chat.run(ActionProductInfo())
    assert "Canon EOS 250D camera by Canon — €499.00" in chat.texts
    assert "In stock (5 available)" in chat.texts and "24-month warranty" in chat.texts
    slots = slot_events(events)
    assert slots["product"] == dataset.items["camera"]
    assert slots["dialogue_events"] == [{"kind": "viewed", "item": dataset.items["camera"], "type": "electronics",
                                         "category": "cameras"}]


def ct(text, phrase, value, category=None):
    """A content_type entity as nlu.entities.EntityResolver gives it."""
    start = text.index(phrase)
    return {"entity": "content_type", "value": value, "start": start, "end": start + len(phrase),
            **({"category": category} if category else {})}


def brand(text, phrase):
    start = text.index(phrase)
    return {"entity": "brand", "value": phrase, "start": start, "end": start + len(phrase)}


def test_a_brand_with_a_singular_category_names_one_item_and_with_a_plural_asks_for_the_range(chat, dataset):
    text = "how much is the Canon camera"
    chat.user(text, "product_info", [brand(text, "Canon"), ct(text, "camera", "electronics", "cameras")])
    events = chat.run(ActionProductInfo())
    assert "Canon EOS 250D camera by Canon — €499.00" in chat.texts
    assert slot_events(events)["product"] == dataset.items["camera"]
    text = "do you have Basics t-shirts"
    chat.user(text, "product_info", [brand(text, "Basics"), ct(text, "t-shirts", "clothing", "t-shirts")])
    events = chat.run(ActionProductInfo())
    assert chat.messages[-1]["custom"]["type"] == "cards"
    assert set(slot_events(events)["shown_items"]) == {dataset.items[k] for k in ("tee_m", "tee_l", "tee_s")}


def test_compare_two_items_named_by_brand_and_category(chat, dataset):
    text = "is the Canon camera better than the Sony headphones"
    chat.user(text, "product_info", [brand(text, "Canon"), ct(text, "camera", "electronics", "cameras"),
                                     brand(text, "Sony"), ct(text, "headphones", "electronics")])
    events = chat.run(ActionCompareProducts())
    assert slot_events(events)["shown_items"] == [dataset.items["camera"], dataset.items["headphones"]]
    assert "€" in chat.texts


def test_it_refers_to_the_product_last_shown_not_to_the_type_talked_about(chat, dataset):
    # pronouns are not entities (nlu/gazetteer.py): "it" in the text means the product last shown, even while a
    # content type is in the conversation (which, with no reference, would be searched)
    chat.set(product=dataset.items["headphones"], content_type="clothing").user("is it in stock?", "product_info")
    chat.run(ActionProductInfo())
    assert "Sony WH-1000XM4 headphones" in chat.texts and "out of stock" in chat.texts


def test_variants_in_stock_are_listed(chat, dataset):
    chat.user(f"what sizes does {dataset.items['tee_m']} come in", "product_info")
    chat.run(ActionProductInfo())
    assert "Sizes in stock: L, M." in chat.texts


def test_a_category_question_shows_cards_and_the_second_one_resolves_to_the_second_card(chat, dataset):
    chat.user("what t-shirts do you have", "product_info",
              [{"entity": "content_type", "value": "clothing", "category": "t-shirts", "start": 5, "end": 13}])
    events = chat.run(ActionProductInfo())
    shown = slot_events(events)["shown_items"]
    assert shown and set(shown) <= {dataset.items[k] for k in ("tee_s", "tee_m", "tee_l")}
    assert chat.messages[0]["custom"]["type"] == "cards" and len(chat.messages[0]["custom"]["cards"]) == len(shown)
    chat.user("tell me more about the second one", "product_info", [("mention", "the second one")])
    events = chat.run(ActionProductInfo())
    assert slot_events(events)["product"] == shown[1]


def test_unknown_product_and_no_reference_get_clear_answers(chat, dataset):
    chat.user("do you sell a flux capacitor", "product_info", [("product", "flux capacitor")])
    chat.run(ActionProductInfo())
    assert "couldn't find anything like that" in chat.texts
    chat.user("how much is it", "product_info")
    assert chat.run(ActionProductInfo()) == [] and chat.responses == ["utter_ask_which_product"]


def test_compare_the_two_cards_shown(chat, dataset):
    chat.set(shown_items=[dataset.items["camera"], dataset.items["headphones"]])
    chat.user("compare the first and the second", "product_info", [("mention", "the first"), ("mention", "second")])
    events = chat.run(ActionCompareProducts())
    text = chat.texts
    assert "Canon EOS 250D camera: €499.00" in text and "Sony WH-1000XM4 headphones: €249.99" in text
    assert "Sony WH-1000XM4 headphones is €249.01 cheaper." in text
    assert "Brand: Canon vs Sony" in text and "Both: colour black" in text
    assert slot_events(events)["shown_items"] == [dataset.items["camera"], dataset.items["headphones"]]


def test_compare_it_with_a_named_product_and_ask_when_only_one_is_known(chat, dataset):
    chat.set(product=dataset.items["camera"])
    chat.user("compare it with the photography handbook", "product_info",
              [("product", "photography handbook")])
    chat.run(ActionCompareProducts())
    assert "Travel Photography Handbook: €25.00" in chat.texts
    chat.set(shown_items=None, product=None).user("compare the sony", "product_info", [("product", "sony")])
    chat.run(ActionCompareProducts())
    assert chat.responses == ["utter_ask_compare_products"]


def test_delivery_options_and_payment_help_come_from_the_catalog(chat, dataset, db):
    with session_scope(db) as s:
        make_item(s, content_type="help_article", title="Shipping times and costs", category="shipping", stock=1,
                  price="0", description="Standard delivery takes 2-5 days")
        make_item(s, content_type="service", title="Express Shipping", category="delivery", price="9.95", stock=99)
    chat.user("how fast is delivery", "delivery_options")
    events = chat.run(ActionDeliveryOptions())
    assert "Shipping times and costs" in chat.texts and "Express Shipping — €9.95" in chat.texts
    assert len(slot_events(events)["shown_items"]) == 2
    chat.user("my card was declined", "payment_issue")
    chat.run(ActionPaymentIssue())
    assert chat.responses == ["utter_payment_human_offer"]  # no payment article in this catalog: the offer only

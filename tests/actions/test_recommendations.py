"""``action_recommend`` with a real ``Recommender`` fitted on the test shop, and the recommender loading."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from actions import base
from actions.after_sales import ValidateReturnForm
from actions.orders import ActionOrderStatus
from actions.products import ActionProductInfo
from actions.recommendations import ActionRecommend
from actions.state import dialogue_state
from recommender import Recommender
from recommender.train import read_frames
from shop.db import session_scope
from shop.models import Interaction
from tests.actions.conftest import slot_events, verified
from tests.factories import make_customer, make_item

PRODUCT_TYPES = {"books", "electronics", "clothing", "home"}


@pytest.fixture
def catalog(db, dataset):
    """Accessories and other items, and browsing history in which camera buyers also buy bags and tripods."""
    with session_scope(db) as s:
        extra = {
            "bag": make_item(s, title="Camera bag", category="cameras", brand="Lowe", price="59.00", stock=8),
            "tripod": make_item(s, title="Travel tripod", category="cameras", brand="Manfrotto", price="89.00"),
            "jacket": make_item(s, content_type="clothing", title="Rain jacket", category="jackets", price="79.00"),
            "mug": make_item(s, content_type="home", title="Enamel mug", category="kitchen", price="9.00"),
            "novel": make_item(s, content_type="books", title="A novel", category="fiction", price="12.00"),
            "article": make_item(s, content_type="help_article", title="How returns work", category="returns",
                                 price="0", stock=1),
        }
        ids = {**dataset.items, **{k: v.id for k, v in extra.items()}}
        at = dt.datetime(2026, 11, 1)
        for n in range(6):
            c = make_customer(s, name=f"Buyer {n}")
            basket = ["camera", "bag", "tripod"] if n < 4 else ["jacket", "mug", "novel"]
            s.add_all([Interaction(customer_id=c.id, item_id=ids[k], kind="purchase", at=at + dt.timedelta(hours=i))
                       for i, k in enumerate(basket)])
    return ids


@pytest.fixture
def fitted(shop, catalog):
    interactions, items = read_frames(shop.url)
    base.use_recommender(Recommender().fit(interactions, items))
    yield catalog
    base.use_recommender(None)


def test_after_a_camera_question_the_cards_are_camera_related_with_price_and_reason(chat, dataset, fitted):
    chat.user("tell me about the canon camera", "product_info", [("product", "canon camera"),
                                                                ("content_type", "electronics")])
    chat.run(ActionProductInfo())
    chat.user("what goes with it?", "ask_recommendation")
    events = chat.run(ActionRecommend())
    cards = chat.messages[0]["custom"]["cards"]
    shown = slot_events(events)["shown_items"]
    assert [c["item_id"] for c in cards] == shown and 0 < len(shown) <= 4
    assert dataset.items["camera"] not in shown  # the product being discussed is not suggested again
    assert cards[0]["content_type"] == "electronics" and cards[0]["item_id"] in {fitted["bag"], fitted["tripod"]}
    assert all(c["title"] and c["price"] >= 0 and c["reason"] for c in cards)
    lines = chat.texts.splitlines()
    assert lines[1] == f"1. {cards[0]['title']} — €{cards[0]['price']:.2f} — {cards[0]['reason']}"
    assert chat.buttons[0]["payload"] == f'/product_info{{"product":"{cards[0]["item_id"]}"}}'
    assert slot_events(events)["dialogue_events"][0]["kind"] == "shown"


def test_a_verified_customer_is_ranked_with_their_id(chat, dataset, fitted):
    verified(chat, dataset, "delivered").user("any suggestions?", "ask_recommendation")
    assert dialogue_state(chat.tracker()).verified_customer_id == dataset.alice
    events = chat.run(ActionRecommend())
    assert slot_events(events)["shown_items"]


def test_nothing_is_promoted_during_a_complaint(chat, dataset, fitted):
    chat.user("tell me about the canon camera", "product_info", [("product", "canon camera")])
    chat.run(ActionProductInfo())
    chat.user("this is a disgrace, the last one broke and you want to sell me more", "complaint")
    events = chat.run(ActionRecommend())
    cards = (chat.messages[0].get("custom") or {}).get("cards", [])
    assert not {c["content_type"] for c in cards} & PRODUCT_TYPES
    assert cards or chat.responses == ["utter_no_recommendations_now"]
    if cards:
        assert "hold off on suggestions" in chat.texts
        assert slot_events(events)["shown_items"] == [c["item_id"] for c in cards]


def test_repeated_fallbacks_hold_back_products_too(chat, dataset, fitted):
    for n in range(3):
        chat.user("blorp", "nlu_fallback")
        chat.events += [{"event": "action", "name": "action_default_fallback"}, {"event": "rewind"}]
    chat.user("just show me something", "ask_recommendation")
    chat.run(ActionRecommend())
    cards = (chat.messages[0].get("custom") or {}).get("cards", [])
    assert not {c["content_type"] for c in cards} & PRODUCT_TYPES


@pytest.mark.parametrize("damage", ["missing", "corrupt"])
def test_missing_or_corrupt_artefacts_fall_back_to_popularity_with_a_warning(shop, catalog, tmp_path, caplog,
                                                                             damage):
    directory = tmp_path / "recommender"
    if damage == "corrupt":
        interactions, items = read_frames(shop.url)
        Recommender().fit(interactions, items).save(directory)
        (directory / "arrays.npz").write_bytes(b"not a numpy archive")
    with caplog.at_level(logging.WARNING):
        model = base.load_recommender(directory, shop)
    assert "falling back to popularity" in caplog.text
    assert model.params.use_cf is False
    recs = model.recommend(None, None, k=3)
    assert len(recs) == 3 and all(r.item_id in {i.id for i in shop.catalog.search(r.title, limit=50)} for r in recs)


def test_recommender_and_database_down_get_an_apology(chat, dataset, tmp_path, monkeypatch):
    from shop.services import Shop

    monkeypatch.setenv("SHOPMATE_RECOMMENDER_DIR", str(tmp_path / "no-model"))
    base.use_recommender(None)
    base.use_shop(Shop(f"sqlite:///{tmp_path / 'gone' / 'shop.db'}"))  # no schema: every query fails
    chat.user("recommend me something", "ask_recommendation")
    assert chat.run(ActionRecommend()) == []
    assert chat.responses == ["utter_service_unavailable"]
    base.use_recommender(None)


def test_the_dialogue_shifts_the_recommenders_type_weights_as_the_conversation_goes(chat, dataset, fitted):
    """Issue 4: camera question + order status → electronics first; a clothing return → clothing drops, help
    articles and services rise; a complaint → no product type is promoted."""
    model = base.get_recommender()

    def weights():
        return model.weights(dataset.alice, dialogue_state(chat.tracker()))

    chat.user("do you have the canon camera?", "product_info", [("product", "canon camera"),
                                                               ("content_type", "electronics")])
    chat.run(ActionProductInfo())
    verified(chat, dataset, "placed").user("and where is my order?", "order_status")
    chat.run(ActionOrderStatus())
    w1 = weights()
    assert max(w1, key=w1.get) == "electronics"
    chat.user("what else would go with it?", "ask_recommendation")
    chat.run(ActionRecommend())
    assert chat.messages[0]["custom"]["cards"][0]["content_type"] == "electronics"

    chat.set(order_id=dataset.orders["delivered"]).user("I want to return the t-shirt", "return_item",
                                                         [("content_type", "clothing")])
    chat.run(ValidateReturnForm())
    chat.activate("return_form").set(requested_slot="return_item_id")
    chat.user("the t-shirt", "inform", return_item_id="the t-shirt")
    chat.run(ValidateReturnForm())
    assert chat.slots["return_item_id"] == dataset.items["tee_m"]
    w2 = weights()
    assert w2["clothing"] < w1["clothing"]
    assert w2["help_article"] > w1["help_article"] and w2["service"] > w1["service"]

    chat.user("honestly this shop is a joke, everything I buy is rubbish", "complaint")
    w3 = weights()
    assert all(w3[t] < w1[t] for t in PRODUCT_TYPES)
    assert sum(w3[t] for t in PRODUCT_TYPES) < w3["help_article"] + w3["service"]
    chat.run(ActionRecommend())
    assert not {c["content_type"] for c in (chat.messages[0].get("custom") or {}).get("cards", [])} & PRODUCT_TYPES

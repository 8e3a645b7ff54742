"""``actions.state.dialogue_state``: a pure function of the tracker's events (no database needed)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from actions.state import FRUSTRATION_HIGH, MENTION_DECAY, NEED_DECAY, dialogue_state, record
from recommender import type_weights
from shop.models import CONTENT_TYPES, PRODUCT_TYPES
from tests.actions.conftest import Chat

pytestmark = pytest.mark.unit

CAMERA = SimpleNamespace(id="EL-000001", content_type="electronics", category="cameras")
JACKET = SimpleNamespace(id="CL-000007", content_type="clothing", category="jackets")
UNIFORM = {t: 1.0 for t in CONTENT_TYPES}


@pytest.fixture
def chat(domain):
    return Chat(domain)


def weights(state):
    return type_weights(UNIFORM, state, types=CONTENT_TYPES)


def camera_then_order(chat: Chat) -> Chat:
    """What the actions leave in the tracker: a camera question answered by action_product_info, then an order
    status (verified) answered by action_order_status."""
    chat.user("do you have a camera?", "product_info",
              [{"entity": "content_type", "value": "electronics", "category": "cameras", "start": 12, "end": 18}],
              content_type="electronics")
    chat.events.append({"event": "action", "name": "action_product_info"})
    chat.apply([{"event": "slot", "name": "product", "value": CAMERA.id}, record("viewed", [CAMERA])])
    chat.user("and where is my order SM-100001?", "order_status", [("order_id", "SM-100001")], order_id="SM-100001")
    chat.set(verified=True, customer_id=7.0)
    chat.apply([record("ordered", [SimpleNamespace(item_id="BK-000003", content_type="books", category="travel")])])
    return chat


def test_camera_question_then_order_status_puts_electronics_first(chat):
    state = dialogue_state(camera_then_order(chat).tracker())
    assert state.needs["orders"] == 1.0
    assert state.needs["product_info"] == pytest.approx(NEED_DECAY)
    assert state.mentioned_types["electronics"] == pytest.approx(MENTION_DECAY)  # one turn ago, fully
    assert state.mentioned_categories["cameras"] == pytest.approx(MENTION_DECAY)
    assert state.mentioned_items[CAMERA.id] > state.mentioned_items["BK-000003"]  # ordered lines count less
    assert state.verified_customer_id == 7
    w = weights(state)
    assert max(w, key=w.get) == "electronics"
    assert w["electronics"] > weights(None)["electronics"]


def test_jacket_return_damps_clothing_and_raises_support_types(chat):
    camera_then_order(chat)
    before = weights(dialogue_state(chat.tracker()))
    chat.user("I want to return the jacket", "return_item", [("content_type", "clothing")])
    chat.set(return_item_id=JACKET.id)
    state = dialogue_state(chat.tracker())
    assert state.negative_types["clothing"] == 1.0 and state.negative_items[JACKET.id] == 1.0
    assert "clothing" not in state.mentioned_types  # named in a return: a negative, not an interest
    assert state.needs["after_sales"] == 1.0
    after = weights(state)
    assert after["clothing"] < before["clothing"]
    assert after["help_article"] > before["help_article"] and after["service"] > before["service"]


def test_after_a_complaint_no_product_type_is_promoted(chat):
    camera_then_order(chat)
    chat.user("this is the worst service ever, my parcel is late again", "complaint")
    state = dialogue_state(chat.tracker())
    assert state.frustration >= FRUSTRATION_HIGH
    w, prior = weights(state), weights(None)
    assert all(w[t] < prior[t] for t in PRODUCT_TYPES)
    assert sum(w[t] for t in PRODUCT_TYPES) < w["help_article"] + w["service"]


def test_needs_decay_per_user_turn_and_multi_intents_split(chat):
    chat.user("where is my order and do you have a case for it", "order_status+ask_recommendation")
    state = dialogue_state(chat.tracker())
    assert state.needs == {"orders": 1.0, "related_items": 1.0}
    chat.user("thanks", "thanks").user("hm", "affirm")
    state = dialogue_state(chat.tracker())
    assert state.needs["orders"] == pytest.approx(NEED_DECAY ** 2)
    assert state.need("product_info") == 0.0


def test_mentions_fade_and_shown_cards_count_less_than_viewed_items(chat):
    chat.user("show me something", "ask_recommendation")
    chat.apply([{"event": "slot", "name": "shown_items", "value": ["HM-000001", "BK-000002"]}])
    chat.apply([{"event": "slot", "name": "product", "value": "EL-000009"}])
    state = dialogue_state(chat.tracker())
    assert state.mentioned_items["EL-000009"] == 1.0
    assert 0 < state.mentioned_items["HM-000001"] < state.mentioned_items["EL-000009"]
    assert state.mentioned_types["home"] < state.mentioned_types["electronics"]
    for _ in range(12):
        chat.user("ok", "affirm")
    assert dialogue_state(chat.tracker()).mentioned_items == {}


def test_consecutive_fallbacks_and_handoff_requests_raise_frustration_which_decays(chat):
    calm = dialogue_state(chat.user("hi", "greet").tracker()).frustration
    for n in range(2):  # two fallbacks in a row, each reverting its user message
        chat.user("asdf qwerty", "nlu_fallback")
        chat.events += [{"event": "action", "name": "action_default_fallback"}, {"event": "bot", "text": "?"},
                        {"event": "rewind"}, {"event": "slot", "name": "fallback_count", "value": n + 1.0}]
    state = dialogue_state(chat.tracker())
    assert calm == 0.0 and state.frustration == pytest.approx(0.15 + 0.30)
    assert state.needs == {}  # the reverted turns are not turns
    chat.user("I want a human", "human_handoff")
    higher = dialogue_state(chat.tracker()).frustration
    assert higher > state.frustration
    for _ in range(5):
        chat.user("ok", "affirm")
    assert dialogue_state(chat.tracker()).frustration < higher / 2


def test_deny_streak_counts_from_the_second_deny(chat):
    chat.user("no", "deny")
    assert dialogue_state(chat.tracker()).frustration == 0.0
    chat.user("no!", "deny")
    assert dialogue_state(chat.tracker()).frustration > 0.0


def test_restart_and_new_session_start_afresh_and_verification_needs_both_slots(chat):
    chat.user("I want to complain", "complaint").set(verified=True, customer_id=3.0)
    assert dialogue_state(chat.tracker()).verified_customer_id == 3
    chat.set(verified=False)
    assert dialogue_state(chat.tracker()).verified_customer_id is None
    chat.events.append({"event": "restart"})
    state = dialogue_state(chat.tracker())
    assert state.is_empty and state.verified_customer_id is None


def test_complaint_about_the_product_just_discussed_makes_it_negative(chat):
    chat.user("tell me about the camera", "product_info")
    chat.apply([{"event": "slot", "name": "product", "value": CAMERA.id}, record("viewed", [CAMERA])])
    chat.user("it broke after one day, this is unacceptable", "complaint")
    state = dialogue_state(chat.tracker())
    assert state.negative_items == {CAMERA.id: 1.0}
    assert state.negative_types == {"electronics": 1.0}


def test_after_sales_intents_mention_their_help_topics_and_they_fade(chat):
    chat.user("I want to return the jacket", "return_item", [("content_type", "clothing")])
    state = dialogue_state(chat.tracker())
    assert state.mentioned_categories["returns"] == 1.0
    assert "clothing" not in state.mentioned_types  # the returned type stays a negative, not a mention
    chat.user("and how long does delivery take?", "delivery_options")
    state = dialogue_state(chat.tracker())
    assert state.mentioned_categories["shipping"] == 1.0
    assert state.mentioned_categories["returns"] == pytest.approx(MENTION_DECAY)


def test_a_content_type_entity_mentions_its_type_and_the_category_it_names(chat):
    chat.user("any laptops?", "product_info",
              [{"entity": "content_type", "value": "electronics", "category": "laptops", "start": 4, "end": 11},
               {"entity": "content_type", "value": "clothing", "start": 0, "end": 0}])
    state = dialogue_state(chat.tracker())
    assert state.mentioned_types == {"electronics": 1.0, "clothing": 1.0}
    assert state.mentioned_categories == {"laptops": 1.0}

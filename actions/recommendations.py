"""Related items: ``action_recommend`` ranks with the recommender under the conversation's ``DialogueState``.

Nothing is promoted during a complaint or while frustration is high (``FRUSTRATION_HIGH``): then the customer
gets a polite word and, when the ranking has some, help articles only.
"""
from __future__ import annotations

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import (
    ShopAction,
    answers_errors,
    get_logger,
    get_recommender,
    item_id_in,
    latest_intents,
    render_cards,
)
from actions.state import FRUSTRATION_HIGH, dialogue_state, record

logger = get_logger(__name__)

CARDS = 4  # items per answer
HELP_TYPES = ("help_article",)
HELP_POOL = 20  # ranked items searched for help articles when products are held back


class ActionRecommend(ShopAction):
    """Cards (title, price, reason; text lines + ``custom`` payload + buttons) from ``Recommender.recommend(
    customer_id, dialogue_state(tracker), k)``, excluding the product being discussed, the cards already shown
    and the items being returned. Sets ``shown_items`` and ``dialogue_events`` (``shown``)."""

    def name(self) -> Text:
        return "action_recommend"

    @answers_errors
    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        state = dialogue_state(tracker)
        customer_id = state.verified_customer_id
        exclude = {i for i in [tracker.get_slot("product"), *(tracker.get_slot("shown_items") or [])] if item_id_in(i)}
        exclude |= set(state.negative_items)
        recommender = get_recommender()
        if "complaint" in latest_intents(tracker) or state.frustration >= FRUSTRATION_HIGH:
            logger.info("no promotion for %s (frustration %.2f)", tracker.sender_id, state.frustration)
            ranked = recommender.recommend(customer_id, state, k=HELP_POOL, exclude=sorted(exclude))
            articles = [r for r in ranked if r.content_type in HELP_TYPES][:CARDS]
            if not articles:
                dispatcher.utter_message(response="utter_no_recommendations_now")
                return []
            intro = "I'll hold off on suggestions for now. These help articles may be useful:"
            dispatcher.utter_message(**render_cards(articles, channel=tracker.get_latest_input_channel(), intro=intro))
            return [SlotSet("shown_items", [r.item_id for r in articles]), record("shown", articles)]
        recs = recommender.recommend(customer_id, state, k=CARDS, exclude=sorted(exclude))
        if not recs:
            dispatcher.utter_message(response="utter_no_recommendations")
            return []
        dispatcher.utter_message(**render_cards(recs, channel=tracker.get_latest_input_channel(),
                                                intro="You might also like:"))
        return [SlotSet("shown_items", [r.item_id for r in recs]), record("shown", recs)]

"""The dialogue state steers the recommendations, end to end (REST channel, real action server and recommender).

A customer asks about a camera, then about their order (a jacket), then returns the jacket, then complains. The
cards come from the REST channel's custom payload (``{"type": "cards", "cards": [{content_type, ...}]}``), so the
test reads the content type of every card the customer was shown:

* after the camera question and the order question, camera-related items come first;
* after the return of the jacket, clothing drops out and help articles / services (the return policy, exchanges,
  extended warranty, ...) take its place;
* after the complaint, no product is promoted at all: only help articles.
"""
from __future__ import annotations

from typing import List

from tests.e2e.conftest import ALEX

PRODUCTS = {"books", "electronics", "clothing", "home"}
HELP = {"help_article", "service"}
RETURN_HELP = {"Return policy", "Exchanges: another size or colour", "Refunds", "Damaged, faulty or missing items"}


def cards(replies: List[dict]) -> List[dict]:
    return [c for r in replies if isinstance(r.get("custom"), dict) for c in r["custom"].get("cards", [])]


def types(shown: List[dict]) -> List[str]:
    return [c["content_type"] for c in shown]


def test_recommendations_follow_the_conversation(chat):
    chat("do you have a camera?")
    camera = cards(chat("what goes with it?"))
    assert camera and camera[0]["content_type"] == "electronics", camera
    assert "camera" in (camera[0]["title"] + camera[0]["reason"]).lower(), camera

    chat.verify(ALEX["returnable"], ALEX["email"], opening=f"where is my order {ALEX['returnable']}?")
    before = cards(chat("show me related items"))
    assert before and before[0]["content_type"] == "electronics", before  # the camera still leads
    assert "clothing" in types(before), before  # ... and the jacket's order brings clothing in

    chat("I want to return the jacket")
    rma = chat.text(chat("it's too small"))
    assert "RMA-" in rma, rma
    after_return = cards(chat("what else would you recommend?"))
    assert after_return, after_return
    assert "clothing" not in types(after_return), after_return
    assert HELP & set(types(after_return)), after_return
    assert sum(t in HELP for t in types(after_return)) > sum(t in HELP for t in types(before))
    articles = [c["title"] for c in after_return if c["content_type"] == "help_article"]
    assert not articles or articles[0] in RETURN_HELP, articles  # the help is about the return

    complaint = chat.text(chat("I want to complain, the jacket fell apart after a week"))
    assert "sorry" in complaint.lower() and "TCK-" in complaint, complaint
    after_complaint = chat("any recommendations?")
    shown = cards(after_complaint)
    assert shown and not PRODUCTS & set(types(shown)), shown
    assert "€" not in chat.text(after_complaint)  # nothing with a price is offered

"""The REST channel against the real Rasa server, action server, shop database and recommender."""
from __future__ import annotations

import httpx

from tests.e2e.conftest import ALEX, JORDAN


def test_greeting_over_rest(chat):
    replies = chat("hello")
    assert replies, "the bot said nothing"
    assert all(r["recipient_id"] == chat.sender for r in replies)
    assert any(r.get("text") for r in replies)


def test_private_data_only_after_verification(chat):
    first = chat.text(chat("where is my order?"))
    assert "order number" in first.lower()
    assert "SM-100001" not in first
    chat(ALEX["shipped"])
    status = chat.text(chat(ALEX["email"]))
    assert ALEX["shipped"] in status
    assert "shipped" in status.lower()
    # tracking / shipment events of the real demo order are shown
    assert "tracking" in status.lower() or "carrier" in status.lower()


def test_wrong_email_and_unknown_order_read_the_same(new_chat):
    wrong_email, no_order = new_chat(), new_chat()
    wrong_email("where is my order?")
    wrong_email(ALEX["shipped"])
    a = wrong_email.text(wrong_email(JORDAN["email"]))
    no_order("where is my order?")
    no_order("SM-999999")
    b = no_order.text(no_order(JORDAN["email"]))
    assert a == b
    assert "SM-100001" not in a and "Alex" not in a


def test_rest_rejects_a_body_without_message(running):
    resp = httpx.post(f"{running.config.rasa_url}/webhooks/rest/webhook", content=b"{not json", timeout=30,
                      headers={"Content-Type": "application/json"})
    assert resp.status_code < 500

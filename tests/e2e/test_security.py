"""Security with the real servers and the real shop database: private data, enumeration, ownership, idempotency,
masked logs.

Each test talks to the assistant over the REST channel like a customer (or an attacker) would and then checks the
shop database itself, not only what the bot said.
"""
from __future__ import annotations

import json
import urllib.request
from typing import Any, Dict

import pytest
from sqlalchemy import create_engine, func, select, text

from shop.models import Order, Return
from shop.verification import MAX_CLIENT_FAILURES
from tests.e2e.conftest import ALEX, JORDAN, PRIYA


def query(url: str, statement) -> Any:
    engine = create_engine(url, future=True)
    try:
        with engine.begin() as conn:
            result = conn.execute(statement)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def order_row(url: str, order_id: str):
    return query(url, select(Order.status, Order.ship_street, Order.ship_city).where(Order.id == order_id))[0]


def returns_of(url: str, order_id: str) -> int:
    return query(url, select(func.count()).select_from(Return).where(Return.order_id == order_id))[0][0]


def tracker(stack, sender: str) -> Dict[str, Any]:
    with urllib.request.urlopen(f"{stack.config.rasa_url}/conversations/{sender}/tracker", timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture
def no_client_limits(running):
    """Clear the per-client verification counters before and after (every test client is 127.0.0.1)."""
    clear = text("DELETE FROM verification_attempts WHERE conversation_key LIKE 'client:%'")
    query(running.config.shop_db_url, clear)
    yield
    query(running.config.shop_db_url, clear)


def test_another_customers_order_reveals_nothing_and_cannot_be_changed(new_chat, running):
    db = running.config.shop_db_url
    alex = new_chat()
    alex.verify(ALEX["shipped"], ALEX["email"])
    before = order_row(db, JORDAN["order"]), returns_of(db, "SM-100006")
    foreign = alex.text(alex(f"what is the status of {JORDAN['order']}?"))
    missing = alex.text(alex("what is the status of SM-999999?"))
    for reply in (foreign, missing):
        assert "Sonora" not in reply and "Jordan" not in reply and "headphones" not in reply.lower()
    # the same answer for someone else's order as for one that does not exist (only the id differs, if echoed)
    assert foreign.replace(JORDAN["order"], "X") == missing.replace("SM-999999", "X")
    # try to change it anyway: cancel with a "yes", a new address, a return of another order's item
    alex(f"cancel order {JORDAN['order']}")
    alex("yes")
    alex(f"change the delivery address of {JORDAN['order']}")
    alex("1 Attacker Road")
    alex("London")
    alex("E1 6AN")
    alex("I want to return the jeans from SM-100006")
    alex("the jeans")
    alex("too small")
    alex("yes")
    assert (order_row(db, JORDAN["order"]), returns_of(db, "SM-100006")) == before
    assert "Attacker" not in (order_row(db, JORDAN["order"]).ship_street or "")


def test_a_repeated_yes_or_a_resent_message_changes_nothing_twice(chat, new_chat, running):
    db = running.config.shop_db_url
    chat(f"cancel my order {ALEX['placed']}")
    chat(ALEX["email"])
    assert "cancel" in chat.text(chat.history[-1]).lower()
    assert "is cancelled" in chat.text(chat("yes"))
    again = chat.text(chat("yes"))
    resent = chat.text(chat(f"cancel my order {ALEX['placed']}"))
    assert "already cancelled" in resent, (again, resent)
    assert order_row(db, ALEX["placed"]).status == "cancelled"
    refunds = query(db, text("SELECT COUNT(*) FROM refunds WHERE order_id = :o").bindparams(o=ALEX["placed"]))[0][0]
    assert refunds <= 1

    priya = new_chat()  # (Alex's jacket is returned in test_dialogue_shift)
    returns_before = returns_of(db, PRIYA["returnable"])
    priya.verify(PRIYA["returnable"], PRIYA["email"])
    priya("I want to return the hoodie")
    first = priya.text(priya("it's too small"))
    assert "RMA-" in first, first
    priya("yes")
    priya(f"I want to return the hoodie from {PRIYA['returnable']}")
    priya("it's too small")
    assert returns_of(db, PRIYA["returnable"]) == returns_before + 1


def test_order_ids_cannot_be_enumerated_from_one_client(new_chat, running, no_client_limits):
    """Three misses lock a conversation; new conversations from the same address run out too."""
    conversations = (MAX_CLIENT_FAILURES + 1) // 2
    for c in range(conversations):
        guesser = new_chat()
        guesser("where is my order?")
        for n in range(2):  # two misses per conversation: never the per-conversation lock
            guesser(f"SM-2{c:02d}{n:03d}")
            reply = guesser.text(guesser(JORDAN["email"]))
            assert "couldn't match" in reply or "protect your account" in reply, reply
    fresh = new_chat()
    fresh("where is my order?")
    fresh(JORDAN["order"])
    reply = fresh.text(fresh(JORDAN["email"]))  # the right details, but this client is out of guesses
    assert "protect your account" in reply and "Sonora" not in reply, reply
    assert tracker(running, fresh.sender)["slots"]["verified"] is not True


def test_the_client_address_cannot_be_forged(chat, running):
    body = json.dumps({"sender": chat.sender, "message": "hi", "metadata": {"client_address": "203.0.113.50"}})
    req = urllib.request.Request(f"{running.config.rasa_url}/webhooks/rest/webhook", data=body.encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert json.loads(resp.read())
    latest = tracker(running, chat.sender)["latest_message"]
    assert latest["metadata"]["client_address"] == "127.0.0.1"


def test_logs_mask_emails_and_addresses(new_chat, running):
    jordan = new_chat()
    jordan(f"I need to change the delivery address for {JORDAN['order']}")
    jordan(JORDAN["email"])
    jordan("27 Wharf Street")
    jordan("Leeds")
    done = jordan.text(jordan("LS2 7EE"))
    assert "27 Wharf Street" in done  # the customer sees their own new address ...
    assert order_row(running.config.shop_db_url, JORDAN["order"]).ship_street == "27 Wharf Street"
    wrong = new_chat()  # ... and a failed attempt is logged too
    wrong.verify(ALEX["shipped"], "someone.else@example.org")
    logs = "\n".join(p.read_text(errors="replace") for p in running.config.log_dir.glob("*.log"))
    assert "j***@example.com" in logs  # the action server did log the verification, masked
    for secret in (JORDAN["email"], "someone.else@example.org", "27 Wharf Street"):
        assert secret not in logs, f"{secret!r} appears in the server logs"

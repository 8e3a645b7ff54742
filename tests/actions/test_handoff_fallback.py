"""Hand-off tickets, the three fallback stages, and answers when the database is down."""
from __future__ import annotations

import re

from sqlalchemy import select

from actions import base
from actions.fallback import ActionDefaultFallback
from actions.handoff import ActionHumanHandoff
from actions.orders import ActionOrderStatus, ValidateVerifyForm
from shop.db import session_scope
from shop.models import SupportTicket
from tests.actions.conftest import form_stopped, slot_events, verified


def tickets(db):
    with session_scope(db) as s:
        return s.execute(select(SupportTicket).order_by(SupportTicket.id)).scalars().all()


def test_handoff_creates_one_ticket_with_the_transcript_and_tells_its_number(chat, dataset, db):
    verified(chat, dataset, "shipped").bot("Your order has shipped.")
    chat.user("I want to talk to a real person", "human_handoff")
    events = chat.run(ActionHumanHandoff())
    number = re.search(r"TCK-[A-Z0-9]{8}", chat.texts).group(0)
    assert slot_events(events)["fallback_count"] == 0.0
    [ticket] = tickets(db)
    assert ticket.number == number and ticket.kind == "handoff"
    assert ticket.customer_id == dataset.alice and ticket.order_id == dataset.orders["shipped"]
    assert ticket.transcript == [{"speaker": "assistant", "text": "Your order has shipped."},
                                 {"speaker": "customer", "text": "I want to talk to a real person"}]
    assert ticket.subject == "the customer asked for a person"
    chat.user("hello?? a human please", "human_handoff")
    chat.run(ActionHumanHandoff())
    assert number in chat.texts and "already have ticket" in chat.texts and len(tickets(db)) == 1


def test_handoff_after_the_verification_lockout_says_why(chat, dataset, db):
    chat.set(verification_failures=3.0).user("yes", "affirm")
    chat.run(ActionHumanHandoff())
    [ticket] = tickets(db)
    assert "verification failed 3 times" in ticket.subject and ticket.customer_id is None


def fallback_turn(chat, text="zzkx blorf"):
    chat.user(text, "nlu_fallback")
    return chat.run(ActionDefaultFallback())


def test_fallback_rephrase_then_options_then_a_human(chat, dataset, db):
    chat.user("hi", "greet").bot("Hi!", "utter_greet")
    first = fallback_turn(chat)
    assert chat.responses == ["utter_ask_rephrase"]
    assert [e["event"] for e in first] == ["rewind", "slot"] and first[1]["value"] == 1.0  # revert, then count
    second = fallback_turn(chat)
    assert chat.responses == ["utter_fallback_options"] and second[-1]["value"] == 2.0
    third = fallback_turn(chat)
    assert "rewind" not in [e["event"] for e in third] and slot_events(third)["fallback_count"] == 0.0
    assert re.search(r"TCK-[A-Z0-9]{8}", chat.texts)
    [ticket] = tickets(db)
    assert "didn't understand" in ticket.subject
    fallback_turn(chat)  # after the hand-off the count starts again
    assert chat.responses == ["utter_ask_rephrase"]


def test_an_understood_turn_resets_the_fallback_count(chat, dataset):
    fallback_turn(chat)
    chat.user("where is my order", "order_status").events.append({"event": "action", "name": "utter_verification_required"})
    fallback_turn(chat)
    assert chat.responses == ["utter_ask_rephrase"]


def test_database_down_gets_an_apology_and_the_conversation_goes_on(chat, dataset, tmp_path):
    from shop.services import Shop

    base.use_shop(Shop(f"sqlite:///{tmp_path / 'down' / 'shop.db'}"))  # no schema: queries raise OperationalError
    verified(chat, dataset, "placed").user("where is my order", "order_status")
    assert chat.run(ActionOrderStatus()) == []
    assert chat.responses == ["utter_service_unavailable"]
    chat.set(verified=False).activate("verify_form").user("SM-000001", "inform", order_id="SM-000001",
                                                          email="a@example.com")
    events = chat.run(ValidateVerifyForm())
    assert form_stopped(events) and chat.responses == ["utter_service_unavailable"]
    assert slot_events(events).get("verified") is not True

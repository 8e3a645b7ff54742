"""Returns, refunds, exchanges, warranty claims and complaints against the real test shop."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from actions.after_sales import (
    ActionExchangeItem,
    ActionFileComplaint,
    ActionRefundStatus,
    ActionStartReturn,
    ActionWarrantyClaim,
    ValidateExchangeForm,
    ValidateReturnForm,
    ValidateWarrantyForm,
)
from shop.db import session_scope
from shop.models import Exchange, Return, SupportTicket
from tests.actions.conftest import form_stopped, slot_events, verified


def count(db, model) -> int:
    with session_scope(db) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def start_form(chat, form: str, validator, text="I want to return something", intent="return_item"):
    chat.user(text, intent)
    events = chat.run(validator)
    chat.activate(form).set(requested_slot=slot_events(events).get("requested_slot", "return_item_id"))
    return events


def answer(chat, validator, text, **slots):
    chat.user(text, "inform", **slots)
    return slot_events(chat.run(validator))


# ------------------------------------------------------------------------------------------------ returns
def test_return_of_a_several_item_order_offers_one_button_per_item(chat, dataset):
    verified(chat, dataset, "delivered").set(return_item_id=dataset.items["camera"], reason="old")  # stale
    events = start_form(chat, "return_form", ValidateReturnForm())
    assert slot_events(events) == {"return_item_id": None, "reason": None}
    assert len(chat.buttons) == 4
    assert {b["payload"] for b in chat.buttons} >= {f'/inform{{"mention":"{dataset.items["tee_m"]}"}}'}


def test_the_item_is_resolved_from_words_positions_and_buttons(chat, dataset):
    verified(chat, dataset, "delivered")
    start_form(chat, "return_form", ValidateReturnForm())
    assert answer(chat, ValidateReturnForm(), "the t-shirt", return_item_id="the t-shirt") == \
        {"return_item_id": dataset.items["tee_m"]}
    assert answer(chat, ValidateReturnForm(), "the second one", return_item_id="the second one") == \
        {"return_item_id": dataset.items["camera"]}
    button = f'/inform{{"mention":"{dataset.items["scarf"]}"}}'
    assert answer(chat, ValidateReturnForm(), button, return_item_id=button) == {"return_item_id": None}
    assert "final-sale" in chat.texts  # the button answer is resolved, then checked
    assert answer(chat, ValidateReturnForm(), "a sofa", return_item_id="a sofa") == {"return_item_id": None}
    assert "couldn't match" in chat.texts and len(chat.buttons) == 4


def test_an_ineligible_item_is_explained_before_asking_for_a_reason(chat, dataset):
    verified(chat, dataset, "delivered")
    start_form(chat, "return_form", ValidateReturnForm())
    slots = answer(chat, ValidateReturnForm(), "the scarf", return_item_id="the scarf")
    assert slots == {"return_item_id": None} and "final-sale" in chat.texts


def test_a_one_item_order_needs_no_question_and_stops_when_not_returnable(chat, dataset):
    verified(chat, dataset, "placed")
    events = start_form(chat, "return_form", ValidateReturnForm())
    assert form_stopped(events) and "hasn't been delivered" in chat.texts
    chat.set(order_id=dataset.orders["bob_delivered"], customer_id=float(dataset.bob))
    chat.active_loop = {}
    events = start_form(chat, "return_form", ValidateReturnForm())
    assert slot_events(events)["return_item_id"] == dataset.items["book"] and not form_stopped(events)


def test_start_return_gives_an_rma_once_and_resets_the_slots(chat, dataset, db):
    verified(chat, dataset, "delivered").set(return_item_id=dataset.items["tee_m"], reason="too small")
    chat.user("too small", "inform")
    events = chat.run(ActionStartReturn())
    rma = re.search(r"RMA-[A-Z0-9]{8}", chat.texts).group(0)
    assert "1× Blue cotton t-shirt (M)" in chat.texts and "prepaid label" in chat.texts
    assert slot_events(events) == {"return_item_id": None, "reason": None}
    chat.set(return_item_id=dataset.items["tee_m"], reason="too small").user("too small", "inform")
    chat.run(ActionStartReturn())  # the customer sends it again
    assert rma in chat.texts and count(db, Return) == 1


def test_start_return_without_item_and_reason_changes_nothing(chat, dataset, db):
    verified(chat, dataset, "delivered").user("stop", "stop")
    assert slot_events(chat.run(ActionStartReturn())) == {"return_item_id": None, "reason": None}
    assert chat.messages == [] and count(db, Return) == 0


def test_refund_status_lists_refunds_or_says_there_is_none(chat, dataset, shop):
    verified(chat, dataset, "paid").user("where is my refund", "refund_status")
    chat.run(ActionRefundStatus())
    assert "no refund" in chat.texts
    shop.orders.cancel(dataset.orders["paid"], dataset.alice, idempotency_key="test-cancel")
    chat.run(ActionRefundStatus())
    assert "€37.00 for the cancellation: pending" in chat.texts


# ------------------------------------------------------------------------------------------------ exchanges
def test_exchange_asks_for_a_size_in_stock_and_books_it(chat, dataset, db):
    verified(chat, dataset, "delivered")
    start_form(chat, "exchange_form", ValidateExchangeForm(), "swap my t-shirt", "exchange_item")
    slots = answer(chat, ValidateExchangeForm(), "the t-shirt", return_item_id="the t-shirt")
    assert slots["return_item_id"] == dataset.items["tee_m"] and slots["requested_slot"] == "size"
    chat.set(requested_slot="size")
    slots = answer(chat, ValidateExchangeForm(), "S", size="S")  # S is out of stock
    assert slots["size"] is None and slots["requested_slot"] == "size" and "Available: L" in chat.texts
    slots = answer(chat, ValidateExchangeForm(), "large please", size="large please")  # from_text mapping
    assert slots["size"] == "large please" and slots.get("requested_slot") is None
    events = chat.run(ActionExchangeItem())
    assert re.search(r"Exchange EX-[A-Z0-9]{8} is booked: you'll get Blue cotton t-shirt \(L\)", chat.texts)
    assert slot_events(events) == {"return_item_id": None, "size": None, "colour": None}
    assert count(db, Exchange) == 1


def test_exchange_of_an_item_without_variants_is_refused_early(chat, dataset):
    verified(chat, dataset, "delivered")
    start_form(chat, "exchange_form", ValidateExchangeForm(), "exchange the camera", "exchange_item")
    slots = answer(chat, ValidateExchangeForm(), "the camera", return_item_id="the camera")
    assert slots["return_item_id"] is None and "no other size or colour" in chat.texts


# ------------------------------------------------------------------------------------------------ warranty
def test_warranty_claim_needs_a_description_and_opens_a_claim(chat, dataset):
    verified(chat, dataset, "delivered")
    start_form(chat, "warranty_form", ValidateWarrantyForm(), "my camera is broken", "warranty_claim")
    answer(chat, ValidateWarrantyForm(), "the camera", return_item_id="the camera")
    assert answer(chat, ValidateWarrantyForm(), "bad", reason="bad") == {"reason": None}
    assert "description of the fault" in chat.texts
    chat.set(reason="The shutter jams after a few photos")
    events = chat.run(ActionWarrantyClaim())
    assert re.search(r"Warranty claim WC-[A-Z0-9]{8} is open for Canon EOS 250D camera", chat.texts)
    assert slot_events(events) == {"return_item_id": None, "reason": None}


def test_warranty_outside_the_rules_is_refused_with_the_shops_reason(chat, dataset):
    verified(chat, dataset, "delivered").set(return_item_id=dataset.items["book"], reason="pages fall out")
    chat.user("pages fall out", "inform")
    chat.run(ActionWarrantyClaim())
    assert "doesn't come with a warranty" in chat.texts


# ------------------------------------------------------------------------------------------------ complaints
def test_complaint_apologises_opens_one_ticket_with_the_transcript_and_never_upsells(chat, dataset, db):
    verified(chat, dataset, "delivered").bot("How can I help?")
    chat.user("My parcel arrived crushed and nobody answers my emails!", "complaint")
    events = chat.run(ActionFileComplaint())
    assert chat.responses == []  # the apology comes from the rule before the action
    number = re.search(r"TCK-[A-Z0-9]{8}", chat.texts).group(0)
    assert "cards" not in str(chat.messages) and "You might also like" not in chat.texts
    assert slot_events(events)["dialogue_events"][0]["ticket"] == number
    with session_scope(db) as s:
        ticket = s.execute(select(SupportTicket)).scalar_one()
        assert ticket.kind == "complaint" and ticket.customer_id == dataset.alice
        assert ticket.order_id == dataset.orders["delivered"] and ticket.conversation_id == chat.sender_id
        assert ticket.transcript[-1] == {"speaker": "customer",
                                         "text": "My parcel arrived crushed and nobody answers my emails!"}
        assert {"speaker": "assistant", "text": "How can I help?"} in ticket.transcript
    chat.user("My parcel arrived crushed and nobody answers my emails!", "complaint")  # sent again
    chat.run(ActionFileComplaint())
    assert number in chat.texts and "already logged" in chat.texts and count(db, SupportTicket) == 1


def test_unverified_complaint_is_filed_without_customer_data(chat, dataset, db):
    chat.set(order_id=dataset.orders["delivered"]).user("you charged me twice, this is outrageous", "complaint")
    chat.run(ActionFileComplaint())
    with session_scope(db) as s:
        ticket = s.execute(select(SupportTicket)).scalar_one()
        assert ticket.customer_id is None and ticket.order_id is None


def test_activation_is_recognised_when_the_form_is_already_the_active_loop(chat, dataset):
    """Rasa may validate a form's activation with the form already set as the active loop (seen when a rule starts
    it right after verify_form); ``requested_slot`` is None then, and the activation must still happen: the
    one item of the order is chosen without a question, a stale value from earlier is dropped."""
    chat.set(order_id=dataset.orders["bob_delivered"], email=dataset.emails["bob"], verified=True,
             customer_id=float(dataset.bob), reason="stale reason")
    chat.activate("return_form").set(requested_slot=None)
    chat.events.append({"event": "action", "name": "return_form", "timestamp": chat._t()})
    events = slot_events(chat.run(ValidateReturnForm()))
    assert events["return_item_id"] == dataset.items["book"] and events["reason"] is None

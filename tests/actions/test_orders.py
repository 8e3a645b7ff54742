"""Verification and order actions against the real test shop (``tests.factories.standard_dataset``)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from actions.after_sales import ActionExchangeItem, ActionRefundStatus, ActionStartReturn, ActionWarrantyClaim
from actions.orders import (
    ActionCancelOrder,
    ActionChangeAddress,
    ActionOrderStatus,
    ActionResetOrderSlots,
    ValidateAddressForm,
    ValidateVerifyForm,
)
from shop.db import session_scope
from shop.models import Order, Refund
from tests.actions.conftest import form_stopped, slot_events, verified

ORDER_ACTIONS = [ActionOrderStatus, ActionCancelOrder, ActionChangeAddress, ActionStartReturn, ActionRefundStatus,
                 ActionExchangeItem, ActionWarrantyClaim]


# ------------------------------------------------------------------------------------------------ verification
def verify_turn(chat, order_id, email):
    chat.activate("verify_form").user(f"{order_id} {email}", "inform", [("order_id", order_id), ("email", email)],
                                      order_id=order_id, email=email)
    return chat.run(ValidateVerifyForm())


def test_verification_succeeds_with_the_email_on_the_order(chat, dataset):
    events = verify_turn(chat, dataset.orders["placed"].lower().replace("-", ""), dataset.emails["alice"].upper())
    slots = slot_events(events)
    assert slots["verified"] is True and slots["customer_id"] == float(dataset.alice)
    assert slots["order_id"] == dataset.orders["placed"]  # normalised from "sm000001"
    assert slots["verification_failures"] == 0.0
    assert "verified" in chat.texts


def test_failed_verification_clears_slots_counts_and_says_the_same_for_both_causes(chat, dataset):
    wrong_email = slot_events(verify_turn(chat, dataset.orders["placed"], dataset.emails["bob"]))
    first = chat.texts
    no_order = slot_events(verify_turn(chat, "SM-999999", dataset.emails["alice"]))
    assert first == chat.texts and "couldn't match" in first
    for slots, failures in ((wrong_email, 1.0), (no_order, 2.0)):
        assert slots["order_id"] is None and slots["email"] is None and slots["verified"] is False
        assert slots["verification_failures"] == failures
        assert slots["requested_slot"] == "order_id"


def test_third_failure_locks_offers_a_human_and_stops_the_form(chat, dataset):
    for _ in range(2):
        verify_turn(chat, dataset.orders["placed"], "someone@example.com")
    events = verify_turn(chat, dataset.orders["placed"], "someone@example.com")
    assert chat.responses == ["utter_verification_locked"]
    assert form_stopped(events)
    assert slot_events(events)["verification_failures"] == 3.0
    # even the right details don't unlock this conversation
    events = verify_turn(chat, dataset.orders["placed"], dataset.emails["alice"])
    assert slot_events(events).get("verified") is not True and chat.responses == ["utter_verification_locked"]


def test_malformed_order_id_and_email_are_explained_and_not_counted(chat, dataset):
    chat.activate("verify_form").user("SM-12", "inform", order_id="SM-12", email="not-an-email")
    events = chat.run(ValidateVerifyForm())
    assert slot_events(events)["order_id"] is None and slot_events(events)["email"] is None
    assert "SM-123456" in chat.texts and "email" in chat.texts
    assert "verified" not in slot_events(events)


# ------------------------------------------------------------------------------------------------ defence in depth
@pytest.mark.parametrize("action", ORDER_ACTIONS, ids=lambda a: a().name())
def test_order_actions_refuse_without_verification(chat, dataset, db, action):
    chat.set(order_id=dataset.orders["placed"], customer_id=float(dataset.alice), return_item_id="EL-000001",
             reason="broken", confirm_cancel=True, new_address_street="2 Low Road", new_address_city="Leeds",
             new_address_postcode="LS1 1AA", size="L")
    chat.user("yes", "affirm")
    assert chat.run(action()) == []
    assert chat.responses == ["utter_verification_required"]
    with session_scope(db) as s:
        assert s.get(Order, dataset.orders["placed"]).status == "placed"


def test_another_customers_order_is_never_shown(chat, dataset):
    verified(chat, dataset, "placed", who="bob").set(order_id=dataset.orders["delivered"])
    chat.user("where is it", "order_status")
    chat.run(ActionOrderStatus())
    assert "couldn't find that order" in chat.texts
    assert "t-shirt" not in chat.texts and "camera" not in chat.texts.lower()


# ------------------------------------------------------------------------------------------------ status
def test_order_status_shows_items_shipment_and_tracking_events(chat, dataset):
    verified(chat, dataset, "delivered").user("where is my order", "order_status")
    events = chat.run(ActionOrderStatus())
    text = chat.texts
    assert f"Order {dataset.orders['delivered']}: delivered" in text
    assert "2× Travel Photography Handbook" in text and "Canon EOS 250D camera" in text
    assert "Royal Mail" in text and "TRK" in text
    assert text.index("label created") < text.index("in transit") < text.index("out for delivery")
    record = slot_events(events)["dialogue_events"]
    assert {r["item"] for r in record} == {dataset.items[k] for k in ("tee_m", "camera", "scarf", "book")}
    assert "product" not in slot_events(events)  # several items: no single "it"


def test_status_of_a_one_item_order_makes_it_the_product_referred_to(chat, dataset):
    verified(chat, dataset, "shipped").user("status?", "order_status")
    events = chat.run(ActionOrderStatus())
    assert slot_events(events)["product"] == dataset.items["headphones"]
    assert "shipped" in chat.texts and "hasn't shipped" not in chat.texts


# ------------------------------------------------------------------------------------------------ cancel
def count_refunds(db, order_id):
    with session_scope(db) as s:
        return s.execute(select(func.count()).select_from(Refund).where(Refund.order_id == order_id)).scalar_one()


def test_cancel_asks_first_then_cancels_once_even_if_yes_is_repeated(chat, dataset, db):
    verified(chat, dataset, "paid").user("cancel my order", "cancel_order")
    events = chat.run(ActionCancelOrder())
    assert chat.responses == ["utter_confirm_cancel"] and chat.messages[0]["order_id"] == dataset.orders["paid"]
    assert slot_events(events) == {"confirm_cancel": None}
    chat.user("yes", "affirm", confirm_cancel=True)
    chat.run(ActionCancelOrder())
    assert f"Order {dataset.orders['paid']} is cancelled" in chat.texts and "refund of €37.00" in chat.texts
    first = chat.texts
    chat.user("yes", "affirm", confirm_cancel=True)  # resent: the shop's idempotency returns the same result
    chat.bot(response="utter_confirm_cancel")
    chat.user("yes", "affirm", confirm_cancel=True)
    chat.run(ActionCancelOrder())
    assert chat.texts == first
    assert count_refunds(db, dataset.orders["paid"]) == 1
    chat.user("cancel my order", "cancel_order")  # asked again later: no question about a cancelled order
    chat.run(ActionCancelOrder())
    assert chat.responses == [] and "already cancelled" in chat.texts
    assert count_refunds(db, dataset.orders["paid"]) == 1


def test_deny_keeps_the_order_and_a_stale_yes_never_cancels(chat, dataset, db):
    verified(chat, dataset, "placed").user("cancel it", "cancel_order")
    chat.run(ActionCancelOrder())
    chat.user("no", "deny", confirm_cancel=False)
    assert slot_events(chat.run(ActionCancelOrder())) == {"confirm_cancel": None}
    assert chat.responses == ["utter_cancel_kept"]
    chat.user("yes please show me cameras", "affirm", confirm_cancel=True)  # "yes" to something else
    chat.user("cancel my order", "cancel_order")
    chat.run(ActionCancelOrder())
    assert chat.responses == ["utter_confirm_cancel"]
    with session_scope(db) as s:
        assert s.get(Order, dataset.orders["placed"]).status == "placed"


def test_cancel_of_a_shipped_order_is_refused_clearly_without_asking(chat, dataset, db):
    verified(chat, dataset, "shipped").user("cancel", "cancel_order")
    chat.run(ActionCancelOrder())
    assert chat.responses == [] and "already shipped" in chat.texts and "return" in chat.texts
    with session_scope(db) as s:
        assert s.get(Order, dataset.orders["shipped"]).status == "shipped"


# ------------------------------------------------------------------------------------------------ address
def test_address_form_checks_each_line_with_the_shop_rules(chat, dataset):
    verified(chat, dataset, "placed").activate("address_form")
    chat.user("SW1A-$$", "inform", new_address_postcode="$$", new_address_city="Leeds 2",
              new_address_street="12 Park Lane")
    slots = slot_events(chat.run(ValidateAddressForm()))
    assert slots == {"new_address_street": "12 Park Lane", "new_address_city": None, "new_address_postcode": None}
    assert "postcode" in chat.texts and "town or city" in chat.texts


def test_address_form_stops_at_once_for_a_shipped_order(chat, dataset):
    verified(chat, dataset, "shipped").set(new_address_street="old street 1")  # stale value from before
    chat.user("change my address", "change_address")
    events = chat.run(ValidateAddressForm())
    assert form_stopped(events)
    assert "already shipped" in chat.texts


def test_change_address_updates_the_order_once_and_resets_the_slots(chat, dataset, db):
    verified(chat, dataset, "placed").set(new_address_street="2 Low Road", new_address_city="Leeds",
                                          new_address_postcode="ls11aa")
    chat.user("LS1 1AA", "inform")
    events = chat.run(ActionChangeAddress())
    assert "2 Low Road, Leeds LS1 1AA" in chat.texts
    assert slot_events(events) == {"new_address_street": None, "new_address_city": None,
                                   "new_address_postcode": None}
    with session_scope(db) as s:
        order = s.get(Order, dataset.orders["placed"])
        assert (order.ship_street, order.ship_city, order.ship_postcode) == ("2 Low Road", "Leeds", "LS1 1AA")


def test_reset_order_slots_keeps_the_verification(chat, dataset):
    verified(chat, dataset, "placed").set(return_item_id="EL-000001", reason="x", size="M", confirm_cancel=True)
    events = chat.run(ActionResetOrderSlots())
    assert slot_events(events) == {"return_item_id": None, "reason": None, "size": None, "confirm_cancel": None}
    assert chat.slots["verified"] is True and chat.slots["order_id"] == dataset.orders["placed"]

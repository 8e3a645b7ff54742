"""Pure helpers shared by the actions: masking, idempotency keys, ids, cards, variant choice."""
from __future__ import annotations

import logging
from types import SimpleNamespace

import pytest

from actions.after_sales import exchange_choice, resolve_line
from actions.base import get_logger, idempotency_key, item_id_in, mask, normalise_order_id, render_cards

pytestmark = pytest.mark.unit


def test_mask_hides_emails_and_street_addresses():
    text = mask("alex.morgan@example.com moved to 12 High Street, Leeds")
    assert text == "a***@example.com moved to <street>, Leeds"


def test_log_records_of_the_actions_are_masked(caplog):
    log = get_logger("actions.test_masking")
    with caplog.at_level(logging.INFO, logger="actions.test_masking"):
        log.info("verification failed for %s at %s", "bob.jones2@example.com", "4 Park Road")
    assert "bob.jones2" not in caplog.text and "Park Road" not in caplog.text
    assert "b***@example.com" in caplog.text


def test_idempotency_keys_are_stable_per_request_and_differ_between_requests():
    key = idempotency_key("conv-1", "return", "SM-000004", "CL-000002")
    assert key == idempotency_key("conv-1", "return", "SM-000004", "CL-000002")
    assert len({key, idempotency_key("conv-2", "return", "SM-000004", "CL-000002"),
                idempotency_key("conv-1", "cancel", "SM-000004", "CL-000002"),
                idempotency_key("conv-1", "return", "SM-000005", "CL-000002"),
                idempotency_key("conv-1", "return", "SM-000004", "CL-000003")}) == 5
    assert key.startswith("return:") and len(key) <= 160


def test_ids_are_normalised_from_free_text():
    assert normalise_order_id("my order is sm123456!") == "SM-123456"
    assert normalise_order_id("SM-12345") is None
    assert item_id_in('/inform{"mention":"cl-000002"}') == "CL-000002"


def test_cards_have_text_lines_buttons_and_a_custom_payload():
    recs = [SimpleNamespace(item_id="EL-000002", title="Camera bag", price=59.0, reason="goes with your camera",
                            content_type="electronics"),
            SimpleNamespace(item_id="HA-000001", title="Return policy", price=0.0, reason="", content_type="help_article")]
    out = render_cards(recs, intro="You might like:")
    assert out["text"] == "You might like:\n1. Camera bag — €59.00 — goes with your camera\n2. Return policy"
    assert out["json_message"]["type"] == "cards" and [c["item_id"] for c in out["json_message"]["cards"]] == \
        ["EL-000002", "HA-000001"]
    assert out["buttons"][0] == {"title": "1. Camera bag", "payload": '/product_info{"product":"EL-000002"}'}
    assert render_cards(recs, intro="x", channel="rest")["json_message"] == out["json_message"]
    # socket.io (Rasa 3.6 emits a custom payload as keyword arguments and aborts the turn), Slack and Messenger
    # (which would post it to their APIs) get the same text and buttons without it
    for channel in ("socketio", "slack", "facebook", "telegram"):
        other = render_cards(recs, intro="You might like:", channel=channel)
        assert "json_message" not in other and other["text"] == out["text"] and other["buttons"] == out["buttons"]


def variant(item_id, size=None, colour=None):
    return SimpleNamespace(id=item_id, attributes={k: v for k, v in (("size", size), ("colour", colour)) if v})


def test_exchange_asks_only_for_what_varies_and_keeps_the_current_colour():
    options = [variant("CL-2", "L", "blue"), variant("CL-3", "L", "red"), variant("CL-4", "S", "blue")]
    current = {"size": "M", "colour": "blue"}
    assert exchange_choice(options, current, None, None)[1] == ["size"]
    matching, todo = exchange_choice(options, current, "large please", None)
    assert [o.id for o in matching] == ["CL-2"] and todo == []  # blue, like the one bought
    assert [o.id for o in exchange_choice(options, current, "L", "the red one")[0]] == ["CL-3"]
    assert exchange_choice(options, current, "XL", None)[0] == []
    colours_only = [variant("CL-5", "M", "green")]
    assert exchange_choice(colours_only, current, None, None)[1] == ["colour"]  # still named by the customer
    no_sizes = [variant("HM-2", colour="grey"), variant("HM-3", colour="white")]
    assert exchange_choice(no_sizes, {"colour": "black"}, None, None)[1] == ["colour"]


def test_order_lines_resolve_from_words_positions_and_ids():
    lines = [SimpleNamespace(item_id="CL-000002", title="Blue cotton t-shirt (M)", content_type="clothing"),
             SimpleNamespace(item_id="EL-000001", title="Canon EOS 250D camera", content_type="electronics")]
    assert resolve_line("the camera", lines).item_id == "EL-000001"
    assert resolve_line("the last one", lines).item_id == "EL-000001"
    assert resolve_line("1", lines).item_id == "CL-000002"
    assert resolve_line("clothing", lines).item_id == "CL-000002"
    assert resolve_line("EL-000009", lines) is None and resolve_line("the third one", lines) is None

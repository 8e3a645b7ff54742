"""channels.rasa_speedups: event classes and slot copies come out exactly as Rasa's own code makes them."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
from rasa.shared.core import events as rasa_events
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.utils.common import all_subclasses

import channels  # noqa: F401 - installs the shortcuts, as the Rasa server does through credentials.yml
from channels import rasa_speedups

ROOT = Path(__file__).resolve().parent.parent
ORIGINAL_RESOLVE = rasa_speedups._original_resolve


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def test_installed_on_import_and_idempotent():
    assert Event.__dict__["resolve_by_type"].__func__ is rasa_speedups.resolve_event_type
    assert Slot.__dict__["__copy__"] is rasa_speedups.copy_slot
    rasa_speedups.install()
    assert Event.__dict__["resolve_by_type"].__func__ is rasa_speedups.resolve_event_type


@pytest.mark.parametrize("type_name", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_every_event_type_resolves_to_rasas_class(type_name):
    for _ in range(2):  # found, then remembered
        assert Event.resolve_by_type(type_name) is ORIGINAL_RESOLVE(type_name)


def test_unknown_names_take_rasas_path():
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None
    assert "no_such_event" not in rasa_speedups._event_classes
    with pytest.raises(ValueError):
        Event.resolve_by_type(["unhashable"])


def conversation(domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker("speedups", domain.slots)
    tracker.update_with_events([
        rasa_events.ActionExecuted("action_session_start"),
        rasa_events.SessionStarted(),
        rasa_events.ActionExecuted("action_listen"),
        UserUttered("where is my order SM-100001?", {"name": "order_status", "confidence": 0.97},
                    [{"entity": "order_id", "value": "SM-100001", "start": 18, "end": 27}]),
        SlotSet("order_id", "SM-100001"),
        SlotSet("pending_need", "order_status"),
        rasa_events.ActionExecuted("verify_form"),
        rasa_events.ActiveLoop("verify_form"),
        SlotSet("requested_slot", "email"),
        rasa_events.BotUttered("What's the e-mail address on the order?", {"buttons": None}),
        rasa_events.ActionExecuted("action_listen"),
        UserUttered("alex.morgan@example.com", {"name": "inform", "confidence": 0.99}),
        SlotSet("verified", True),
        SlotSet("customer_id", 1.0),
        SlotSet("shown_items", ["EL-000055", "BK-000002"]),
        rasa_events.ActiveLoop(None),
        rasa_events.FollowupAction("action_listen"),
    ], domain)
    return tracker


def test_a_tracker_round_trips_through_its_dict(domain):
    tracker = conversation(domain)
    state = tracker.current_state(EventVerbosity.ALL)
    again = DialogueStateTracker.from_dict("speedups", state["events"], domain.slots)
    assert list(again.events) == list(tracker.events)
    assert [type(e) for e in again.events] == [type(e) for e in tracker.events]
    assert again.current_slot_values() == tracker.current_slot_values()
    assert again.past_states(domain) == tracker.past_states(domain)


def test_slot_copies_are_shallow_copies_of_the_same_class(domain):
    for slot in domain.slots:
        slot.value = ["EL-000001"] if slot.type_name == "list" else slot.value
        twin = copy.copy(slot)
        assert type(twin) is type(slot) and twin is not slot
        assert twin.__dict__ == slot.__dict__ and twin.__dict__ is not slot.__dict__
        assert all(twin.__dict__[k] is v for k, v in slot.__dict__.items())  # shallow, as copy.copy
        twin.value = "changed"
        assert slot.value != "changed"
        slot.reset()


def test_tracker_copies_keep_their_own_slot_values(domain):
    tracker = conversation(domain)
    fresh = tracker.init_copy()
    assert fresh.get_slot("verified") is False and tracker.get_slot("verified") is True
    assert fresh.slots["order_id"] is not tracker.slots["order_id"]
    assert set(fresh.slots) == set(tracker.slots)

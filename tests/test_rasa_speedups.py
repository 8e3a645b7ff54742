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


# --- applied_events / past_states remembered per tracker ----------------------------------------------------
def winding_conversation(domain: Domain) -> list:
    """Events with what makes ``applied_events`` non-trivial: a form looping, a fallback reverting the user's
    turn, an undone action, a restart and a new session."""
    E = rasa_events
    listen = lambda: E.ActionExecuted("action_listen")  # noqa: E731
    return [
        E.ActionExecuted("action_session_start"), E.SessionStarted(), listen(),
        UserUttered("hi", {"name": "greet", "confidence": 0.9}), E.ActionExecuted("utter_greet"), listen(),
        UserUttered("where is my order?", {"name": "order_status", "confidence": 0.9}),
        SlotSet("pending_need", "order_status"), E.ActionExecuted("utter_verification_required"),
        E.ActionExecuted("verify_form"), E.ActiveLoop("verify_form"), SlotSet("requested_slot", "order_id"), listen(),
        UserUttered("SM-100001", {"name": "inform", "confidence": 0.9}), SlotSet("order_id", "SM-100001"),
        E.ActionExecuted("verify_form"), SlotSet("requested_slot", "email"), listen(),
        UserUttered("blah", {"name": "nlu_fallback", "confidence": 0.3}),
        E.ActionExecuted("action_default_fallback"), E.UserUtteranceReverted(),
        UserUttered("are you a bot?", {"name": "bot_challenge", "confidence": 0.9}),
        E.ActionExecuted("utter_iamabot"), E.ActionExecuted("verify_form"), listen(),
        UserUttered("alex.morgan@example.com", {"name": "inform", "confidence": 0.9}),
        SlotSet("email", "alex.morgan@example.com"), E.ActionExecuted("verify_form"), SlotSet("verified", True),
        E.ActiveLoop(None), SlotSet("requested_slot", None), E.ActionExecuted("action_order_status"),
        E.ActionReverted(), E.ActionExecuted("action_order_status"), E.ActionExecuted("utter_offer_related"), listen(),
        UserUttered("yes", {"name": "affirm", "confidence": 0.9}), E.ActionExecuted("action_recommend"),
        SlotSet("shown_items", ["EL-000055"]), listen(),
        UserUttered("start over", {"name": "stop", "confidence": 0.9}), E.ActionExecuted("action_restart"),
        E.Restarted(), listen(), UserUttered("hello", {"name": "greet", "confidence": 0.9}),
        E.ActionExecuted("utter_greet"), listen(),
    ]


ARGUMENTS = [dict(), dict(omit_unset_slots=True), dict(ignore_rule_only_turns=True),
             dict(ignore_rule_only_turns=True, rule_only_data={"slots": ["pending_need"], "active_loops": []}),
             dict(ignore_rule_only_turns=True, rule_only_data={"slots": [], "active_loops": ["verify_form"]})]


def replay(events: list, domain: Domain) -> DialogueStateTracker:
    tracker = DialogueStateTracker("replay", domain.slots)
    for event in events:
        tracker.update(event, domain)
    return tracker


def test_every_prefix_gives_rasas_applied_events_and_states(domain):
    events = winding_conversation(domain)
    tracker = DialogueStateTracker("prefixes", domain.slots)
    for i, event in enumerate(events):
        tracker.update(event, domain)  # one tracker growing: its cache must follow every new event
        reference = replay(events[: i + 1], domain)
        assert tracker.applied_events() == rasa_speedups._original_applied_events(reference)
        for kwargs in ARGUMENTS:
            expected = rasa_speedups._original_past_states(reference, domain, **kwargs)
            assert tracker.past_states(domain, **kwargs) == expected, (i, kwargs)
            assert tracker.past_states(domain, **kwargs) == expected, (i, kwargs)  # from the cache


def test_callers_get_their_own_lists_and_states(domain):
    tracker = replay(winding_conversation(domain)[:30], domain)
    applied = tracker.applied_events()
    applied.clear()
    assert tracker.applied_events() == rasa_speedups._original_applied_events(tracker)
    states = tracker.past_states(domain)
    expected = copy.deepcopy(states)
    for state in states:  # what the featurizers do to the states they get
        state.get("user", {}).pop("intent", None)
        state.pop("prev_action", None)
    states.append({})
    assert tracker.past_states(domain) == expected


def test_the_cache_follows_a_replaced_event_list_and_a_bounded_history(domain):
    events = winding_conversation(domain)
    tracker = replay(events[:20], domain)
    assert tracker.past_states(domain)
    tracker.events = type(tracker.events)(events[:12])  # same kind of list, another object
    tracker._reset()
    tracker.replay_events()
    assert tracker.past_states(domain) == rasa_speedups._original_past_states(replay(events[:12], domain), domain)

    bounded = DialogueStateTracker("bounded", domain.slots, max_event_history=10)
    for i, event in enumerate(events):
        bounded.update(event, domain)
        assert len(bounded.events) <= 10
        assert bounded.applied_events() == rasa_speedups._original_applied_events(bounded)


def test_each_domain_and_argument_set_is_computed_once(domain, monkeypatch):
    computed = []
    original = rasa_speedups._original_past_states
    monkeypatch.setattr(rasa_speedups, "_original_past_states",
                        lambda tracker, d, *args: computed.append(d) or original(tracker, d, *args))
    tracker = replay(winding_conversation(domain)[:30], domain)
    other = Domain.from_dict(domain.as_dict())  # equal content, another object: not trusted to be the same
    for _ in range(3):
        for kwargs in ARGUMENTS:
            tracker.past_states(domain, **kwargs)
        tracker.past_states(other)
    assert len(computed) == len(ARGUMENTS) + 1
    tracker.update(rasa_events.ActionExecuted("action_listen"), domain)
    tracker.past_states(domain)
    assert len(computed) == len(ARGUMENTS) + 2

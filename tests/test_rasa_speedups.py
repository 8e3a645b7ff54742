"""channels.rasa_speedups: event classes, slot copies, replayed states, matching rules and graph runs come out
exactly as Rasa's own code makes them."""
from __future__ import annotations

import asyncio
import copy
import json
import random
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf
from rasa.core.channels.channel import UserMessage
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.processor import MessageProcessor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema, SchemaNode
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.utils.tensorflow.models import RasaModel
from rasa.shared.core import events as rasa_events
from rasa.shared.core.constants import SHOULD_NOT_BE_SET
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
    original = rasa_speedups.continued_states
    monkeypatch.setattr(rasa_speedups, "continued_states",
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


def test_states_continue_from_the_last_replay_and_restart_after_an_undo(domain, monkeypatch):
    """An appended event replays only itself; an event that undoes others (a reverted user turn) replays all."""
    replayed = []
    original_update = DialogueStateTracker.update

    def counting_update(self, event, domain=None):
        if self.sender_id == "counted":
            replayed.append(event)
        return original_update(self, event, domain)

    events = winding_conversation(domain)
    tracker = DialogueStateTracker("counted", domain.slots)
    for event in events[:17]:
        tracker.update(event, domain)
    tracker.past_states(domain)
    monkeypatch.setattr(DialogueStateTracker, "update", counting_update)
    tracker.events.append(events[17])  # an appended event, applied outside update(): only the replay counts
    replayed.clear()
    states = tracker.past_states(domain)
    assert replayed == [events[17]]
    assert states == rasa_speedups._original_past_states(tracker, domain)
    for event in events[18:21]:  # ... a fallback and UserUtteranceReverted: the applied events shrink
        tracker.events.append(event)
    replayed.clear()
    states = tracker.past_states(domain)
    assert len(replayed) == len(rasa_speedups._original_applied_events(tracker))
    assert states == rasa_speedups._original_past_states(tracker, domain)


# --- RulePolicy: the rules that match ------------------------------------------------------------------------
class ReferenceRules:
    """Rasa's own ``_get_possible_keys`` / ``_is_rule_applicable``, unpatched."""

    _rule_key_to_state = staticmethod(RulePolicy._rule_key_to_state)
    _does_rule_match_state = staticmethod(RulePolicy._does_rule_match_state)
    _is_rule_applicable = rasa_speedups._original_is_rule_applicable
    _get_possible_keys = rasa_speedups._original_possible_keys


def rule_keys(states: list, rng: random.Random, n: int) -> list:
    """Rule keys as RulePolicy stores them (JSON of 1-5 partial states, lists for tuples), cut from ``states``:
    some sub-states dropped, some values set to "should not be set", some states from elsewhere in the
    conversation, so that rules match, fail at different depths, and are of different lengths."""
    keys = set()
    while len(keys) < n:
        length = rng.randint(1, min(5, len(states)))
        end = rng.randint(length, len(states))
        rule = []
        for state in copy.deepcopy(states[end - length:end]):
            if rng.random() < 0.2:
                state = copy.deepcopy(rng.choice(states))
            for sub in list(state):
                if rng.random() < 0.3 and len(state) > 1:
                    del state[sub]
                elif sub == "slots" and rng.random() < 0.3:
                    state[sub] = {k: SHOULD_NOT_BE_SET for k in state[sub]}
            rule.append({k: {kk: list(v) if isinstance(v, tuple) else v for kk, v in sub.items()}
                         for k, sub in state.items()})
        keys.add(json.dumps(rule, sort_keys=True))
    return sorted(keys)


def test_matching_rules_are_rasas_at_every_point_of_a_conversation(domain):
    policy = RulePolicy.__new__(RulePolicy)  # the two methods use no state of the policy
    reference = ReferenceRules()
    tracker = replay(winding_conversation(domain), domain)
    states = tracker.past_states(domain, ignore_rule_only_turns=True)
    rng = random.Random(7)
    lookup = {key: "utter_greet" for key in rule_keys(states, rng, 300)}
    matched = 0
    for end in range(len(states) + 1):
        now = states[:end]
        expected = reference._get_possible_keys(lookup, now)
        assert policy._get_possible_keys(lookup, now) == expected, end
        matched += len(expected)
    assert RulePolicy._get_possible_keys is rasa_speedups.get_possible_keys
    assert 0 < matched < len(lookup) * (len(states) + 1)  # some rules match, not all: the comparison has teeth
    assert policy._get_possible_keys({}, states) == set()


# --- the graph runner ----------------------------------------------------------------------------------------
class Add(GraphComponent):
    """A node that adds its config's number to its inputs."""

    @classmethod
    def create(cls, config, model_storage, resource, execution_context) -> "Add":
        return cls(config["n"])

    def __init__(self, n: int) -> None:
        self.n = n

    def run(self, **parts) -> int:
        return sum(parts.values()) + self.n


def test_graph_runs_give_rasas_results_and_keep_inputs_apart(tmp_path):
    node = lambda n, **needs: SchemaNode(needs=needs, uses=Add, constructor_name="create", fn="run",  # noqa: E731
                                         config={"n": n})
    schema = GraphSchema({"a": node(1, x="x"), "b": node(10, a="a"), "c": node(100, a="a", b="b"),
                          "unused": node(1000, x="x")})
    runner = DaskGraphRunner(schema, LocalModelStorage(tmp_path), ExecutionContext(schema, "test"))
    for x in (1, 2, 1):
        assert runner.run({"x": x}, ["c"]) == rasa_speedups._original_run(runner, {"x": x}, ["c"])
        assert runner.run({"x": x}, ["c"]) == {"c": (x + 1) + (x + 1 + 10) + 100}
        assert runner.run({"x": x}, ["b", "a"]) == {"a": x + 1, "b": x + 11}
    with pytest.raises(GraphRunError):  # an input missing: dask cannot resolve "x"
        runner.run(None, ["c"])
    assert DaskGraphRunner.run is rasa_speedups.run_graph


# --- NLU off the event loop ----------------------------------------------------------------------------------
class SlowParser:
    """What parse_message needs of a MessageProcessor: a parse that takes 0.3 s outside the GIL (as the encoder's
    matrix products do), recording where it ran."""

    http_interpreter = None

    def __init__(self):
        self.threads, self.steps = [], []

    def _parse_message_with_graph(self, message, tracker, only_output_properties=True):
        self.threads.append(threading.current_thread().name)
        time.sleep(0.3)
        return {"text": message.text, "intent": {"name": "greet", "confidence": 0.9}, "entities": [],
                "tracker": tracker.sender_id, "only_output": only_output_properties}

    def _update_full_retrieval_intent(self, parse_data):
        self.steps.append("retrieval")

    def _check_for_unseen_features(self, parse_data):
        self.steps.append("unseen")


def test_messages_are_parsed_off_the_event_loop_with_rasas_steps():
    parser = SlowParser()
    ticks = []

    async def other_conversations():
        for _ in range(20):
            ticks.append(time.perf_counter())
            await asyncio.sleep(0.01)

    async def both():
        return await asyncio.gather(
            MessageProcessor.parse_message(parser, UserMessage("hi", sender_id="amy"), None, False),
            other_conversations())

    t0 = time.perf_counter()
    parse_data, _ = asyncio.run(both())
    assert MessageProcessor.parse_message is rasa_speedups.parse_message
    assert parse_data == {"text": "hi", "intent": {"name": "greet", "confidence": 0.9}, "entities": [],
                          "tracker": "amy", "only_output": False}
    assert parser.threads == ["shopmate-nlu_0"] and parser.steps == ["retrieval", "unseen"]
    assert sum(t < t0 + 0.3 for t in ticks) >= 10  # the loop went on while the message was parsed


# --- TensorFlow models: the concrete prediction function called directly ---------------------------------------
class TinyModel:
    """What ``_rasa_predict`` uses of a RasaModel: a prediction step over a tuple of inputs with dynamic leading
    dimensions (as Rasa's ``_dynamic_signature`` makes them) and diagnostic data."""

    _run_eagerly = False
    _empty_lists_to_none_in_dict = staticmethod(RasaModel._empty_lists_to_none_in_dict)
    _dynamic_signature = staticmethod(RasaModel._dynamic_signature)

    def __init__(self):
        self.prepared_for_prediction = True
        self._tf_predict_step = None
        self.weights = tf.Variable(np.arange(12, dtype=np.float32).reshape(4, 3) / 10.0)  # captured by the graph

    def predict_step(self, batch_in):
        x, mask = batch_in
        scores = tf.nn.softmax(tf.matmul(x, self.weights)) * tf.cast(mask, tf.float32)[:, None]
        return {"scores": scores, "top": tf.argmax(scores, -1),
                "diagnostic_data": {"attention": tf.reduce_sum(x, -1)}}


def test_models_predict_as_through_rasas_entry():
    model = TinyModel()
    rng = np.random.default_rng(3)
    first = (rng.normal(size=(2, 4)).astype(np.float32), np.ones(2, dtype=np.int64))
    assert rasa_speedups.rasa_predict(model, first)  # the first call builds the function, on Rasa's path
    assert model._tf_predict_step is not None
    for rows in (1, 3, 7):
        batch = (rng.normal(size=(rows, 4)).astype(np.float32), rng.integers(0, 2, size=rows))
        got = rasa_speedups.rasa_predict(model, batch)
        expected = rasa_speedups._original_rasa_predict(model, batch)
        assert got.keys() == expected.keys()
        for key in ("scores", "top"):
            np.testing.assert_array_equal(got[key], expected[key])
        np.testing.assert_array_equal(got["diagnostic_data"]["attention"], expected["diagnostic_data"]["attention"])
    assert model.__dict__[rasa_speedups.CONCRETE][0] is model._tf_predict_step  # the direct call was taken
    model.weights.assign(model.weights * 2)  # a captured variable changes: the concrete function sees it
    batch = (rng.normal(size=(2, 4)).astype(np.float32), np.ones(2, dtype=np.int64))
    np.testing.assert_array_equal(rasa_speedups.rasa_predict(model, batch)["scores"],
                                  rasa_speedups._original_rasa_predict(model, batch)["scores"])
    # what does not fit the signature takes Rasa's path, which raises Rasa's (TensorFlow's) error
    for bad in ((rng.normal(size=(2, 5)).astype(np.float32), np.ones(2)), (np.ones((2, 4), np.float32),)):
        assert rasa_speedups._concrete_inputs(model, bad) is None
        with pytest.raises((TypeError, ValueError)):
            rasa_speedups.rasa_predict(model, bad)
    assert RasaModel._rasa_predict is rasa_speedups.rasa_predict

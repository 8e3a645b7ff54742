"""Work Rasa 3.6 repeats on every event, tracker copy and policy, done once instead.

A cProfile of the Rasa server over the benchmark's 20-turn conversation (``bench/latency.py``) showed:

* ``Event.resolve_by_type`` (called for every event deserialised: the whole tracker when it is loaded from the
  tracker store, and every event an action server returns) walks the full class tree of ``Event`` with
  ``all_subclasses`` and ``inspect.isabstract`` each time to find the class of one type name: 7.7 % of the
  server's time (0.45 s of 5.9 s over 60 turns).
* ``copy.copy`` of each of the domain's slots in ``DialogueStateTracker.__init__``, which runs for every
  ``init_copy`` (each policy replays the conversation into fresh trackers, the memoization policy's truncation
  several times per prediction): ``copy.copy`` goes through ``__reduce_ex__`` / ``copyreg`` for each of
  ShopMate's 23 slots: 5.7 % (0.34 s).

* ``DialogueStateTracker.applied_events`` and ``past_states`` (the conversation replayed into one state per
  action) are computed again by every policy for the same, unchanged tracker: the memoization, rule and TED
  policies each ask for the full tracker's states, and every ``past_states`` asks for ``applied_events`` again.
  Together 22 % of the server's time (1.55 s of 7.1 s: 1 593 calls for 141 predictions, a quarter of them on a
  tracker whose states had just been computed).

* ``RulePolicy._get_possible_keys`` (which rules match the conversation) filters every rule against every state of
  the conversation, newest first, although a rule of k states says nothing about states older than its k-th: with
  ShopMate's 435 rules and a 20-turn conversation's ~60 states, 2.4 % of the server's time.
* ``DaskGraphRunner.run`` works out, for every message parsed and every action predicted, which nodes of the model's
  graph the targets need (``GraphSchema.minimal_graph_schema``: a recursion over all dependencies, without memory)
  and builds the dask graph of them anew: 1.4 %, the same answer every time for the same targets.

* ``RasaModel._rasa_predict`` (DIET once per message, TED for every prediction) calls its ``tf.function`` through
  TensorFlow's generic entry, which canonicalises the arguments and looks the concrete function up again on every
  call, although Rasa gives it a fixed input signature: 1.2 ms of TED's 2.5 ms per call and 1.1 of DIET's 3.1
  (TensorFlow 2.12, measured on ShopMate's models).

And one thing Rasa does on the event loop although it does not need it: ``MessageProcessor.parse_message`` runs the
NLU pipeline (for ShopMate mostly the MiniLM encoder's matrix products and DIET's TensorFlow graph, which release
the GIL) on the thread of the event loop, so no other conversation moves while a message is parsed, and the
second core idles under load.

``install()`` replaces them with equivalent shortcuts:

* ``Event.resolve_by_type(type_name, default)``: a type name found once is answered from a dictionary (the first
  match in ``all_subclasses(Event)`` order, as before); names not found take Rasa's own path (``"topic"`` ->
  None, ``default``, or ``ValueError``), so nothing is cached for them. Event classes are defined when Rasa and
  its plugins are imported, before the first event is read.
* ``Slot.__copy__``: a new instance of the same class with a copy of the instance ``__dict__``: what
  ``copy.copy`` does for these plain classes (no ``__slots__``, ``__getstate__`` or ``__reduce__``), without the
  generic protocol. A subclass that defines its own ``__copy__`` keeps it.

* ``applied_events()`` / ``past_states(...)``: answered from a cache kept on the tracker, valid while its event
  list is the same object with the same length and the same first and last events (trackers only append events,
  dropping the oldest beyond ``max_event_history``; a tracker built anew gets a new list); any change recomputes. ``past_states`` is cached per argument
  set (domain, ``omit_unset_slots``, ``ignore_rule_only_turns``, ``rule_only_data``). Each call returns fresh
  lists and fresh state dictionaries (the featurizers edit them in place), so callers cannot see each other.
  When the events did change, the states are not replayed from the conversation's start: the replay of the last
  call (per tracker and argument set: its replay tracker, committed states and the loop's two variables of
  ``Domain.states_for_tracker_history``) goes on with the events appended since, as long as the applied events
  still begin with the ones replayed (an undo, revert, restart or new session starts the replay over). Each
  prediction replayed the whole conversation: 8 % of the server's GIL-held time under load at 20 turns.
* ``_get_possible_keys``: the same filter, stopped as soon as every rule still in the set is shorter than the number
  of states already checked (Rasa's ``_is_rule_applicable`` answers ``True`` for those from then on), each rule's
  states read from the end instead of reversed into a new list per rule and state, and for the current state only
  the rules whose last state has its previous action (grouped once per policy; Rasa's check rejects the others).
* ``DaskGraphRunner.run``: the minimal schema and the dask graph kept per runner and target list (a runner's schema
  and nodes are fixed when the model is loaded); each run adds its inputs to a shallow copy of that graph, so runs
  do not see each other's inputs.

* ``_rasa_predict``: once the model's prediction function exists (Rasa's first call builds it), its one concrete
  function is called directly with the batch converted to the signature's dtypes; whatever does not fit the
  signature (count, dtype or shape of the inputs), eager mode, or a TensorFlow without that entry point, takes
  Rasa's own path, so errors are Rasa's.
* ``MessageProcessor.parse_message``: the same steps, with the NLU graph run on one dedicated thread (messages are
  parsed one at a time, in order; a conversation's own turn still waits for its parse, under its lock) while the
  event loop serves the other conversations. With an HTTP interpreter configured, Rasa's own method runs.

Idempotent (installing twice patches once).
"""
from __future__ import annotations

import asyncio
import copy
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Optional, Text, Type

import dask
import tensorflow as tf
from keras.utils import tf_utils
from rasa.core import processor as rasa_processor
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.utils.tensorflow.models import RasaModel
from rasa.shared.constants import DIAGNOSTIC_DATA
from rasa.shared.core import events as rasa_events
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils import common

_event_classes: Dict[Text, Type[Any]] = {}


def resolve_event_type(type_name: Text, default: Optional[Type[Any]] = None) -> Optional[Type[Any]]:
    """``Event.resolve_by_type`` with the classes of known type names remembered."""
    try:
        return _event_classes[type_name]
    except (KeyError, TypeError):  # TypeError: an unhashable name, which no class has
        pass
    for cls in common.all_subclasses(rasa_events.Event):
        if cls.type_name == type_name:
            _event_classes[type_name] = cls
            return cls
    return _original_resolve(type_name, default)


_original_resolve = rasa_events.Event.resolve_by_type


def copy_slot(slot: Slot) -> Slot:
    """A shallow copy of ``slot`` (same class, same attribute values), as ``copy.copy`` makes it."""
    new = slot.__class__.__new__(slot.__class__)
    new.__dict__.update(slot.__dict__)
    return new


_original_applied_events = DialogueStateTracker.applied_events
_original_past_states = DialogueStateTracker.past_states
CACHE = "_shopmate_replay_cache"


def _tracker_cache(tracker: DialogueStateTracker) -> Dict[Any, Any]:
    """The tracker's cache, emptied when its events changed since it was filled."""
    events = tracker.events
    size = len(events)
    first, last = (events[0], events[-1]) if size else (None, None)
    cache = tracker.__dict__.get(CACHE)
    if (cache is None or cache["events"] is not events or cache["size"] != size or cache["last"] is not last
            or cache["first"] is not first):
        cache = {"events": events, "size": size, "first": first, "last": last}
        tracker.__dict__[CACHE] = cache
    return cache


def applied_events(self: DialogueStateTracker) -> list:
    """``DialogueStateTracker.applied_events`` computed once per state of the event list."""
    cache = _tracker_cache(self)
    if "applied" not in cache:
        cache["applied"] = _original_applied_events(self)
    return list(cache["applied"])


def _fresh(states: list) -> list:
    """A copy of a list of states down to the sub-state dictionaries (their values are strings and tuples)."""
    return [{key: dict(sub) if isinstance(sub, dict) else sub for key, sub in state.items()} for state in states]


def past_states(self: DialogueStateTracker, domain: Any, omit_unset_slots: bool = False,
                ignore_rule_only_turns: bool = False, rule_only_data: Optional[Dict[Text, Any]] = None) -> list:
    """``DialogueStateTracker.past_states`` computed once per state of the event list and argument set."""
    cache = _tracker_cache(self)
    entries = cache.setdefault("past_states", [])
    for entry in entries:
        if (entry[0] is domain and entry[1] == omit_unset_slots and entry[2] == ignore_rule_only_turns
                and entry[3] == rule_only_data):
            return _fresh(entry[4])
    states = continued_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    entries.append((domain, omit_unset_slots, ignore_rule_only_turns, copy.deepcopy(rule_only_data),
                    _fresh(states)))
    return states


RESUME = "_shopmate_states_resume"


class Resume:
    """Where ``Domain.states_for_tracker_history`` was when it had replayed ``applied`` (all but its final state)."""

    def __init__(self, tracker: DialogueStateTracker):
        self.tracker = tracker.init_copy()  # the replay, advanced event by event
        self.applied: list = []
        self.states: list = []  # the states committed so far (never handed out: callers get fresh copies)
        self.last_ml: Any = None
        self.hidden = False


def _state_step(domain: Any, resume: Resume, hide_rule_turn: bool, omit_unset_slots: bool,
                ignore_rule_only_turns: bool, rule_only_data: Optional[Dict[Text, Any]], commit: bool) -> Optional[dict]:
    """One turn of the loop in ``Domain.states_for_tracker_history`` (Rasa 3.6), for the replay's current point."""
    tr, last_ml, hidden = resume.tracker, resume.last_ml, resume.hidden
    state = None
    if ignore_rule_only_turns:
        if not hidden:
            last_ml = domain._get_prev_action_sub_state(tr)
        if not tr.followup_action and not tr.latest_action_name == tr.active_loop_name:
            hidden = hide_rule_turn
    if not (ignore_rule_only_turns and hidden):
        state = domain.get_active_state(tr, omit_unset_slots=omit_unset_slots)
        if ignore_rule_only_turns:
            domain._remove_rule_only_features(state, rule_only_data)
            if resume.states:
                domain._substitute_rule_only_user_input(state, resume.states[-1])
            if last_ml:
                state[PREVIOUS_ACTION] = last_ml
        state = domain._clean_state(state)
    if commit:
        resume.last_ml, resume.hidden = last_ml, hidden
        if state is not None:
            resume.states.append(state)
    return state


def continued_states(tracker: DialogueStateTracker, domain: Any, omit_unset_slots: bool = False,
                     ignore_rule_only_turns: bool = False, rule_only_data: Optional[Dict[Text, Any]] = None) -> list:
    """``Domain.states_for_tracker_history(tracker, ...)``, continued from where the last call for this tracker and
    argument set stopped when its applied events still begin with the ones replayed then (only appended); else
    replayed from the start, as Rasa does."""
    key = (id(domain), omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
    resumes = tracker.__dict__.setdefault(RESUME, {})
    entry = resumes.get(key)
    applied = tracker.applied_events()
    if (entry is None or entry[0] is not domain or len(applied) < len(entry[1].applied)
            or any(a is not b for a, b in zip(entry[1].applied, applied))):
        entry = (domain, Resume(tracker))
        resumes[key] = entry
    resume = entry[1]
    for event in applied[len(resume.applied):]:
        if isinstance(event, rasa_events.ActionExecuted):
            _state_step(domain, resume, event.hide_rule_turn, omit_unset_slots, ignore_rule_only_turns,
                        rule_only_data, commit=True)
        resume.tracker.update(event)
    resume.applied = applied
    final = _state_step(domain, resume, False, omit_unset_slots, ignore_rule_only_turns, rule_only_data,
                        commit=False)
    return _fresh(resume.states + ([final] if final is not None else []))


# --- RulePolicy: which rules match ---------------------------------------------------------------------------
_original_possible_keys = RulePolicy._get_possible_keys
RULE_GROUPS = "_shopmate_rule_groups"
_original_is_rule_applicable = RulePolicy._is_rule_applicable


def is_rule_applicable(self: RulePolicy, rule_key: str, turn_index: int, conversation_state: dict) -> bool:
    """``RulePolicy._is_rule_applicable`` without reversing the rule's states into a new list on every call."""
    rule_states = self._rule_key_to_state(rule_key)
    if turn_index >= len(rule_states):
        return True
    rule_state = rule_states[len(rule_states) - 1 - turn_index]
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = rule_state.get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return self._does_rule_match_state(rule_state, conversation_state)


def _grouped_by_last_action(policy: RulePolicy, lookup: Dict[Text, Text]) -> Dict[Any, list]:
    """The rule keys of ``lookup`` by the previous action of their last state (``None``: none; ``"any"``: one this
    grouping does not understand, always checked), computed once per policy and lookup."""
    memo = policy.__dict__.setdefault(RULE_GROUPS, {})
    entry = memo.get(id(lookup))
    if entry is not None and entry[0] is lookup and entry[1] == len(lookup):
        return entry[2]
    groups: Dict[Any, list] = {}
    for key in lookup:
        prev = policy._rule_key_to_state(key)[-1].get(PREVIOUS_ACTION)
        if not prev:
            sig: Any = None
        elif all(isinstance(v, str) and v and v != SHOULD_NOT_BE_SET for v in prev.values()):
            sig = tuple(sorted(prev.items()))
        else:
            sig = "any"
        groups.setdefault(sig, []).append(key)
    memo[id(lookup)] = (lookup, len(lookup), groups)
    return groups


def get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: list) -> set:
    """``RulePolicy._get_possible_keys``: the rules of ``lookup`` that match the conversation's ``states``."""
    possible = set(lookup.keys())
    for i, state in enumerate(reversed(states)):
        if i == 0:  # the current state: only rules whose last previous action is this one's can match
            groups = _grouped_by_last_action(self, lookup)
            current = state.get(PREVIOUS_ACTION)
            possible = set(groups.get("any", ()))
            if not current:
                possible.update(groups.get(None, ()))
            else:
                for sig, keys in groups.items():
                    if isinstance(sig, tuple) and all(current.get(k) == v for k, v in sig):
                        possible.update(keys)
        longest = max((len(self._rule_key_to_state(key)) for key in possible), default=0)
        if i >= longest:  # every remaining rule is shorter than what was checked: it matches from here on
            break
        possible = {key for key in possible if is_rule_applicable(self, key, i, state)}
    return possible


# --- the graph runner: which nodes a target needs ---------------------------------------------------------------
_original_run = DaskGraphRunner.run
GRAPHS = "_shopmate_graphs"


def run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
              targets: Optional[list] = None) -> Dict[Text, Any]:
    """``DaskGraphRunner.run`` with the minimal schema and dask graph of each target list built once."""
    run_targets = targets if targets else self._graph_schema.target_names
    graphs = self.__dict__.setdefault(GRAPHS, {})
    key = tuple(run_targets)
    if key not in graphs:
        graphs[key] = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
    graph = dict(graphs[key])
    if inputs:
        self._add_inputs_to_graph(inputs, graph)
    try:
        return dict(dask.get(graph, run_targets))
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


# --- TensorFlow models: the concrete prediction function called directly ------------------------------------------
_original_rasa_predict = RasaModel._rasa_predict
CONCRETE = "_shopmate_concrete_predict"


def _concrete_inputs(model: Any, batch_in: Any) -> Optional[tuple]:
    """(concrete function, input tensors) for ``batch_in``, or None when it must take Rasa's path."""
    function = model._tf_predict_step
    entry = model.__dict__.get(CONCRETE)
    if entry is None or entry[0] is not function:
        concrete = function.get_concrete_function()
        if not callable(getattr(concrete, "_call_flat", None)):
            return None
        entry = (function, concrete, tf.nest.flatten(concrete.structured_input_signature[0]))
        model.__dict__[CONCRETE] = entry
    _, concrete, specs = entry
    flat = tf.nest.flatten((batch_in,))
    if len(flat) != len(specs):
        return None
    tensors = []
    for value, spec in zip(flat, specs):
        try:
            tensor = tf.convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError):
            return None
        if not spec.shape.is_compatible_with(tensor.shape):
            return None
        tensors.append(tensor)
    return concrete, tensors


def rasa_predict(self: Any, batch_in: Any) -> Dict[Text, Any]:
    """``RasaModel._rasa_predict`` calling the prediction function's concrete function directly."""
    if self._run_eagerly or not self.prepared_for_prediction or self._tf_predict_step is None:
        return _original_rasa_predict(self, batch_in)
    found = _concrete_inputs(self, batch_in)
    if found is None:
        return _original_rasa_predict(self, batch_in)
    self._training = False
    concrete, tensors = found
    outputs = tf_utils.sync_to_numpy_or_python_type(concrete._call_flat(tensors, concrete.captured_inputs))
    if DIAGNOSTIC_DATA in outputs:
        outputs[DIAGNOSTIC_DATA] = self._empty_lists_to_none_in_dict(outputs[DIAGNOSTIC_DATA])
    return outputs


# --- NLU off the event loop -------------------------------------------------------------------------------------
_original_parse_message = rasa_processor.MessageProcessor.parse_message
NLU_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shopmate-nlu")


async def parse_message(self: Any, message: Any, tracker: Optional[DialogueStateTracker] = None,
                        only_output_properties: bool = True) -> Dict[Text, Any]:
    """``MessageProcessor.parse_message`` with the NLU graph run on ``NLU_THREAD``."""
    if self.http_interpreter:
        return await _original_parse_message(self, message, tracker, only_output_properties)
    if tracker is None:
        tracker = DialogueStateTracker.from_events(message.sender_id, [])
    parse_data = await asyncio.get_running_loop().run_in_executor(
        NLU_THREAD, self._parse_message_with_graph, message, tracker, only_output_properties)
    self._update_full_retrieval_intent(parse_data)
    rasa_processor.structlogger.debug(
        "processor.message.parse", parse_data_text=copy.deepcopy(parse_data["text"]),
        parse_data_intent=parse_data["intent"], parse_data_entities=copy.deepcopy(parse_data["entities"]))
    self._check_for_unseen_features(parse_data)
    return parse_data


def install() -> None:
    event = rasa_events.Event
    if event.__dict__["resolve_by_type"].__func__ is not resolve_event_type:
        event.resolve_by_type = staticmethod(resolve_event_type)
    if "__copy__" not in Slot.__dict__:
        Slot.__copy__ = copy_slot
    if DialogueStateTracker.__dict__["applied_events"] is not applied_events:
        DialogueStateTracker.applied_events = applied_events
        DialogueStateTracker.past_states = past_states
    if RulePolicy.__dict__["_get_possible_keys"] is not get_possible_keys:
        RulePolicy._get_possible_keys = get_possible_keys
        RulePolicy._is_rule_applicable = is_rule_applicable
    if DaskGraphRunner.__dict__["run"] is not run_graph:
        DaskGraphRunner.run = run_graph
    if RasaModel.__dict__["_rasa_predict"] is not rasa_predict:
        RasaModel._rasa_predict = rasa_predict
    if rasa_processor.MessageProcessor.__dict__["parse_message"] is not parse_message:
        rasa_processor.MessageProcessor.parse_message = parse_message

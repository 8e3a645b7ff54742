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

Idempotent (installing twice patches once).
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Text, Type

from rasa.shared.core import events as rasa_events
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
    states = _original_past_states(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    entries.append((domain, omit_unset_slots, ignore_rule_only_turns, copy.deepcopy(rule_only_data),
                    _fresh(states)))
    return states


def install() -> None:
    event = rasa_events.Event
    if event.__dict__["resolve_by_type"].__func__ is not resolve_event_type:
        event.resolve_by_type = staticmethod(resolve_event_type)
    if "__copy__" not in Slot.__dict__:
        Slot.__copy__ = copy_slot
    if DialogueStateTracker.__dict__["applied_events"] is not applied_events:
        DialogueStateTracker.applied_events = applied_events
        DialogueStateTracker.past_states = past_states

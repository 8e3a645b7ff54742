"""Two lookups Rasa 3.6 repeats on every event and every tracker copy, done once instead.

A cProfile of the Rasa server over the benchmark's 20-turn conversation (``bench/latency.py``) showed:

* ``Event.resolve_by_type`` (called for every event deserialised: the whole tracker when it is loaded from the
  tracker store, and every event an action server returns) walks the full class tree of ``Event`` with
  ``all_subclasses`` and ``inspect.isabstract`` each time to find the class of one type name: 7.7 % of the
  server's time (0.45 s of 5.9 s over 60 turns).
* ``copy.copy`` of each of the domain's slots in ``DialogueStateTracker.__init__``, which runs for every
  ``init_copy`` (each policy replays the conversation into fresh trackers, the memoization policy's truncation
  several times per prediction): ``copy.copy`` goes through ``__reduce_ex__`` / ``copyreg`` for each of
  ShopMate's 23 slots: 5.7 % (0.34 s).

``install()`` replaces them with equivalent shortcuts:

* ``Event.resolve_by_type(type_name, default)``: a type name found once is answered from a dictionary (the first
  match in ``all_subclasses(Event)`` order, as before); names not found take Rasa's own path (``"topic"`` ->
  None, ``default``, or ``ValueError``), so nothing is cached for them. Event classes are defined when Rasa and
  its plugins are imported, before the first event is read.
* ``Slot.__copy__``: a new instance of the same class with a copy of the instance ``__dict__``: what
  ``copy.copy`` does for these plain classes (no ``__slots__``, ``__getstate__`` or ``__reduce__``), without the
  generic protocol. A subclass that defines its own ``__copy__`` keeps it.

Idempotent (installing twice patches once).
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text, Type

from rasa.shared.core import events as rasa_events
from rasa.shared.core.slots import Slot
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


def install() -> None:
    event = rasa_events.Event
    if event.__dict__["resolve_by_type"].__func__ is not resolve_event_type:
        event.resolve_by_type = staticmethod(resolve_event_type)
    if "__copy__" not in Slot.__dict__:
        Slot.__copy__ = copy_slot

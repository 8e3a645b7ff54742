"""Rasa's SQL tracker store, with the conversations it last saved kept in memory.

Rasa 3.6's ``SQLTrackerStore`` rebuilds a conversation from the database for every message: it reads every event
since the session started, parses each one's JSON and replays them into a new tracker; and before saving it counts
those events again to know which ones are new. A 20-turn ShopMate conversation reaches ~150 events (slots, forms,
bot messages), so each turn paid for all the earlier ones: 9 % of the Rasa server's time in a profile of the latency
benchmark (``bench/latency.py``), growing with the length of the conversation.

``CachedSQLTrackerStore`` (``endpoints.yml``: ``type: channels.tracker_store.CachedSQLTrackerStore``) stores exactly
what ``SQLTrackerStore`` stores, in the same table, and keeps the tracker it last saved or loaded per conversation
(the ``cache_size`` most recent ones, default 1000). The database stays the truth:

* ``retrieve`` asks the database for a fingerprint of the conversation (number of events, highest id, latest
  timestamp: one indexed aggregate query) and hands out the kept tracker only if the fingerprint is the one it had
  when the tracker was saved or loaded, and the tracker still holds exactly the events it had then (a turn that
  failed before saving, or one still running, added events: the tracker is then read from the database as before).
  Anything else (another process wrote to the conversation, a restart emptied the memory) takes Rasa's own path.
* ``save`` writes the events after the ones it knows are stored, when the fingerprint confirms that nothing else
  wrote in between; otherwise it counts them as Rasa does.
* A tracker that spans more than one session (a session restarted in this turn) is not kept: the next ``retrieve``
  reads the new session from the database, as Rasa would. With an event broker configured (which streams the
  difference between the stored and the new tracker) the store behaves exactly like ``SQLTrackerStore``.

Conversations are served by one Rasa server process at a time (Rasa's in-memory lock store); a second process
writing to the same conversation changes the fingerprint and is read, never overwritten.
"""
from __future__ import annotations

import itertools
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Optional, Text, Tuple

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from channels.rasa_speedups import CACHE as REPLAY_CACHE

logger = logging.getLogger(__name__)

Fingerprint = Tuple[int, Optional[int], Optional[float]]


@dataclass
class Kept:
    """A tracker as it was when saved or loaded, with the database's fingerprint at that moment."""

    tracker: DialogueStateTracker
    fingerprint: Fingerprint
    events: int  # len(tracker.events) then: all of them are in the database
    last: Optional[Event]  # tracker.events[-1] then

    def unchanged(self) -> bool:
        """The tracker holds exactly the events it had then (a turn that failed or is still running added some)."""
        events = self.tracker.events
        return len(events) == self.events and (events[-1] if events else None) is self.last


def one_session(tracker: DialogueStateTracker) -> bool:
    """True if no session starts in the tracker after its first events (what ``retrieve`` would load)."""
    return not any(isinstance(e, SessionStarted) for e in itertools.islice(tracker.events, 2, None))


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` that reuses the trackers it saved while the database confirms they are current."""

    def __init__(self, *args: Any, cache_size: int = 1000, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if int(cache_size) < 0:
            raise ValueError(f"cache_size must be 0 or more, not {cache_size}")
        self.cache_size = int(cache_size)
        self._kept: "OrderedDict[Text, Kept]" = OrderedDict()
        self.hits = self.misses = 0  # retrieves answered from memory / from the database

    # --- the fingerprint and the memory ------------------------------------------------------------------------
    _FINGERPRINT = None

    def _fingerprint(self, session: Any, sender_id: Text) -> Fingerprint:
        if self._FINGERPRINT is None:  # one statement, compiled once (SQLAlchemy caches it by identity)
            e = self.SQLEvent
            type(self)._FINGERPRINT = sa.select(sa.func.count(e.id), sa.func.max(e.id), sa.func.max(e.timestamp)) \
                .where(e.sender_id == sa.bindparam("sender_id"))
        count, max_id, max_ts = session.execute(self._FINGERPRINT, {"sender_id": sender_id}).one()
        return int(count), max_id, max_ts

    def _keep(self, tracker: DialogueStateTracker, fingerprint: Fingerprint) -> None:
        sender_id = tracker.sender_id
        self._kept.pop(sender_id, None)
        if not self.cache_size or self.event_broker is not None or not one_session(tracker):
            return
        tracker.__dict__.pop(REPLAY_CACHE, None)  # states replayed for this turn's predictions: recomputed anyway
        events = tracker.events
        self._kept[sender_id] = Kept(tracker, fingerprint, len(events), events[-1] if events else None)
        while len(self._kept) > self.cache_size:
            self._kept.popitem(last=False)

    # --- TrackerStore -------------------------------------------------------------------------------------------
    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        if self.event_broker is not None:
            return await super().retrieve(sender_id)
        kept = self._kept.get(sender_id)
        with self.session_scope() as session:
            fingerprint = self._fingerprint(session, sender_id)
        if kept is not None and kept.fingerprint == fingerprint and kept.unchanged():
            self._kept.move_to_end(sender_id)
            self.hits += 1
            return kept.tracker
        self.misses += 1
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self._kept.pop(sender_id, None)
            return None
        with self.session_scope() as session:  # what was read is what the database holds now
            if self._fingerprint(session, sender_id) == fingerprint:
                self._keep(tracker, fingerprint)
            else:
                self._kept.pop(sender_id, None)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.event_broker is not None:
            await super().save(tracker)
            return
        sender_id = tracker.sender_id
        kept = self._kept.get(sender_id)
        with self.session_scope() as session:
            before = self._fingerprint(session, sender_id)
            if (kept is not None and kept.tracker is tracker and kept.fingerprint == before
                    and len(tracker.events) >= kept.events):
                new = list(itertools.islice(tracker.events, kept.events, None))
            else:
                new = list(self._additional_events(session, tracker))
            rows = [self._row(sender_id, event) for event in new]
            session.add_all(rows)
            session.flush()  # the rows get their ids
            after = (before[0] + len(rows), max([before[1] or 0] + [r.id for r in rows]) if rows else before[1],
                     max([t for t in [before[2]] + [r.timestamp for r in rows] if t is not None], default=None))
            session.commit()
        self._keep(tracker, after)  # another writer in between shows in the next retrieve's fingerprint
        logger.debug(f"Tracker with sender_id '{sender_id}' stored to database ({len(new)} new events)")

    def _row(self, sender_id: Text, event: Event) -> Any:
        """The ``events`` row of ``event``, as ``SQLTrackerStore.save`` writes it."""
        data = event.as_dict()
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

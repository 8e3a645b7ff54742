"""channels.tracker_store: the cached SQL tracker store stores and returns what Rasa's SQLTrackerStore does, and
reads the database again whenever its memory could be stale."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore, create_tracker_store
from rasa.shared.core import events as E
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from channels.tracker_store import CachedSQLTrackerStore

ROOT = Path(__file__).resolve().parent.parent
run = asyncio.run


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture()
def stores(tmp_path, domain):
    """The cached store and Rasa's plain one on the same SQLite file."""
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    return CachedSQLTrackerStore(domain=domain, host=url), SQLTrackerStore(domain=domain, host=url)


def turn(text: str, intent: str, *more: E.Event) -> list:
    return [E.UserUttered(text, {"name": intent, "confidence": 0.9}), *more, E.ActionExecuted("action_listen")]


START = [E.ActionExecuted("action_session_start"), E.SessionStarted(), E.ActionExecuted("action_listen")]


def started(store: SQLTrackerStore, sender: str, domain: Domain) -> DialogueStateTracker:
    """A new conversation as the Rasa server starts it (created, session started, saved), read back."""
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update_with_events(START, domain)
    run(store.save(tracker))
    return run(store.retrieve(sender))


def stored(store: SQLTrackerStore, sender: str) -> list:
    """Every event row of ``sender`` as the plain store reads them (all sessions)."""
    tracker = run(store.retrieve_full_tracker(sender))
    return [] if tracker is None else [e.as_dict() for e in tracker.events]


def as_dicts(tracker: DialogueStateTracker) -> list:
    return [e.as_dict() for e in tracker.events]


def test_a_conversation_is_stored_and_read_as_rasa_does(stores, domain):
    cached, plain = stores
    tracker = run(cached.get_or_create_tracker("alex"))
    tracker.update_with_events(START, domain)
    run(cached.save(tracker))
    # the session started in this turn: the next message gets the session as Rasa reads it (from its start)
    tracker = run(cached.retrieve("alex"))
    assert as_dicts(tracker) == as_dicts(run(plain.retrieve("alex")))
    assert cached.hits == 0
    for i in range(5):
        again = run(cached.retrieve("alex"))
        assert again is tracker  # the kept tracker: nothing was read
        again.update_with_events(turn(f"message {i}", "greet", E.SlotSet("order_id", f"SM-10000{i}"),
                                      E.ActionExecuted("utter_greet")), domain)
        run(cached.save(again))
        fresh = run(plain.retrieve("alex"))
        assert as_dicts(fresh) == as_dicts(again)  # what Rasa's store reads back: every event, once, in order
        assert fresh.current_state(EventVerbosity.AFTER_RESTART) == again.current_state(EventVerbosity.AFTER_RESTART)
    assert cached.hits == 5


def test_a_turn_that_failed_before_saving_is_not_served_from_memory(stores, domain):
    cached, plain = stores
    tracker = started(cached, "sam", domain)
    tracker.update_with_events(turn("hi", "greet", E.ActionExecuted("utter_greet")), domain)
    run(cached.save(tracker))
    saved = as_dicts(tracker)
    tracker.update_with_events(turn("cancel it", "cancel_order", E.SlotSet("order_id", "SM-100003")), domain)
    again = run(cached.retrieve("sam"))  # the turn above never reached save()
    assert again is not tracker
    assert as_dicts(again) == saved and again.get_slot("order_id") is None
    assert run(cached.retrieve("sam")) is again  # the tracker read from the database is kept in turn


def test_another_writer_is_seen(stores, domain):
    cached, plain = stores
    tracker = started(cached, "kim", domain)

    other = run(plain.retrieve("kim"))  # e.g. a second server process answering the same customer
    other.update_with_events(turn("where is my order?", "order_status"), domain)
    run(plain.save(other))
    seen = run(cached.retrieve("kim"))
    assert seen is not tracker and as_dicts(seen) == as_dicts(other)

    seen.update_with_events(turn("thanks", "thank"), domain)
    run(cached.save(seen))  # the tracker read back carries on: its new events are written once, after the others
    rows = as_dicts(run(plain.retrieve("kim")))
    assert [r.get("text") for r in rows if r["event"] == "user"] == ["where is my order?", "thanks"]
    assert rows == as_dicts(seen)
    assert run(cached.retrieve("kim")) is seen


def test_a_new_session_is_read_back_as_rasa_reads_it(stores, domain):
    cached, plain = stores
    tracker = run(cached.get_or_create_tracker("lee"))
    tracker.update_with_events(START + turn("hi", "greet", E.ActionExecuted("utter_greet")), domain)
    run(cached.save(tracker))
    tracker.update_with_events(START + turn("hello again", "greet"), domain)  # the session expired
    run(cached.save(tracker))
    again = run(cached.retrieve("lee"))
    assert again is not tracker
    assert as_dicts(again) == as_dicts(run(plain.retrieve("lee")))  # the latest session only
    assert [e.text for e in again.events if isinstance(e, E.UserUttered)] == ["hello again"]


def test_memory_is_bounded_and_unknown_senders_are_none(tmp_path, domain):
    cached = CachedSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 't.db'}", cache_size=2)
    trackers = {}
    for sender in ("a", "b", "c"):
        trackers[sender] = started(cached, sender, domain)
    assert list(cached._kept) == ["b", "c"]
    assert run(cached.retrieve("a")) is not trackers["a"]  # forgotten: read from the database
    assert run(cached.retrieve("c")) is trackers["c"]
    assert run(cached.retrieve("nobody")) is None
    with pytest.raises(ValueError):
        CachedSQLTrackerStore(domain=domain, host=f"sqlite:///{tmp_path / 'u.db'}", cache_size=-1)


def test_endpoints_yml_creates_it(tmp_path, domain, monkeypatch):
    monkeypatch.setenv("TRACKER_DB_URL", f"sqlite:///{tmp_path / 'from-endpoints.db'}")
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://127.0.0.1:5055/webhook")
    config = read_endpoint_config(str(ROOT / "endpoints.yml"), "tracker_store")
    assert isinstance(config, EndpointConfig)
    store = create_tracker_store(config, domain)
    inner = getattr(store, "_tracker_store", store)
    inner = getattr(inner, "_tracker_store", inner)
    assert isinstance(inner, CachedSQLTrackerStore)
    assert (tmp_path / "from-endpoints.db").exists()

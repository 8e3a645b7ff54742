"""Faults with real servers: a Rasa server restart, an action server that is down, a database that is gone.

These tests stop and start the session's servers; each leaves them running again (the ``running`` fixture
also brings a server back if a test failed half-way).
"""
from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e.conftest import ALEX


def _slots(stack, sender):
    import json
    import urllib.request

    with urllib.request.urlopen(f"{stack.config.rasa_url}/conversations/{sender}/tracker", timeout=30) as resp:
        return json.loads(resp.read())["slots"]


def test_rasa_restart_keeps_the_conversation(chat, running):
    """SQL tracker store: after a restart the conversation goes on verified, with its slots."""
    chat.verify(ALEX["shipped"], ALEX["email"])
    before = _slots(running, chat.sender)
    assert before["verified"] is True and before["order_id"] == ALEX["shipped"]
    running.restart_rasa()
    after = _slots(running, chat.sender)
    assert after["verified"] is True
    assert after["customer_id"] == before["customer_id"]
    # still verified: no second verification is asked for, the status comes straight away
    status = chat.text(chat("what's the status of my order?"))
    assert ALEX["shipped"] in status and "order number" not in status.lower()


def test_action_server_down_gets_an_apology_then_recovers(chat, running):
    chat("hi")
    running.stop_actions()
    try:
        replies = chat("do you have a camera?")
        text = chat.text(replies).lower()
        assert replies, "silence while the action server is down"
        assert "sorry" in text or "trouble" in text
    finally:
        running.start_actions()
    replies = chat("do you have a camera?")
    assert "sorry" not in chat.text(replies).lower()
    assert "camera" in chat.text(replies).lower(), replies


def test_database_gone_gets_an_apology_then_recovers(chat, running):
    """The shop database file disappears (disk unmounted, server down): a clear apology, nothing lost after."""
    db = Path(running.config.shop_db_url.split("///", 1)[1])
    hidden = db.with_suffix(".away")
    chat("where is my order?")
    chat(ALEX["shipped"])
    shutil.move(db, hidden)
    for suffix in ("-wal", "-shm"):
        side = Path(str(db) + suffix)
        if side.exists():
            shutil.move(side, Path(str(hidden) + suffix))
    try:
        db.mkdir()  # a directory where the file was: SQLite cannot open it, even with a fresh connection
        text = chat.text(chat(ALEX["email"])).lower()
        assert "sorry" in text or "trouble" in text
    finally:
        db.rmdir()
        shutil.move(hidden, db)
        for suffix in ("-wal", "-shm"):
            side = Path(str(hidden) + suffix)
            if side.exists():
                shutil.move(side, Path(str(db) + suffix))
    # Nothing was lost: the order number and email given while the database was away are checked now, so the
    # status comes without asking for them again.
    status = chat.text(chat("where is my order?"))
    assert ALEX["shipped"] in status and "you're verified" in status, status
    assert "What's your order number" not in status and "e-mail address you used" not in status, status

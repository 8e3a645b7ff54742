"""Pins that guard known incompatibilities: a resolver or a careless upgrade must not undo them silently."""
from __future__ import annotations

from importlib.metadata import version

import pytest
from packaging.version import Version

pytestmark = pytest.mark.unit


def _release(v: str) -> tuple:
    """``"5.10.0rc1"`` -> ``(5, 10, 0)``."""
    return Version(v).release


def test_release_parsing():
    assert _release("5.9.0") == (5, 9, 0)
    assert _release("5.10.0rc1") == (5, 10, 0)
    assert _release("5.11.1+local") == (5, 11, 1)


def test_python_socketio_is_below_5_10():
    installed = version("python-socketio")
    assert _release(installed) < (5, 10), (
        f"python-socketio {installed} is installed, but Rasa 3.6's socket.io channel needs < 5.10: from 5.10 on "
        "AsyncServer.enter_room is a coroutine, and rasa/core/channels/socketio.py calls it without await, so "
        "the session room is never joined: replies are stored in the tracker but never delivered to the web "
        "widget (no error anywhere). Keep python-socketio==5.9.0 (requirements.txt, constraints.txt); "
        "tests/e2e/test_socketio.py shows the symptom end to end.")


def test_python_engineio_matches_socketio_5_9():
    # python-socketio 5.9 is tested against python-engineio 4.x; engineio 5 does not exist for it.
    assert _release(version("python-engineio"))[0] == 4


def test_rasa_is_the_3_6_line_the_pins_were_made_for():
    assert _release(version("rasa"))[:2] == (3, 6)

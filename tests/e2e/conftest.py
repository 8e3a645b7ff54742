"""End-to-end fixtures: the real assistant, started once per test session.

``stack`` starts the action server and the Rasa server (REST + socket.io channels, API on, SQL tracker store on
a SQLite file) from ``scripts/stack.py`` on free ports, against a demo shop generated for today
(``python -m shop.demo --seed 0 --scale small --base-date today``) and a recommender fitted on it, all in a temp
folder. It needs the trained model ``models/shopmate.tar.gz`` (``make train-rasa``, which ``make test-e2e``
runs first). The servers are stopped at the end of the session; their logs are kept under that temp folder and
their tails are printed when a server fails to start.

``chat`` gives each test a conversation with its own sender id::

    def test_something(chat):
        replies = chat("where is my order?")
        assert "order number" in chat.text(replies)
"""
from __future__ import annotations

import itertools
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable, List

import pytest

from scripts.stack import ROOT, Stack, StackConfig

MODEL = Path(os.environ.get("SHOPMATE_MODEL", ROOT / "models" / "shopmate.tar.gz"))

# The fixed demo customers of shop/demo.py (DEMO_CUSTOMERS): who owns which order.
ALEX = {"email": "alex.morgan@example.com", "shipped": "SM-100001", "returnable": "SM-100002", "placed": "SM-100003"}
JORDAN = {"email": "jordan.lee@example.com", "order": "SM-100004"}
PRIYA = {"email": "priya.shah@example.com", "returnable": "SM-100012"}  # a hoodie delivered 8 days before today


def _run(cmd: List[str], env: dict) -> None:
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def shop_db_url(e2e_dir) -> str:
    """A demo shop for today (fixed seed): the same customers and orders as `make data`."""
    url = f"sqlite:///{e2e_dir / 'shop.db'}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    _run([sys.executable, "-m", "shop.demo", "--seed", "0", "--scale", "small", "--base-date", "today",
          "--url", url, "--quiet"], env)
    return url


@pytest.fixture(scope="session")
def recommender_dir(e2e_dir, shop_db_url) -> Path:
    out = e2e_dir / "recommender"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    _run([sys.executable, "-m", "recommender.train", "--db", shop_db_url, "--out", str(out), "--quiet"], env)
    return out


@pytest.fixture(scope="session")
def stack_config(e2e_dir, shop_db_url, recommender_dir) -> StackConfig:
    if not MODEL.exists():
        pytest.fail(f"no Rasa model at {MODEL}: run `make train-rasa` (make test-e2e does)")
    return StackConfig(var_dir=e2e_dir / "var", model=MODEL, shop_db_url=shop_db_url,
                       recommender_dir=recommender_dir, rasa_port=0, action_port=0, web_port=0)


@pytest.fixture(scope="session")
def stack(stack_config):
    """The running assistant (action server, Rasa server, chat page) for the whole session."""
    s = Stack(stack_config)
    s.start()
    yield s
    s.stop()


@pytest.fixture
def running(stack):
    """``stack``, with both servers brought back up if an earlier test stopped one and failed to restart it."""
    if not (stack.actions and stack.actions.running):
        stack.start_actions()
    if not (stack.rasa and stack.rasa.running):
        stack.start_rasa()
    return stack


_counter = itertools.count()


class Chat:
    """One conversation over the REST channel: ``chat(text)`` returns the bot's messages for that turn."""

    def __init__(self, stack: Stack, sender: str):
        self.stack, self.sender = stack, sender
        self.history: List[List[dict]] = []

    def __call__(self, text: str, timeout: float = 30) -> List[dict]:
        replies = self.stack.say(self.sender, text, timeout=timeout)
        self.history.append(replies)
        return replies

    @staticmethod
    def text(replies: List[dict]) -> str:
        return "\n".join(r.get("text") or "" for r in replies)

    def verify(self, order_id: str, email: str, opening: str = "where is my order?") -> List[dict]:
        """Ask for something private and pass verification; returns the replies to the email turn."""
        self(opening)
        self(order_id)
        return self(email)


@pytest.fixture
def new_chat(running) -> Callable[[], Chat]:
    def make() -> Chat:
        return Chat(running, f"e2e-{next(_counter)}-{uuid.uuid4().hex[:8]}")

    return make


@pytest.fixture
def chat(new_chat) -> Chat:
    return new_chat()

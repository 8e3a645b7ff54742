"""``rasa shell`` (what ``make run`` opens) answers typed lines: greeting, a question, ``/stop``.

``rasa shell`` loads the model and runs its own Rasa server in-process, so this test does not use the session's
Rasa server: it starts only an action server (on a free port, against the session's demo shop and recommender)
and gives the shell its own SQLite tracker store. Piped stdin works: questionary/prompt_toolkit falls back to
plain line reading when stdin is not a terminal, so no pty is needed. The shell prints each bot message in
colour; the ANSI codes are stripped before asserting.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import List

import pytest
import yaml

from scripts.stack import ROOT, VENV_BIN, Stack, StackConfig, free_port
from tests.e2e.conftest import MODEL

SHELL_TIMEOUT = 240  # seconds: loading the model takes about a minute on 2 cores
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PROMPT = "Your input ->"


def responses(name: str) -> List[str]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    return [r["text"] for r in domain["responses"][name] if "text" in r]


@pytest.fixture
def action_server(e2e_dir: Path, shop_db_url: str, recommender_dir: Path):
    if not MODEL.exists():
        pytest.fail(f"no Rasa model at {MODEL}: run `make train-rasa` (make test-e2e does)")
    var = e2e_dir / f"shell-{free_port()}"
    config = StackConfig(var_dir=var, model=MODEL, shop_db_url=shop_db_url, recommender_dir=recommender_dir,
                         tracker_db_url=f"sqlite:///{(var / 'shell-tracker.db').resolve()}",
                         rasa_port=0, action_port=0, web_port=None)
    stack = Stack(config)
    stack.start_actions()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.mark.timeout(SHELL_TIMEOUT + 120, func_only=True)
def test_rasa_shell_answers_piped_lines(action_server):
    config = action_server.config
    lines = ["hi", "how long does delivery take?", "/stop"]
    cmd = [str(VENV_BIN / "rasa"), "shell", "-m", str(config.model), "--endpoints", str(config.endpoints),
           "-i", "127.0.0.1", "-p", str(config.rasa_port)]
    try:
        result = subprocess.run(cmd, cwd=ROOT, env=action_server.env(), input="\n".join(lines) + "\n",
                                capture_output=True, text=True, timeout=SHELL_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        out = ANSI.sub("", (exc.stdout or b"").decode(errors="replace") if isinstance(exc.stdout, bytes)
                       else exc.stdout or "")
        pytest.fail(f"rasa shell did not finish within {SHELL_TIMEOUT}s; its output ended with:\n{out[-3000:]}")
    out = ANSI.sub("", result.stdout)
    err = ANSI.sub("", result.stderr)
    context = f"stdout:\n{out[-4000:]}\nstderr:\n{err[-3000:]}"
    assert result.returncode == 0, context
    assert "Bot loaded" in out + err, context

    # The transcript is: prompt, the typed line, the bot's lines, the next prompt... (with a non-tty stdin
    # prompt_toolkit draws each prompt line twice, so a typed line may start more than one piece).
    pieces = [p.strip() for p in out.split(PROMPT)]

    def replies_to(typed: str) -> str:
        return "\n".join(p[len(typed):] for p in pieces if p.startswith(typed))

    greeting = replies_to("hi")
    assert any(text in greeting for text in responses("utter_greet")), context

    delivery = replies_to("how long does delivery take?")
    assert "delivery" in delivery.lower(), context
    # The delivery help comes as cards; the shell shows their text lines ("4. Evening Delivery Slot — €6.95").
    assert re.search(r"^\d+\. \S.* — €\d+\.\d\d", delivery, re.MULTILINE), context

"""``make run``: start the assistant (action server, Rasa server, chat page), print where it is, chat, stop on Ctrl-C.

    python scripts/run.py                 # what `make run` does after install / data / train
    python scripts/run.py --no-chat       # only the servers (e.g. when stdin is not a terminal)

The servers are the same ``scripts.stack.Stack`` the end-to-end tests and the benchmarks use: everything listens on
``SHOPMATE_HOST`` (default 127.0.0.1), ports from ``RASA_PORT`` / ``ACTION_PORT`` / ``WEB_PORT`` (5005 / 5055 /
8080), conversations in ``var/tracker.db`` (``TRACKER_DB_URL`` overrides), logs under ``var/log/``. When stdin is a
terminal, you can also chat right here: each line goes to the Rasa server's REST channel, exactly as the widget's
messages go through socket.io. Ctrl-C (or ``/stop``) stops every process that was started.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.stack import ROOT, Stack, StackConfig  # noqa: E402

EXAMPLES = [
    "hi",
    "where is my order SM-100001?            (then the email: alex.morgan@example.com)",
    "do you have a camera bag?",
    "I want to return the jacket from SM-100002",
    "what goes with it?",
]


# Environment variables that override a StackConfig default (anything unset keeps the default).
ENV_OVERRIDES = {"SHOP_DB_URL": ("shop_db_url", str), "TRACKER_DB_URL": ("tracker_db_url", str),
                 "SHOPMATE_RECOMMENDER_DIR": ("recommender_dir", Path), "SHOPMATE_HOST": ("host", str),
                 "RASA_PORT": ("rasa_port", int), "ACTION_PORT": ("action_port", int)}


def config_from_env(args: argparse.Namespace) -> StackConfig:
    overrides = {field: cast(os.environ[var]) for var, (field, cast) in ENV_OVERRIDES.items() if os.environ.get(var)}
    web_port = None if args.no_web else int(os.environ.get("WEB_PORT") or 8080)
    return StackConfig(web_port=web_port, **overrides)


def render(reply: dict) -> str:
    """One bot message as terminal text: its text, then its buttons as numbered options."""
    lines = [reply.get("text") or ""]
    for i, button in enumerate(reply.get("buttons") or [], 1):
        lines.append(f"   [{i}] {button.get('title')}")
    return "\n".join(line for line in lines if line)


def terminal_chat(stack: Stack) -> None:
    """A REST-backed chat at the prompt; a number picks a button of the last reply."""
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    last_buttons: list = []
    print("Type a message (a number picks a button, /stop or Ctrl-C ends):")
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            return
        if text == "/stop":
            return
        if text.isdigit() and 0 < int(text) <= len(last_buttons):
            text = last_buttons[int(text) - 1]["payload"]
        try:
            replies = stack.say(sender, text, timeout=60)
        except OSError as exc:
            print(f"(the Rasa server did not answer: {exc}; see var/log/rasa.log)")
            continue
        last_buttons = [b for r in replies for b in (r.get("buttons") or [])]
        for reply in replies:
            print("bot> " + render(reply).replace("\n", "\n     "))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-chat", action="store_true", help="do not chat at the prompt; just keep serving")
    parser.add_argument("--no-web", action="store_true", help="do not serve the chat page")
    args = parser.parse_args(argv)
    config = config_from_env(args)
    stack = Stack(config)
    started = time.monotonic()
    print(f"Starting ShopMate on {config.host} (logs: {config.log_dir.relative_to(ROOT)}/) ...", flush=True)
    # SIGTERM (e.g. from a process manager) stops cleanly, like Ctrl-C.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        stack.start()
        print(f"\nShopMate is up in {time.monotonic() - started:.0f} s "
              f"(action server {stack.timings['actions_start_s']:.0f} s, Rasa server {stack.timings['rasa_start_s']:.0f} s)")
        if config.web_url:
            print(f"  chat page    {config.web_url}/")
        print(f"  Rasa server  {config.rasa_url}  (REST: POST /webhooks/rest/webhook)")
        print(f"  actions      {config.action_url}/health")
        print("\nThings to say:\n" + "\n".join(f"  {e}" for e in EXAMPLES) + "\n", flush=True)
        if sys.stdin.isatty() and not args.no_chat:
            terminal_chat(stack)
        else:
            print("Serving until Ctrl-C.", flush=True)
            while stack.rasa.running and stack.actions.running:
                time.sleep(1)
            print("A server stopped unexpectedly; see var/log/.", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:  # a server failed to start: its log tail is in the message
        print(f"\n{exc}", file=sys.stderr)
        return 1
    finally:
        print("\nStopping ShopMate ...", flush=True)
        stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

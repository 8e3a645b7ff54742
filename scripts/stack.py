"""Start and stop ShopMate's servers: the action server, the Rasa server and the chat page.

One implementation for everything that runs the assistant: ``make run`` (``scripts/run.py``), the end-to-end
tests (``tests/e2e/conftest.py``) and the benchmarks (``bench/latency.py``). Every process listens on
``host`` (127.0.0.1 unless the operator says otherwise), logs to its own file, and is stopped (whole process
group, SIGTERM then SIGKILL) by :meth:`Stack.stop`.

    stack = Stack(StackConfig(var_dir=Path("var"), shop_db_url=..., model=Path("models/shopmate.tar.gz")))
    stack.start()            # action server, then Rasa server; returns when both answer
    stack.restart_rasa()     # a new Rasa server process on the same port and tracker store
    stack.stop()
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def http_ok(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= resp.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


class Process:
    """A child process in its own process group, with stdout/stderr appended to ``log``."""

    def __init__(self, name: str, cmd: List[str], env: Dict[str, str], log: Path, cwd: Path = ROOT):
        self.name, self.cmd, self.env, self.log, self.cwd = name, cmd, env, log, cwd
        self.popen: Optional[subprocess.Popen] = None

    def start(self) -> "Process":
        self.log.parent.mkdir(parents=True, exist_ok=True)
        fh = open(self.log, "ab")
        fh.write(f"\n--- {time.strftime('%Y-%m-%d %H:%M:%S')} starting {' '.join(self.cmd)}\n".encode())
        fh.flush()
        self.popen = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=fh, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        fh.close()
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    @property
    def pid(self) -> Optional[int]:
        return self.popen.pid if self.popen else None

    def wait_http(self, url: str, timeout: float) -> float:
        """Seconds until ``url`` answered 2xx; raises ``RuntimeError`` (with the log's tail) otherwise."""
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            if not self.running:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}:\n{self.tail()}")
            if http_ok(url):
                return time.monotonic() - start
            time.sleep(0.5)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout:.0f}s:\n{self.tail()}")

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self, grace: float = 10.0) -> None:
        if not self.running:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=grace)
        except ProcessLookupError:
            pass


@dataclass
class StackConfig:
    """Where the servers keep their state and which ports they use (0 = pick a free one)."""

    var_dir: Path = ROOT / "var"
    model: Path = ROOT / "models" / "shopmate.tar.gz"
    shop_db_url: str = f"sqlite:///{ROOT / 'var' / 'shop.db'}"
    tracker_db_url: Optional[str] = None  # default: sqlite file in var_dir
    recommender_dir: Path = ROOT / "models" / "recommender"
    host: str = "127.0.0.1"
    rasa_port: int = 5005
    action_port: int = 5055
    web_port: Optional[int] = None  # None: no chat page
    cors: Optional[str] = None  # default: the chat page's origin (or "*" without one)
    endpoints: Path = ROOT / "endpoints.yml"
    credentials: Path = ROOT / "credentials.yml"
    extra_env: Dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.var_dir = Path(self.var_dir)
        if self.tracker_db_url is None:
            self.tracker_db_url = f"sqlite:///{(self.var_dir / 'tracker.db').resolve()}"
        for attr in ("rasa_port", "action_port", "web_port"):
            if getattr(self, attr) == 0:
                setattr(self, attr, free_port(self.host))

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}"

    @property
    def web_url(self) -> Optional[str]:
        return f"http://{self.host}:{self.web_port}" if self.web_port else None

    @property
    def log_dir(self) -> Path:
        return self.var_dir / "log"


TF_THREAD_VARS = ("TF_INTER_OP_PARALLELISM_THREADS", "TF_INTRA_OP_PARALLELISM_THREADS")  # read by Rasa at start
# Thread settings per process, defaults that the environment (or StackConfig.extra_env) overrides ("" = the
# library's own default). Measured with bench/latency.py on 2 cores:
# * TensorFlow runs DIET's and TED's small graphs (one message, five turns of history) on one thread each: its
#   default pools hand each of their hundreds of tiny ops between threads (mean per turn 57-59 -> 50-53 ms).
# * OpenBLAS (numpy's matrix products: the MiniLM encoder in the Rasa server, the recommender in the action server)
#   on one thread: after each product its idle threads spin for a while, which under load (8 senders) cost the
#   Rasa server 37 ms of CPU per turn (87 -> 50 ms; 20.6 -> 22.6 turns/s) and the action server 7 ms (12.8 ->
#   5.6 ms); one message at a time, the second thread's gain on the encoder (~2.5 ms) is within the noise.
THREADS = {"rasa": {**{var: "1" for var in TF_THREAD_VARS}, "OPENBLAS_NUM_THREADS": "1"},
           "actions": {"OPENBLAS_NUM_THREADS": "1"}, "web": {}}


class Stack:
    """The running assistant: action server + Rasa server (+ the chat page when ``web_port`` is set)."""

    def __init__(self, config: StackConfig):
        self.config = config
        self.actions: Optional[Process] = None
        self.rasa: Optional[Process] = None
        self.web: Optional[Process] = None
        self.timings: Dict[str, float] = {}

    def env(self, process: str = "rasa") -> Dict[str, str]:
        """The environment of ``process`` ("rasa", "actions" or "web")."""
        c = self.config
        env = dict(os.environ)
        env.update({
            "SHOP_DB_URL": c.shop_db_url,
            "TRACKER_DB_URL": c.tracker_db_url,
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{c.action_port}/webhook" if c.host in ("0.0.0.0", "::")
            else f"{c.action_url}/webhook",
            "SHOPMATE_RECOMMENDER_DIR": str(c.recommender_dir),
            "SANIC_HOST": c.host,
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONPATH": str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""),
            "PYTHONUNBUFFERED": "1",
        })
        for var, value in THREADS[process].items():
            env.setdefault(var, value)
        env.update(c.extra_env)
        return env

    # --- action server ------------------------------------------------------------------------------------
    def start_actions(self, timeout: float = 120) -> float:
        c = self.config
        cmd = [str(VENV_BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(c.action_port)]
        self.actions = Process("action server", cmd, self.env("actions"), c.log_dir / "actions.log").start()
        self.timings["actions_start_s"] = self.actions.wait_http(f"{c.action_url}/health", timeout)
        return self.timings["actions_start_s"]

    def stop_actions(self) -> None:
        if self.actions:
            self.actions.stop()

    # --- Rasa server --------------------------------------------------------------------------------------
    def rasa_cmd(self) -> List[str]:
        c = self.config
        cors = c.cors or (c.web_url or "*")
        return [str(VENV_BIN / "rasa"), "run", "-m", str(c.model), "--enable-api", "--cors", cors,
                "--endpoints", str(c.endpoints), "--credentials", str(c.credentials),
                "-i", c.host, "-p", str(c.rasa_port)]

    def start_rasa(self, timeout: float = 300) -> float:
        c = self.config
        if not c.model.exists():
            raise RuntimeError(f"no Rasa model at {c.model}: run `make train`")
        self.rasa = Process("Rasa server", self.rasa_cmd(), self.env(), c.log_dir / "rasa.log").start()
        self.timings["rasa_start_s"] = self.rasa.wait_http(f"{c.rasa_url}/status", timeout)
        return self.timings["rasa_start_s"]

    def stop_rasa(self) -> None:
        if self.rasa:
            self.rasa.stop()

    def restart_rasa(self, timeout: float = 300) -> float:
        self.stop_rasa()
        return self.start_rasa(timeout)

    # --- chat page ----------------------------------------------------------------------------------------
    def start_web(self, timeout: float = 30) -> float:
        c = self.config
        cmd = [sys.executable, str(ROOT / "scripts" / "serve_web.py"), "--host", c.host, "--port", str(c.web_port),
               "--rasa-url", c.rasa_url]
        self.web = Process("chat page", cmd, self.env("web"), c.log_dir / "web.log").start()
        self.timings["web_start_s"] = self.web.wait_http(f"{c.web_url}/", timeout)
        return self.timings["web_start_s"]

    # --- all ----------------------------------------------------------------------------------------------
    def start(self) -> "Stack":
        try:
            self.start_actions()
            self.start_rasa()
            if self.config.web_port:
                self.start_web()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for proc in (self.web, self.rasa, self.actions):
            if proc:
                proc.stop()

    def __enter__(self) -> "Stack":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- talking to it ------------------------------------------------------------------------------------
    def say(self, sender: str, text: str, timeout: float = 30) -> List[dict]:
        """The bot's replies to ``text`` over the REST channel."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        req = urllib.request.Request(f"{self.config.rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read())

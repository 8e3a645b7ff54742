"""Shared fixtures: real databases for the shop (SQLite file and a throw-away PostgreSQL server).

- ``db_url``: an empty schema, parametrised ``sqlite`` (a file in the test's tmp dir, marked ``unit``) and
  ``postgresql`` (marked ``integration``). PostgreSQL comes from ``SHOP_TEST_PG_URL`` if set (a server URL; the
  tests create and drop their own ``shopmate_test_*`` database on it), else a server started once per session
  from Debian's binaries (``/usr/lib/postgresql/*/bin``) in a temp dir on 127.0.0.1 and a free port (run as the
  ``postgres``/``nobody`` user when the tests run as root), stopped at the end. Without the binaries the
  PostgreSQL tests skip with the reason shown by ``-rs``. Between tests the PostgreSQL tables are truncated.
- ``clock``: a settable fake clock (naive UTC), ``clock()`` is "now"; ``clock.advance(days=...)``.
- ``dataset``: :func:`tests.factories.standard_dataset` on ``db_url`` (see :class:`tests.factories.Dataset`).
- ``shop``: ``Shop(db_url, now=clock)`` over that dataset.
- ``db``: a sessionmaker on ``db_url`` for checking rows directly (use with ``shop.db.session_scope``).
"""
from __future__ import annotations

import datetime as dt
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shop.db import get_engine, init_db, session_factory, session_scope
from shop.models import Base, utcnow
from tests.factories import standard_dataset

PG_MISSING = "PostgreSQL not installed: run `make system-deps`"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run_as() -> list[str]:
    """Command prefix that drops root (postgres refuses to run as root)."""
    if os.geteuid() != 0:
        return []
    for user in ("postgres", "nobody"):
        try:
            pwd.getpwnam(user)
        except KeyError:
            continue
        return ["runuser", "-u", user, "--"]
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL as")


class _TempPostgres:
    """A PostgreSQL cluster in a temp dir: trust auth for user ``shop`` on 127.0.0.1, fsync off (tests only)."""

    def __init__(self, bindir: str):
        self.bindir, self.prefix = bindir, _run_as()
        self.dir = tempfile.mkdtemp(prefix="shopmate-pg-")
        if self.prefix:
            shutil.chown(self.dir, user=self.prefix[2])
        self.port = _free_port()
        self.url = f"postgresql+psycopg2://shop@127.0.0.1:{self.port}/postgres"

    def _cmd(self, name: str, *args: str) -> None:
        subprocess.run([*self.prefix, os.path.join(self.bindir, name), *args], check=True, capture_output=True,
                       text=True, timeout=120)

    def start(self) -> None:
        data = os.path.join(self.dir, "data")
        self._cmd("initdb", "-D", data, "-U", "shop", "--auth=trust", "-E", "UTF8", "--no-locale")
        opts = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        try:
            self._cmd("pg_ctl", "-D", data, "-o", opts, "-l", os.path.join(self.dir, "log"), "-w", "start")
        except subprocess.CalledProcessError as exc:
            log = open(os.path.join(self.dir, "log")).read() if os.path.exists(os.path.join(self.dir, "log")) else ""
            raise RuntimeError(f"PostgreSQL did not start: {exc.stderr}\n{log}") from exc

    def stop(self) -> None:
        try:
            self._cmd("pg_ctl", "-D", os.path.join(self.dir, "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server_url():
    """URL of a PostgreSQL server (maintenance database), or None when PostgreSQL isn't available."""
    if os.environ.get("SHOP_TEST_PG_URL"):
        yield os.environ["SHOP_TEST_PG_URL"]
        return
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    if not initdbs:
        yield None
        return
    server = _TempPostgres(os.path.dirname(initdbs[-1]))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="session")
def pg_database_url(pg_server_url):
    """A fresh ``shopmate_test_*`` database with the schema, dropped at the end of the session."""
    if pg_server_url is None:
        yield None
        return
    name = f"shopmate_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is generated above, never user input
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    init_db(url)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=[pytest.param("sqlite", marks=pytest.mark.unit),
                        pytest.param("postgresql", marks=pytest.mark.integration)])
def db_url(request, tmp_path):
    """An empty shop schema on SQLite (tmp file) or PostgreSQL (truncated between tests)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
        init_db(url)
        yield url
        get_engine(url).dispose()
        return
    url = request.getfixturevalue("pg_database_url")
    if url is None:
        pytest.skip(PG_MISSING)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with get_engine(url).begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield url


class Clock:
    """A fake clock: ``clock()`` returns the current fake time (naive UTC, whole seconds)."""

    def __init__(self, start: dt.datetime):
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current


@pytest.fixture
def clock() -> Clock:
    return Clock(utcnow())


@pytest.fixture
def db(db_url):
    return session_factory(db_url)


@pytest.fixture
def dataset(db, clock):
    with session_scope(db) as s:
        return standard_dataset(s, now=clock())


@pytest.fixture
def shop(db_url, dataset, clock):
    from shop.services import Shop

    return Shop(db_url, now=clock)


TIERS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items):
    """Tests under ``tests/e2e/`` are ``e2e``; any other test that names no tier is a unit test, so that
    ``-m unit`` never silently leaves one out."""
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
        elif not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(pytest.mark.unit)

"""Transactions for the services: read scopes, and changes that are idempotent on retry.

A change runs ``work(session) -> View`` in one transaction together with the insert of an
``IdempotencyRecord(key, operation, result={"request": <fingerprint>, "view": view.to_dict()})``.
A retry with the same key returns the stored view without doing anything (even if the state has moved on since);
the same key used for a *different* request is refused. Two concurrent first attempts race on the primary key:
the loser's whole transaction rolls back on ``IntegrityError`` and it returns the winner's stored view.
Failed changes (typed errors) store nothing, so a retry is evaluated afresh.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import secrets
import string
from typing import Any, Callable, Iterator, Optional, TypeVar

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from shop import validation
from shop.db import session_scope
from shop.errors import Invalid, ShopError
from shop.models import IdempotencyRecord, utcnow
from shop.views import View

V = TypeVar("V", bound=View)
Clock = Callable[[], dt.datetime]
_ALPHABET = string.ascii_uppercase + string.digits


def new_code(session: Session, prefix: str, column) -> str:
    """``prefix`` + 8 random upper-case letters/digits (``secrets``), checked unused in ``column``."""
    for _ in range(10):
        code = prefix + "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if session.execute(select(column).where(column == code)).first() is None:
            return code
    raise RuntimeError(f"could not draw an unused {prefix} code")  # 36^8 codes: practically unreachable


def _fingerprint(operation: str, request: dict[str, Any]) -> str:
    blob = json.dumps([operation, request], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class ServiceBase:
    """Shared by the service classes: a session factory and an injectable clock (naive UTC)."""

    def __init__(self, factory: sessionmaker, now: Optional[Clock] = None):
        self._factory = factory
        self._now: Clock = now or utcnow

    def now(self) -> dt.datetime:
        return self._now()

    def _read(self):
        return session_scope(self._factory)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Session]:
        """A transaction that will write. On SQLite it takes the write lock up front (``BEGIN IMMEDIATE``) so that
        checks and changes see the same data (pysqlite otherwise begins only at the first write); PostgreSQL
        relies on the row locks (``SELECT ... FOR UPDATE``) the services take."""
        with session_scope(self._factory) as s:
            if s.get_bind().dialect.name == "sqlite":
                s.execute(text("BEGIN IMMEDIATE"))
            yield s

    def _stored(self, key: str, operation: str, fingerprint: str, view_cls: type[V]) -> Optional[V]:
        with self._read() as s:
            record = s.get(IdempotencyRecord, key)
            if record is None:
                return None
            if record.operation != operation or record.result.get("request") != fingerprint:
                raise Invalid("This request was already used for something else; please try again.",
                              code="idempotency_conflict")
            return view_cls.from_dict(record.result["view"])

    def _change(self, operation: str, key: Any, request: dict[str, Any], view_cls: type[V],
                work: Callable[[Session], V]) -> V:
        """Run ``work`` once per ``key``: in one transaction with the stored result (see module docstring)."""
        key = validation.idempotency_key(key)
        fingerprint = _fingerprint(operation, request)
        stored = self._stored(key, operation, fingerprint, view_cls)
        if stored is not None:
            return stored
        try:
            with self._write() as s:
                view = work(s)
                s.add(IdempotencyRecord(key=key, operation=operation, created_at=self.now(),
                                        result={"request": fingerprint, "view": view.to_dict()}))
                s.flush()
            return view
        except (IntegrityError, ShopError):
            # A concurrent duplicate may have won meanwhile (we then fail on the key, or on a rule such as
            # "already cancelled" after waiting for its lock): answer with its stored result.
            stored = self._stored(key, operation, fingerprint, view_cls)
            if stored is None:
                raise
            return stored

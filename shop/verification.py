"""Verification of a customer by order number + the email on the order, with a lockout per conversation.

Rules (decisions documented here, tested in tests/shop/test_verification.py):
- Malformed order numbers / emails raise ``Invalid`` and are *not* counted: they never reach the database, so they
  can't be used to probe it, and a typo should not cost the customer an attempt.
- A well-formed attempt that fails - no such order, or the email doesn't match - raises ``NotFound`` with one and
  the same message and code, and adds one failure to ``verification_attempts`` for the conversation key.
- The third failure raises ``Locked`` (offering a human); from then on every attempt in that conversation raises
  ``Locked``, even with the right details. A success before the lock resets the count; nothing resets a lock.
- Both failure paths run the same query, the same constant-time comparison and the same counter update.
- Per client (``client_key``, e.g. the address a REST request came from): failures are also counted under
  ``client:<key>``, and from the ``MAX_CLIENT_FAILURES``-th failure within ``CLIENT_WINDOW`` every attempt from that
  client raises ``Locked``, in any conversation. A new conversation therefore doesn't buy three more guesses at
  order numbers. The window restarts when the last failure is older than ``CLIENT_WINDOW``; a success does not
  reset the client's count (a client with one order of its own could otherwise keep guessing).
"""
from __future__ import annotations

import datetime as dt
import hmac
from typing import Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shop import validation
from shop.errors import Locked, NotFound
from shop.idempotency import ServiceBase
from shop.models import Customer, Order, VerificationAttempt
from shop.views import CustomerView

MAX_FAILURES = 3
MAX_CLIENT_FAILURES = 10
CLIENT_WINDOW = dt.timedelta(hours=1)
CLIENT_PREFIX = "client:"
VERIFY_FAILED = ("I couldn't match that order number with that email address. Please check both and try again "
                 "(use the email address the order was placed with).")
LOCKED = ("I couldn't verify those details and, to protect your account, I can't try again in this conversation. "
          "I can connect you with a human colleague who can help you: just say 'agent'.")
_DUMMY_EMAIL = "no-such-order@invalid.example"


class Verification(ServiceBase):
    def failures(self, conversation_key: str) -> int:
        key = validation.conversation_key(conversation_key)
        with self._read() as s:
            row = s.get(VerificationAttempt, key)
            return row.failures if row else 0

    def client_failures(self, client_key: str) -> int:
        """Failures counted for a client within the current window (0 once the window has passed)."""
        key = validation.conversation_key(CLIENT_PREFIX + client_key)
        with self._read() as s:
            row = s.get(VerificationAttempt, key)
            return row.failures if row and not self._expired(row) else 0

    def _expired(self, row: VerificationAttempt) -> bool:
        return row.updated_at is not None and self.now() - row.updated_at > CLIENT_WINDOW

    def verify(self, order_id: str, email: str, conversation_key: str,
               client_key: Optional[str] = None) -> CustomerView:
        """The order's customer if ``email`` (trimmed, case-insensitive) is the one on order ``order_id``.

        Raises ``Invalid`` (format), ``NotFound`` (no such order or wrong email, identical), ``Locked`` (this
        conversation failed ``MAX_FAILURES`` times, or this client ``MAX_CLIENT_FAILURES`` times in the window)."""
        order_id, email = validation.order_id(order_id), validation.email(email)
        key = validation.conversation_key(conversation_key)
        client = validation.conversation_key(CLIENT_PREFIX + client_key) if client_key else None
        for attempt in range(2):  # a second pass only if a concurrent first failure created a counter row
            try:
                return self._attempt(order_id, email, key, client)
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _counter(self, s, key: str) -> VerificationAttempt:
        row = s.execute(select(VerificationAttempt).where(VerificationAttempt.conversation_key == key)
                        .with_for_update()).scalar_one_or_none()
        if row is None:
            row = VerificationAttempt(conversation_key=key, failures=0, updated_at=self.now())
            s.add(row)
        return row

    def _attempt(self, order_id: str, email: str, key: str, client: Optional[str]) -> CustomerView:
        error: Optional[Exception] = None
        with self._write() as s:
            counter = self._counter(s, key)
            client_counter = self._counter(s, client) if client else None
            if client_counter is not None and self._expired(client_counter):
                client_counter.failures, client_counter.updated_at = 0, self.now()
            if counter.failures >= MAX_FAILURES or (client_counter is not None
                                                    and client_counter.failures >= MAX_CLIENT_FAILURES):
                raise Locked(LOCKED, code="locked")
            row = s.execute(select(Order.id, Customer.id, Customer.name, Customer.email)
                            .join(Customer, Customer.id == Order.customer_id).where(Order.id == order_id)).first()
            expected = row.email.strip().lower() if row else _DUMMY_EMAIL
            match = hmac.compare_digest(expected.encode(), email.encode()) and row is not None
            if match:
                counter.failures = 0
                view = CustomerView(id=row[1], name=row.name, email=row.email, order_id=order_id)
            else:
                counter.failures += 1
                if client_counter is not None:
                    client_counter.failures += 1
                    client_counter.updated_at = self.now()
                error = (Locked(LOCKED, code="locked") if counter.failures >= MAX_FAILURES
                         else NotFound(VERIFY_FAILED, code="verification_failed"))
            counter.updated_at = self.now()
            s.flush()
        if error is not None:  # raised after the commit so that the failure is counted
            raise error
        return view

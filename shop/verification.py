"""Verification of a customer by order number + the email on the order, with a lockout per conversation.

Rules (decisions documented here, tested in tests/shop/test_verification.py):
- Malformed order numbers / emails raise ``Invalid`` and are *not* counted: they never reach the database, so they
  can't be used to probe it, and a typo should not cost the customer an attempt.
- A well-formed attempt that fails - no such order, or the email doesn't match - raises ``NotFound`` with one and
  the same message and code, and adds one failure to ``verification_attempts`` for the conversation key.
- The third failure raises ``Locked`` (offering a human); from then on every attempt in that conversation raises
  ``Locked``, even with the right details. A success before the lock resets the count; nothing resets a lock.
- Both failure paths run the same query, the same constant-time comparison and the same counter update.
"""
from __future__ import annotations

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

    def verify(self, order_id: str, email: str, conversation_key: str) -> CustomerView:
        """The order's customer if ``email`` (trimmed, case-insensitive) is the one on order ``order_id``.

        Raises ``Invalid`` (format), ``NotFound`` (no such order or wrong email, identical), ``Locked``."""
        order_id, email = validation.order_id(order_id), validation.email(email)
        key = validation.conversation_key(conversation_key)
        for attempt in range(2):  # a second pass only if a concurrent first failure created the counter row
            try:
                return self._attempt(order_id, email, key)
            except IntegrityError:
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def _attempt(self, order_id: str, email: str, key: str) -> CustomerView:
        error: Optional[Exception] = None
        with self._write() as s:
            counter = s.execute(select(VerificationAttempt).where(VerificationAttempt.conversation_key == key)
                                .with_for_update()).scalar_one_or_none()
            if counter is not None and counter.failures >= MAX_FAILURES:
                raise Locked(LOCKED, code="locked")
            row = s.execute(select(Order.id, Customer.id, Customer.name, Customer.email)
                            .join(Customer, Customer.id == Order.customer_id).where(Order.id == order_id)).first()
            expected = row.email.strip().lower() if row else _DUMMY_EMAIL
            match = hmac.compare_digest(expected.encode(), email.encode()) and row is not None
            if counter is None:
                counter = VerificationAttempt(conversation_key=key, failures=0, updated_at=self.now())
                s.add(counter)
            if match:
                counter.failures = 0
                view = CustomerView(id=row[1], name=row.name, email=row.email, order_id=order_id)
            else:
                counter.failures += 1
                error = (Locked(LOCKED, code="locked") if counter.failures >= MAX_FAILURES
                         else NotFound(VERIFY_FAILED, code="verification_failed"))
            counter.updated_at = self.now()
            s.flush()
        if error is not None:  # raised after the commit so that the failure is counted
            raise error
        return view

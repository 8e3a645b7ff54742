"""Typed errors raised by the shop services.

Every error carries a ``user_message`` that is safe to show to a customer: it never reveals
whether an order exists for someone else, never echoes private data, and says what to do next.
Actions turn these into chat replies; nothing else needs to inspect the exception type.
"""
from __future__ import annotations


class ShopError(Exception):
    """Base class: ``user_message`` is shown to the customer, ``code`` is for logs and tests."""

    code = "shop_error"

    def __init__(self, user_message: str, *, code: str | None = None):
        super().__init__(user_message)
        self.user_message = user_message
        if code:
            self.code = code


class NotFound(ShopError):
    """The thing asked for does not exist (or is not visible to this customer)."""

    code = "not_found"


class NotAllowed(ShopError):
    """The thing exists but the operation is not allowed in its current state."""

    code = "not_allowed"


class Invalid(ShopError):
    """The input is malformed (order-id format, email form, lengths, ...)."""

    code = "invalid"


class Locked(NotAllowed):
    """Too many failed verification attempts in this conversation."""

    code = "locked"

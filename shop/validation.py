"""Input validation for the shop services: every public argument passes through here before any query.

Each function returns the *normalised* value (trimmed, upper-cased id, lower-cased email, ...) or raises
:class:`shop.errors.Invalid` with a message that can be shown to the customer as is. Nothing here touches the
database; the services only ever pass the normalised values to SQLAlchemy as bound parameters.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

from shop.errors import Invalid

ORDER_ID_RE = re.compile(r"SM-?(\d{6})", re.ASCII)
ITEM_ID_RE = re.compile(r"[A-Z]{2}-\d{6}", re.ASCII)
# Deliberately simple: one @, a dot in the domain, no spaces; the database is the real check.
EMAIL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+",
                      re.ASCII)
UK_POSTCODE_RE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", re.ASCII)
GENERIC_POSTCODE_RE = re.compile(r"[A-Z0-9](?:[A-Z0-9]|[ -](?=[A-Z0-9])){2,9}", re.ASCII)  # 3-10 chars, alnum + single space/hyphen
STREET_RE = re.compile(r"[\w .,'/#&()-]+")
CITY_RE = re.compile(r"[^\W\d_]+(?:[ .'-]+[^\W\d_]+)*\.?")
KEY_RE = re.compile(r"[\w.:@/+-]+")

MAX_EMAIL, MAX_KEY, MAX_CONVERSATION_KEY = 254, 160, 128


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise Invalid(f"Please give the {what} as text.")
    value = unicodedata.normalize("NFC", value).strip()
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in value):
        raise Invalid(f"The {what} contains characters I can't accept.")
    return value


def order_id(value: Any) -> str:
    """``'sm123456'``, ``' SM-123456 '`` → ``'SM-123456'``; anything else → Invalid."""
    text = _text(value, "order number").upper()
    m = ORDER_ID_RE.fullmatch(text)
    if not m:
        raise Invalid("Order numbers look like SM-123456 (SM, a dash and six digits). Could you check yours?",
                      code="invalid_order_id")
    return f"SM-{m.group(1)}"


def item_id(value: Any) -> str:
    """``'el-000042'`` → ``'EL-000042'`` (two letters, dash, six digits)."""
    text = _text(value, "product reference").upper()
    if not ITEM_ID_RE.fullmatch(text):
        raise Invalid("I don't recognise that product reference.", code="invalid_item_id")
    return text


def email(value: Any) -> str:
    """Trimmed and lower-cased; must look like ``name@domain.tld`` and be at most 254 characters."""
    text = _text(value, "email address").lower()
    if len(text) > MAX_EMAIL or not EMAIL_RE.fullmatch(text):
        raise Invalid("That doesn't look like an email address. Please give the one you used for the order.",
                      code="invalid_email")
    return text


def customer_id(value: Any) -> int:
    """A positive integer; integral floats (Rasa stores numbers in float slots) are accepted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or int(value) < 1:
        raise Invalid("I need to verify who you are first.", code="invalid_customer")
    return int(value)


def text(value: Any, what: str, *, min_len: int = 1, max_len: int = 500) -> str:
    """Free text (reason, description, complaint): trimmed, no control characters, length within bounds."""
    value = _text(value, what)
    if len(value) < min_len:
        raise Invalid(f"Could you tell me a bit more about the {what}?" if min_len > 1 else f"Please give the {what}.",
                      code="invalid_text")
    if len(value) > max_len:
        raise Invalid(f"The {what} is too long: please keep it under {max_len} characters.", code="invalid_text")
    return value


def street(value: Any) -> str:
    value = text(value, "street address", min_len=3, max_len=200)
    if not STREET_RE.fullmatch(value) or not re.search(r"[^\W\d_]", value):
        raise Invalid("That street address doesn't look right: use letters, numbers and simple punctuation, "
                      "for example '12 High Street'.", code="invalid_address")
    return re.sub(r"\s+", " ", value)


def city(value: Any) -> str:
    value = text(value, "town or city", min_len=2, max_len=100)
    if not CITY_RE.fullmatch(value):
        raise Invalid("That town or city name doesn't look right: please use letters only.", code="invalid_address")
    return re.sub(r"\s+", " ", value)


def postcode(value: Any) -> str:
    """UK-style (``SW1A 1AA``, normalised with one space) or a generic 3-10 character alphanumeric code."""
    value = re.sub(r"\s+", " ", _text(value, "postcode").upper())
    if UK_POSTCODE_RE.fullmatch(value):
        compact = value.replace(" ", "")
        return f"{compact[:-3]} {compact[-3:]}"
    if 3 <= len(value) <= 10 and GENERIC_POSTCODE_RE.fullmatch(value):
        return value
    raise Invalid("That postcode doesn't look right: it should be 3 to 10 letters and digits, like SW1A 1AA.",
                  code="invalid_postcode")


def idempotency_key(value: Any) -> str:
    value = _text(value, "request id")
    if not value or len(value) > MAX_KEY or not KEY_RE.fullmatch(value):
        raise Invalid("Something went wrong with this request; please try again.", code="invalid_key")
    return value


def conversation_key(value: Any) -> str:
    value = _text(value, "conversation id")
    if not value or len(value) > MAX_CONVERSATION_KEY:
        raise Invalid("Something went wrong with this conversation; please start again.", code="invalid_key")
    return value


def limit(value: Any, *, max_value: int = 50) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= max_value:
        raise Invalid(f"I can show between 1 and {max_value} results.", code="invalid_limit")
    return value


def transcript(value: Any, *, max_turns: int = 500, max_text: int = 4000) -> list[dict[str, str]]:
    """A list of ``{"speaker": str, "text": str}``; other keys are dropped, over-long texts are cut."""
    if not isinstance(value, (list, tuple)) or len(value) > max_turns:
        raise Invalid("I couldn't attach the conversation to the ticket.", code="invalid_transcript")
    turns = []
    for turn in value:
        if not isinstance(turn, dict) or not isinstance(turn.get("speaker"), str) \
                or not isinstance(turn.get("text", ""), str):
            raise Invalid("I couldn't attach the conversation to the ticket.", code="invalid_transcript")
        turns.append({"speaker": turn["speaker"].strip()[:32] or "unknown", "text": turn.get("text", "")[:max_text]})
    return turns

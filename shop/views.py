"""Read-only views returned by the shop services: frozen dataclasses of plain values, never ORM objects.

Money is a ``decimal.Decimal`` with two places in the views (exact, comparable); ``to_dict()`` turns it into a
string such as ``"12.50"`` and datetimes (naive UTC) into ISO-8601 strings, so that the dict is JSON-safe (it is
what the idempotency table stores). ``View.from_dict(view.to_dict()) == view`` for every view.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from decimal import Decimal
from functools import lru_cache
from typing import Any, Optional

CENT = Decimal("0.01")


def money(value: Any) -> Decimal:
    """Any number → Decimal rounded to cents."""
    return Decimal(str(value)).quantize(CENT)


def _encode(value: Any) -> Any:
    if isinstance(value, View):
        return value.to_dict()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


def _decode(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return _decode(next(a for a in args if a is not type(None)), value)
    if origin is tuple:
        return tuple(_decode(args[0], v) for v in value)
    if isinstance(tp, type) and issubclass(tp, View):
        return tp.from_dict(value)
    if tp is Decimal:
        return Decimal(value)
    if tp is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if tp is dt.date:
        return dt.date.fromisoformat(value)
    return value


class View:
    """Base of all views: ``to_dict()`` (JSON-safe) and ``from_dict()`` (its inverse)."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _encode(getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        hints = _hints(cls)
        return cls(**{f.name: _decode(hints[f.name], data.get(f.name)) for f in dataclasses.fields(cls)})


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


frozen = dataclasses.dataclass(frozen=True)


@frozen
class ItemView(View):
    id: str
    title: str
    description: str
    content_type: str
    category: str
    brand: Optional[str]
    price: Decimal
    stock: int
    in_stock: bool
    attributes: dict
    final_sale: bool
    warranty_months: int
    product_group: Optional[str]


@frozen
class VariantView(View):
    """One in-stock member of a product group (a size / colour of the same product)."""

    item_id: str
    title: str
    size: Optional[str]
    colour: Optional[str]
    stock: int
    price: Decimal


@frozen
class Availability(View):
    item_id: str
    title: str
    in_stock: bool
    stock: int
    variants: tuple[VariantView, ...]  # in-stock members of the product group, this item included if in stock


@frozen
class Comparison(View):
    a: ItemView
    b: ItemView
    price_difference: Decimal  # b.price - a.price
    cheaper: Optional[str]  # item id of the cheaper one, None when equal
    shared: dict  # attribute -> value equal in both (brand, category, attributes, warranty)
    different: dict  # attribute -> [value in a, value in b] (None where missing)


@frozen
class CustomerView(View):
    id: int
    name: str
    email: str
    order_id: str  # the order that was used to verify


@frozen
class OrderLineView(View):
    line_id: int
    item_id: str
    title: str
    content_type: str
    quantity: int
    unit_price: Decimal
    final_sale: bool
    returned_quantity: int


@frozen
class ShipmentEventView(View):
    at: dt.datetime
    status: str  # label_created, in_transit, out_for_delivery, delivered
    location: str
    description: str


@frozen
class ShipmentView(View):
    carrier: str
    tracking_number: str
    shipped_at: dt.datetime
    delivered_at: Optional[dt.datetime]
    events: tuple[ShipmentEventView, ...]  # sorted by time, oldest first


@frozen
class OrderView(View):
    id: str
    customer_id: int
    status: str  # placed | paid | shipped | delivered | cancelled
    total: Decimal
    ship_name: str
    ship_street: str
    ship_city: str
    ship_postcode: str
    placed_at: dt.datetime
    paid_at: Optional[dt.datetime]
    shipped_at: Optional[dt.datetime]
    delivered_at: Optional[dt.datetime]
    cancelled_at: Optional[dt.datetime]
    lines: tuple[OrderLineView, ...]
    shipments: tuple[ShipmentView, ...]
    carrier: Optional[str]  # of the latest shipment
    tracking_number: Optional[str]  # of the latest shipment
    latest_event: Optional[ShipmentEventView]  # newest event over all shipments
    can_cancel: bool
    can_change_address: bool


@frozen
class Eligibility(View):
    ok: bool
    reason: str  # user-facing explanation (why not, or until when)
    code: str  # ok | not_delivered | window_closed | final_sale | already_returned
    returnable_quantity: int
    return_by: Optional[dt.datetime]  # end of the 30-day window, None if not delivered


@frozen
class ReturnView(View):
    rma: str
    order_id: str
    item_id: str
    title: str
    quantity: int
    reason: str
    status: str
    refund_amount: Decimal  # what will be refunded once the parcel is received
    created_at: dt.datetime
    instructions: str


@frozen
class RefundView(View):
    order_id: str
    amount: Decimal
    status: str  # pending | processing | completed | failed
    created_at: dt.datetime
    completed_at: Optional[dt.datetime]
    rma: Optional[str]  # None for refunds of cancelled orders


@frozen
class ExchangeView(View):
    number: str
    order_id: str
    item_id: str
    new_item_id: str
    new_title: str
    status: str
    rma: str  # the return that sends the old item back
    created_at: dt.datetime
    instructions: str


@frozen
class ClaimView(View):
    number: str
    order_id: str
    item_id: str
    title: str
    status: str
    description: str
    warranty_until: dt.datetime
    created_at: dt.datetime


@frozen
class TicketView(View):
    number: str
    kind: str  # complaint | handoff
    status: str
    subject: str
    customer_id: Optional[int]
    order_id: Optional[str]
    conversation_id: Optional[str]
    turns: int  # length of the stored transcript
    created_at: dt.datetime

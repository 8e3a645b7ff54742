"""Orders of a verified customer: status with shipments and events, cancel, change of shipping address.

An order that is not the given customer's is reported exactly like a missing one (``ORDER_NOT_FOUND``).
Cancel and address change are allowed only before shipment (status ``placed`` or ``paid``); cancelling a paid
order creates a pending refund of the total and puts the stock back.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from shop import validation
from shop.errors import NotAllowed, NotFound
from shop.idempotency import ServiceBase
from shop.models import Item, Order, OrderLine, Refund, Return, ReturnLine, Shipment
from shop.views import OrderLineView, OrderView, ShipmentEventView, ShipmentView, money

ORDER_NOT_FOUND = "I couldn't find that order on your account. Please check the order number."
OPEN_STATUSES = ("placed", "paid")  # before shipment: cancel and address change allowed
_LOAD = (selectinload(Order.lines).selectinload(OrderLine.item),
         selectinload(Order.shipments).selectinload(Shipment.events))


def owned_order(session: Session, order_id: Any, customer_id: Any, *, lock: bool = False) -> Order:
    """The order if it exists *and* belongs to the customer, else ``NotFound(ORDER_NOT_FOUND)``."""
    oid, cid = validation.order_id(order_id), validation.customer_id(customer_id)
    query = select(Order).where(Order.id == oid, Order.customer_id == cid).options(*_LOAD)
    order = session.execute(query.with_for_update(of=Order) if lock else query).scalar_one_or_none()
    if order is None:
        raise NotFound(ORDER_NOT_FOUND, code="order_not_found")
    return order


def returned_quantities(session: Session, order: Order) -> dict[int, int]:
    """order line id → quantity already in returns (of any status but rejected)."""
    rows = session.execute(select(ReturnLine.order_line_id, func.sum(ReturnLine.quantity))
                           .join(Return, Return.id == ReturnLine.return_id)
                           .where(Return.order_id == order.id, Return.status != "rejected")
                           .group_by(ReturnLine.order_line_id))
    return {line_id: int(n) for line_id, n in rows}


def order_view(session: Session, order: Order) -> OrderView:
    returned = returned_quantities(session, order)
    lines = tuple(OrderLineView(line_id=l.id, item_id=l.item_id, title=l.item.title, content_type=l.item.content_type,
                                quantity=l.quantity, unit_price=money(l.unit_price), final_sale=bool(l.item.final_sale),
                                returned_quantity=returned.get(l.id, 0)) for l in order.lines)
    shipments = tuple(
        ShipmentView(carrier=sh.carrier, tracking_number=sh.tracking_number, shipped_at=sh.shipped_at,
                     delivered_at=sh.delivered_at,
                     events=tuple(ShipmentEventView(at=e.at, status=e.status, location=e.location or "",
                                                    description=e.description or "")
                                  for e in sorted(sh.events, key=lambda e: (e.at, e.id))))
        for sh in sorted(order.shipments, key=lambda sh: (sh.shipped_at, sh.id)))
    events = [e for sh in shipments for e in sh.events]
    latest = shipments[-1] if shipments else None
    open_ = order.status in OPEN_STATUSES
    return OrderView(id=order.id, customer_id=order.customer_id, status=order.status, total=money(order.total),
                     ship_name=order.ship_name, ship_street=order.ship_street, ship_city=order.ship_city,
                     ship_postcode=order.ship_postcode, placed_at=order.placed_at, paid_at=order.paid_at,
                     shipped_at=order.shipped_at, delivered_at=order.delivered_at, cancelled_at=order.cancelled_at,
                     lines=lines, shipments=shipments, carrier=latest.carrier if latest else None,
                     tracking_number=latest.tracking_number if latest else None,
                     latest_event=max(events, key=lambda e: e.at) if events else None,
                     can_cancel=open_, can_change_address=open_)


def _require_open(order: Order, action: str) -> None:
    if order.status == "cancelled":
        raise NotAllowed(f"Order {order.id} is already cancelled.", code="already_cancelled")
    if order.status not in OPEN_STATUSES:
        raise NotAllowed(f"Order {order.id} has already {order.status if order.status == 'shipped' else 'been delivered'}"
                         f", so I can't {action} any more. Once it arrives you can return it within 30 days.",
                         code="already_shipped")


class Orders(ServiceBase):
    def status(self, order_id: str, customer_id: int) -> OrderView:
        with self._read() as s:
            return order_view(s, owned_order(s, order_id, customer_id))

    def list_for_customer(self, customer_id: int) -> list[OrderView]:
        """All the customer's orders, newest first."""
        cid = validation.customer_id(customer_id)
        with self._read() as s:
            orders = s.execute(select(Order).where(Order.customer_id == cid).options(*_LOAD)
                               .order_by(Order.placed_at.desc(), Order.id.desc())).scalars().all()
            return [order_view(s, o) for o in orders]

    def cancel(self, order_id: str, customer_id: int, idempotency_key: str) -> OrderView:
        """Cancel before shipment; a paid order gets a pending refund of its total; stock is put back.

        ``NotAllowed`` once shipped/delivered, or if already cancelled (unless retried with the same key)."""
        oid, cid = validation.order_id(order_id), validation.customer_id(customer_id)

        def work(s: Session) -> OrderView:
            order = owned_order(s, oid, cid, lock=True)
            _require_open(order, "cancel it")
            now = self.now()
            if order.status == "paid":
                s.add(Refund(order_id=order.id, amount=order.total, status="pending", created_at=now))
            for line in order.lines:
                s.execute(update(Item).where(Item.id == line.item_id).values(stock=Item.stock + line.quantity))
            order.status, order.cancelled_at, order.updated_at = "cancelled", now, now
            s.flush()
            return order_view(s, order)

        return self._change("cancel_order", idempotency_key, {"order": oid, "customer": cid}, OrderView, work)

    def change_address(self, order_id: str, customer_id: int, street: str, city: str, postcode: str,
                       idempotency_key: str) -> OrderView:
        """New shipping address before shipment; street/city/postcode validated (``Invalid``)."""
        oid, cid = validation.order_id(order_id), validation.customer_id(customer_id)
        address = {"street": validation.street(street), "city": validation.city(city),
                   "postcode": validation.postcode(postcode)}

        def work(s: Session) -> OrderView:
            order = owned_order(s, oid, cid, lock=True)
            _require_open(order, "change the delivery address")
            order.ship_street, order.ship_city, order.ship_postcode = address["street"], address["city"], \
                address["postcode"]
            order.updated_at = self.now()
            s.flush()
            return order_view(s, order)

        return self._change("change_address", idempotency_key, {"order": oid, "customer": cid, **address},
                            OrderView, work)

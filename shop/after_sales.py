"""After-sales for a verified customer: returns (30-day window), refunds, exchanges, warranty claims.

Return rules: the order is delivered, ``now - delivered_at <= 30 days`` (boundary included), the item is in the
order, not final sale, and not already fully returned. A return takes the whole remaining quantity of the line.
An exchange is a return of one unit plus a replacement from the same ``product_group`` (another size/colour) that
is in stock; it follows the return rules and takes the replacement from stock in the same transaction.
A warranty claim needs ``item.warranty_months > 0`` and ``now <= delivered_at + warranty_months`` (calendar months).
The clock is the injectable ``now`` of the service.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shop import validation
from shop.catalog import ITEM_NOT_FOUND, item_view
from shop.errors import NotAllowed, NotFound
from shop.idempotency import ServiceBase, new_code
from shop.models import Exchange, Interaction, Item, Order, OrderLine, Refund, Return, ReturnLine, WarrantyClaim
from shop.orders import owned_order, returned_quantities
from shop.views import ClaimView, Eligibility, ExchangeView, ItemView, RefundView, ReturnView, money

RETURN_WINDOW = dt.timedelta(days=30)
NOT_IN_ORDER = "That item isn't part of this order. Could you tell me which item from the order you mean?"
RETURN_INSTRUCTIONS = ("Pack the item with its original packaging and write {rma} clearly on the parcel. Drop it off "
                       "at any post office within 14 days using the prepaid label we've emailed you. Your refund of "
                       "€{amount} is issued within 5 working days of the parcel reaching us.")
EXCHANGE_INSTRUCTIONS = ("Send the old item back with {rma} written on the parcel, using the prepaid label we've "
                         "emailed you. We've reserved {title} for you and ship it as soon as the return is scanned.")


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    y, m = divmod(moment.month - 1 + months, 12)
    year, month = moment.year + y, m + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _line(order: Order, item_id: str) -> OrderLine:
    for line in order.lines:
        if line.item_id == item_id:
            return line
    raise NotFound(NOT_IN_ORDER, code="item_not_in_order")


class AfterSales(ServiceBase):
    # --- returns ----------------------------------------------------------------------------------------------
    def _eligibility(self, s: Session, order: Order, line: OrderLine) -> Eligibility:
        left = line.quantity - returned_quantities(s, order).get(line.id, 0)
        if order.status != "delivered" or order.delivered_at is None:
            return Eligibility(False, f"Order {order.id} hasn't been delivered yet: returns open once it arrives.",
                               "not_delivered", left, None)
        return_by = order.delivered_at + RETURN_WINDOW
        if line.item.final_sale:
            return Eligibility(False, f"{line.item.title} was a final-sale item, so it can't be returned.",
                               "final_sale", left, return_by)
        if left <= 0:
            return Eligibility(False, f"{line.item.title} from this order has already been returned.",
                               "already_returned", 0, return_by)
        if self.now() > return_by:
            return Eligibility(False, f"The 30-day return window for this order closed on {return_by:%d %B %Y}.",
                               "window_closed", left, return_by)
        return Eligibility(True, f"You can return {line.item.title} until {return_by:%d %B %Y}.", "ok", left,
                           return_by)

    def return_eligibility(self, order_id: str, customer_id: int, item_id: str) -> Eligibility:
        """Whether ``item_id`` of the order can be returned now, and why (not). ``NotFound`` if not in the order."""
        iid = validation.item_id(item_id)
        with self._read() as s:
            order = owned_order(s, order_id, customer_id)
            return self._eligibility(s, order, _line(order, iid))

    def _open_return(self, s: Session, order: Order, line: OrderLine, quantity: int, reason: str) -> Return:
        """Checks eligibility (``NotAllowed`` with its reason) and adds the RMA with one line and an interaction."""
        verdict = self._eligibility(s, order, line)
        if not verdict.ok:
            raise NotAllowed(verdict.reason, code=verdict.code)
        now = self.now()
        ret = Return(rma=new_code(s, "RMA-", Return.rma), order_id=order.id, customer_id=order.customer_id,
                     reason=reason, status="requested", created_at=now, updated_at=now)
        ret.lines.append(ReturnLine(order_line_id=line.id, quantity=quantity))
        s.add_all([ret, Interaction(customer_id=order.customer_id, item_id=line.item_id, kind="return", at=now)])
        s.flush()
        return ret

    def start_return(self, order_id: str, customer_id: int, item_id: str, reason: str,
                     idempotency_key: str) -> ReturnView:
        """Open a return (RMA) for the remaining quantity of the item; ``NotAllowed`` with the reason if ineligible."""
        oid, cid, iid = validation.order_id(order_id), validation.customer_id(customer_id), validation.item_id(item_id)
        reason = validation.text(reason, "reason for the return", min_len=2, max_len=500)

        def work(s: Session) -> ReturnView:
            order = owned_order(s, oid, cid, lock=True)
            line = _line(order, iid)
            quantity = line.quantity - returned_quantities(s, order).get(line.id, 0)
            ret = self._open_return(s, order, line, quantity, reason)
            amount = money(line.unit_price * quantity)
            return ReturnView(rma=ret.rma, order_id=oid, item_id=iid, title=line.item.title, quantity=quantity,
                              reason=reason, status=ret.status, refund_amount=amount, created_at=ret.created_at,
                              instructions=RETURN_INSTRUCTIONS.format(rma=ret.rma, amount=amount))

        return self._change("start_return", idempotency_key, {"order": oid, "customer": cid, "item": iid,
                                                               "reason": reason}, ReturnView, work)

    def refund_status(self, order_id: str, customer_id: int) -> list[RefundView]:
        """Refunds of the order, oldest first (empty if none)."""
        with self._read() as s:
            order = owned_order(s, order_id, customer_id)
            rows = s.execute(select(Refund, Return.rma).outerjoin(Return, Return.id == Refund.return_id)
                             .where(Refund.order_id == order.id).order_by(Refund.created_at, Refund.id)).all()
            return [RefundView(order_id=order.id, amount=money(r.amount), status=r.status, created_at=r.created_at,
                               completed_at=r.completed_at, rma=rma) for r, rma in rows]

    # --- exchanges --------------------------------------------------------------------------------------------
    @staticmethod
    def _options(s: Session, item: Item) -> list[Item]:
        if not item.product_group:
            return []
        return s.execute(select(Item).where(Item.product_group == item.product_group, Item.id != item.id,
                                            Item.stock > 0).order_by(Item.id)).scalars().all()

    def exchange_options(self, order_id: str, customer_id: int, item_id: str) -> list[ItemView]:
        """Other variants (size/colour) of the ordered item's product group that are in stock."""
        iid = validation.item_id(item_id)
        with self._read() as s:
            line = _line(owned_order(s, order_id, customer_id), iid)
            return [item_view(i) for i in self._options(s, line.item)]

    def exchange(self, order_id: str, customer_id: int, item_id: str, new_item_id: str,
                 idempotency_key: str) -> ExchangeView:
        """Swap one unit of ``item_id`` for ``new_item_id`` (same product group, in stock; return rules apply)."""
        oid, cid = validation.order_id(order_id), validation.customer_id(customer_id)
        iid, nid = validation.item_id(item_id), validation.item_id(new_item_id)

        def work(s: Session) -> ExchangeView:
            order = owned_order(s, oid, cid, lock=True)
            line = _line(order, iid)
            new = s.get(Item, nid)
            if new is None:
                raise NotFound(ITEM_NOT_FOUND, code="item_not_found")
            if nid == iid or not line.item.product_group or new.product_group != line.item.product_group:
                raise NotAllowed(f"{new.title} isn't another size or colour of {line.item.title}, so I can't swap "
                                 "them. I can start a return instead.", code="not_a_variant")
            ret = self._open_return(s, order, line, 1, f"exchange for {nid}")
            taken = s.execute(update(Item).where(Item.id == nid, Item.stock > 0).values(stock=Item.stock - 1)
                              .execution_options(synchronize_session=False))
            if taken.rowcount != 1:
                raise NotAllowed(f"Sorry, {new.title} has just sold out.", code="out_of_stock")
            ex = Exchange(number=new_code(s, "EX-", Exchange.number), order_id=oid, order_line_id=line.id,
                          new_item_id=nid, status="requested", created_at=self.now())
            s.add(ex)
            s.flush()
            return ExchangeView(number=ex.number, order_id=oid, item_id=iid, new_item_id=nid, new_title=new.title,
                                status=ex.status, rma=ret.rma, created_at=ex.created_at,
                                instructions=EXCHANGE_INSTRUCTIONS.format(rma=ret.rma, title=new.title))

        return self._change("exchange", idempotency_key, {"order": oid, "customer": cid, "item": iid, "new": nid},
                            ExchangeView, work)

    # --- warranty ---------------------------------------------------------------------------------------------
    def warranty_claim(self, order_id: str, customer_id: int, item_id: str, description: str,
                       idempotency_key: str) -> ClaimView:
        """Open a claim if the item has a warranty (months > 0) that hasn't run out since delivery."""
        oid, cid, iid = validation.order_id(order_id), validation.customer_id(customer_id), validation.item_id(item_id)
        description = validation.text(description, "description of the fault", min_len=5, max_len=1000)

        def work(s: Session) -> ClaimView:
            order = owned_order(s, oid, cid, lock=True)
            line = _line(order, iid)
            item = line.item
            if order.status != "delivered" or order.delivered_at is None:
                raise NotAllowed(f"Order {oid} hasn't been delivered yet, so there's nothing to claim under warranty.",
                                 code="not_delivered")
            if not item.warranty_months:
                raise NotAllowed(f"{item.title} doesn't come with a warranty from us. I can help with a return or "
                                 "pass your complaint on instead.", code="no_warranty")
            until = add_months(order.delivered_at, item.warranty_months)
            if self.now() > until:
                raise NotAllowed(f"The {item.warranty_months}-month warranty on {item.title} ended on "
                                 f"{until:%d %B %Y}.", code="warranty_expired")
            claim = WarrantyClaim(number=new_code(s, "WC-", WarrantyClaim.number), order_id=oid,
                                  order_line_id=line.id, description=description, status="open",
                                  created_at=self.now())
            s.add(claim)
            s.flush()
            return ClaimView(number=claim.number, order_id=oid, item_id=iid, title=item.title, status=claim.status,
                             description=description, warranty_until=until, created_at=claim.created_at)

        return self._change("warranty_claim", idempotency_key, {"order": oid, "customer": cid, "item": iid,
                                                                 "description": description}, ClaimView, work)

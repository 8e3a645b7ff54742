"""Support tickets: complaints and hand-offs to a human, with the conversation transcript stored as JSON.

An ``order_id`` is linked to the ticket only if it belongs to ``customer_id`` (else the usual ``NotFound``); an
order number given without a verified customer is kept in the subject as an unverified reference, never linked.
"""
from __future__ import annotations

from typing import Any, Optional

from sqlalchemy.orm import Session

from shop import validation
from shop.errors import NotFound
from shop.idempotency import ServiceBase, new_code
from shop.models import Customer, SupportTicket
from shop.orders import owned_order
from shop.views import TicketView


class Tickets(ServiceBase):
    def complaint(self, text: str, transcript: list[dict], *, customer_id: Optional[int] = None,
                  order_id: Optional[str] = None, conversation_id: Optional[str] = None,
                  idempotency_key: str) -> TicketView:
        """A complaint ticket; ``text`` (3..2000 chars) is the complaint in the customer's words."""
        text = validation.text(text, "complaint", min_len=3, max_len=2000)
        return self._open("complaint", text, transcript, customer_id, order_id, conversation_id, idempotency_key)

    def handoff(self, transcript: list[dict], *, reason: str, customer_id: Optional[int] = None,
                order_id: Optional[str] = None, conversation_id: Optional[str] = None,
                idempotency_key: str) -> TicketView:
        """A request for a human colleague, with why (``reason``, 2..300 chars) and the conversation so far."""
        reason = validation.text(reason, "reason", min_len=2, max_len=300)
        return self._open("handoff", reason, transcript, customer_id, order_id, conversation_id, idempotency_key)

    def _open(self, kind: str, subject: str, transcript: Any, customer_id: Any, order_id: Any,
              conversation_id: Any, idempotency_key: str) -> TicketView:
        turns = validation.transcript(transcript)
        cid = validation.customer_id(customer_id) if customer_id is not None else None
        oid = validation.order_id(order_id) if order_id is not None else None
        conv = validation.conversation_key(conversation_id) if conversation_id is not None else None
        if oid and cid is None:
            subject, oid_link = f"{subject} (unverified order reference {oid})", None
        else:
            oid_link = oid
        request = {"kind": kind, "subject": subject, "transcript": turns, "customer": cid, "order": oid_link,
                   "conversation": conv}

        def work(s: Session) -> TicketView:
            if cid is not None and s.get(Customer, cid) is None:
                raise NotFound("I couldn't find your customer account.", code="customer_not_found")
            if oid_link is not None:
                owned_order(s, oid_link, cid)
            ticket = SupportTicket(number=new_code(s, "TCK-", SupportTicket.number), kind=kind, customer_id=cid,
                                   order_id=oid_link, conversation_id=conv, subject=subject[:300], transcript=turns,
                                   status="open", created_at=self.now())
            s.add(ticket)
            s.flush()
            return TicketView(number=ticket.number, kind=kind, status=ticket.status, subject=ticket.subject,
                              customer_id=cid, order_id=oid_link, conversation_id=conv, turns=len(turns),
                              created_at=ticket.created_at)

        return self._change(f"ticket_{kind}", idempotency_key, request, TicketView, work)

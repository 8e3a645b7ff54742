"""Complaint and hand-off tickets: transcript stored as JSON, ownership, idempotency."""
import pytest
from sqlalchemy import func, select

from shop.db import session_scope
from shop.errors import Invalid, NotFound
from shop.models import SupportTicket
from shop.orders import ORDER_NOT_FOUND

TRANSCRIPT = [{"speaker": "customer", "text": "My parcel never came"},
              {"speaker": "assistant", "text": "I'm sorry to hear that."}]


def stored(db, number):
    with session_scope(db) as s:
        t = s.execute(select(SupportTicket).where(SupportTicket.number == number)).scalar_one()
        return t.kind, t.customer_id, t.order_id, t.conversation_id, t.subject, t.transcript


def test_complaint_stores_transcript_and_links_own_order(shop, dataset, db):
    t = shop.tickets.complaint("The parcel never arrived", TRANSCRIPT, customer_id=dataset.alice,
                               order_id=dataset.orders["shipped"], conversation_id="conv-1", idempotency_key="k1")
    assert t.number.startswith("TCK-") and len(t.number) == 12 and t.kind == "complaint" and t.turns == 2
    assert stored(db, t.number) == ("complaint", dataset.alice, dataset.orders["shipped"], "conv-1",
                                    "The parcel never arrived", TRANSCRIPT)


def test_handoff_without_customer_keeps_order_as_unverified_reference(shop, dataset, db):
    t = shop.tickets.handoff(TRANSCRIPT, reason="wants a human", order_id=dataset.orders["bob_delivered"],
                             idempotency_key="k1")
    kind, customer, order, _, subject, _ = stored(db, t.number)
    assert (kind, customer, order) == ("handoff", None, None)
    assert dataset.orders["bob_delivered"] in subject and "unverified" in subject


def test_ticket_for_someone_elses_order_is_refused(shop, dataset, db):
    with pytest.raises(NotFound) as err:
        shop.tickets.complaint("Broken item received", TRANSCRIPT, customer_id=dataset.alice,
                               order_id=dataset.orders["bob_delivered"], idempotency_key="k1")
    assert err.value.user_message == ORDER_NOT_FOUND
    with pytest.raises(NotFound):
        shop.tickets.handoff([], reason="help", customer_id=999, idempotency_key="k2")
    with session_scope(db) as s:
        assert s.execute(select(func.count()).select_from(SupportTicket)).scalar_one() == 0


def test_ticket_retry_returns_same_number_and_one_row(shop, dataset, db):
    a = shop.tickets.handoff(TRANSCRIPT, reason="asked for agent", customer_id=dataset.alice, idempotency_key="h1")
    b = shop.tickets.handoff(TRANSCRIPT, reason="asked for agent", customer_id=dataset.alice, idempotency_key="h1")
    c = shop.tickets.handoff(TRANSCRIPT, reason="asked for agent", customer_id=dataset.alice, idempotency_key="h2")
    assert a == b and c.number != a.number
    with session_scope(db) as s:
        assert s.execute(select(func.count()).select_from(SupportTicket)).scalar_one() == 2


@pytest.mark.parametrize("text, transcript", [("", TRANSCRIPT), ("x" * 2001, TRANSCRIPT), ("fine text", "not a list"),
                                              ("fine text", [{"text": "no speaker"}])])
def test_ticket_input_validation(shop, dataset, text, transcript):
    with pytest.raises(Invalid):
        shop.tickets.complaint(text, transcript, idempotency_key="k")


def test_sql_looking_complaint_is_stored_verbatim(shop, dataset, db):
    text = "'); DELETE FROM support_tickets; --"
    t = shop.tickets.complaint(text, [{"speaker": "customer", "text": text}], idempotency_key="k")
    assert stored(db, t.number)[4:] == (text, [{"speaker": "customer", "text": text}])

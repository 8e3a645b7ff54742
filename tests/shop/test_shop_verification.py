"""Verification: same answer for missing order and wrong email, lockout after 3 failures per conversation."""
import pytest

from shop.errors import Invalid, Locked, NotFound
from shop.verification import LOCKED, VERIFY_FAILED


def test_right_email_any_case_and_spacing_verifies(shop, dataset):
    order = dataset.orders["delivered"]
    customer = shop.verification.verify(order.lower(), "  " + dataset.emails["alice"].upper() + " ", "conv-1")
    assert (customer.id, customer.name, customer.order_id) == (dataset.alice, "Alice Smith", order)
    assert customer.to_dict()["email"] == dataset.emails["alice"]
    assert shop.verification.failures("conv-1") == 0


def _failure(shop, order_id, email, key):
    with pytest.raises(NotFound) as err:
        shop.verification.verify(order_id, email, key)
    return err.value


def test_missing_order_and_wrong_email_answer_identically(shop, dataset):
    missing = _failure(shop, "SM-999999", dataset.emails["alice"], "conv-a")
    wrong = _failure(shop, dataset.orders["delivered"], dataset.emails["bob"], "conv-b")  # someone else's email
    assert (missing.user_message, missing.code, type(missing)) == (wrong.user_message, wrong.code, type(wrong))
    assert missing.user_message == VERIFY_FAILED and "SM-999999" not in missing.user_message
    assert shop.verification.failures("conv-a") == shop.verification.failures("conv-b") == 1


def test_locked_after_three_failures_even_with_right_email(shop, dataset):
    order, email = dataset.orders["delivered"], dataset.emails["alice"]
    _failure(shop, "SM-999999", email, "conv")
    _failure(shop, order, "eve@example.com", "conv")
    with pytest.raises(Locked) as third:
        shop.verification.verify(order, "eve@example.com", "conv")
    assert third.value.user_message == LOCKED and "agent" in LOCKED
    with pytest.raises(Locked):
        shop.verification.verify(order, email, "conv")  # right details no longer help in this conversation
    assert shop.verification.failures("conv") == 3
    assert shop.verification.verify(order, email, "other-conv").id == dataset.alice  # other conversations unaffected


def test_success_before_lock_resets_count(shop, dataset):
    order, email = dataset.orders["delivered"], dataset.emails["alice"]
    _failure(shop, order, "eve@example.com", "conv")
    _failure(shop, order, "eve@example.com", "conv")
    shop.verification.verify(order, email, "conv")
    assert shop.verification.failures("conv") == 0
    _failure(shop, order, "eve@example.com", "conv")  # not locked: the count started again


@pytest.mark.parametrize("order_id, email", [("SM-12", "alice@example.com"), ("'; DROP TABLE orders; --", "a@b.co"),
                                             ("SM-000001", "not-an-email"), ("SM-000001", "x' OR '1'='1")])
def test_malformed_input_is_invalid_and_not_counted(shop, dataset, order_id, email):
    with pytest.raises(Invalid):
        shop.verification.verify(order_id, email, "conv")
    assert shop.verification.failures("conv") == 0
    assert shop.verification.verify(dataset.orders["placed"], dataset.emails["alice"], "conv").id == dataset.alice


def test_conversation_key_is_validated(shop, dataset):
    with pytest.raises(Invalid):
        shop.verification.verify(dataset.orders["placed"], dataset.emails["alice"], "")
    with pytest.raises(Invalid):
        shop.verification.failures("x" * 129)


def test_a_client_is_limited_across_conversations(shop, dataset, clock):
    """A client that opens a new conversation after every two misses still runs out of guesses."""
    from shop.verification import MAX_CLIENT_FAILURES

    order, email = dataset.orders["delivered"], dataset.emails["alice"]
    for i in range(MAX_CLIENT_FAILURES):
        with pytest.raises(NotFound):  # never the third miss of one conversation: only the client limit applies
            shop.verification.verify(f"SM-9{i:05d}", email, f"conv-{i // 2}", client_key="203.0.113.7")
    assert shop.verification.client_failures("203.0.113.7") == MAX_CLIENT_FAILURES
    with pytest.raises(Locked):  # a fresh conversation from the same client, even with the right details
        shop.verification.verify(order, email, "fresh-conv", client_key="203.0.113.7")
    assert shop.verification.failures("fresh-conv") == 0  # the refusal itself counts nothing
    # another client is unaffected, and so is the same conversation key without a client
    assert shop.verification.verify(order, email, "fresh-conv", client_key="198.51.100.2").id == dataset.alice
    # after the window the client may try again
    clock.advance(hours=1, minutes=1)
    assert shop.verification.client_failures("203.0.113.7") == 0
    assert shop.verification.verify(order, email, "later-conv", client_key="203.0.113.7").id == dataset.alice


def test_a_success_does_not_reset_the_client_count(shop, dataset):
    order, email = dataset.orders["delivered"], dataset.emails["alice"]
    _failure(shop, "SM-999999", email, "c1")
    shop.verification.verify(order, email, "c1", client_key="203.0.113.9")
    with pytest.raises(NotFound):
        shop.verification.verify("SM-999998", email, "c2", client_key="203.0.113.9")
    shop.verification.verify(order, email, "c3", client_key="203.0.113.9")
    assert shop.verification.client_failures("203.0.113.9") == 1

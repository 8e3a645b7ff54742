"""Input validation (pure functions, no database)."""
import pytest

from shop import validation as v
from shop.errors import Invalid

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, expected", [("SM-123456", "SM-123456"), (" sm123456 ", "SM-123456"),
                                           ("sm-000001", "SM-000001")])
def test_order_id_is_normalised(raw, expected):
    assert v.order_id(raw) == expected


@pytest.mark.parametrize("raw", ["", "SM-12345", "SM-1234567", "XX-123456", "123456", "SM-12345a",
                                 "SM-123456' OR '1'='1", "'; DROP TABLE orders; --", None, 123456, "SM-１２３４５６"])
def test_malformed_order_ids_are_invalid(raw):
    with pytest.raises(Invalid) as err:
        v.order_id(raw)
    assert "SM-123456" in err.value.user_message or "text" in err.value.user_message


@pytest.mark.parametrize("raw, expected", [(" Alice.Smith1@Example.COM ", "alice.smith1@example.com"),
                                           ("a+b@shop.co.uk", "a+b@shop.co.uk")])
def test_email_is_trimmed_and_lowercased(raw, expected):
    assert v.email(raw) == expected


@pytest.mark.parametrize("raw", ["alice", "alice@", "@example.com", "alice@example", "al ice@example.com",
                                 "a@b.c' OR 1=1 --", "x" * 250 + "@example.com", "a\x00b@example.com"])
def test_malformed_emails_are_invalid(raw):
    with pytest.raises(Invalid):
        v.email(raw)


@pytest.mark.parametrize("raw, expected", [("sw1a1aa", "SW1A 1AA"), ("M1 1AE", "M1 1AE"), ("ec1a  1bb", "EC1A 1BB"),
                                           ("10115", "10115"), ("75008", "75008"), ("k1a-0b1", "K1A-0B1")])
def test_valid_postcodes(raw, expected):
    assert v.postcode(raw) == expected


@pytest.mark.parametrize("raw", ["", "12", "ABCDEFGHIJK", "SW1A;1AA", "--", "12  -  34", "'; DROP"])
def test_invalid_postcodes(raw):
    with pytest.raises(Invalid) as err:
        v.postcode(raw)
    assert err.value.code == "invalid_postcode"


def test_street_and_city_rules():
    assert v.street("  12   High Street ") == "12 High Street"
    assert v.street("Flat 3/2, 7 St. John's Road") == "Flat 3/2, 7 St. John's Road"
    assert v.city("Stoke-on-Trent") == "Stoke-on-Trent"
    for bad in ["12", "1234", "x" * 201, "1 Main St; DROP TABLE orders", "<script>"]:
        with pytest.raises(Invalid):
            v.street(bad)
    for bad in ["L", "London1", "x" * 101, "Paris; --"]:
        with pytest.raises(Invalid):
            v.city(bad)


def test_customer_id_accepts_integral_floats_only():
    assert v.customer_id(7) == 7 and v.customer_id(7.0) == 7
    for bad in [0, -1, 1.5, "7", None, True]:
        with pytest.raises(Invalid):
            v.customer_id(bad)


def test_text_lengths_and_control_characters():
    assert v.text("  fine  ", "reason") == "fine"
    with pytest.raises(Invalid):
        v.text("", "reason")
    with pytest.raises(Invalid):
        v.text("x" * 501, "reason", max_len=500)
    with pytest.raises(Invalid):
        v.text("bad\x07bell", "reason")


def test_transcript_keeps_speaker_and_text_only():
    assert v.transcript([{"speaker": "customer", "text": "hi", "extra": 1}]) == [{"speaker": "customer", "text": "hi"}]
    for bad in ["hello", [{"text": "no speaker"}], [{"speaker": "bot", "text": 3}], [{}] * 501]:
        with pytest.raises(Invalid):
            v.transcript(bad)


def test_idempotency_key_format():
    assert v.idempotency_key("conv-1:cancel:SM-000001") == "conv-1:cancel:SM-000001"
    for bad in ["", "has space", "x" * 161, None]:
        with pytest.raises(Invalid):
            v.idempotency_key(bad)

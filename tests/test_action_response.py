"""channels.action_response: the action server's responses are judged exactly as Rasa's own validation judges them,
with the schema checked once per process instead of once per custom action."""
from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import channels  # noqa: F401 - installs the replacement, as the Rasa server does through credentials.yml
from channels import action_response

VALID = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "name": "shown_items", "value": ["EL-000001", "BK-000002"]},
                {"event": "slot", "name": "dialogue_events",
                 "value": [{"kind": "shown", "item": "EL-000001", "type": "electronics", "category": None}]},
                {"event": "active_loop", "name": None},
                {"event": "followup", "name": "action_listen"}],
     "responses": [{"text": "You might also like:", "buttons": [{"title": "1.", "payload": "/affirm"}],
                    "custom": {"type": "cards", "cards": []}},
                   {"response": "utter_service_unavailable"}]},
]
INVALID = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "value": 1}]},  # a slot event without its name
    {"events": [{"event": "no_such_event"}]},
    {"responses": [["not", "an", "object"]]},
    [],
]


def rasa_validation(result):
    """Rasa 3.6's check: ``jsonschema.validate`` with the response schema (what ``install`` replaces)."""
    try:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
        return None
    except jsonschema.ValidationError as exc:
        return exc


def test_installed_on_import_and_idempotent():
    method = RemoteAction._validate_action_result
    assert getattr(method, "_shopmate_cached_schema", False)
    action_response.install()
    assert RemoteAction._validate_action_result is method


@pytest.mark.parametrize("result", VALID)
def test_valid_responses_pass(result):
    assert rasa_validation(result) is None
    assert RemoteAction("action_recommend", None)._validate_action_result(result) is True


@pytest.mark.parametrize("result", INVALID)
def test_invalid_responses_fail_with_rasas_error(result):
    expected = rasa_validation(result)
    assert expected is not None
    with pytest.raises(jsonschema.ValidationError) as caught:
        RemoteAction("action_recommend", None)._validate_action_result(result)
    assert caught.value.message == expected.message + action_response.HINT
    assert list(caught.value.path) == list(expected.path)
    assert "Failed to validate Action server response" in caught.value.message


def test_the_schema_is_checked_once(monkeypatch):
    action_response.response_validator.cache_clear()
    cls = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    checks = []
    original = cls.check_schema
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, s: (checks.append(1), original(s))[1]))
    for _ in range(5):
        assert action_response.validate_action_result({"events": [], "responses": []})
    assert len(checks) == 1
    action_response.response_validator.cache_clear()

"""Validate the action server's responses with a schema checked once, not once per custom action.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls ``jsonschema.validate(result, schema)``, which first runs
``check_schema`` on the response schema (``{"events": EVENTS_SCHEMA, "responses": ...}``, every event type with its
fields) and only then validates the response. Checking that constant schema costs ~60 ms of CPU per custom action
on the Rasa server (a profile of the benchmark's 20-turn conversation: a third of the server's time), against ~1 ms
for validating the response itself.

``install()`` replaces the method with one that validates against a validator built (and its schema checked) once
per process: the same schema, the same ``best_match`` error as ``jsonschema.validate``, the same message appended,
and ``True`` on success. Idempotent (installing twice replaces once).
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions import action as rasa_action
from rasa.shared.constants import DOCS_BASE_URL

HINT = (". Failed to validate Action server response from API, make sure your response from the Action endpoint is "
        f"valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """A validator for ``RemoteAction.action_response_format_spec()``, its schema checked once."""
    schema = rasa_action.RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(result: Dict[Text, Any]) -> bool:
    """``True`` if ``result`` is a valid action server response; raises ``jsonschema.ValidationError`` (the
    ``best_match`` error, as ``jsonschema.validate`` would, with Rasa's hint appended) otherwise."""
    error = exceptions.best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += HINT
        raise error
    return True


def install() -> None:
    remote = rasa_action.RemoteAction
    if getattr(remote._validate_action_result, "_shopmate_cached_schema", False):
        return

    def _validate_action_result(self: Any, result: Dict[Text, Any]) -> bool:
        return validate_action_result(result)

    _validate_action_result._shopmate_cached_schema = True  # type: ignore[attr-defined]
    remote._validate_action_result = _validate_action_result

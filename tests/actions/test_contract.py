"""The actions and the Rasa domain agree: names, responses and slots (catches drift between the two halves)."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa_sdk.executor import ActionExecutor

pytestmark = pytest.mark.unit
ACTIONS_DIR = Path(__file__).resolve().parents[2] / "actions"


@pytest.fixture(scope="module")
def registered():
    executor = ActionExecutor()
    executor.register_package("actions")
    return set(executor.actions)


def source() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(ACTIONS_DIR.glob("*.py")))


def test_every_custom_action_of_the_domain_is_registered_and_vice_versa(domain, registered):
    assert registered == set(domain["actions"])


def test_every_response_the_actions_use_exists_in_the_domain(domain):
    used = set(re.findall(r'response="(utter_\w+)"', source()))
    assert used and used <= set(domain["responses"]), sorted(used - set(domain["responses"]))


def test_every_slot_the_actions_set_exists_in_the_domain(domain):
    text = source()
    used = set(re.findall(r'SlotSet\("(\w+)"', text)) | set(re.findall(r'"(\w+)": None\}', text))
    used |= {"new_address_street", "new_address_city", "new_address_postcode", "return_item_id", "reason", "size",
             "colour", "confirm_cancel"}
    assert used <= set(domain["slots"]) | {"requested_slot"}, sorted(used - set(domain["slots"]))

"""The REST channel, with the client's address in each message's metadata.

Same endpoint and behaviour as Rasa's ``rest`` channel (``POST /webhooks/rest/webhook``, ``name() == "rest"``);
``credentials.yml`` names this class instead of the built-in one. The only difference: every message's metadata
carries ``client_address``, the address of the peer as the server saw it (``request.remote_addr`` when Sanic is
configured to trust a proxy's forwarding headers, else the socket's peer ``request.ip``). A value the client put
in the body under that key is overwritten, so it cannot be forged. The verification action counts failed attempts
per client address with it (see ``actions.orders`` and ``shop.verification``): starting a new conversation
does not give a client three more guesses at someone's order.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels import rest
from sanic.exceptions import InvalidUsage as BadRequest  # HTTP 400 (sanic 21.12)
from sanic.request import Request

CLIENT_ADDRESS = "client_address"


def client_address(request: Request) -> str:
    return str(getattr(request, "remote_addr", "") or request.ip or "unknown")


def body(request: Request) -> Dict[Text, Any]:
    """The request's JSON object; ``BadRequest`` (HTTP 400) for anything else (Rasa's channel answers 500)."""
    data = request.json  # invalid JSON or UTF-8: Sanic raises BadRequest itself
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object with 'sender' and 'message'.")
    return data


class RestInput(rest.RestInput):
    """Rasa's REST channel + ``metadata["client_address"]``, and a 400 for a body that is not
    ``{"sender": str, "message": str}`` (a list or a number as body or message made Rasa's channel answer 500 or
    pass a non-string to NLU)."""

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = body(req).get("sender")
        if sender is not None and not isinstance(sender, (str, int)):
            raise BadRequest("'sender' must be a string.")
        return str(sender) if sender is not None else None

    def _extract_message(self, req: Request) -> Optional[Text]:
        message = body(req).get("message")
        if message is not None and not isinstance(message, str):
            raise BadRequest("'message' must be a string.")
        return message

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = body(request).get("metadata")
        metadata = dict(metadata) if isinstance(metadata, dict) else {}
        metadata[CLIENT_ADDRESS] = client_address(request)
        return metadata

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
from sanic.request import Request

CLIENT_ADDRESS = "client_address"


def client_address(request: Request) -> str:
    return str(getattr(request, "remote_addr", "") or request.ip or "unknown")


class RestInput(rest.RestInput):
    """Rasa's REST channel + ``metadata["client_address"]``."""

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        body = request.json if isinstance(request.json, dict) else {}
        metadata = body.get("metadata")
        metadata = dict(metadata) if isinstance(metadata, dict) else {}
        metadata[CLIENT_ADDRESS] = client_address(request)
        return metadata

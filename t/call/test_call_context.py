"""The request layer takes what it needs from a client through CallContext
only: any object with those five members binds calls, no Client needed."""
from pathlib import Path

import pytest

from openapi_dyn import Client, RequestValidationError
from openapi_dyn._call.auth import Credentials
from openapi_dyn._call.context import Conventions
from openapi_dyn._call.context import call_context
from openapi_dyn._call.request import build_request
from openapi_dyn._spec import Spec

TOY = Path(__file__).resolve().parents[1] / "data" / "toy.yaml"


class FixedContext:
    """A CallContext that is not a client."""

    def __init__(self, op):
        limit = next(p for p in op.parameters if p.name == "limit")
        self.conventions = Conventions({"X-Profile": "on"}, [], [(limit, 7)])
        self.default_headers = {"X-Team": "blue", "X-Api-Token": "tok-0123456789"}
        self.credentials = Credentials("sk-fixed-0123456789")
        self.header_secrets = ["tok-0123456789"]
        self.seen = []

    def conventions_for(self, operation):
        self.seen.append(("conventions", operation.operation_id))
        return self.conventions

    def base_url_for(self, operation):
        self.seen.append(("base_url", operation.operation_id))
        return "http://127.0.0.1:9/v9"


def test_any_call_context_binds_a_call():
    op = Spec(str(TOY)).operations["listPets"]
    context = FixedContext(op)
    req = build_request(context, op, {"include[]": ["owner"]})
    assert req.url.startswith("http://127.0.0.1:9/v9/pets?") and "limit=7" in req.url
    assert req.headers["X-Profile"] == "on" and req.headers["X-Team"] == "blue"
    assert req.headers["Authorization"] == "Bearer sk-fixed-0123456789"
    assert "tok-0123456789" not in req.describe() and "sk-fixed-0123456789" not in req.describe()
    assert context.seen == [("conventions", "listPets"), ("base_url", "listPets")]
    with pytest.raises(RequestValidationError) as caught:
        build_request(context, op, {"limit": 0})
    assert [p.location for p in caught.value.errors] == ["query.limit"]


def test_a_clients_context_reads_the_client_live():
    client = Client(str(TOY), base_url="http://127.0.0.1:9/base", api_key="sk-client-0123456789",
                    headers={"X-Team": "red"})
    context = call_context(client)
    assert context is call_context(client)
    op = client.operation("listPets")
    assert context.base_url_for(op) == "http://127.0.0.1:9/base"
    assert context.conventions_for(op) is context.conventions_for(op)
    assert context.default_headers == {"X-Team": "red"} and context.header_secrets == []
    client.headers = {"Authorization-Token": "tok-9876543210"}
    assert context.default_headers == {"Authorization-Token": "tok-9876543210"}
    assert context.header_secrets == ["tok-9876543210"]
    assert client.prepare("listPets").headers["Authorization-Token"] == "tok-9876543210"

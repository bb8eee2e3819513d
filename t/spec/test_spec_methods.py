"""OpenAPI 3.2's ``query`` method and ``additionalOperations`` are operations
like any other: listed, validated and sent with their own HTTP method."""
import json

import pytest

from openapi_dyn import Client, RequestValidationError

LIMIT = {"name": "limit", "in": "query", "schema": {"type": "integer"}}
SPEC = {
    "openapi": "3.2.0", "info": {"title": "search", "version": "1"},
    "paths": {
        "/pets/search": {
            "parameters": [LIMIT],
            "query": {
                "operationId": "searchPets",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["name"],
                    "properties": {"name": {"type": "string"}}}}}},
                "responses": {"200": {"description": "found", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"type": "string"}}}}}},
            },
            "additionalOperations": {
                "COPY": {
                    "operationId": "copyPets",
                    "parameters": [{"name": "Destination", "in": "header", "required": True,
                                    "schema": {"type": "string"}}],
                    "responses": {"204": {"description": "copied"}},
                },
            },
        },
    },
}


@pytest.fixture
def client(httpserver):
    return Client(SPEC, base_url=httpserver.url_for("/"), max_retries=0)


def test_query_operation_is_sent_with_method_query_and_its_body(client, httpserver):
    httpserver.expect_request("/pets/search", method="QUERY", query_string="limit=2",
                              json={"name": "rex"}).respond_with_json(["rex"])
    assert client.call("searchPets", limit=2, body={"name": "rex"}) == ["rex"]
    request, _ = httpserver.log[-1]
    assert request.method == "QUERY"
    assert json.loads(request.get_data()) == {"name": "rex"}
    assert list(client.operations) == ["searchPets", "copyPets"]
    assert client.operation("searchPets").pointer == "#/paths/~1pets~1search/query"


def test_query_operation_body_is_validated_before_sending(client, httpserver):
    with pytest.raises(RequestValidationError) as info:
        client.call("searchPets", body={"name": 3})
    assert "body.name" in str(info.value)
    assert not httpserver.log


def test_additional_operation_is_sent_with_its_method_as_written(client, httpserver):
    httpserver.expect_request("/pets/search", method="COPY",
                              headers={"Destination": "/pets/archive"}).respond_with_data("", status=204)
    client.call("copyPets", Destination="/pets/archive")
    request, response = httpserver.log[-1]
    assert request.method == "COPY" and response.status_code == 204
    assert client.operation("copyPets").pointer == "#/paths/~1pets~1search/additionalOperations/COPY"
    # path-level parameters apply to additional operations too
    prepared = client.prepare("copyPets", Destination="/x", limit=1)
    assert prepared.method == "COPY" and prepared.url.endswith("/pets/search?limit=1")

"""validate_responses=True: answers checked against the spec, problems
located under response.*, raised as ResponseValidationError."""
import pytest

from openapi_dyn import Client, NotFoundError, ResponseValidationError

from conftest import DATA
from faultserver import reply

MEDIA = DATA / "media.yaml"


@pytest.fixture
def client(faultserver):
    return Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0, validate_responses=True)


def test_a_matching_answer_passes(client, faultserver):
    faultserver.plan(reply(json={"object": "list", "data": [{"id": "a", "size": 1}], "has_more": False}))
    assert client.call("listItems")["data"] == [{"id": "a", "size": 1}]


def test_problems_are_located(client, faultserver):
    faultserver.plan(reply(json={"object": "list", "data": [{"id": "a"}, {"size": -1}], "has_more": "no"}))
    with pytest.raises(ResponseValidationError) as info:
        client.call("listItems")
    where = {p.location: p.message for p in info.value.errors}
    # a wrong type and a value below the minimum are problems; a missing
    # required field is drift the default reading accepts
    assert set(where) == {"response.body.data[1].size", "response.body.has_more"}
    assert info.value.operation_id == "listItems"
    assert info.value.response.data["has_more"] == "no"  # the answer stays available
    assert "response.body.has_more" in str(info.value)


def test_strict_reading_reports_every_difference(faultserver):
    client = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0, validate_responses="strict")
    faultserver.plan(reply(json={"object": "list", "data": [{"id": "a"}, {"size": -1}], "has_more": "no"}))
    with pytest.raises(ResponseValidationError) as info:
        client.call("listItems")
    where = {p.location: p.message for p in info.value.errors}
    assert set(where) == {"response.body.data[1].id", "response.body.data[1].size", "response.body.has_more"}
    assert "required" in where["response.body.data[1].id"]


def test_drift_is_accepted_and_reported(faultserver):
    """A missing required field, an unexpected null and a new field are the
    way live APIs drift: accepted with a warning, listed on the Response;
    the strict reading refuses the same answer."""
    from openapi_dyn import ResponseDriftWarning

    drifted = {"object": "list", "data": [{"size": None, "extra": 1}], "has_more": False}
    faultserver.always(reply(json=drifted))
    client = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0, validate_responses=True)
    with pytest.warns(ResponseDriftWarning, match=r"response.body.data\[0\].id"):
        response = client.request("listItems")
    assert response.data == drifted
    assert {p.location for p in response.drift} >= {"response.body.data[0].id", "response.body.data[0].size"}
    with pytest.raises(ResponseValidationError, match=r"data\[0\].id"):
        client.call("listItems", validate_responses="strict")
    # a wrong type is not drift
    faultserver.always(reply(json=dict(drifted, data=[{"id": 5}])))
    with pytest.raises(ResponseValidationError, match=r"response.body.data\[0\].id: 5 is not of type"):
        client.call("listItems")


def test_off_by_default_and_per_call(faultserver):
    bad = {"id": 5}
    faultserver.always(reply(json=bad))
    plain = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0)
    assert plain.call("getItem", id="x") == bad
    with pytest.raises(ResponseValidationError, match=r"response.body.id"):
        plain.call("getItem", id="x", validate_responses=True)
    strict = Client(str(MEDIA), base_url=faultserver.url + "/v1", max_retries=0, validate_responses=True)
    assert strict.call("getItem", id="x", validate_responses=False) == bad


def test_media_type_and_status(client, faultserver):
    faultserver.plan(reply(body=b"<html>", content_type="text/html"))
    with pytest.raises(ResponseValidationError) as info:
        client.call("getItem", id="x")
    assert info.value.errors[0].location == "response.content_type"
    faultserver.plan(reply(201, json={"id": "x"}))
    with pytest.raises(ResponseValidationError) as info:
        client.call("getItem", id="x")
    assert info.value.errors[0].location == "response.status"
    faultserver.plan(reply(404, json={"error": {"message": "gone"}}))
    with pytest.raises(NotFoundError):  # error statuses raise as API errors first
        client.call("getItem", id="x")


def test_streams_and_binary_bodies_are_not_body_checked(client, faultserver):
    from faultserver import events, send_body

    faultserver.plan(events(b"data: 1\n\n"), send_body(b"\x00", "audio/mpeg"))
    assert list(client.call("watchEvents")) == [1]
    assert client.call("getBlob", name="a") == b"\x00"


def test_openapi_30_answers_may_carry_read_only_properties(faultserver):
    client = Client(str(DATA / "readonly30.yaml"), base_url=faultserver.url, validate_responses=True)
    faultserver.plan(reply(201, json={"id": "u1", "name": "Ann"}))
    assert client.call("createUser", body={"name": "Ann", "password": "pw"}) == {"id": "u1", "name": "Ann"}
    faultserver.plan(reply(201, json={"id": "u1", "name": "Ann", "password": "leaked"}))
    with pytest.raises(ResponseValidationError, match="password"):
        client.call("createUser", body={"name": "Ann"})


def test_openai_answers(openai_client, faultserver):
    client = Client(openai_client.spec, base_url=faultserver.url + "/v1", api_key="sk-test",
                    validate_responses=True)
    good = {"object": "list", "data": [{"id": "asst_1", "object": "assistant", "created_at": 1,
                                        "name": None, "description": None, "model": "gpt-4o",
                                        "instructions": None, "tools": [], "metadata": {}}],
            "first_id": "asst_1", "last_id": "asst_1", "has_more": False}
    faultserver.plan(reply(json=good))
    assert client.call("listAssistants", headers={"OpenAI-Beta": "assistants=v2"}) == good
    bad = dict(good, data=[dict(good["data"][0], created_at="yesterday")])
    faultserver.plan(reply(json=bad))
    with pytest.raises(ResponseValidationError) as info:
        client.call("listAssistants")
    assert info.value.errors[0].location == "response.body.data[0].created_at"

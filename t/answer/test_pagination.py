"""client.paginate(): which operations page, how the cursor advances, and
that pages are fetched lazily, one request each."""
import pytest

from openapi_dyn import Client, UsageError
from openapi_dyn._answer.pagination import pagination_rule

from conftest import DATA
from faultserver import reply

MEDIA = DATA / "media.yaml"
PROFILE = str(DATA / "media-profile.yaml")  # OpenAI-like conventions for it


@pytest.fixture
def client(faultserver):
    return Client(str(MEDIA), profile=PROFILE, base_url=faultserver.url + "/v1", max_retries=0)


def items(*ids):
    return [{"id": i} for i in ids]


PAGES = {  # after -> page, like OpenAI's list endpoints
    None: {"object": "list", "data": items("a", "b"), "first_id": "a", "last_id": "b", "has_more": True},
    "b": {"object": "list", "data": items("c", "d"), "first_id": "c", "last_id": "d", "has_more": True},
    "d": {"object": "list", "data": items("e"), "first_id": "e", "last_id": "e", "has_more": False},
}


def serve_pages(faultserver, pages, key="after"):
    faultserver.always(lambda rec: reply(json=pages[rec.args.get(key)]))


def test_every_item_across_pages(client, faultserver):
    serve_pages(faultserver, PAGES)
    assert [x["id"] for x in client.paginate("listItems", limit=2, order="asc")] == list("abcde")
    assert [r.args for r in faultserver.requests] == [
        {"limit": "2", "order": "asc"},
        {"limit": "2", "order": "asc", "after": "b"},
        {"limit": "2", "order": "asc", "after": "d"},
    ]


def test_lazy_one_request_per_page(client, faultserver):
    serve_pages(faultserver, PAGES)
    pager = client.paginate("listItems", limit=2)
    assert faultserver.requests == []  # nothing until the loop starts
    it = iter(pager)
    assert next(it)["id"] == "a" and len(faultserver.requests) == 1
    assert next(it)["id"] == "b" and len(faultserver.requests) == 1
    assert next(it)["id"] == "c" and len(faultserver.requests) == 2


def test_pages_and_a_starting_cursor(client, faultserver):
    serve_pages(faultserver, PAGES)
    pages = list(client.paginate("listItems", after="b").pages())
    assert [p["last_id"] for p in pages] == ["d", "e"]
    assert faultserver.requests[0].args == {"after": "b"}
    # the cursor may be named any way a call accepts
    assert [x["id"] for x in client.paginate("listItems", **{"query.after": "d"})] == ["e"]


def test_cursor_without_last_id_is_the_last_items_id(client, faultserver):
    pages = {None: {"data": items("a", "b"), "has_more": True},
             "b": {"data": items("c"), "has_more": False}}
    serve_pages(faultserver, pages)
    assert [x["id"] for x in client.paginate("listItems")] == ["a", "b", "c"]


def test_a_next_field_is_the_cursor(client, faultserver):
    pages = {None: {"data": items("g1"), "has_more": True, "next": "cursor-xyz"},
             "cursor-xyz": {"data": items("g2"), "has_more": False, "next": None}}
    serve_pages(faultserver, pages)
    assert [x["id"] for x in client.paginate("listGroups")] == ["g1", "g2"]


def test_page_tokens(client, faultserver):
    pages = {None: {"data": [{"n": 1}], "has_more": True, "next_page": "p2"},
             "p2": {"data": [{"n": 2}], "has_more": True, "next_page": "p3"},
             "p3": {"data": [{"n": 3}], "has_more": False, "next_page": None}}
    serve_pages(faultserver, pages, key="page")
    assert [x["n"] for x in client.paginate("getUsage", limit=1)] == [1, 2, 3]
    assert [r.args.get("page") for r in faultserver.requests] == [None, "p2", "p3"]


def test_stops_on_an_empty_page_or_a_repeated_cursor(client, faultserver, caplog):
    serve_pages(faultserver, {None: {"data": [], "has_more": True}})
    assert list(client.paginate("listItems")) == []
    faultserver.requests.clear()
    serve_pages(faultserver, {None: {"data": items("a"), "has_more": True},
                              "a": {"data": items("a"), "has_more": True}})
    assert [x["id"] for x in client.paginate("listItems")] == ["a", "a"]
    assert len(faultserver.requests) == 2
    assert "again" in caplog.text


def test_options_go_with_every_page(client, faultserver):
    serve_pages(faultserver, PAGES)
    list(client.paginate("listItems", headers={"X-Trace": "t1"}, timeout=5))
    assert [r.headers["X-Trace"] for r in faultserver.requests] == ["t1"] * 3


def test_operations_that_do_not_page(client):
    with pytest.raises(UsageError, match="listModels is not a paginated list operation: .*has_more"):
        client.paginate("listModels")
    with pytest.raises(UsageError, match="no JSON success answer"):
        client.paginate("watchEvents")
    with pytest.raises(UsageError, match="array field 'data'"):
        client.paginate("getItem", id="x")


def test_the_openai_list_operations(openai_client):
    ops = openai_client.operations
    paged = {op_id for op_id, op in ops.items() if pagination_rule(op)}
    for op_id in ("listAssistants", "listFiles", "listMessages", "listRuns", "listVectorStores",
                  "listBatches", "list-groups", "usage-completions"):
        assert op_id in paged
    for op_id in ("listModels", "createEmbedding", "retrieveAssistant", "createChatCompletion"):
        assert op_id not in paged
    assert pagination_rule(ops["listAssistants"]).param.name == "after"
    assert pagination_rule(ops["usage-completions"]).param.name == "page"
    assert all(ops[o].method == "GET" for o in paged)

"""Fuzzing, bounded: arbitrary arguments and bodies for every operation of
the bundled specs give a prepared request or an OpenAPIDynError; mutated
spec documents give a Client or a SpecError.  Nothing else may escape.

hypothesis keeps no database (``database=None``: nothing is written), has
no deadline (the machine may be busy) and a fixed number of examples, so
the whole file runs in well under a minute.
"""
import atexit
import copy
import math
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from openapi_dyn import Client, OpenAPIDynError, SpecError
from openapi_dyn._spec import bundled
from openapi_dyn._spec.load import parse_text

from conftest import DATA, SHARED

# hypothesis also keeps caches of its own (unicode tables) in its home
# directory, by default .hypothesis/ in the working directory: a temporary one
_home = tempfile.mkdtemp(prefix="openapi-dyn-hypothesis-")
atexit.register(shutil.rmtree, _home, True)
set_hypothesis_home_dir(_home)

# no shrinking: a failing example is reported as found, at once
FUZZ = settings(database=None, deadline=None, derandomize=True, print_blob=False,
                phases=(Phase.explicit, Phase.generate), suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def hang_guard():
    """A run-away example fails instead of hanging the suite."""
    def alarm(*_):
        raise AssertionError("a fuzz example ran for more than 60 s")
    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------- values
scalars = (st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
           | st.floats() | st.text(max_size=12)
           | st.sampled_from(["", "\r\n", "a\0b", "sk-\n", "x" * 300, "\ud800", "1970-01-01", "true"]))
json_like = st.recursive(scalars, lambda kids: st.lists(kids, max_size=3)
                         | st.dictionaries(st.text(max_size=8), kids, max_size=3), max_leaves=8)
odd = st.sampled_from([object(), b"\x00\xff", bytearray(b"ab"), {1, 2}, (1, "a"), math.inf, -math.nan,
                       Path("/nonexistent/file"), 10**400, complex(1, 2), type, ...])
values = json_like | odd
EXAMPLES_PER_OPERATION = 2


def _names(op):
    names = set()
    for p in op.parameters:
        names.update({p.name, p.alias, p.qualified_name})
    return sorted(names)


def _body_properties(op):
    for media in (op.request_body or {}).values():
        schema = getattr(media, "schema", None) or {}
        if isinstance(schema, dict):
            schema = op.spec.resolve(schema)
            props = schema.get("properties") if isinstance(schema, dict) else None
            if isinstance(props, dict):
                return sorted(props)
    return []


def arguments(op):
    """Keyword arguments for ``op``: its own parameter names (and a stray
    one) with any values, a body made of its own property names (or
    anything), and the call options."""
    names = _names(op) or ["x"]
    params = st.dictionaries(st.sampled_from(names) | st.text(min_size=1, max_size=6), values, max_size=4)
    options = st.fixed_dictionaries({}, optional={
        "body": json_like | odd | st.dictionaries(st.sampled_from(_body_properties(op) or ["x"]), values,
                                                  max_size=4),
        "headers": st.dictionaries(st.text(max_size=6), st.text(max_size=6) | odd, max_size=2) | odd,
        "content_type": st.sampled_from(sorted(op.request_body or {}) + ["text/x-odd", ""]),
        "validate": st.just(False),
    })
    return st.builds(lambda p, o: {**p, **o}, params, options)


#: Every bundled spec but the overlays that only give the OpenAI document
#: other servers (the same operations and schemas: fuzzed as "openai").
FUZZED = [n for n in bundled.names() if (bundled.entry(n) or {}).get("base") != "openai"]


@pytest.fixture(scope="module")
def bundled_clients():
    return {name: Client(name, api_key="sk-fuzz-key-0000") for name in FUZZED}


@pytest.mark.parametrize("name", FUZZED)
def test_any_arguments_for_every_operation_give_a_request_or_our_error(bundled_clients, name):
    client = bundled_clients[name]
    for op in client.operations.values():    # every operation

        @settings(FUZZ, max_examples=EXAMPLES_PER_OPERATION)
        @given(arguments(op))
        def run(args):
            try:
                client.prepare(op.operation_id, **args)
            except OpenAPIDynError:
                pass

        run()


# ------------------------------------------------------------- specs
def _base_documents():
    docs = [parse_text((DATA / "toy.yaml").read_bytes()), parse_text((DATA / "media.yaml").read_bytes())]
    examples = SHARED / "specs" / "oai-examples"
    if examples.is_dir():
        docs += [parse_text(p.read_bytes()) for p in sorted(examples.glob("*.yaml"))]
    return docs


BASES = _base_documents()


def _places(doc):
    """(container, key) for every value of the document, parents first."""
    out, stack = [], [doc]
    while stack and len(out) < 20_000:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for k, v in items:
            out.append((node, k))
            if isinstance(v, (dict, list)):
                stack.append(v)
    return out


REPLACEMENTS = st.sampled_from([
    None, 0, -1, 1.5, True, "", "x", "x" * 200_000, [], {}, [1, "a"], {"type": 5},
    {"$ref": "#"}, {"$ref": "#/paths"}, {"$ref": "#/components/schemas/Nope"}, {"$ref": "other.yaml#/x"},
    {"$ref": 7}, {"type": "object", "properties": {"a": {"$ref": "#/components/schemas"}}},
    {"oneOf": [{"type": "string"}, {"type": "integer"}], "discriminator": {"propertyName": "k"}},
    {"in": "query", "name": "q"}, {"in": "nowhere", "name": 3}, {"get": {}}, {"200": None},
    {"application/json": {"schema": "string"}}, "3.0.0", "2.0", "{id}", "/{a}/{a}",
])


@st.composite
def mutated(draw):
    doc = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        places = _places(doc)
        if not places:
            break
        node, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "replace", "delete", "cycle", "deep", "rename"]))
        if action == "replace":
            node[key] = copy.deepcopy(draw(REPLACEMENTS))
        elif action == "delete":
            del node[key]
        elif action == "cycle":                 # the object contains itself, or the root
            node[key] = draw(st.sampled_from([node, doc]))
            break                               # deepcopy and _places cannot walk it any more
        elif action == "deep":
            inner = {"type": "string"}
            for _ in range(draw(st.integers(20, 120))):
                inner = {"type": "object", "properties": {"a": inner}}
            node[key] = inner
        elif action == "rename" and isinstance(node, dict):
            node[draw(st.text(max_size=5))] = node.pop(key)
    return doc


@settings(FUZZ, max_examples=300)
@given(mutated())
def test_mutated_specs_give_a_client_or_a_spec_error(doc):
    try:
        client = Client(doc, cache=False)
    except SpecError:
        return
    for op in list(client.operations.values())[:20]:
        try:
            client.prepare(op.operation_id)
        except OpenAPIDynError:
            pass

"""Every documented example of the bundled specs is accepted.

The vendors document their APIs with examples: OpenAI's ``x-oaiMeta`` curl
commands and answers, Cohere's ``x-fern-examples``, request and response
``example``/``examples`` of media types, parameter examples.  Each request is
replayed through ``client.prepare`` (validation on, nothing sent) and must be
accepted and produce the documented request (method, path, query, JSON body,
multipart fields); each JSON answer goes through ``check_response`` (the
reading ``validate_responses=True`` uses) and must pass.

A documented example that cannot be replayed at all must be broken in a way
this test proves on the example itself (a body that is not JSON, quotes that
do not balance, a URL that is no path of the spec); those are listed.  The
repairs on the way and the drift accepted are printed (``pytest -rA``).
"""
import email.parser
import email.policy
import json
import re
import shlex
from collections import Counter, defaultdict
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from openapi_dyn import Client
from openapi_dyn._spec.operation import is_json
from openapi_dyn.reference import _model as model
from openapi_dyn._answer.response import check_response
from openapi_dyn.reference._curl import _types_of, curl_request, example_from_curl

BUNDLED = ("openai", "anthropic", "cohere", "azure-openai", "azure-openai-preview")
# The least each source must yield: an extractor that finds nothing fails here.
FLOORS = {("openai", "x-oaiMeta curl"): 250, ("openai", "x-oaiMeta curl multipart"): 15,
          ("openai", "x-oaiMeta response"): 210, ("cohere", "x-fern-examples request"): 20,
          ("cohere", "x-fern-examples response"): 15, ("anthropic", "parameter example"): 50,
          ("cohere", "parameter example"): 35}

SUMMARY = defaultdict(Counter)
NOTES = defaultdict(list)
# documented `name[]=` sent as `name=` (the spec's parameter or field name): counted, shown
WIRE_NAMES = Counter()


@pytest.fixture(scope="module")
def clients():
    return {name: Client(name) for name in BUNDLED}


# ------------------------------------------------------------------ requests

def _placeholder(param):
    """A value for a required parameter the example does not give."""
    schema = param.schema or {}
    if schema.get("enum"):
        return schema["enum"][0]
    if "default" in schema:
        return schema["default"]
    types = _types_of(schema)
    return {"integer": 1, "number": 1, "boolean": True, "array": ["x"]}.get(types[0] if types else "", "x")


def _fill(op, params):
    out = dict(params)
    for p in op.parameters:
        if p.required and p.name not in out:
            out[p.name] = p.example if p.example is not None else _placeholder(p)
    return out


def _oai_examples(op):
    meta = op.raw.get("x-oaiMeta")
    exs = meta.get("examples") if isinstance(meta, dict) else None
    exs = exs if isinstance(exs, list) else [exs] if isinstance(exs, dict) else []
    return [(str(ex.get("title") or f"example {i + 1}"), ex) for i, ex in enumerate(exs) if isinstance(ex, dict)]


def _broken_reason(client, curl):
    """Why a curl example cannot be replayed, proven on the example itself; None if it should be."""
    text = curl.replace("\\\r\n", " ").replace("\\\n", " ")
    try:
        shlex.split(text)
    except ValueError as exc:
        return f"its shell quoting is broken ({exc})"
    req = curl_request(curl)
    path = urlsplit(req.url).path
    patterns = [re.sub(r"\\{[^{}]+\\}", "[^/]+", re.escape(p)) for p in client.spec.document["paths"]]
    base = urlsplit(client.spec.servers()[0]["url"]).path.rstrip("/")
    if not any(re.fullmatch(re.escape(base) + p, path.rstrip("/")) for p in patterns):
        return f"its URL path {path} is no path of the spec"
    if req.data and req.data.strip():
        try:
            json.loads(req.data)
        except ValueError as exc:
            return f"its body is not JSON ({exc})"
    return None


def _requests(client, name):
    """(source, operation, title, params, body, check, content type) for every documented request;
    check(prepared) asserts the prepared request is the documented one."""
    out, broken = [], []
    for op in client.spec.operations.values():
        for title, ex in _oai_examples(op):
            req = ex.get("request")
            curl = req.get("curl") if isinstance(req, dict) else req if isinstance(req, str) else None
            if not isinstance(curl, str):
                continue
            parsed = example_from_curl(op, curl)
            if parsed is None:
                reason = _broken_reason(client, curl)
                assert reason is not None, f"{op.operation_id} {title}: the extractor missed a readable example"
                broken.append(f"{op.operation_id} {title!r}: {reason}")
                continue
            params, body = parsed
            source = "x-oaiMeta curl multipart" if curl_request(curl).form else "x-oaiMeta curl"
            out.append((source, op, title, params, body, _curl_check(op, curl_request(curl), body),
                        "multipart/form-data" if source.endswith("multipart") else None))
        for i, ex in enumerate(op.raw.get("x-fern-examples") or ()):
            if isinstance(ex, dict) and "request" in ex:
                params = dict(ex.get("path-parameters") or {}, **(ex.get("query-parameters") or {}))
                out.append(("x-fern-examples request", op, f"example {i + 1}", params, ex["request"],
                            _json_check(op, ex["request"]), None))
        for mt, media in op.request_body.items():
            values = []
            if "example" in media.raw:
                values.append(("example", media.raw["example"]))
            for key, ex in (media.raw.get("examples") or {}).items():
                ex = client.spec.resolve(ex)
                if isinstance(ex, dict) and "value" in ex:
                    values.append((key, ex["value"]))
            for key, value in values:
                out.append(("request body example", op, f"{mt} {key}", {}, value,
                            _json_check(op, value) if is_json(mt) else None, mt))
        with_examples = [p for p in op.parameters if "example" in p.raw or "examples" in p.raw]
        for p in with_examples:
            values = [p.raw["example"]] if "example" in p.raw else []
            values += [client.spec.resolve(e).get("value") for e in (p.raw.get("examples") or {}).values()
                       if isinstance(client.spec.resolve(e), dict)]
            for value in values:
                out.append(("parameter example", op, f"{p.location}.{p.name}", {p.name: value}, model._NO_DEFAULT,
                            _param_check(p, value), None))
    return out, broken


def _param_check(param, value):
    """The example value is where the parameter goes (scalars; objects are
    serialized per style, checked by t/call/test_serialize.py)."""
    def check(prepared):
        if not isinstance(value, str):
            return
        if param.location == "path":
            assert "/" + value in unquote(urlsplit(prepared.url).path)
        elif param.location == "header":
            assert {k.lower(): v for k, v in prepared.headers.items()}[param.name.lower()] == value
        elif param.location == "query":
            assert (param.name, value) in parse_qsl(urlsplit(prepared.url).query)
    return check


def _json_check(op, body):
    def check(prepared):
        assert prepared.method == op.method
        assert prepared.json == body
    return check


def _curl_check(op, req, body):
    def check(prepared):
        url = urlsplit(prepared.url)
        documented = urlsplit(re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", r"\1", req.url))
        assert prepared.method == (req.method or op.method)
        assert unquote(url.path) == unquote(documented.path)
        # the documented `include[]=x` is the spec's parameter `include`, sent as include=x
        norm = lambda q: Counter((re.sub(r"\[\]$", "", k), v) for k, v in parse_qsl(q, keep_blank_values=True))
        assert norm(url.query) == norm(documented.query)
        for key, _ in parse_qsl(documented.query):
            if key.endswith("[]") and key not in dict(parse_qsl(url.query)):
                WIRE_NAMES[f"{op.operation_id}: query {key}= is sent as {key[:-2]}="] += 1
        if req.form:
            sent = _multipart_fields(prepared)
            for f in req.form:
                name = re.sub(r"\[\]$", "", f.name)
                values = sent.get(f.name) or sent.get(name)
                assert values, f"field {f.name} not sent"
                if f.name not in sent:
                    WIRE_NAMES[f"{op.operation_id}: -F {f.name}= is sent as {name}="] += 1
                if f.kind == "file":
                    assert any(v[0] == f.value.rsplit("/", 1)[-1] for v in values)
                elif f.kind == "text" and f.content_type and "json" in f.content_type:
                    assert any(json.loads(v[1]) == json.loads(f.value) for v in values)
                elif f.kind == "text":
                    assert any(v[1] == f.value for v in values), (f, values)
        elif body is not model._NO_DEFAULT:
            assert prepared.json == body
    return check


def _multipart_fields(prepared):
    """name -> [(filename, text)] of a prepared multipart body."""
    raw = prepared.body.to_bytes() if hasattr(prepared.body, "to_bytes") else b"".join(prepared.body)
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + prepared.content_type.encode() + b"\r\n\r\n" + raw)
    fields = defaultdict(list)
    for part in msg.iter_parts():
        disposition = part.get("Content-Disposition", "")
        name = re.search(r'name="([^"]*)"', disposition).group(1)
        filename = re.search(r'filename="([^"]*)"', disposition)
        fields[name].append((filename.group(1) if filename else None,
                             part.get_payload(decode=True).decode("utf-8", "replace")))
    return fields


@pytest.mark.parametrize("name", BUNDLED)
def test_documented_requests_are_accepted(clients, name):
    client = clients[name]
    examples, broken = _requests(client, name)
    refused = []
    for source, op, title, params, body, check, content_type in examples:
        kwargs = _fill(op, params)
        if body is not model._NO_DEFAULT:
            kwargs["body"] = body
        elif op.body_required:
            # a parameter example of an operation whose body has no example: the
            # parameter is checked by the validator prepare() uses for it
            from openapi_dyn._call.validation import validator_for
            for pname, value in params.items():
                param = next(p for p in op.parameters if p.name == pname)
                problems = validator_for(op).check_parameter(param, value)
                if problems:
                    refused.append(f"{op.operation_id} {title}: {problems}")
            SUMMARY[name, "requests"][source + " (checked alone: the body has no example)"] += 1
            continue
        if content_type:
            kwargs["content_type"] = content_type  # curl -F goes as multipart, with or without a file
        try:
            prepared = client.prepare(op.operation_id, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every refusal is collected and shown
            refused.append(f"{source} {op.operation_id} {title}: {exc}")
            continue
        if check is not None:
            try:
                check(prepared)
            except AssertionError as exc:
                refused.append(f"{source} {op.operation_id} {title}: not the documented request: {exc}")
                continue
        SUMMARY[name, "requests"][source] += 1
    SUMMARY[name, "requests"]["not replayable (broken example)"] = len(broken)
    NOTES[name] += [f"wire name differs: {w} ({n}x)" for w, n in sorted(WIRE_NAMES.items())]
    WIRE_NAMES.clear()
    NOTES[name] += [f"not replayable, the example is broken: {b}" for b in broken]
    _print(name, "requests")
    assert not refused, "\n".join(refused)
    for (spec, source), floor in FLOORS.items():
        if spec == name and "response" not in source:
            count = sum(n for k, n in SUMMARY[name, "requests"].items() if k.split(" (")[0] == source)
            assert count >= floor, (source, count)
    # a broken example is rare: the extractor reads the rest
    assert len(broken) <= max(10, len(examples) // 20)


# ----------------------------------------------------------------- responses

def _success_status(op):
    """The first 2xx status with a JSON answer, else the first 2xx (some
    document no body for answers their examples show: nothing to check)."""
    for status, resp in op.responses.items():
        if status.startswith("2") and any(is_json(mt) for mt in resp["content"]):
            return status, next(mt for mt in resp["content"] if is_json(mt))
    return next(((s, "application/json") for s in op.responses if s.startswith("2")), (None, None))


def _responses(client):
    out = []
    for op in client.spec.operations.values():
        status, mt = _success_status(op)
        for title, ex in _oai_examples(op):
            text = ex.get("response")
            if not isinstance(text, str):
                continue
            try:
                data = json.loads(text)
            except ValueError:
                continue  # an event stream or a binary answer, written as text
            if status is not None and isinstance(data, (dict, list)):
                out.append(("x-oaiMeta response", op, title, int(status), mt, data))
        for i, ex in enumerate(op.raw.get("x-fern-examples") or ()):
            body = (ex.get("response") or {}).get("body") if isinstance(ex, dict) else None
            if body is not None and status is not None:
                out.append(("x-fern-examples response", op, f"example {i + 1}", int(status), mt, body))
        for code, resp in op.responses.items():
            for media_type, media in resp["content"].items():
                if not is_json(media_type):
                    continue
                values = [("example", media.raw["example"])] if "example" in media.raw else []
                values += [(k, client.spec.resolve(e)["value"]) for k, e in (media.raw.get("examples") or {}).items()
                           if isinstance(client.spec.resolve(e), dict) and "value" in client.spec.resolve(e)]
                number = int(code) if code.isdigit() else int(code[0] + "00") if code[0].isdigit() else 200
                for key, value in values:
                    out.append(("response example", op, f"{code} {key}", number, media_type, value))
    return out


@pytest.mark.parametrize("name", BUNDLED)
def test_documented_answers_pass_response_validation(clients, name):
    client = clients[name]
    failed = []
    drifted = 0
    for source, op, title, status, mt, data in _responses(client):
        check = check_response(op, status, mt, data)
        if check.problems:
            failed.append(f"{source} {op.operation_id} {title}: " + "; ".join(map(str, check.problems)))
        if check.drift:
            drifted += 1
            NOTES[name].append(f"drift accepted in {op.operation_id} {title!r}: "
                               + "; ".join(map(str, check.drift[:3])) + (" ..." if len(check.drift) > 3 else ""))
        SUMMARY[name, "answers"][source] += 1
    SUMMARY[name, "answers"]["with drift"] += drifted
    _print(name, "answers")
    assert not failed, "\n".join(failed)
    for (spec, source), floor in FLOORS.items():
        if spec == name and "response" in source:
            assert SUMMARY[name, "answers"][source] >= floor, (source, SUMMARY[name, "answers"][source])


def test_wrong_types_in_documented_answers_are_still_caught(clients):
    """The lenient reading that accepts the documented answers is no free pass."""
    op = clients["openai"].operation("listAssistants")
    example = json.loads(next(ex["response"] for _, ex in _oai_examples(op)))
    assert check_response(op, 200, "application/json", example).problems == []
    example["data"][0]["created_at"] = "yesterday"
    problems = check_response(op, 200, "application/json", example).problems
    assert [p.location for p in problems] == ["response.body.data[0].created_at"]


def test_example_repairs_are_recorded(clients):
    """The repairs made so the documented examples pass are in spec.repairs,
    with their pointer and why; printed with the counts."""
    repairs = clients["openai"].spec.repairs
    overlay = [r for r in repairs if "overlay-openai.yaml" in r.action]
    unions = [r for r in repairs if r.action.startswith("oneOf alternatives")]
    assert any(r.pointer == "#/components/schemas/InputImageContent" for r in overlay)
    assert any("CreateEvalItem" in r.pointer or "transcriptions" in r.pointer for r in unions)
    for name in BUNDLED:
        spec_repairs = clients[name].spec.repairs
        NOTES[name].insert(0, f"{len(spec_repairs)} repairs in all, "
                              f"{sum(r.action.startswith('oneOf alternatives') for r in spec_repairs)} oneOf read as anyOf, "
                              f"{sum('(overlay ' in r.action for r in spec_repairs)} from an overlay")
        for r in spec_repairs:
            if r.action.startswith("oneOf alternatives") or "(overlay " in r.action:
                NOTES[name].append(f"repair {r.pointer}: {r.action}")
        _print(name, "repairs")


def _replay_request(client, example):
    source, op, title, params, body, check, content_type = example
    kwargs = _fill(op, params)
    if body is model._NO_DEFAULT:
        return None  # parameter examples: checked above, never repaired
    kwargs["body"] = body
    if content_type:
        kwargs["content_type"] = content_type
    try:
        prepared = client.prepare(op.operation_id, **kwargs)
        if check is not None:
            check(prepared)
    except Exception as exc:  # noqa: BLE001 - the reason is what gets printed
        return str(exc).replace("\n", " ")
    return None


def _reachable(doc, node, seen):
    """The ``#/components/...`` pointers a node reaches through ``$ref``s."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
                seen.add(ref)
                target = doc
                for part in ref[2:].split("/"):
                    target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
                stack.append(target)
            stack.extend(v for k, v in node.items() if k != "$ref")
        elif isinstance(node, list):
            stack.extend(node)
    return seen


@pytest.mark.parametrize("name", ("openai", "cohere"))
def test_the_repairs_each_example_needed(clients, name, monkeypatch):
    """Replay the examples on the same document without the repairs made for
    them (the oneOf rule off, no overlay): what each refused example needed
    is printed, and every overlay change serves at least one example."""
    yaml = pytest.importorskip("yaml")
    from openapi_dyn._spec import bundled
    from openapi_dyn._spec import repair as repair_module

    client = clients[name]
    text = bundled.get(name).path().read_text(encoding="utf-8")
    raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    monkeypatch.setattr(repair_module._Repairer, "_fix_overlapping_one_of", lambda self, ptr, schema: None)
    bare = Client(raw, cache=False)
    candidates = [r for r in client.spec.repairs
                  if r.action.startswith("oneOf alternatives") or "(overlay " in r.action]
    examples, _ = _requests(bare, name)
    refused = []
    for example in examples:
        reason = _replay_request(bare, example)
        if reason:
            refused.append((example[1], "request", example[2], reason))
    for source, op, title, status, mt, data in _responses(bare):
        check = check_response(op, status, mt, data)
        if check.problems:
            refused.append((op, "answer", title, "; ".join(map(str, check.problems))))
    served = set()
    for op, kind, title, reason in refused:
        part = op.raw.get("requestBody") if kind == "request" else op.raw.get("responses")
        reached = _reachable(bare.spec.document, part, set())
        needed = [r for r in candidates if r.pointer.startswith(op.pointer + "/") or any(
            r.pointer == p or r.pointer.startswith(p + "/") for p in reached)]
        served.update(r.pointer for r in needed)
        print(f"{name} {op.operation_id} {kind} {title!r} is refused without them: {reason[:300]}")
        for r in needed:
            print(f"    repair on its schemas: {r.pointer}")
        assert needed, f"{op.operation_id} {title}: refused without the example repairs, yet none is on its schemas"
    print(f"== {name}: {len(refused)} documented examples are refused without the "
          f"{len(candidates)} repairs made for them")
    overlay_pointers = [r.pointer for r in candidates if "(overlay " in r.action and "example" in r.action]
    assert set(overlay_pointers) <= served, set(overlay_pointers) - served


def _print(name, what):
    """The counts and notes so far (shown by ``pytest -rA``)."""
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(SUMMARY[name, what].items()))
    print(f"== {name} {what}" + (f": {counts}" if counts else ""))
    for note in NOTES.pop(name, []):
        print("   " + note)


def test_curl_form_fields_become_a_multipart_body(clients):
    client = clients["openai"]
    op = client.operation("createTranscription")
    params, body = example_from_curl(op, (
        "curl https://api.openai.com/v1/audio/transcriptions -H 'Authorization: Bearer $OPENAI_API_KEY' "
        "-F file=@/path/to/meeting.wav -F model=gpt-4o-transcribe -F temperature=0.5 -F stream=true "
        "-F 'include[]=logprobs' -F 'known_speaker_references[]=data:audio/wav;base64,AAA'"))
    assert params == {}
    assert body == {"file": ("meeting.wav", b""), "model": "gpt-4o-transcribe", "temperature": 0.5,
                    "stream": True, "include": ["logprobs"],
                    "known_speaker_references": ["data:audio/wav;base64,AAA"]}
    op = client.operation("createFile")
    _, body = example_from_curl(op, (
        "curl https://api.openai.com/v1/files -F purpose=batch -F 'file=@x.jsonl;type=application/jsonl' "
        "-F 'expires_after[anchor]=created_at' -F 'expires_after[seconds]=3600'"))
    assert body == {"purpose": "batch", "file": ("x.jsonl", b"", "application/jsonl"),
                    "expires_after": {"anchor": "created_at", "seconds": 3600}}
    prepared = client.prepare("createFile", body=body)
    fields = _multipart_fields(prepared)
    assert fields["expires_after[seconds]"] == [(None, "3600")] and fields["file"][0][0] == "x.jsonl"
    op = client.operation("create-realtime-call")
    _, body = example_from_curl(op, (
        "curl -X POST https://api.openai.com/v1/realtime/calls -F 'sdp=<offer.sdp;type=application/sdp' "
        "-F 'session={\"type\":\"realtime\"};type=application/json'"))
    assert body == {"sdp": "", "session": {"type": "realtime"}}
    # a shell variable for a path segment, an empty -d, another endpoint
    op = client.operation("hangup-realtime-call")
    params, body = example_from_curl(op, "curl -X POST https://api.openai.com/v1/realtime/calls/$CALL_ID/hangup -d ''")
    assert params == {"call_id": "CALL_ID"} and body is model._NO_DEFAULT
    assert example_from_curl(op, "curl https://api.openai.com/v1/files -F file=@x") is None

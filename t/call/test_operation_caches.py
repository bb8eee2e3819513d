"""Per-operation caches (OperationCaches): each field is built once, by its
owner, and threads that race to build it all get the one value kept."""
import threading
from pathlib import Path

from openapi_dyn import Client
from openapi_dyn._spec.operation import OperationCaches
from openapi_dyn._call.request import Binder, binder_for
from openapi_dyn._call.validation import OperationValidator, validator_for
from openapi_dyn._http.wire import accept_of
from openapi_dyn.reference._model import document_operation


TOY = Path(__file__).resolve().parents[1] / "data" / "toy.yaml"


def _operation():
    return Client(str(TOY)).operation("listPets")


def test_each_owner_fills_its_own_field_once():
    op = _operation()
    caches = op.caches
    assert isinstance(caches, OperationCaches)
    assert (caches.validator, caches.binder, caches.accept_header, caches.reference_doc) == (None,) * 4
    v, b, a, d = validator_for(op), binder_for(op), accept_of(op), document_operation(op)
    assert isinstance(v, OperationValidator) and isinstance(b, Binder) and isinstance(a, str)
    assert (caches.validator, caches.binder, caches.accept_header, caches.reference_doc) == (v, b, a, d)
    assert validator_for(op) is v and binder_for(op) is b and document_operation(op) is d
    assert "validator" in repr(caches) and "listPets" in repr(caches)


def test_threads_building_at_once_share_the_value_kept():
    op = _operation()
    n = 8
    barrier = threading.Barrier(n, timeout=30)
    built, got = [], []

    def build(operation):
        value = object()
        built.append(value)
        return value

    def worker():
        barrier.wait()
        got.append(op.caches.binder_or(build))

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(got) == n and built
    assert all(g is got[0] for g in got) and got[0] is op.caches.binder and got[0] in built

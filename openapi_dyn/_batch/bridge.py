"""Many calls through a vendor's batch engine, handed back as if each had
been made live.

    with client.batch(state="run1.batch.json") as b:
        h = b.createChatCompletion(body={...})      # validated now, like a live call
    b.wait()
    h.result()                                      # the answer, or the APIError it would raise

A :class:`Batch` validates every queued call exactly as
:meth:`Client.prepare <openapi_dyn.Client.prepare>` does (it *is* a
``prepare()`` call), gives it a ``custom_id`` and appends it to a local
request file, one line at a time: memory does not grow with the requests'
size.  The file is split into *chunks* whenever the next line would pass the
vendor's request-count or byte limit.  Submitting uploads and creates one
vendor batch per chunk; waiting polls them, downloads their result files as
they end and maps every result line back to its handle by ``custom_id``.

Everything needed to carry on is kept in a state file (see
:mod:`._batch_state`), written atomically before and after every step, so
:meth:`Batch.resume` in another process continues where a dead one stopped:
nothing is uploaded, created or collected twice (:mod:`._batch_submit` says
how a step left in doubt is settled with the vendor).

The work is split by job: :mod:`._batch_build` queues calls and writes the
chunk files, :mod:`._batch_submit` uploads and creates, :mod:`._batch_poll`
polls and waits, :mod:`._batch_read` maps the results back; :class:`Batch`
puts them together.

Which operations a vendor's batch endpoint accepts, its limits and its wire
protocol come from the ``batch`` section of the vendor profile
(:mod:`._batch_protocols`); a spec whose profile has none cannot batch.
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .build import BatchHandle, Building
from .poll import Polling
from .protocols import BatchRules, protocol_for
from .read import Reading
from .state import BatchState
from .submit import Submitting
from .._errors import BatchError, UsageError

__all__ = ["Batch", "BatchHandle", "batch_rules"]

#: Keys of a caller's ``metadata=`` (OpenAI takes 16; the run and chunk take two).
MAX_METADATA = 14


def batch_rules(client) -> BatchRules:
    """The vendor's batch conventions, or :class:`UsageError` when its profile has none."""
    raw = client.profile.raw.get("batch") if isinstance(client.profile.raw, Mapping) else None
    if not raw:
        raise UsageError(f"the {client.profile.name or 'spec'}'s profile has no batch section: this API "
                         f"has no batch engine openapi_dyn knows (see docs/batch.md)")
    return BatchRules(raw)


class Batch(Building, Submitting, Polling, Reading):
    """A batch run; made by :meth:`Client.batch` or :meth:`Client.batch_resume`.

    :param endpoint: the vendor's batch endpoint (``"/v1/chat/completions"``);
        by default that of the first queued call.  One run, one endpoint.
    :param completion_window: OpenAI's ``"24h"`` (the default); Anthropic has none.
    :param state: the state file; by default a new file in the user's data
        directory (``b.state_path`` says which).
    :param metadata: sent with each created batch (OpenAI).
    :param max_requests, max_bytes: split below the vendor's limits.
    """

    def __init__(self, client, *, endpoint: Optional[str] = None, completion_window: Optional[str] = None,
                 state: Any = None, metadata: Optional[Mapping[str, str]] = None,
                 max_requests: Optional[int] = None, max_bytes: Optional[int] = None,
                 _state: Optional[BatchState] = None):
        self.client = client
        self.rules = batch_rules(client)
        self.protocol = protocol_for(client, self.rules)
        self._handles: List[BatchHandle] = []
        self._chunk_of: Dict[str, int] = {}   # custom_id -> index of the chunk holding its latest request
        self._writer = None
        self._index: Optional[Dict[str, Tuple[int, str, int]]] = None
        self._shown: Optional[str] = None
        if _state is not None:
            self._state = _state
            self._load_handles()
            return
        rules = self.rules
        if endpoint is not None and endpoint not in rules.endpoints.values():
            raise UsageError(f"endpoint={endpoint!r}: the batch endpoint takes one of "
                             f"{', '.join(sorted(set(rules.endpoints.values())))}")
        if rules.completion_windows:
            window = completion_window or rules.completion_windows[0]
            if window not in rules.completion_windows:
                raise UsageError(f"completion_window={window!r}: the vendor offers "
                                 f"{', '.join(rules.completion_windows)}")
        elif completion_window is not None:
            raise UsageError(f"completion_window=: {client.profile.name}'s batches take none")
        else:
            window = None
        for name, value, limit in (("max_requests", max_requests, rules.max_requests),
                                   ("max_bytes", max_bytes, rules.max_bytes)):
            if value is not None and not (isinstance(value, int) and 0 < value <= limit):
                raise UsageError(f"{name}={value!r}: must be a whole number from 1 to the vendor's {limit}")
        if metadata and rules.protocol == "openai-files" and len(metadata) > MAX_METADATA:
            raise UsageError(f"metadata= holds {len(metadata)} keys; a batch takes 16, two of which name the "
                             f"run and chunk (how a resume finds it): give at most {MAX_METADATA}")
        header = {"spec": client.spec.bundled_name or client.spec.origin, "profile": client.profile.name,
                  "protocol": rules.protocol, "endpoint": endpoint, "completion_window": window,
                  "operation": None, "metadata": dict(metadata or {}) or None,
                  "max_requests": max_requests or rules.max_requests, "max_bytes": max_bytes or rules.max_bytes}
        self._state = BatchState.create(state, header)

    # ------------------------------------------------------------ surface
    @property
    def state_path(self) -> Path:
        """The state file: give it to :meth:`Client.batch_resume` to carry on."""
        return self._state.path

    @property
    def handles(self) -> List[BatchHandle]:
        """Every queued call, in the order queued."""
        return list(self._handles)

    def __len__(self) -> int:
        return len(self._handles)

    def __repr__(self) -> str:
        return (f"<Batch {self.rules.protocol} {self._state.data.get('endpoint')}: {len(self._handles)} "
                f"requests in {len(self._state.chunks)} chunk(s), {self.status}; state {self.state_path}>")

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        op = self.client.operation(name)  # UnknownOperationError is an AttributeError
        method = self.__dict__[name] = functools.partial(self.call, op.operation_id)
        return method

    def __enter__(self) -> "Batch":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.submit()
        elif not self._state.data["submitted"]:
            self.discard()

    def close(self) -> None:
        """Let another process carry on with this run: the lock on its state
        is released (also when this object is collected, or the process ends)."""
        self._state.unlock()

    # ------------------------------------------------------------ resuming
    @classmethod
    def resume(cls, client, path: Any, adopt: Optional[Mapping[int, str]] = None) -> "Batch":
        """The run recorded in the state file ``path``, ready to :meth:`wait`
        and collect; nothing already submitted is submitted again.
        ``adopt={chunk index: batch id}`` settles a creation the vendor could
        not confirm (the :class:`BatchError` of a resume says when)."""
        state = BatchState.load(path)
        data = state.data
        rules = batch_rules(client)
        if data.get("protocol") != rules.protocol or data.get("profile") != client.profile.name:
            raise BatchError(f"{state.path} holds a batch for {data.get('profile')} ({data.get('protocol')}); "
                             f"this client speaks {client.profile.name} ({rules.protocol})")
        if not data.get("submitted"):
            raise BatchError(f"{state.path} was never submitted (the process stopped while queuing): "
                             f"nothing was sent; build the batch again")
        state.lock()
        batch = cls(client, _state=state)
        if adopt:
            batch._adopt(adopt)
        return batch

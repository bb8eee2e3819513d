"""Masking of log records: every logger the client's stack writes to.

urllib3 logs request lines with their query strings (``"GET /geocode?key=...
HTTP/1.1" 200``), retries with the URL, and broken connections; a key that a
spec puts in the query string would reach any log that records DEBUG.
:class:`LogMasker` applies :func:`.redact.mask_text` to every record, message
and logged traceback, of the loggers under :data:`MASKED_LOGGERS`;
:func:`protect_loggers` adds more (an async HTTP library's ``httpx`` and
``httpcore``, say).  Imported by the transport only: a process that never
sends does not import :mod:`logging` for it.

The filter is one per process (a logger's filters are process-wide), but
what it masks is not: each transport (so each client) that sends registers
its secrets under itself, held by a weak reference, and they are forgotten
when it is collected.  A service that makes a client per tenant pays, per
record, for the clients alive now, not for every client it ever made; and
one client's set is bounded too (:data:`MAX_SECRETS_PER_OWNER`, the ones
sent least recently dropped first: a secret still in use is registered again
on its next call).
"""
from __future__ import annotations

import logging
import threading
import weakref
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from .._call.redact import MIN_SUBSTRING, SecretPlaces, mask_text, ordered_masks

#: Loggers (and all their descendants) whose records are masked.
MASKED_LOGGERS: List[str] = ["urllib3", "requests", "openapi_dyn"]

#: The most secret values (and query names) one owner keeps registered.
MAX_SECRETS_PER_OWNER = 256


class _Owned:
    """One owner's secrets, as insertion-ordered sets (dicts) so the oldest
    go first when the bound is reached."""

    __slots__ = ("values", "query")

    def __init__(self) -> None:
        self.values: Dict[str, None] = {}
        self.query: Dict[str, None] = {}


def _add(into: Dict[str, None], items: Iterable[str]) -> bool:
    changed = False
    for item in items:
        if item in into:
            continue
        into[item] = None
        changed = True
        while len(into) > MAX_SECRETS_PER_OWNER:
            del into[next(iter(into))]
    return changed


class LogMasker(logging.Filter):
    """A logging filter that masks, in the message and in a logged
    exception's text, every secret registered by an owner still alive
    (:meth:`remember`).

    Filters on a logger apply to the records that logger creates, not to
    those of its children, so :func:`protect_loggers` puts this one on every
    logger under each name of :data:`MASKED_LOGGERS`."""

    def __init__(self) -> None:
        super().__init__("openapi_dyn._call.redact")
        self._owners: "weakref.WeakKeyDictionary[Any, _Owned]" = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._version = 0
        # (version, owners alive) -> (values longest first, query names)
        self._masks: Tuple[Tuple[int, int], List[str], Tuple[str, ...]] = ((0, 0), [], ())

    def remember(self, places: Optional[SecretPlaces], owner: Any = None) -> None:
        """Register the secrets of ``places`` under ``owner`` (any object
        that takes a weak reference; by default this filter itself, which
        lives as long as the process: for secrets with no owner)."""
        if not places:
            return
        values = [v for v in places.values if v and len(v) >= MIN_SUBSTRING]
        query = list(places.query)
        if not (values or query):
            return
        key = self if owner is None else owner
        owned = self._owners.get(key)
        if owned is not None and all(v in owned.values for v in values) and \
                all(q in owned.query for q in query):
            return
        with self._lock:
            owned = self._owners.get(key)
            if owned is None:
                owned = self._owners[key] = _Owned()
            changed = _add(owned.values, values) | _add(owned.query, query)
            if changed:
                self._version += 1
        if changed:
            protect_loggers()  # loggers created since (a module imported late)

    def forget(self, owner: Any) -> None:
        """Drop what ``owner`` registered (a closed client's transport)."""
        with self._lock:
            if self._owners.pop(owner, None) is not None:
                self._version += 1

    @property
    def values(self) -> frozenset:
        """Every secret value registered by an owner alive now."""
        return frozenset(v for owned in list(self._owners.values()) for v in owned.values)

    @property
    def query(self) -> frozenset:
        """Every secret query parameter name registered by an owner alive now."""
        return frozenset(q for owned in list(self._owners.values()) for q in owned.query)

    def _current(self) -> Tuple[List[str], Tuple[str, ...]]:
        key = (self._version, len(self._owners))
        masks = self._masks
        if masks[0] != key:
            with self._lock:
                owners = list(self._owners.values())
                values = {v for owned in owners for v in owned.values}
                query = tuple(sorted({q for owned in owners for q in owned.query}))
                masks = self._masks = ((self._version, len(self._owners)), ordered_masks(values), query)
        return masks[1], masks[2]

    def mask(self, text: str) -> str:
        values, query = self._current()
        return mask_text(text, query=query, ordered=values)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._owners:
            return True
        values, query = self._current()
        if not (values or query):
            return True
        try:
            text = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        masked = mask_text(text, query=query, ordered=values)
        if masked != text:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            masked = mask_text(record.exc_text, query=query, ordered=values)
            if masked != record.exc_text:
                # handlers format exc_text when set; the exception object,
                # whose message holds the secret, is not handed on
                record.exc_text, record.exc_info = masked, None
        return True


log_masker = LogMasker()


def _loggers_under(prefix: str) -> Iterator[logging.Logger]:
    yield logging.getLogger(prefix)
    dotted = prefix + "."
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith(dotted) and isinstance(logger, logging.Logger):
            yield logger


def protect_loggers(names: Iterable[str] = ()) -> None:
    """Put :data:`log_masker` on every existing logger under each of
    ``names`` (added to :data:`MASKED_LOGGERS`) and under the names already
    there.  Called when a transport is made and when a new secret is first
    sent, so loggers created by modules imported later are covered too."""
    for name in names:
        if name not in MASKED_LOGGERS:
            MASKED_LOGGERS.append(name)
    for prefix in list(MASKED_LOGGERS):
        for logger in _loggers_under(prefix):
            if log_masker not in logger.filters:
                logger.addFilter(log_masker)


def masked_loggers() -> Tuple[str, ...]:
    """The names of the loggers whose records are masked now: the defaults
    (``urllib3``, ``requests``, ``openapi_dyn``) and those added by
    :func:`protect_loggers`.  A copy: add names with :func:`protect_loggers`."""
    return tuple(MASKED_LOGGERS)

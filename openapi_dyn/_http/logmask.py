"""Masking of log records: every logger the client's stack writes to.

urllib3 logs request lines with their query strings (``"GET /geocode?key=...
HTTP/1.1" 200``), retries with the URL, and broken connections; a key that a
spec puts in the query string would reach any log that records DEBUG.
:class:`LogMasker` applies :func:`.redact.mask_text` to every record, message
and logged traceback, of the loggers under :data:`MASKED_LOGGERS`;
:func:`protect_loggers` adds more (an async HTTP library's ``httpx`` and
``httpcore``, say).  Imported by the transport only: a process that never
sends does not import :mod:`logging` for it.
"""
from __future__ import annotations

import logging
import threading
from typing import Iterable, Iterator, List, Optional, Tuple

from .._call.redact import MIN_SUBSTRING, SecretPlaces, mask_text

#: Loggers (and all their descendants) whose records are masked.
MASKED_LOGGERS: List[str] = ["urllib3", "requests", "openapi_dyn"]


class LogMasker(logging.Filter):
    """A logging filter that masks, in the message and in a logged exception's
    text, every secret this process has sent (:meth:`remember`).

    Filters on a logger apply to the records that logger creates, not to
    those of its children, so :func:`protect_loggers` puts this one on every
    logger under each name of :data:`MASKED_LOGGERS`."""

    def __init__(self) -> None:
        super().__init__("openapi_dyn._call.redact")
        self.values: set = set()
        self.query: set = set()
        self._lock = threading.Lock()

    def remember(self, places: Optional[SecretPlaces]) -> None:
        if not places:
            return
        new_values = {v for v in places.values if v and len(v) >= MIN_SUBSTRING} - self.values
        new_query = set(places.query) - self.query
        if new_values or new_query:
            with self._lock:
                self.values = self.values | new_values
                self.query = self.query | new_query
            protect_loggers()  # loggers created since (a module imported late)

    def mask(self, text: str) -> str:
        return mask_text(text, self.values, self.query)

    def filter(self, record: logging.LogRecord) -> bool:
        if not (self.values or self.query):
            return True
        try:
            text = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        masked = self.mask(text)
        if masked != text:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            masked = self.mask(record.exc_text)
            if masked != record.exc_text:
                # handlers format exc_text when set; the exception object,
                # whose message holds the secret, is not handed on
                record.exc_text, record.exc_info = masked, None
        return True


log_masker = LogMasker()
_protected: set = set()


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
            if id(logger) not in _protected:
                _protected.add(id(logger))
                logger.addFilter(log_masker)


def masked_loggers() -> Tuple[str, ...]:
    """The names of the loggers whose records are masked now: the defaults
    (``urllib3``, ``requests``, ``openapi_dyn``) and those added by
    :func:`protect_loggers`.  A copy: add names with :func:`protect_loggers`."""
    return tuple(MASKED_LOGGERS)

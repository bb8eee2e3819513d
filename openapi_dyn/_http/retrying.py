"""When to send a request again, and how long to wait first: one answer for
the synchronous and the asynchronous transport, so they cannot drift apart.

*Which* failures are retried is the vendor profile's
:class:`~openapi_dyn._spec.profile.RetryRules` (statuses, methods, the
idempotency header, the server's ``x-should-retry`` hint).  *How long* to
wait is :class:`RetryTiming`: what ``retry-after-ms`` (milliseconds, sent by
OpenAI and Azure) or ``Retry-After`` (seconds or an HTTP date) asks, capped
at ``retry_after_max``; otherwise, or when the header is unreadable or
``0``, an exponential backoff ``backoff_factor * 2 ** (n - 1)`` plus up to
``backoff_jitter`` seconds of jitter, at most ``backoff_max``.

:class:`Attempts` is the state of one call: how many attempts were made, and
for each failure whether another is allowed and after what wait.  A
transport asks it after every failed attempt and sleeps the way its world
sleeps (``time.sleep`` or the event loop's).  Every wait is logged at INFO on
the ``openapi_dyn`` logger with the figures in the record (``retry_wait``,
``retry_source``).
"""
from __future__ import annotations

import email.utils
import logging
import random
import time
from typing import Mapping, Optional, Tuple

log = logging.getLogger("openapi_dyn")

#: How a connection failure happened: the request never reached the server
#: (always safe to send again), or it may have (only repeatable requests).
CONNECT, READ = "connect", "read"


class RetryTiming:
    """The waiting figures; a transport is one (``client.transport``), and
    they can be tuned on it: ``backoff_factor`` (0.5 s), ``backoff_max``
    (8 s), ``backoff_jitter`` (0.25 s), ``retry_after_max`` (60 s)."""

    backoff_factor = 0.5
    backoff_max = 8.0
    backoff_jitter = 0.25
    retry_after_max = 60.0

    def backoff(self, failures: int) -> float:
        """The wait after the ``failures``-th failure in a row."""
        if failures <= 0:
            return 0.0
        delay = self.backoff_factor * (2 ** (failures - 1))
        if self.backoff_jitter:
            delay += random.random() * self.backoff_jitter
        return float(max(0.0, min(self.backoff_max, delay)))

    def retry_after(self, headers: Mapping[str, str]) -> Optional[float]:
        """What the answer's headers ask for, in seconds (capped), or ``None``
        when they ask nothing readable."""
        ms = headers.get("retry-after-ms")
        if ms is not None:
            try:
                return max(0.0, min(float(ms) / 1000.0, self.retry_after_max))
            except ValueError:
                pass
        value = headers.get("Retry-After")
        if value is None:
            return None
        value = value.strip()
        try:
            seconds = float(value) if value.isdigit() else None
        except ValueError:
            seconds = None
        if seconds is None:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                return None
            if when is None:
                return None
            seconds = when.timestamp() - time.time()
        return max(0.0, min(seconds, self.retry_after_max))

    def wait_for(self, failures: int, headers: Optional[Mapping[str, str]] = None) -> Tuple[float, str]:
        """``(seconds, source)``: the server's hint when it gives a positive
        one, else the backoff."""
        if headers is not None:
            hinted = self.retry_after(headers)
            if hinted:
                return hinted, "Retry-After"
        return self.backoff(failures), "backoff"


class Attempts:
    """One call's attempts: ask :meth:`after_status` or :meth:`after_error`
    after a failure; each returns the seconds to wait before the next
    attempt, or ``None`` when there is to be none."""

    __slots__ = ("rules", "timing", "retries", "method", "request_headers", "repeatable",
                 "replayable", "made", "url")

    def __init__(self, rules, timing: RetryTiming, retries: int, method: str,
                 request_headers: Mapping[str, str], replayable: bool = True, url: str = ""):
        self.rules = rules
        self.timing = timing
        self.retries = retries if replayable else 0
        self.method = method
        self.request_headers = request_headers
        self.repeatable = rules.may_repeat(method, request_headers)
        self.replayable = replayable
        self.made = 1
        self.url = url.split("?", 1)[0]  # query strings may carry API keys

    @property
    def left(self) -> int:
        return self.retries - (self.made - 1)

    def after_status(self, status: int, headers: Mapping[str, str]) -> Optional[float]:
        """A non-2xx answer came: retry it?"""
        if self.left <= 0 or not self.rules.retry_status(self.method, status, headers, self.request_headers):
            return None
        wait, source = self.timing.wait_for(self.made, headers)
        return self._next(wait, source, f"status {status}")

    def after_error(self, how: str, error: BaseException) -> Optional[float]:
        """The connection failed (``how`` is :data:`CONNECT` or :data:`READ`):
        retry?  A request that may not be repeated is sent again only when
        it never reached the server."""
        if self.left <= 0 or (how == READ and not self.repeatable):
            return None
        wait, source = self.timing.wait_for(self.made)
        return self._next(wait, source, type(error).__name__)

    def _next(self, wait: float, source: str, why: str) -> float:
        log.info("retrying %s %s after %s: waiting %.3f s (%s)", self.method, self.url, why, wait, source,
                 extra={"retry_wait": wait, "retry_source": source})
        self.made += 1
        return wait

"""Iterating every item of a paginated list operation.

An operation is *paginated* when the spec says all of this:

* its success answer (the first 2xx response with a JSON body) is an object
  with an array property ``data`` and a property ``has_more``;
* it takes a cursor as a query parameter, either
  - ``after`` (or ``starting_after``): the next page starts after the item
    whose id is passed.  The cursor for the next page is the answer's
    ``next`` field when it has one (OpenAI's role and group lists), else its
    ``last_id``, else the ``id`` of the last item of ``data``; or
  - ``page``, with a ``next_page`` field in the answer that holds the token
    of the next page (OpenAI's usage reports).

That covers the OpenAI spec's list operations (``listAssistants``,
``listFiles``, ``listMessages``, ``list-groups``, ``usage-completions``...).
Pages are fetched one at a time, only when the loop needs the next item, and
iteration stops when ``has_more`` is false, a page is empty, or no cursor for
the next page can be found.  Every other argument (``limit``, ``order``,
filters, ``headers``, ``timeout``, ``max_retries``...) is sent with every
page; a cursor given by the caller is where the first page starts.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, Iterator, Mapping, Optional, Tuple

from .errors import UsageError

log = logging.getLogger("openapi_dyn")

__all__ = ["Paginator", "PaginationRule", "pagination_rule"]

_AFTER_NAMES = ("after", "starting_after")


class PaginationRule:
    """How one operation pages: ``kind`` is ``"after"`` (item-id cursor) or
    ``"page"`` (page token); ``param`` the query parameter carrying it."""

    __slots__ = ("kind", "param")

    def __init__(self, kind: str, param):
        self.kind = kind
        self.param = param

    def next_cursor(self, page: Mapping[str, Any]) -> Optional[str]:
        if self.kind == "page":
            token = page.get("next_page")
            return token if token not in (None, "") else None
        for key in ("next", "last_id"):
            value = page.get(key)
            if isinstance(value, str) and value:
                return value
        data = page.get("data") or []
        last = data[-1] if data else None
        if isinstance(last, Mapping) and last.get("id") not in (None, ""):
            return str(last["id"])
        return None

    def __repr__(self) -> str:
        return f"<PaginationRule {self.kind} via query.{self.param.name}>"


def _properties(spec, schema: Any, depth: int = 0) -> Dict[str, Any]:
    """The properties of an object schema, ``allOf`` members merged."""
    schema = spec.resolve(schema)
    if not isinstance(schema, dict) or depth > 8:
        return {}
    props: Dict[str, Any] = {}
    for member in schema.get("allOf") or []:
        props.update(_properties(spec, member, depth + 1))
    for name, sub in (schema.get("properties") or {}).items():
        props[name] = spec.resolve(sub)
    return props


def _success_properties(operation) -> Tuple[Optional[str], Dict[str, Any]]:
    from .operation import is_json

    for status, resp in operation.responses.items():
        if not status.startswith("2"):
            continue
        for mt, media in resp["content"].items():
            if is_json(mt):
                return status, _properties(operation.spec, media.schema)
    return None, {}


def _analyse(operation) -> Tuple[Optional[PaginationRule], str]:
    status, props = _success_properties(operation)
    if status is None:
        return None, "it has no JSON success answer"
    data = props.get("data")
    if not (isinstance(data, dict) and (data.get("type") == "array" or "items" in data)):
        return None, f"its {status} answer has no array field 'data'"
    if "has_more" not in props:
        return None, f"its {status} answer has no 'has_more' field"
    query = {p.name: p for p in operation.parameters if p.location == "query"}
    for name in _AFTER_NAMES:
        if name in query:
            return PaginationRule("after", query[name]), ""
    if "page" in query and "next_page" in props:
        return PaginationRule("page", query["page"]), ""
    return None, "it takes no cursor query parameter ('after', 'starting_after', or 'page' with 'next_page')"


def pagination_rule(operation) -> Optional[PaginationRule]:
    """The :class:`PaginationRule` of ``operation``, or ``None`` when it is
    not paginated (cached on the operation)."""
    return operation.memo("_pagination", _analyse)[0]


class Paginator:
    """Lazy iteration over every item of every page (see the module
    docstring).  Nothing is sent until the loop starts; each iteration
    starts again from the first page."""

    def __init__(self, client, operation, kwargs: Dict[str, Any]):
        rule = pagination_rule(operation)
        if rule is None:
            why = operation.memo("_pagination", _analyse)[1]
            raise UsageError(f"{operation.operation_id} is not a paginated list operation: {why}; "
                             f"use call() instead")
        self.client = client
        self.operation = operation
        self.rule = rule
        self.kwargs = dict(kwargs)
        # The caller may have named the cursor any way the binder accepts
        # ("after", "query.after", an alias): take it out, it is set per page.
        from .request import binder_for

        index = binder_for(operation).index
        self.start: Any = None
        for key in list(self.kwargs):
            if index.get(key) is rule.param:
                self.start = self.kwargs.pop(key)
        self.pages_fetched = 0

    def pages(self) -> Iterator[Dict[str, Any]]:
        """Each page's decoded answer (``{"data": [...], "has_more": ...}``)."""
        cursor = self.start
        seen = set()
        while True:
            args = dict(self.kwargs)
            if cursor is not None:
                args[self.rule.param.qualified_name] = cursor
            page = self.client.call(self.operation.operation_id, **args)
            self.pages_fetched += 1
            if not isinstance(page, Mapping):
                raise UsageError(f"{self.operation.operation_id} answered {type(page).__name__}, "
                                 f"not a page object")
            yield dict(page)
            if not page.get("has_more") or not page.get("data"):
                return
            nxt = self.rule.next_cursor(page)
            if nxt is None:
                return
            if nxt in seen or nxt == cursor:
                log.warning("%s: the server sent cursor %r again; stopping to avoid a loop",
                            self.operation.operation_id, nxt)
                return
            seen.add(nxt)
            cursor = nxt

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page.get("data") or []

    def __repr__(self) -> str:
        return f"<Paginator {self.operation.operation_id} {self.rule!r}>"

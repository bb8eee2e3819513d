"""Iterating every item of a paginated list operation.

Which operations page, and how, is a vendor convention, so it comes from the
vendor profile's ``pagination`` section (:class:`~openapi_dyn._spec.profile.PaginationRule`):
an operation is paginated by a rule when the spec says all of this:

* its success answer (the first 2xx response with a JSON body) is an object
  with an array property (the rule's ``items``, ``data`` for OpenAI and
  Anthropic) and, when the rule names one, a ``has_more`` property, and every
  property the rule ``requires``;
* it takes the rule's cursor as a query parameter (OpenAI: ``after`` or
  ``starting_after``, or ``page`` with a ``next_page`` answer field;
  Anthropic: ``after_id``).

The next cursor is the first of the rule's ``next`` fields the page holds
(``@last.id``: the ``id`` of its last item).  That covers the OpenAI spec's
list operations (``listAssistants``, ``listFiles``, ``list-groups``,
``usage-completions``...) and Anthropic's (``models_list``,
``message_batches_list``...).  A spec without a profile paginates nothing:
``Client(spec, profile={"pagination": {...}})`` says how it pages.

Pages are fetched one at a time, only when the loop needs the next item, and
iteration stops when ``has_more`` is false, a page is empty, or no cursor for
the next page can be found.  Every other argument (``limit``, ``order``,
filters, ``headers``, ``timeout``, ``max_retries``...) is sent with every
page; a cursor given by the caller is where the first page starts.
"""
from __future__ import annotations

import logging
from typing import Any, AsyncIterator, Dict, Iterator, Mapping, Optional, Tuple

from .._errors import UsageError

log = logging.getLogger("openapi_dyn")

__all__ = ["Paginator", "AsyncPaginator", "Pagination", "pagination_rule", "pagination_of"]


class Pagination:
    """How one operation pages: the profile's ``rule``, the operation's
    query parameter ``param`` that carries the cursor, and the answer's
    array field ``items`` (the rule's, or, when the rule says ``"*"``, the
    answer's one array field, or its one array of objects: Google's
    ``models``, ``files``, ``operations`` beside ``unreachable``...)."""

    __slots__ = ("rule", "param", "items")

    def __init__(self, rule, param, items=None):
        self.rule = rule
        self.param = param
        self.items = items or rule.items

    def next_cursor(self, page: Mapping[str, Any]) -> Optional[str]:
        return self.rule.next_cursor(page)

    def __repr__(self) -> str:
        return f"<Pagination via query.{self.param.name}>"


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
    from .._spec.operation import is_json

    for status, resp in operation.responses.items():
        if not status.startswith("2"):
            continue
        for mt, media in resp["content"].items():
            if is_json(mt):
                return status, _properties(operation.spec, media.schema)
    return None, {}


def _is_array(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    return kind == "array" or (isinstance(kind, list) and "array" in kind) or "items" in schema


def _is_object(spec, schema: Any) -> bool:
    schema = spec.resolve(schema)
    return isinstance(schema, dict) and (schema.get("type") == "object" or "properties" in schema)


def _analyse(operation, rules) -> Tuple[Optional[Pagination], str]:
    if not rules:
        return None, "the spec's profile says nothing about pagination"
    status, props = _success_properties(operation)
    if status is None:
        return None, "it has no JSON success answer"
    query = {p.name: p for p in operation.parameters if p.location == "query"}
    shaped, why = [], ""
    arrays = [name for name, sub in props.items() if _is_array(sub)]
    if len(arrays) > 1:  # a list of objects beside lists of names (Google's ``unreachable``)
        arrays = [name for name in arrays if _is_object(operation.spec, props[name].get("items"))] or arrays
    for rule in rules:
        if rule.items == "*":
            if len(arrays) != 1:
                why = why or f"its {status} answer has {len(arrays)} array fields, not one"
                continue
        elif rule.items not in arrays:
            why = why or f"its {status} answer has no array field {rule.items!r}"
            continue
        missing = [f for f in ((rule.has_more,) if rule.has_more else ()) + rule.requires if f not in props]
        if missing:
            why = why or f"its {status} answer has no {missing[0]!r} field"
            continue
        shaped.append(rule)
    for rule in shaped:
        if rule.param in query:
            return Pagination(rule, query[rule.param], arrays[0] if rule.items == "*" else None), ""
    if shaped:
        why = "it takes no cursor query parameter (" + ", ".join(repr(r.param) for r in shaped) + ")"
    return None, why


def pagination_of(operation, profile) -> Tuple[Optional[Pagination], str]:
    """How ``operation`` pages under ``profile`` (and why not, when it does
    not), computed once per profile."""
    cache = profile.pagination_cache
    found = cache.get(operation.operation_id)
    if found is None:
        found = cache[operation.operation_id] = _analyse(operation, profile.pagination)
    return found


def pagination_rule(operation, profile=None) -> Optional[Pagination]:
    """The :class:`Pagination` of ``operation``, or ``None`` when it is not
    paginated (under ``profile``; the bundled OpenAI one by default)."""
    if profile is None:
        from .._spec.profile import bundled_profile

        profile = bundled_profile("openai")
    return pagination_of(operation, profile)[0]


class Paginator:
    """Lazy iteration over every item of every page (see the module
    docstring).  Nothing is sent until the loop starts; each iteration
    starts again from the first page."""

    def __init__(self, client, operation, kwargs: Dict[str, Any]):
        rule, why = pagination_of(operation, client.profile)
        if rule is None:
            raise UsageError(f"{operation.operation_id} is not a paginated list operation: {why}; "
                             f"use call() instead")
        self.client = client
        self.operation = operation
        self.rule = rule
        self.kwargs = dict(kwargs)
        # The caller may have named the cursor any way the binder accepts
        # ("after", "query.after", an alias): take it out, it is set per page.
        from .._call.request import binder_for

        index = binder_for(operation).index
        self.start: Any = None
        for key in list(self.kwargs):
            if index.get(key) is rule.param:
                self.start = self.kwargs.pop(key)
        self.pages_fetched = 0

    def pages(self) -> Iterator[Dict[str, Any]]:
        """Each page's decoded answer (``{"data": [...], "has_more": ...}``)."""
        cursor = self.start
        seen: set = set()
        while True:
            page = self._checked(self.client.call(self.operation.operation_id, **self._args(cursor)))
            yield page
            cursor = self._next(page, cursor, seen)
            if cursor is None:
                return

    def _args(self, cursor: Any) -> Dict[str, Any]:
        args = dict(self.kwargs)
        if cursor is not None:
            args[self.rule.param.qualified_name] = cursor
        return args

    def _checked(self, page: Any) -> Dict[str, Any]:
        self.pages_fetched += 1
        if not isinstance(page, Mapping):
            raise UsageError(f"{self.operation.operation_id} answered {type(page).__name__}, "
                             f"not a page object")
        return dict(page)

    def _next(self, page: Mapping[str, Any], cursor: Any, seen: set) -> Any:
        """The cursor of the page after ``page``, or ``None`` at the end."""
        items_field, more_field = self.rule.items, self.rule.rule.has_more
        if (more_field and not page.get(more_field)) or not page.get(items_field):
            return None
        nxt = self.rule.next_cursor(page)
        if nxt is None:
            return None
        if nxt in seen or nxt == cursor:
            log.warning("%s: the server sent cursor %r again; stopping to avoid a loop",
                        self.operation.operation_id, nxt)
            return None
        seen.add(nxt)
        return nxt

    def __iter__(self) -> Iterator[Any]:
        for page in self.pages():
            yield from page.get(self.rule.items) or []

    def __repr__(self) -> str:
        return f"<Paginator {self.operation.operation_id} {self.rule!r}>"


class AsyncPaginator(Paginator):
    """:class:`Paginator` for :class:`~openapi_dyn.AsyncClient`: ``async for
    item in client.paginate(...)``, ``async for page in ....pages()``."""

    async def pages(self) -> AsyncIterator[Dict[str, Any]]:  # type: ignore[override]
        cursor = self.start
        seen: set = set()
        while True:
            page = self._checked(await self.client.call(self.operation.operation_id, **self._args(cursor)))
            yield page
            cursor = self._next(page, cursor, seen)
            if cursor is None:
                return

    def __iter__(self):
        raise TypeError("an AsyncClient's paginator is iterated with 'async for'")

    async def __aiter__(self) -> AsyncIterator[Any]:
        async for page in self.pages():
            for item in page.get(self.rule.items) or []:
                yield item

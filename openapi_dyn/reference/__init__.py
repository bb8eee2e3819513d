"""The method reference generated from a spec.

:func:`reference` turns a client's spec into the documentation model (each
operation documented once, its examples checked against the spec); the
formats only lay that model out:

========== ====================================================
``text``   plain text: ``help()``, ``__doc__``, ``openapi-dyn show``
``pod``    Perl's POD (``Methods.pod``), checked with ``podchecker``
``markdown`` one Markdown document with a table of contents
``html``   one self-contained HTML page (no network needed)
``man``    a man page, made from the POD by ``pod2man``
========== ====================================================

Every error raised here derives from :class:`~openapi_dyn.OpenAPIDynError`:
:class:`~openapi_dyn.UnknownFormatError` (also a ``ValueError``),
:class:`~openapi_dyn.DocumentationError` and its :class:`ManUnavailable`
(``pod2man`` is not installed).

    >>> from openapi_dyn import Client
    >>> from openapi_dyn.reference import render, render_operation
    >>> client = Client()
    >>> print(render_operation(client, "createRun"))          # doctest: +SKIP
    >>> pod = render(client, "pod")                             # doctest: +SKIP

The modules inside are internal: ``_model`` (the documentation model),
``_schemas``, ``_curl``, ``_examples``, ``_synopsis``, ``_facts``, ``_walk``
(the one walk over the model) and one back end per format.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from .._errors import ManUnavailable

__all__ = ["FORMATS", "SUFFIX", "ManUnavailable", "reference", "render", "render_operation"]

#: The format names :func:`render` takes.
FORMATS = ("text", "pod", "markdown", "html", "man")
#: File name suffix per format.
SUFFIX = {"text": "txt", "pod": "pod", "markdown": "md", "html": "html", "man": "3"}


_stamp: Optional[str] = None


def reference_stamp() -> str:
    """A stamp of the code a rendered text depends on (each module's size and
    mtime: the renderers, and the validation that decides which examples are
    shown): texts rendered by other code are never reused from the cache."""
    global _stamp
    if _stamp is None:
        from pathlib import Path

        from .._version import __version__
        from .._spec.cache import code_stamp

        here = Path(__file__).resolve().parent
        files = sorted(here.glob("*.py")) + sorted(here.parent.glob("*.py"))
        _stamp = f"{__version__}|{code_stamp(files)}"
    return _stamp


def reference(client, *, check: bool = True, progress: Optional[Callable[[int, int], Any]] = None):
    """The documentation model of ``client``'s whole spec (a ``ReferenceDoc``:
    its facts and the operations grouped by tag), examples validated unless
    ``check=False``; ``progress(done, total)`` is called per operation.
    Pass it as ``ref=`` to :func:`render` to lay one model out in several
    formats."""
    from ._model import document_spec

    return document_spec(client, check=check, progress=progress)


def render(client, format: str = "pod", *, check: bool = True, ref=None, **options: Any) -> str:
    """The whole reference of ``client``'s spec in ``format``
    (``text``, ``pod``, ``markdown``, ``html``; ``man`` gives roff, its
    ``name=`` the page's name).  Raises :class:`~openapi_dyn.UnknownFormatError`
    for another format and :class:`~openapi_dyn.DocumentationError`
    when a tool it needs (``pod2man``) is missing or fails."""
    if format not in FORMATS:
        from .._errors import UnknownFormatError

        raise UnknownFormatError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    if ref is None:
        ref = reference(client, check=check)
    module = _module(format)
    if options:
        import inspect

        accepted = set(inspect.signature(module.render).parameters) - {"ref"}
        unknown = sorted(set(options) - accepted)
        if unknown:
            from .._errors import UsageError

            raise UsageError(f"render(..., {format!r}) takes no option {', '.join(unknown)}"
                             + (f"; it takes {', '.join(sorted(accepted))}" if accepted else ""))
    return module.render(ref, **options)


def render_operation(client, name: str, format: str = "text", *, check: bool = True) -> str:
    """The reference of one operation (by operationId or alias) in
    ``format`` (``text``, ``pod``, ``markdown`` or ``html``), its examples
    validated with ``client`` unless ``check=False``."""
    from ._examples import check_examples
    from ._model import document_operation, site_of

    op = client.operation(name)
    doc = document_operation(op)
    if check:
        check_examples(client, doc)
    site = site_of(client.spec)
    if format == "text":
        from ._text import operation_lines

        return "\n".join(operation_lines(doc, site)).rstrip() + "\n"
    if format not in FORMATS or format == "man":
        from .._errors import UnknownFormatError

        raise UnknownFormatError(f"unknown format {format!r} for one operation; choose text, pod, markdown or html")
    return _module(format).render_operation(doc, site)


def _module(format: str):
    import importlib

    return importlib.import_module(f"{__name__}._{format}")

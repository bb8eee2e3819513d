"""An interactive Python prompt with a ready ``client`` (``openapi-dyn repl``).

Tab completes like Python's own prompt (``client.crea<Tab>`` lists the
operations, since ``dir(client)`` has them) and also inside calls:
operation names in ``client.call("crea<Tab>`` and argument names in
``client.createRun(thr<Tab>`` / ``client.call("createRun", thr<Tab>``.

Also in the namespace: ``search("words")`` (operations matching them),
``doc("createRun")`` (the reference with the spec's checked examples) and
``Client``.
"""
from __future__ import annotations

import code
import re
import sys
from typing import Any, Dict, List, Optional

_CALL_NAME = re.compile(r"""\.call\(\s*(["'])([^"']*)$""")
_CALL_ARGS = re.compile(r"""\.call\(\s*["']([^"']+)["']\s*,[^()]*$""")
_METHOD_ARGS = re.compile(r"""([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\(([^()]*)$""")


class Completer:
    """Readline completer: Python names and attributes (via
    :mod:`rlcompleter`), operation names inside ``.call("...``, and keyword
    arguments inside a call's parentheses."""

    def __init__(self, namespace: Dict[str, Any], line_buffer=None):
        import rlcompleter

        self.namespace = namespace
        self._python = rlcompleter.Completer(namespace)
        self._line_buffer = line_buffer
        self._matches: List[str] = []

    def _line(self) -> str:
        if self._line_buffer is not None:
            return self._line_buffer()
        import readline

        return readline.get_line_buffer()[: readline.get_endidx()]

    def candidates(self, line: str, text: str) -> List[str]:
        """Every completion of ``text``, the word before the cursor in ``line``."""
        m = _CALL_NAME.search(line)
        if m:
            client = self._client_before(line[: m.start()])
            if client is not None:
                prefix = m.group(2)
                return [name for name in client.operations if name.startswith(prefix)]
        op = None
        m = _CALL_ARGS.search(line)
        if m:
            client = self._client_before(line[: m.start()])
            if client is not None:
                op = self._operation(client, m.group(1))
        else:
            m = _METHOD_ARGS.search(line)
            if m:
                client = self.namespace.get(m.group(1))
                if _is_client(client):
                    op = self._operation(client, m.group(2))
        if op is not None and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text or "_"):
            return [f"{name}=" for name in argument_names(op) if name.startswith(text)]
        m = re.search(r"([A-Za-z_][A-Za-z0-9_.]*)\.([A-Za-z0-9_]*)$", line)
        if m and m.group(2) == text:
            # The delimiters split at dots: complete the attribute, not the dotted name.
            full = self._python.attr_matches(f"{m.group(1)}.{text}")
            return [x[len(m.group(1)) + 1:] for x in full]
        return self._python_matches(text)

    def _python_matches(self, text: str) -> List[str]:
        out, state = [], 0
        while state < 10_000:
            match = self._python.complete(text, state)
            if match is None:
                break
            out.append(match)
            state += 1
        return out

    def _client_before(self, head: str):
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)$", head)
        obj = self.namespace.get(m.group(1)) if m else None
        return obj if _is_client(obj) else None

    @staticmethod
    def _operation(client, name: str):
        try:
            return client.operation(name)
        except Exception:
            return None

    def complete(self, text: str, state: int) -> Optional[str]:
        if state == 0:
            try:
                self._matches = self.candidates(self._line(), text)
            except Exception:  # a completer must never raise into readline
                self._matches = []
        return self._matches[state] if state < len(self._matches) else None


def _is_client(obj: Any) -> bool:
    from .._client import Client

    return isinstance(obj, Client)


def argument_names(op) -> List[str]:
    """The keyword arguments a call of ``op`` takes, as its signature shows them."""
    from .._signatures import signature_of

    return list(signature_of(op).parameters)


def namespace_for(client) -> Dict[str, Any]:
    from .._client import Client

    def search(words: str):
        """Operations whose name, summary or description contain every word."""
        return client.search(words)

    def doc(name: Any) -> None:
        """Print the reference of an operation (name or method), with the
        spec's examples checked against the spec."""
        from ..reference import render_operation

        if callable(name) and hasattr(name, "operation"):
            name = name.operation.operation_id
        print(render_operation(client, str(name)))

    return {"client": client, "Client": Client, "search": search, "doc": doc,
            "__name__": "__console__", "__doc__": None}


def banner(client) -> str:
    return (f"openapi_dyn {__import__('openapi_dyn').__version__} - {client!r}\n"
            "client.<Tab> lists the operations; help(client.createRun) or doc('createRun') shows one;\n"
            "search('words') finds them; client.call('op', name=value, body={...}) calls one.")


def run(client, *, readline_module: Any = None) -> None:
    """Run the prompt until end of input (Ctrl-D) or ``exit()``."""
    ns = namespace_for(client)
    try:
        import readline
    except ImportError:  # pragma: no cover - Windows without pyreadline
        readline = None
    if readline is not None:
        completer = Completer(ns)
        readline.set_completer(completer.complete)
        # Complete whole names after quotes, dots, parentheses and commas.
        readline.set_completer_delims(" \t\n`~!@#$%^&*()-=+[{]}\\|;:'\",<>/?.")
        if "libedit" in (readline.__doc__ or ""):
            readline.parse_and_bind("bind ^I rl_complete")
        else:
            readline.parse_and_bind("tab: complete")
    console = code.InteractiveConsole(ns)
    try:
        console.interact(banner=banner(client), exitmsg="")
    except SystemExit:
        pass
    sys.stdout.flush()

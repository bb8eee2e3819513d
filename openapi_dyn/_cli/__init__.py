"""``openapi-dyn``: the command line, one module per command (``main`` reads
the arguments and dispatches)."""
from .main import main

__all__ = ["main"]

"""The JSON Schema type name of a decoded JSON value, in one place: the
repair step compares enum and const values by type, the reference labels
them."""
from typing import Any


#: Python type -> JSON Schema type name; bool before int (a bool is an int
#: to Python, a boolean to JSON).
_NAMES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
          (dict, "object"))


def json_type(value: Any, other: str = "object") -> str:
    """``"null"``, ``"boolean"``, ``"integer"``, ``"number"``, ``"string"``,
    ``"array"``, ``"object"`` (a ``dict``), or ``other`` for anything else."""
    if value is None:
        return "null"
    for kind, name in _NAMES:
        if isinstance(value, kind):
            return name
    return other

"""Where a ``save_to=`` download goes, for both clients.

A path (``str`` or ``os.PathLike``) is written through a temporary file
beside it (``.<name>.<random>.part``) and renamed over the target only once
the whole body has arrived, so a broken download, a failed write, a
cancelled task or Ctrl-C never leaves a truncated file under the real name
(an existing file there survives).  A file object (anything with ``write``)
is written as is and left open.  Writing problems (a missing folder, a full
disk) raise :class:`~openapi_dyn.DownloadError`.
"""
from __future__ import annotations

import os
import pathlib
import tempfile
from typing import Any, Optional

from .._errors import DownloadError, UsageError

#: Bytes read per block when a download is written to a file.
DOWNLOAD_CHUNK = 64 * 1024


class Destination:
    """Open with :meth:`open`, :meth:`write` blocks, then :meth:`commit`
    (rename into place) or :meth:`abort` (remove the temporary file)."""

    def __init__(self, target: Any, operation_id: str = ""):
        if not hasattr(target, "write") and not isinstance(target, (str, os.PathLike)):
            raise UsageError(f"save_to must be a path or a binary file object, not {type(target).__name__}")
        self.target = target
        self.operation_id = operation_id
        self.written = 0
        self._fh: Any = None
        self._tmp: Optional[str] = None
        self.path: Optional[pathlib.Path] = None

    def open(self) -> "Destination":
        if hasattr(self.target, "write"):
            self._fh = self.target
            return self
        self.path = pathlib.Path(self.target).expanduser()
        try:
            fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".part",
                                             dir=str(self.path.parent))
            self._fh = os.fdopen(fd, "wb")
        except OSError as exc:
            raise self._error("cannot create", exc) from None
        return self

    def write(self, block: bytes) -> None:
        try:
            self._fh.write(block)
        except OSError as exc:
            raise self._error("cannot write", exc) from None
        self.written += len(block)

    def commit(self) -> Any:
        """Finish: returns what the call hands back (the path or the file)."""
        if self.path is None:
            return self.target
        try:
            self._fh.close()
            os.replace(self._tmp, self.path)
        except OSError as exc:
            self.abort()
            raise self._error("cannot finish", exc) from None
        self._tmp = None
        return self.path

    def abort(self) -> None:
        if self._tmp is None:
            return
        try:
            self._fh.close()
        except Exception:
            pass
        try:
            os.unlink(self._tmp)
        except OSError:
            pass
        self._tmp = None

    def _error(self, what: str, exc: OSError) -> DownloadError:
        where = self.path if self.path is not None else "the file object"
        return DownloadError(f"{self.operation_id}: save_to={str(where)!r}: {what} the file: "
                             f"{exc.strerror or exc}")


class Saving:
    """Writing one answer's body to ``target``, the part both clients share:
    ``with Saving(...) as saving:`` then :meth:`write` each block as the
    HTTP library reads it, then :meth:`result`.  Whatever goes wrong, the
    partial file is removed; a failure of the library (``library_error``)
    becomes its translated connection error, raised by :meth:`result`
    outside any ``except`` clause (so a cause that shows a secret is not
    kept as ``__context__`` either); anything else (Ctrl-C, cancellation, a
    :class:`~openapi_dyn.DownloadError`) goes on as it is.  ``close`` (the
    synchronous response's) is called when the block ends."""

    __slots__ = ("dest", "target", "prepared", "library_error", "close", "outcome")

    def __init__(self, target: Any, prepared, library_error: Any, close: Any = None):
        self.dest: Optional[Destination] = None
        self.target = target
        self.prepared = prepared
        self.library_error = library_error
        self.close = close
        self.outcome: Any = None

    def __enter__(self) -> "Saving":
        try:
            self.dest = Destination(self.target, self.prepared.operation_id).open()
        except BaseException:
            self._closed()
            raise
        return self

    def write(self, block: bytes) -> None:
        self.dest.write(block)

    def __exit__(self, kind: Any, exc: Optional[BaseException], tb: Any) -> bool:
        try:
            if exc is None:
                self.outcome = (self.dest.commit(), self.dest.written)
                return False
            self.dest.abort()
            if not isinstance(exc, self.library_error):
                return False
            from .failures import translated

            self.outcome = translated(exc, self.prepared)
            return True
        except BaseException:  # the commit failed: nothing is left under the target name
            if exc is None:
                self.dest.abort()
            raise
        finally:
            self._closed()

    def _closed(self) -> None:
        if self.close is not None:
            self.close()

    def result(self):
        """``(what to hand back, bytes written)``, or the translated failure
        raised."""
        first, second = self.outcome
        if isinstance(first, BaseException):
            raise first from second
        return first, second

"""The state file of a batch run: what was built, uploaded, created and
collected, so that another process (after a crash, or on another machine)
carries on without sending anything twice.

The state is a small JSON document: the spec and profile it was built for,
the endpoint, and one entry per *chunk* (a part of the run small enough for
one vendor batch): its local request file, the uploaded file id, the batch
id, the last status seen, and the result files once downloaded.  Which
``custom_id`` sits at which position is not copied into it: the chunk files
beside it hold one request per line, in order, each with its ``custom_id``,
so the state stays a few kilobytes however large the run, and rewriting it
on every status change stays cheap.

Every write goes to a temporary file in the same directory, is flushed to
disk and renamed over the old one: a process killed at any moment leaves
either the previous state or the new one, never a torn file.
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from .._errors import BatchError

#: Version of the state document; a newer one is refused rather than misread.
STATE_FORMAT = 1

#: Moves the default place of state files (tests, shared machines).
DATA_DIR_ENV = "OPENAPI_DYN_DATA_DIR"


def data_dir() -> Path:
    """Where state files go when ``state=`` is not given: the user's data
    directory (``platformdirs``), or ``$OPENAPI_DYN_DATA_DIR``."""
    given = os.environ.get(DATA_DIR_ENV)
    if given:
        return Path(given).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("openapi_dyn", appauthor=False))


def default_state_path() -> Path:
    """A new, unique state file name in :func:`data_dir` ``/batches``."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return data_dir() / "batches" / f"{stamp}-{secrets.token_hex(4)}.batch.json"


class BatchState:
    """The state document (``data``) and where it lives (``path``); the chunk
    and result files are kept in ``directory`` (the state file's name plus
    ``.d``)."""

    def __init__(self, path: Path, data: Dict[str, Any]):
        self.path = path
        self.data = data

    @property
    def directory(self) -> Path:
        return self.path.with_name(self.path.name + ".d")

    @property
    def chunks(self) -> List[Dict[str, Any]]:
        return self.data["chunks"]

    @classmethod
    def create(cls, path: Any, header: Dict[str, Any]) -> "BatchState":
        """A fresh state at ``path`` (refused if a state is already there:
        resume it instead, or pick another name)."""
        target = Path(path).expanduser() if path is not None else default_state_path()
        if target.exists():
            raise BatchError(f"a batch state already exists at {target}: resume it with "
                             f"client.batch_resume({str(target)!r}) or choose another state=")
        target.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": STATE_FORMAT, "created": int(time.time()), "submitted": False, "chunks": []}
        data.update(header)
        state = cls(target.resolve(), data)
        state.directory.mkdir(exist_ok=True)
        state.save()
        return state

    @classmethod
    def load(cls, path: Any) -> "BatchState":
        target = Path(path).expanduser()
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except OSError as exc:
            raise BatchError(f"cannot read the batch state {target}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise BatchError(f"the batch state {target} is not JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("chunks"), list):
            raise BatchError(f"{target} is not a batch state file")
        if data.get("format") != STATE_FORMAT:
            raise BatchError(f"{target}: batch state format {data.get('format')!r} is not "
                             f"{STATE_FORMAT}, the one this version reads")
        state = cls(target.resolve(), data)
        if not state.directory.is_dir():
            raise BatchError(f"the request files of {target} are missing (expected {state.directory}); "
                             f"copy that directory along with the state file")
        return state

    def save(self) -> None:
        """Write the state atomically (temporary file, fsync, rename)."""
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=str(self.path.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.data, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise

    def file(self, name: Optional[str]) -> Optional[Path]:
        """The path of a file kept in :attr:`directory`."""
        return None if name is None else self.directory / name

    def remove(self) -> None:
        """Delete the state and its directory (a run discarded before submission)."""
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)
        try:
            self.path.unlink()
        except OSError:
            pass

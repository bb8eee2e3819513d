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

The requests and answers kept here are the caller's data: every file the
bridge writes is readable by its owner only (0600), in folders only its owner
can enter (0700).  One process at a time works on a state: :meth:`BatchState.lock`
takes an exclusive lock on a file beside it (released when the process ends,
however it ends), so two resumes cannot both submit what is pending.
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
import time
import weakref
from pathlib import Path
from typing import IO, Any, Dict, List, Optional

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


#: state file path -> the state object of this process holding its lock
#: (one entry per state in use, dropped when it is unlocked or collected).
_HELD: Dict[str, "weakref.ref[BatchState]"] = {}

#: Mode of every file the bridge writes, and of the folders it makes.
FILE_MODE, DIR_MODE = 0o600, 0o700


def private_dir(path: Path) -> None:
    """Make ``path`` (and missing parents) readable by the owner only; a folder
    that already exists keeps its mode unless it is the bridge's own."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)


def open_private(path: Path, mode: str = "wb", buffering: int = -1) -> IO[Any]:
    """Open ``path`` for writing, created 0600 (an existing file is made
    0600 too: a download or a file left by an older version)."""
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    except (AttributeError, OSError):  # pragma: no cover - platforms without fchmod
        pass
    return os.fdopen(fd, mode, buffering)


class BatchState:
    """The state document (``data``) and where it lives (``path``); the chunk
    and result files are kept in ``directory`` (the state file's name plus
    ``.d``)."""

    def __init__(self, path: Path, data: Dict[str, Any]):
        self.path = path
        self.data = data
        self._lock: Optional[IO[Any]] = None
        #: a newer state object of this process took the file over
        self.superseded = False

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
        private_dir(target.parent)
        data = {"format": STATE_FORMAT, "created": int(time.time()), "submitted": False, "chunks": [],
                "run": secrets.token_hex(8)}
        data.update(header)
        state = cls(target.resolve(), data)
        state.directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(state.directory, DIR_MODE)
        state.lock()
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
        data.setdefault("run", secrets.token_hex(8))  # a state written before runs had an id
        return state

    @property
    def lock_path(self) -> Path:
        return self.directory / "lock"

    def lock(self) -> None:
        """Take the exclusive lock on this state, or raise :class:`BatchError`
        saying another process holds it.  Held until :meth:`unlock` or the
        end of the process.  Within one process a newer :class:`BatchState`
        of the same file takes the lock over: the older one is
        :attr:`superseded` and refuses to write."""
        if self._lock is not None:
            return
        key = str(self.path)
        held = _HELD.get(key)
        other = held() if held is not None else None
        if other is not None and other is not self and other._lock is not None:
            self._lock, other._lock, other.superseded = other._lock, None, True
            self._hold(key)
            return
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory locks here
            return
        fh = open_private(self.lock_path, "w")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            raise BatchError(f"another process is working on {self.path}: one at a time; wait for it to "
                             f"end (or close() its Batch), then resume") from None
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._lock = fh
        self._hold(key)

    def _hold(self, key: str) -> None:
        def forget(ref, key=key):
            if _HELD.get(key) is ref:
                del _HELD[key]

        _HELD[key] = weakref.ref(self, forget)

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None
            held = _HELD.get(str(self.path))
            if held is not None and held() is self:
                del _HELD[str(self.path)]

    def save(self) -> None:
        """Write the state atomically (temporary file, fsync, rename)."""
        if self.superseded:
            raise BatchError(f"{self.path} was resumed by another Batch object since: use that one")
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=str(self.path.parent))  # 0600
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

        self.unlock()
        shutil.rmtree(self.directory, ignore_errors=True)
        try:
            self.path.unlink()
        except OSError:
            pass

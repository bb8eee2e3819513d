"""Google's resumable upload protocol, as google-genai speaks it.

The Gemini API takes a file in three kinds of request, all ``POST``:

1. **start**: the operation's own request (``generativelanguage.media.upload``,
   its metadata body validated as any call's) sent to the upload path
   (``/upload`` + the operation's path) with ``X-Goog-Upload-Protocol:
   resumable``, ``X-Goog-Upload-Command: start`` and the file's size and type
   in ``X-Goog-Upload-Header-Content-Length`` / ``-Content-Type``; the answer's
   ``X-Goog-Upload-URL`` header names the upload session;
2. **upload**: the file in chunks (8 MiB unless the profile or the call
   says otherwise) to the session URL, each with ``X-Goog-Upload-Command:
   upload`` and its ``X-Goog-Upload-Offset``; the session URL is the
   credential, so no key goes with them (google-genai sends none);
3. **finalize**: the last chunk says ``upload, finalize``; its answer is the
   operation's (``{"file": {...}}``) with ``X-Goog-Upload-Status: final``.

The file is read one chunk at a time, from a path or a binary file object,
so a file of any size takes one chunk of memory.  Each request goes through
the client's own send loop (retries by the profile's rules, the same
transport), and errors are the usual :class:`~openapi_dyn.APIError`.
Which operations upload this way, the upload path's prefix and the chunk
size come from the profile's ``uploads`` section.
"""
from __future__ import annotations

import mimetypes
import os
from typing import Any, Dict, Iterator, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .._errors import APIConnectionError, UsageError

__all__ = ["ResumableUpload", "CHUNK_SIZE"]

#: google-genai's chunk size.
CHUNK_SIZE = 8 * 1024 * 1024


class ResumableUpload:
    """One upload, as steps both clients drive: :meth:`start` is the first
    request, :meth:`chunks` yields each chunk's request given the session
    URL, :meth:`close` releases a file this upload opened."""

    def __init__(self, client, operation_id: str, file: Any, *, mime_type: Optional[str] = None,
                 size: Optional[int] = None, chunk_size: Optional[int] = None, **kwargs: Any):
        rules = client.profile.uploads
        op = client.operation(operation_id)
        if rules.get("protocol") != "google-resumable" or op.operation_id not in (rules.get("operations") or ()):
            named = ", ".join(rules.get("operations") or ()) or "none"
            raise UsageError(f"{op.operation_id} does not take a resumable upload under the "
                             f"{client.profile.name or 'spec'}'s profile (operations that do: {named})")
        self.client = client
        self.operation = op
        self.chunk_size = int(chunk_size or rules.get("chunk_size") or CHUNK_SIZE)
        if self.chunk_size < 1:
            raise UsageError("chunk_size= must be at least 1 byte")
        self.prefix = str(rules.get("path_prefix") or "/upload")
        self._own = False
        self.file, self.size, guessed = self._opened(file, size)
        self.mime_type = mime_type or guessed or "application/octet-stream"
        self.kwargs = kwargs

    def _opened(self, file: Any, size: Optional[int]) -> Tuple[Any, int, Optional[str]]:
        if isinstance(file, (str, os.PathLike)):
            path = os.fspath(file)
            try:
                fh = open(path, "rb")
            except OSError as exc:
                raise UsageError(f"cannot read the file to upload: {exc.strerror or exc} ({path})") from None
            self._own = True
            return fh, os.fstat(fh.fileno()).st_size, mimetypes.guess_type(path)[0]
        if not hasattr(file, "read"):
            raise UsageError(f"the file to upload is a path or a binary file object, not {type(file).__name__}")
        guessed = mimetypes.guess_type(str(getattr(file, "name", "")))[0] if getattr(file, "name", None) else None
        if size is None:
            try:
                here = file.tell()
                file.seek(0, os.SEEK_END)
                size = file.tell() - here
                file.seek(here)
            except (OSError, AttributeError, ValueError):
                raise UsageError("the file object cannot seek, so its size is unknown: pass size=") from None
        return file, int(size), guessed

    def start(self):
        """The start request: the operation's call, validated, sent to the
        upload path with the protocol's headers."""
        prepared = self.client.prepare(self.operation.operation_id, **self._start_kwargs())
        base = self.client._base_url_for(self.operation)
        if prepared.url.startswith(base):
            prepared.url = base + self.prefix + prepared.url[len(base):]
        prepared.headers["X-Goog-Upload-Protocol"] = "resumable"
        prepared.headers["X-Goog-Upload-Command"] = "start"
        prepared.headers["X-Goog-Upload-Header-Content-Length"] = str(self.size)
        prepared.headers["X-Goog-Upload-Header-Content-Type"] = self.mime_type
        return prepared

    def _start_kwargs(self) -> Dict[str, Any]:
        kwargs = dict(self.kwargs)
        if "body" not in kwargs:
            kwargs["body"] = {"file": {"mimeType": self.mime_type}}
        return kwargs

    def session_url(self, response) -> str:
        """The upload session's URL from the start answer (on the client's
        ``base_url=`` host when one was given, as google-genai does)."""
        url = response.headers.get("X-Goog-Upload-URL")
        if not url:
            raise APIConnectionError(f"{self.operation.operation_id}: the server answered the upload's start "
                                     f"without an X-Goog-Upload-URL header")
        if self.client.base_url:
            base, given = urlsplit(self.client.base_url), urlsplit(url)
            url = urlunsplit(given._replace(scheme=base.scheme, netloc=base.netloc))
        return url

    def chunks(self, url: str) -> Iterator[Any]:
        """Each chunk's request; sent in order, the last one finalizes.
        After each is sent the generator is sent the answer's
        ``X-Goog-Upload-Status`` and stops when the server says ``final``."""
        from .._call.redact import SecretPlaces
        from .._call.request import PreparedRequest

        secrets = SecretPlaces()
        for key, value in parse_qsl(urlsplit(url).query):
            if key == "upload_id":  # the session id is the credential
                secrets.add_query(key, value)
        offset = 0
        while True:
            data = self.file.read(self.chunk_size) or b""
            if isinstance(data, str):
                raise UsageError("the file to upload is open in text mode; open it with 'rb'")
            last = offset + len(data) >= self.size or not data
            headers = {"X-Goog-Upload-Command": "upload, finalize" if last else "upload",
                       "X-Goog-Upload-Offset": str(offset)}
            status = yield PreparedRequest(self.operation, "POST", url, headers, data, None, None,
                                           secrets, None, True)
            offset += len(data)
            if last or (status or "").lower() != "active":
                return

    def finished(self, response):
        """``response`` (the last chunk's answer), once the server says the
        upload is final; else :class:`APIConnectionError`."""
        status = response.headers.get("X-Goog-Upload-Status")
        if (status or "").lower() != "final":
            raise APIConnectionError(f"{self.operation.operation_id}: the upload ended with status "
                                     f"{status!r}, not 'final'")
        return response

    def close(self) -> None:
        if self._own:
            self.file.close()


def _exchanges(job: "ResumableUpload"):
    """The whole upload as steps without I/O: yields each request to send and
    is sent its answer; returns the final answer (both clients drive it)."""
    url = job.session_url((yield job.start()))
    steps = job.chunks(url)
    prepared = next(steps)
    while True:
        response = yield prepared
        try:
            prepared = steps.send(response.headers.get("X-Goog-Upload-Status"))
        except StopIteration:
            return job.finished(response)


def upload(client, operation_id: str, file: Any, **options: Any):
    """Upload ``file`` with :class:`ResumableUpload` through ``client``
    (a :class:`~openapi_dyn.Client`); returns the final
    :class:`~openapi_dyn.Response`."""
    job = ResumableUpload(client, operation_id, file, **options)
    try:
        steps = _exchanges(job)
        prepared = next(steps)
        while True:
            try:
                prepared = steps.send(client.send(prepared))
            except StopIteration as done:
                return done.value
    finally:
        job.close()


async def upload_async(client, operation_id: str, file: Any, **options: Any):
    """:func:`upload` for :class:`~openapi_dyn.AsyncClient` (the file is
    read with blocking reads, one chunk at a time)."""
    job = ResumableUpload(client, operation_id, file, **options)
    try:
        steps = _exchanges(job)
        prepared = next(steps)
        while True:
            try:
                prepared = steps.send(await client.send(prepared))
            except StopIteration as done:
                return done.value
    finally:
        job.close()

"""The reference as a man page (section 3), made from the POD by the system's
``pod2man`` (part of Perl).

A man page is found by its file name (``man3/openapi-dyn-openai.3`` answers
``man openapi-dyn-openai``), and indexed by ``mandb`` from its NAME section,
which must read ``name - what it is``.  So the page's name is used three
times, identically: in the file name, in the ``.TH`` line, and as the first
word of NAME.  :func:`man_name` gives the default one.  The page says
what the POD says: this module only converts it.
"""
from __future__ import annotations

import shutil
import subprocess
from typing import Optional

from .._errors import DocumentationError
from . import ManUnavailable, _model as model, _pod as pod

SECTION = "3"


def pod_to_man(pod_text: str, name: str, *, section: str = SECTION, center: str = "openapi_dyn reference",
               release: Optional[str] = None) -> str:
    """Convert POD to roff with ``pod2man``; ``name`` goes into ``.TH`` as is."""
    exe = shutil.which("pod2man")
    if exe is None:
        raise ManUnavailable("pod2man is not installed (it comes with Perl: apt-get install perl)")
    cmd = [exe, "--utf8", f"--name={name}", f"--section={section}", f"--center={center}"]
    if release:
        cmd.append(f"--release={release}")
    try:
        done = subprocess.run(cmd, input=pod_text.encode("utf-8"), capture_output=True, timeout=300)
    except (OSError, subprocess.SubprocessError) as exc:
        raise DocumentationError(f"pod2man could not be run: {exc}") from None
    if done.returncode != 0:
        raise DocumentationError("pod2man failed: " + done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8")


def man_name(ref: model.ReferenceDoc) -> str:
    """``openapi-dyn-<spec>``: the page name (and file stem) by default,
    prefixed so it cannot take the place of another package's page."""
    return f"openapi-dyn-{ref.stem}"


def render(ref: model.ReferenceDoc, name: Optional[str] = None) -> str:
    """The whole reference as one man page called ``name`` (default
    :func:`man_name`); install it as ``<manpath>/man3/<name>.3``."""
    name = name or man_name(ref)
    return pod_to_man(pod.render(ref, name=name), name, release=f"{ref.title} {ref.version}")

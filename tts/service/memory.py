"""The server's own memory bound: above it, new work waits (503 + Retry-After) instead of the
process being killed at the cap.

A process that reaches systemd's MemoryMax or Docker's --memory is ended by the OOM killer, and
every request in flight ends with it; MemoryHigh only slows it (the kernel reclaims and throttles).
So the service reads its own resident memory at each admission and, above its limit while work
is running, takes nothing new until that work has finished: what runs keeps its memory, what
comes later is told when to come back. An idle server over its limit still takes a request: its
memory at rest cannot be lowered by refusing (a warning says the limit is too low), and a
refusal with nothing running would last for ever.

The limit: TTS_MEMORY_LIMIT_MB, or by default the cgroup's own: memory.high (systemd
MemoryHigh), else `HARD_SHARE` of memory.max (systemd MemoryMax, `docker run --memory`; cgroup v1:
memory.limit_in_bytes), else none.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Callable

log = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
HARD_SHARE = 0.9    # of a hard cap (memory.max), when no soft one (memory.high) is set
_PAGE = os.sysconf("SC_PAGE_SIZE")


def resident_bytes() -> int:
    """This process's resident memory (VmRSS) and its children's: the Sambert engine's model runs
    in a child, and the cgroup's limit counts every process in it. The children are those the
    main thread started (the hub starts every subprocess), read from /proc in two small reads."""
    total = _resident(os.getpid())
    try:
        with open(f"/proc/self/task/{os.getpid()}/children") as f:
            children = [int(pid) for pid in f.read().split()]
    except OSError:   # a kernel without CONFIG_PROC_CHILDREN: this process alone
        children = []
    for pid in children:
        try:
            total += _resident(pid)
        except OSError:   # it exited meanwhile
            pass
    return total


def _resident(pid: int) -> int:
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def cgroup_limit(root: Path = CGROUP_ROOT, membership: str | None = None) -> int | None:
    """The memory limit this process's cgroup sets, in bytes: memory.high, else HARD_SHARE of
    memory.max (cgroup v2), else HARD_SHARE of memory.limit_in_bytes (v1); None when none is set."""
    try:
        membership = membership if membership is not None else Path("/proc/self/cgroup").read_text()
    except OSError:
        return None
    for line in membership.splitlines():
        _, controllers, path = line.split(":", 2)
        directory = path.strip().lstrip("/")
        if controllers == "":   # v2: the unified hierarchy
            high, hard = (_limit(root / directory / name) for name in ("memory.high", "memory.max"))
            if high is not None:
                return high
            if hard is not None:
                return int(hard * HARD_SHARE)
        elif "memory" in controllers.split(","):   # v1: "no limit" is a huge number
            hard = _limit(root / "memory" / directory / "memory.limit_in_bytes")
            if hard is not None and hard < 1 << 60:
                return int(hard * HARD_SHARE)
    return None


def _limit(path: Path) -> int | None:
    try:
        value = path.read_text().strip()
    except OSError:
        return None
    return None if value == "max" else int(value)


class MemoryGuard:
    def __init__(self, limit_bytes: int | None, resident: Callable[[], int] = resident_bytes) -> None:
        self.limit = limit_bytes
        self._resident = resident
        self._warned = False

    @classmethod
    def from_setting(cls, limit_mb: int) -> "MemoryGuard":
        """TTS_MEMORY_LIMIT_MB: > 0 that many MB, 0 the cgroup's limit, < 0 none."""
        limit = limit_mb * 2 ** 20 if limit_mb > 0 else cgroup_limit() if limit_mb == 0 else None
        if limit is not None:
            log.info("new work waits while resident memory is above %d MB", limit // 2 ** 20)
        return cls(limit)

    def refuses(self, busy: bool) -> int | None:
        """The resident bytes when above the limit while work runs (`busy`): refuse; else None."""
        if self.limit is None:
            return None
        resident = self._resident()
        if resident <= self.limit:
            self._warned = False
            return None
        if busy:
            return resident
        if not self._warned:
            self._warned = True
            log.warning("resident memory %d MB is above the limit of %d MB with nothing running: the limit "
                        "(TTS_MEMORY_LIMIT_MB, or the cgroup's MemoryHigh) is below what the server needs at rest",
                        resident // 2 ** 20, self.limit // 2 ** 20)
        return None

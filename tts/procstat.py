"""A process's /proc/<pid>/stat (Linux): its CPU seconds and its start time, read without psutil.
The Sambert engine judges its child by them; the benches measure the server with them."""

from __future__ import annotations

import os

TICK = 1 / os.sysconf("SC_CLK_TCK")
UTIME, STIME, STARTTIME = 11, 12, 19   # in the fields after "(comm)": man 5 proc's 14, 15, 22


def stat_fields(pid: int) -> list[str] | None:
    """The process's stat fields after its "(comm)" (which may hold spaces); None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rpartition(b")")[2].decode("ascii").split()
    except OSError:
        return None


def cpu_seconds(fields: list[str]) -> float:
    """User + system CPU seconds, every thread of the process, from its stat fields."""
    return (int(fields[UTIME]) + int(fields[STIME])) * TICK

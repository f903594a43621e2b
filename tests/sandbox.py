"""Confine a child process as deploy/tts.service confines the server, without systemd running.

The unit's system-call filter (SystemCallFilter= lines, groups expanded by `systemd-analyze
syscall-filter`, everything else failing with EPERM as SystemCallErrorNumber= says) is loaded
with libseccomp, and MemoryDenyWriteExecute=yes, if the unit says so, becomes the kernel's own
W^X switch (prctl PR_SET_MDWE, Linux 6.3+). Both survive execve, so a live server started
under them runs with the same native libraries as in production under the same rules.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import subprocess
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Callable

PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
SCMP_ACT_ALLOW = 0x7FFF0000
EPERM = 1
SCMP_ACT_ERRNO_EPERM = 0x00050000 | EPERM


def syscall_groups() -> dict[str, list[str]]:
    """systemd's system-call groups (@system-service, ...) and what each lists."""
    listing = subprocess.run(["systemd-analyze", "syscall-filter", "--no-pager"], check=True,
                             capture_output=True, text=True).stdout
    groups, current = {}, None
    for line in listing.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), [])
        elif line.strip() and not line.strip().startswith("#") and current is not None and line.startswith(" "):
            current.append(line.strip())
    return groups


def expand(names: list[str], groups: dict[str, list[str]]) -> set[str]:
    found = set()
    for name in names:
        found |= expand(groups[name], groups) if name.startswith("@") else {name}
    return found


def allowed_syscalls(unit: Path) -> set[str]:
    """What the unit's SystemCallFilter= lines allow: the first lists, each "~" line takes away."""
    groups = syscall_groups()
    allowed: set[str] | None = None
    for value in re.findall(r"^SystemCallFilter=(.+)$", unit.read_text(encoding="utf-8"), re.M):
        deny = value.startswith("~")
        names = expand(value.lstrip("~").split(), groups)
        if allowed is None:
            assert not deny, "the unit's filter must start with an allow-list"
            allowed = names | expand(["@default"], groups)
        elif deny:
            allowed -= names
        else:
            allowed |= names
    assert allowed, f"{unit} has no SystemCallFilter="
    return allowed


def confinement(unit: Path) -> Callable[[], None]:
    """A preexec function: W^X if asked for, then the unit's filter (syscall numbers resolved here, in the parent)."""
    libc = ctypes.CDLL(None, use_errno=True)
    seccomp = ctypes.CDLL(ctypes.util.find_library("seccomp") or "libseccomp.so.2", use_errno=True)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
    seccomp.seccomp_rule_add.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint]
    seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
    numbers = sorted({n for n in (seccomp.seccomp_syscall_resolve_name(name.encode())
                                  for name in allowed_syscalls(unit)) if n >= 0})
    write_xor_execute = re.search(r"^MemoryDenyWriteExecute=yes$", unit.read_text(encoding="utf-8"), re.M)

    def confine() -> None:
        if write_xor_execute and libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_MDWE)")
        context = seccomp.seccomp_init(SCMP_ACT_ERRNO_EPERM)
        for number in numbers:
            if seccomp.seccomp_rule_add(context, SCMP_ACT_ALLOW, number, 0) != 0:
                raise OSError(EPERM, f"seccomp_rule_add({number})")
        if seccomp.seccomp_load(context) != 0:
            raise OSError(EPERM, "seccomp_load")

    return confine


@contextmanager
def children_run(monkeypatch, preexec: Callable[[], None]):
    """Processes started inside (a LiveServer, say) run `preexec` in the child before their program."""
    with monkeypatch.context() as patch:
        patch.setattr(subprocess, "Popen", partial(subprocess.Popen, preexec_fn=preexec))
        yield

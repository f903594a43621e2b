"""Run one measurement in a fresh Python process, so its peak RSS (ru_maxrss) is its own."""

from __future__ import annotations

import json
import subprocess
import sys


def run_in_child(function: str, **kwargs) -> dict:
    """Call `module:function(**kwargs)` in a child process and return its JSON result."""
    module, name = function.split(":")
    code = (f"import json, sys; from {module} import {name}; "
            f"print(json.dumps({name}(**json.loads(sys.argv[1]))))")
    output = subprocess.run([sys.executable, "-c", code, json.dumps(kwargs)],
                            capture_output=True, text=True)
    if output.returncode != 0:
        raise RuntimeError(f"{function} failed in its child process:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])


def peak_rss_mb() -> float:
    """This process's peak resident memory so far."""
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

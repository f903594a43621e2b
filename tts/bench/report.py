"""Results on disk: one JSON and one Markdown file per scenario under tts/bench/results/.

JSON keeps every figure for later comparison; Markdown is what a person reads.
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).resolve().parent / "results"


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    """A Markdown table of `rows` with the given columns (missing values print as –)."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return "\n".join(lines)


def _cell(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def machine() -> dict:
    import os

    return {"date": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()), "python": platform.python_version(),
            "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]}


def write(scenario: str, result: dict, markdown: str, out: Path = RESULTS) -> Path:
    """Write <scenario>.json and <scenario>.md; return the Markdown path."""
    out.mkdir(parents=True, exist_ok=True)
    result = {"scenario": scenario, "machine": machine(), **result}
    (out / f"{scenario}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    path = out / f"{scenario}.md"
    header = f"# {scenario}\n\nMeasured {result['machine']['date']}, {result['machine']['cpus']} CPUs, " \
             f"load average at the end {result['machine']['load_average']}.\n\n"
    path.write_text(header + markdown.rstrip() + "\n", encoding="utf-8")
    return path

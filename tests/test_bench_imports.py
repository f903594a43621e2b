"""Every name a bench module takes from another tts module exists (fast tier: nothing runs, nothing loads).

A bench run fails only at its end when a helper it imports inside a function was renamed (vocoder.py called
quality.measure_setting, gone since d8bf4dd): this finds such a name without running the bench."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "tts" / "bench"


def taken_names(tree: ast.Module) -> list[tuple[str, str, int]]:
    """(module, name, line) for every `from tts… import name` (at any depth, also inside functions) and
    every `alias.name` read of a tts module bound by `import tts.x as alias` or `from tts import x`."""
    taken, aliases = [], {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("tts"):
            for alias in node.names:
                taken.append((node.module, alias.name, node.lineno))
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("tts.") and alias.asname:
                    aliases[alias.asname] = alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            module = aliases[node.value.id]
            try:
                importlib.import_module(module)
            except ImportError:   # a class or function, not a module: its attributes are not checked here
                continue
            taken.append((module, node.attr, node.lineno))
    return taken


def exists(module: str, name: str) -> bool:
    imported = importlib.import_module(module)
    if hasattr(imported, name):
        return True
    try:   # `from tts.bench import texts`: a submodule
        importlib.import_module(f"{module}.{name}")
    except ModuleNotFoundError:
        return False
    return True


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_every_name_a_bench_module_imports_from_tts_exists(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    missing = [f"{path.name}:{line}: {module}.{name}" for module, name, line in taken_names(tree)
               if not exists(module, name)]
    assert not missing


def test_a_renamed_helper_imported_inside_a_function_is_found():
    """The check itself: the very import that failed at the end of a bench run."""
    tree = ast.parse("def measure_quality():\n    from tts.bench.quality import measure_setting\n"
                     "def table():\n    from tts.bench import quality\n    return quality.measure_setting\n")
    assert [(module, name) for module, name, _ in taken_names(tree) if not exists(module, name)] == [
        ("tts.bench.quality", "measure_setting"), ("tts.bench.quality", "measure_setting")]

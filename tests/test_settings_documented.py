"""README's settings table is the operator's reference: every TTS_* setting is in it with the default the
code has, and it names none the code does not read."""

from __future__ import annotations

import re
from dataclasses import fields

from helpers import ROOT
from tts.config import NOT_SETTINGS, Settings


def split_top_level(cell: str) -> list[str]:
    """'0 (off), 10' -> ['0 (off)', '10']: commas inside parentheses do not split."""
    parts, depth, current = [], 0, ""
    for char in cell:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    return [*parts, current.strip()]


def documented_defaults() -> dict[str, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Settings (environment)"):text.index("## Deployment")]
    defaults = {}
    for row in re.findall(r"^\| (`TTS_.*?) \| (.*?) \|", section, re.M):
        names = re.findall(r"`(TTS_\w+)`", row[0])
        values = split_top_level(row[1]) if len(names) > 1 else [row[1].strip()]
        values = values * len(names) if len(values) == 1 else values   # "(unset)" for both
        assert len(values) == len(names), row
        defaults.update(zip(names, values))
    return defaults


def shown(default) -> str:
    """A default as the table writes it: 1/0 for switches, (unset) for an empty string."""
    if isinstance(default, bool):
        return str(int(default))
    return "(unset)" if default == "" else str(default)


def test_every_setting_is_in_the_readme_with_its_default_and_no_other_variable_is():
    table = documented_defaults()
    settings = {f"TTS_{f.name.upper()}": f.default for f in fields(Settings)}
    assert sorted(set(settings) - set(table)) == [], "settings the README does not list"
    assert sorted(set(table) - set(settings) - set(NOT_SETTINGS)) == [], "README lists variables no code reads"
    wrong = {name: (table[name], shown(default)) for name, default in settings.items()
             if table[name].split(" (")[0] != shown(default)}
    assert wrong == {}, "README default vs the code's: " + repr(wrong)

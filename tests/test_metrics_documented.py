"""Every series /metrics exposes is in README's table under the name a query uses, with its labels, and the
table names nothing the server does not expose: an operator writes alerts from that table."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

from fakes import tone_app
from helpers import ROOT


def documented() -> dict[str, str]:
    """README's metrics table: each series name with its row's labels cell."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"^\s*\| series \| type \| labels \| what \|\n\s*\|[-|]+\|\n((?:\s*\|.*\|\n)+)", text, re.M)
    assert table, "README has no metrics table (| series | type | labels | what |)"
    rows = {}
    for row in table.group(1).splitlines():
        names, _, labels, _ = [cell.strip() for cell in row.strip().strip("|").split("|")]
        rows.update(dict.fromkeys(re.findall(r"`([a-z_]+)`", names), labels))
    return rows


def exposed() -> dict[str, set[str]]:
    """The series a scrape shows after a synthesis, by the name a query uses (a counter with _total; a
    histogram by its base name), with their label names; prometheus_client's own _created gauges left out."""
    with tone_app(cache_mb=8, singleflight=True) as app:
        client = app.test_client()
        assert client.post("/tts", json={"text": "你好。", "voice": "tone"}).status_code == 200
        text = client.get("/metrics").get_data(as_text=True)
    series = {}
    for family in text_string_to_metric_families(text):
        if family.name.endswith("_created"):
            continue
        name = f"{family.name}_total" if family.type == "counter" else family.name
        series[name] = {label for sample in family.samples for label in sample.labels if label != "le"}
    return series


def test_every_exposed_series_is_in_the_readme_table_with_its_labels_and_nothing_else_is():
    """Before, the README described them in a sentence: two were missing (tts_http_response_seconds,
    tts_cache_rejections) and none but one had its name."""
    table, scrape = documented(), exposed()
    assert sorted(set(scrape) - set(table)) == [], "exposed, not in README"
    assert sorted(set(table) - set(scrape)) == [], "in README, not exposed"
    for name, labels in scrape.items():
        assert all(f"`{label}`" in table[name] for label in labels), (name, labels, table[name])

"""The scale-out recipe: the compose file is valid and consistent with the nginx config, which nginx accepts."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT

import yaml

pytestmark = pytest.mark.redis   # the scale-out recipe: Redis behind nginx (needs nginx installed)

DEPLOY = ROOT / "deploy"


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]


def replicas(services: dict) -> dict:
    return {name: s for name, s in services.items() if name.startswith("tts-")}


def cores(cpuset: str) -> set[int]:
    return {int(c) for c in cpuset.split(",")}


def test_replicas_share_one_redis_and_each_has_its_own_cores(services):
    found = replicas(services)
    assert len(found) >= 2 and "redis" in services and "nginx" in services
    assert {s["environment"]["TTS_REDIS_URL"] for s in found.values()} == {"redis://redis:6379/0"}
    pinned = [cores(s["cpuset"]) for s in [*found.values(), services["redis"]]]
    assert all(len(c) == int(s["environment"]["TTS_THREADS"]) for c, s in zip(pinned, found.values()))
    assert sum(len(c) for c in pinned) == len(set().union(*pinned))   # no core given twice


def test_nginx_balances_exactly_the_replicas_least_busy_first_without_buffering(services):
    conf = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert set(re.findall(r"server (tts-\d+):8000", conf)) == set(replicas(services))
    assert "least_conn;" in conf and "proxy_buffering off;" in conf
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in services["nginx"]["volumes"]


def test_nginx_accepts_the_config(tmp_path: Path):
    # The replicas' names resolve only inside compose's network; point them at loopback here.
    conf = re.sub(r"server tts-\d+:8000", "server 127.0.0.1:8000", (DEPLOY / "nginx.conf").read_text(encoding="utf-8"))
    (tmp_path / "nginx.conf").write_text(conf, encoding="utf-8")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    result = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"),
                             "-g", f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr

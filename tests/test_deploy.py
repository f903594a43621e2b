"""The shipped deployment: the systemd unit's sandbox, caps that agree everywhere, health checks
on liveness, and a live server confined as the unit confines it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from helpers import ROOT, decode
from live import LiveServer
from sandbox import children_run, confinement
from tts.config import Settings
from tts.web.server import (DEFAULT_MAX_CONNECTIONS, DESCRIPTOR_RESERVE, DESCRIPTORS_PER_CONNECTION, EXIT_ADDRESS_IN_USE,
                            EXIT_BAD_SETTINGS, SHUTDOWN_GRACE_SECONDS)

DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "tts.service"


def unit_values(name: str) -> list[str]:
    return re.findall(rf"^{name}=(.*)$", UNIT.read_text(encoding="utf-8"), re.M)


def unit_value(name: str) -> str:
    values = unit_values(name)
    assert len(values) == 1, f"{name}= appears {len(values)} times in {UNIT.name}"
    return values[0]


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.fail("systemd-analyze is not installed: run tests/setup-system.sh", pytrace=False)
    return found


def test_the_unit_is_sandboxed_to_an_exposure_of_at_most_3_5():
    result = subprocess.run([systemd_analyze(), "security", "--offline=true", "--no-pager", str(UNIT)],
                            capture_output=True, text=True, timeout=120)
    found = re.search(r"Overall exposure level for tts\.service: (\d+\.\d+)", result.stdout)
    assert found, result.stdout[-2000:] + result.stderr[-2000:]
    assert float(found.group(1)) <= 3.5


def test_the_unit_can_write_only_its_cache_directory():
    assert unit_value("ProtectSystem") == "strict" and unit_value("ProtectHome") == "yes"
    assert unit_values("ReadWritePaths") == [] and unit_value("CacheDirectory") == "zh-tts"
    assert "TTS_KOKORO_DIR=%C/zh-tts/kokoro" in unit_values("Environment")   # derived files go to the cache


def test_spilled_results_go_to_the_cache_directory_on_disk_not_to_a_tmpfs_tmp():
    """Before, they went to PrivateTmp's /tmp: on a tmpfs /tmp a full job store (512 MB) counted against MemoryMax."""
    assert "TMPDIR=%C/zh-tts" in unit_values("Environment")
    assert unit_value("CacheDirectory") == "zh-tts" and unit_value("PrivateTmp") == "yes"


def test_systemd_analyze_verify_finds_nothing_to_say_about_the_unit(tmp_path):
    """Every directive known to systemd (a misspelt one is ignored with only a warning), every path absolute."""
    interpreter = Path(sys.executable).resolve()   # the unit's /opt/zh-tts/.venv/bin/python is not installed here
    unit = tmp_path / "zh-tts.service"
    unit.write_text(UNIT.read_text(encoding="utf-8").replace("ExecStart=/opt/zh-tts/.venv/bin/python",
                                                             f"ExecStart={interpreter}"), encoding="utf-8")
    done = subprocess.run([systemd_analyze(), "verify", "--man=no", str(unit)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and (done.stdout + done.stderr).strip() == "", done.stdout + done.stderr


def test_the_unit_waits_for_ready_and_restarts_a_starved_watchdog():
    assert unit_value("Type") == "notify" and unit_value("Restart") == "on-failure"
    assert int(unit_value("WatchdogSec")) > 0


def test_the_unit_retries_a_port_in_use_for_longer_than_a_drain_but_never_a_bad_setting():
    """Before, every failure was restarted every 2 s, a setting no restart can fix too."""
    prevented = {int(status) for status in unit_value("RestartPreventExitStatus").split()}
    assert EXIT_BAD_SETTINGS in prevented and EXIT_ADDRESS_IN_USE not in prevented and 1 not in prevented
    assert unit_value("Restart") == "on-failure"
    retrying = int(unit_value("StartLimitBurst")) * int(unit_value("RestartSec"))   # at least, per start limit
    assert retrying >= Settings().drain_seconds + SHUTDOWN_GRACE_SECONDS   # an old instance lets go of the port
    assert int(unit_value("StartLimitIntervalSec")) >= retrying


def test_the_unit_starts_once_the_network_is_online_since_an_address_not_yet_there_is_never_retried():
    """Before, After=network.target: at boot a TTS_HOST of an address not yet configured exited 2, for good."""
    assert unit_value("After") == "network-online.target" and unit_value("Wants") == "network-online.target"
    assert EXIT_BAD_SETTINGS in {int(status) for status in unit_value("RestartPreventExitStatus").split()}


def test_the_descriptor_limit_holds_the_default_connection_cap():
    """LimitNOFILE= sets the hard limit too, so the server cannot raise it: 4096 cut the cap to 1344 once each
    connection counted 3 descriptors, while the unit's comment still promised 4032."""
    assert int(unit_value("LimitNOFILE")) >= DESCRIPTOR_RESERVE + DESCRIPTORS_PER_CONNECTION * DEFAULT_MAX_CONNECTIONS


def megabytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)\s*([kmgKMG])?[bB]?", size.strip()).groups()
    return int(number) * {"k": 1 / 1024, "m": 1, "g": 1024, None: 1 / 2 ** 20}[unit and unit.lower()]


def test_memory_caps_agree_between_the_unit_compose_the_dockerfile_and_the_readme():
    cap = megabytes(unit_value("MemoryMax"))
    # as the memory scenario computes them from its measured peak (before: 1216M / 1408M from a peak of 938 MB
    # while memory.json, at 981 MB, said 1280M / 1472M: MemoryMax was 1.44x the peak, not the half the README said)
    measured = json.loads((ROOT / "tts" / "bench" / "results" / "memory.json").read_text(encoding="utf-8"))
    assert (megabytes(unit_value("MemoryHigh")), cap) == (measured["memory_high_mb"], measured["memory_max_mb"])
    assert megabytes(unit_value("MemoryHigh")) < cap
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    assert {megabytes(s["mem_limit"]) for name, s in compose.items() if name.startswith("tts-")} == {cap}
    for text in ((ROOT / "Dockerfile").read_text(encoding="utf-8"), (ROOT / "README.md").read_text(encoding="utf-8")):
        assert {megabytes(m) for m in re.findall(r"docker run [^\n]*--memory (\w+)", text)} == {cap}


def seconds(duration: str) -> float:
    number, unit = re.fullmatch(r"(\d+)\s*(ms|s|m|h)?", str(duration).strip()).groups()
    return int(number) * {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600}[unit]


def test_every_stop_timeout_outlasts_a_drain_and_its_grace():
    """`docker run` without --stop-timeout had Docker's 10 s: `docker stop` SIGKILLed a drain of up to 25 s."""
    drain = Settings().drain_seconds + SHUTDOWN_GRACE_SECONDS
    assert seconds(unit_value("TimeoutStopSec")) >= drain
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    assert all(seconds(s["stop_grace_period"]) >= drain for name, s in compose.items() if name.startswith("tts-"))
    for text in ((ROOT / "Dockerfile").read_text(encoding="utf-8"), (ROOT / "README.md").read_text(encoding="utf-8")):
        commands = re.findall(r"docker run [^\n`]* zh-tts", text)
        assert commands and all(re.search(r"--stop-timeout (\d+)", c) for c in commands), commands
        assert all(int(re.search(r"--stop-timeout (\d+)", c).group(1)) >= drain for c in commands)


def test_health_checks_probe_liveness():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))["services"]
    for name, service in compose.items():
        if name.startswith("tts-"):
            assert "/healthz" in " ".join(service["healthcheck"]["test"])
            assert compose["nginx"]["depends_on"][name] == {"condition": "service_healthy"}
    healthcheck = re.search(r"^HEALTHCHECK .*?(?<!\\)$", (ROOT / "Dockerfile").read_text(encoding="utf-8"), re.M | re.S)
    assert healthcheck and "/healthz" in healthcheck.group(0)


def test_the_confinement_is_real_a_call_outside_the_filter_fails_with_eperm(monkeypatch):
    probe = "import os; os.sched_setaffinity(0, os.sched_getaffinity(0))"   # @resources: taken away
    with children_run(monkeypatch, confinement(UNIT)):
        confined = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert subprocess.run([sys.executable, "-c", probe], timeout=60).returncode == 0
    assert confined.returncode != 0 and "Operation not permitted" in confined.stderr


@pytest.mark.live
def test_the_server_runs_confined_by_the_units_system_call_filter_and_write_xor_execute(monkeypatch):
    """Both engines, every format, streaming and metrics, under seccomp and W^X from the unit."""
    systemd_analyze()
    with children_run(monkeypatch, confinement(UNIT)):
        server = LiveServer(TTS_CACHE_MB="0", TTS_KOKORO_THREADS="2")
    try:
        server.wait_ready()
        for voice in ("baker", "zf_xiaobei"):
            for fmt in ("wav", "flac", "mp3", "opus"):
                response = requests.post(f"{server.url}/tts", json={"text": "你好，世界。", "voice": voice,
                                                                     "format": fmt}, timeout=120)
                assert response.status_code == 200, (voice, fmt, response.text)
                samples, _ = decode(response.content)
                assert len(samples) > 0
        streamed = requests.post(f"{server.url}/tts", json={"text": "你好。", "stream": True}, timeout=60)
        metrics = requests.get(f"{server.url}/metrics", timeout=10)
        log = server.log_tail()
    finally:
        server.stop()
    assert streamed.status_code == 200 and streamed.content[:4] == b"RIFF"
    assert metrics.status_code == 200 and "process_resident_memory_bytes" in metrics.text
    assert "Operation not permitted" not in log and "Traceback" not in log


# -- the Docker image is set up as ./run.sh sets up a machine ----------------------------------------
def dockerfile_stages() -> list[dict]:
    """The Dockerfile's stages: base image, name, and instructions (continuation lines joined)."""
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text(encoding="utf-8"))
    stages = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        word, _, rest = line.partition(" ")
        if word == "FROM":
            image, _, name = rest.partition(" AS ")
            stages.append({"image": image.strip(), "name": name.strip(), "steps": []})
        else:
            stages[-1]["steps"].append((word, rest.strip()))
    return stages


def setup_commands() -> list[str]:
    """The commands of run.sh's setup(), one per line."""
    script = (ROOT / "run.sh").read_text(encoding="utf-8")
    body = re.search(r"^setup\(\) \{\n(.*?)^\}", script, re.M | re.S).group(1)
    return [line.strip() for line in body.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_every_python_step_of_run_sh_setup_has_its_run_in_the_dockerfile():
    final = dockerfile_stages()[-1]
    runs = [rest for word, rest in final["steps"] if word == "RUN"]
    python_steps = [re.search(r'"\$VENV/bin/python" (-m \S+|-c "[^"]+")', c) for c in setup_commands()]
    wanted = [found.group(1) for found in python_steps if found]
    assert len(wanted) >= 3   # the Kokoro model, the ONNX vocoder, the frontend's tables
    for step in wanted:
        assert any(f"python {step}" in run for run in runs), f"run.sh sets up `{step}`; the Dockerfile does not"
    assert any("pip install -r requirements.txt" in r and "--no-deps -r requirements-voice.txt" in r for r in runs)


def test_the_image_gets_browser_vocoding_from_an_npm_stage_without_node_in_the_final_image():
    from tts.web.hidden import RUNTIME_FILES

    assert "install_page_packages" in setup_commands()
    assert re.search(r"^\s*(if ! )?sh npm/install\.sh(; then .*)?$", (ROOT / "run.sh").read_text(encoding="utf-8"), re.M)
    *builders, final = dockerfile_stages()
    npm_stage = next(s for s in builders if ("RUN", "sh npm/install.sh") in s["steps"])
    assert npm_stage["image"].startswith("node:") and npm_stage["name"]
    copied = [rest for word, rest in npm_stage["steps"] if word == "COPY"]
    assert any("npm/package-lock.json" in c and "npm/install.sh" in c for c in copied)   # npm ci needs the lock
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert "npm/node_modules" in ignored   # the host's packages never reach the build: only the lock does
    assert final["image"].startswith("python:") and not any(
        word == "RUN" and re.search(r"\b(npm|node|nodejs)\b", rest) for word, rest in final["steps"])
    def workdir(stage: dict) -> Path:
        return Path([rest for word, rest in stage["steps"] if word == "WORKDIR"][-1])

    runtime_dir = Settings().page_runtime_dir   # where the server looks, from its working directory
    from_stage = [rest.split()[1:] for word, rest in final["steps"]
                  if word == "COPY" and rest.startswith(f"--from={npm_stage['name']} ")]
    assert len(from_stage) == 1
    *sources, target = from_stage[0]
    assert (workdir(final) / target).resolve() == (workdir(final) / runtime_dir).resolve()
    assert {Path(source).parent for source in sources} == {workdir(npm_stage) / runtime_dir}
    assert {Path(source).name for source in sources} == {n + gz for n in RUNTIME_FILES.values() for gz in ("", ".gz")}
    install = (ROOT / "npm" / "install.sh").read_text(encoding="utf-8")
    assert "npm ci" in install and all(f"dist/{name}" in install for name in RUNTIME_FILES.values())


def test_the_npm_script_gzips_exactly_the_files_the_server_sends(tmp_path):
    import gzip

    from tts.web.hidden import RUNTIME_FILES

    shutil.copy(ROOT / "npm" / "install.sh", tmp_path / "install.sh")
    dist = tmp_path / "node_modules" / "onnxruntime-web" / "dist"
    dist.mkdir(parents=True)
    for name in (*RUNTIME_FILES.values(), "ort.all.min.js"):
        (dist / name).write_bytes(name.encode() * 1000)
    subprocess.run(["sh", str(tmp_path / "install.sh"), "--gzip-only"], check=True, timeout=60)
    assert {p.name for p in dist.glob("*.gz")} == {f"{name}.gz" for name in RUNTIME_FILES.values()}
    assert not list(dist.glob("*.tmp"))   # written under a temporary name, then renamed
    for name in RUNTIME_FILES.values():
        assert gzip.decompress((dist / f"{name}.gz").read_bytes()) == (dist / name).read_bytes()


def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (relative, as COPY names it) out of the build context."""
    import fnmatch

    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith("#")]
    parts = Path(path).parts
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern) or fnmatch.fnmatch(prefix, pattern.removeprefix("**/"))
               or fnmatch.fnmatch(Path(prefix).name, pattern.removeprefix("**/"))
               for prefix in prefixes for pattern in patterns)


def test_the_image_copies_only_what_the_repository_has_and_the_build_context_keeps():
    """Read as a builder would, without Docker: every COPY source there and not ignored, the server's code
    importing nothing the context leaves out (tts/bench, tests), started as ./run.sh starts it, as a user."""
    *_, final = dockerfile_stages()
    sources = [source for stage in dockerfile_stages() for word, rest in stage["steps"]
               if word == "COPY" and not rest.startswith("--from=") for source in rest.split()[:-1]]
    assert sources and all((ROOT / s).exists() and not dockerignored(s) for s in sources), sources
    assert all(dockerignored(p) for p in (".venv", ".cache", "tests", "tts/bench", "npm/node_modules", ".git",
                                          "tts/frontend/__pycache__"))
    for module in ROOT.glob("tts/**/*.py"):
        relative = module.relative_to(ROOT).as_posix()
        if not dockerignored(relative):
            assert not re.search(r"^\s*(from tts\.bench|import tts\.bench)", module.read_text(encoding="utf-8"),
                                 re.M), f"{relative} imports tts.bench, which .dockerignore leaves out of the image"
    steps = dict(final["steps"])
    serve = re.search(r'^\s*exec "\$VENV/bin/python" (.+)$', (ROOT / "run.sh").read_text(encoding="utf-8"), re.M)
    assert steps["CMD"] == str(["python", *serve.group(1).split()]).replace("'", '"')
    users = [rest for word, rest in final["steps"] if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert [word for word, _ in final["steps"]].index("USER") < [word for word, _ in final["steps"]].index("CMD")

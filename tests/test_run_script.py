"""run.sh as an operator meets it: its help, its exit status, and a set-up that a failed first try does not wedge.
Each test runs a copy of the script against a stand-in interpreter (PYTHON=...), so nothing is installed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import ROOT


def run(directory: Path, *args: str, python: Path | None = None) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", **({"PYTHON": str(python)} if python else {})}
    return subprocess.run(["bash", str(directory / "run.sh"), *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "run.sh", tmp_path / "run.sh")
    return tmp_path


def stand_in_python(directory: Path, version: str, venv_works: bool) -> Path:
    """An interpreter that answers run.sh's version check as `version` and, asked for a venv, leaves what
    Debian's python3 without python3-venv leaves: .venv/bin/python and no pip, status 1."""
    calls = directory / "calls"
    script = directory / "python3"
    major, minor = version.split(".")
    script.write_text(f"""#!/bin/bash
echo "$*" >> {calls}
case "$1" in
  --version) echo "Python {version}" ;;
  -c) [ "{major}.{minor}" = 3.11 ] ;;
  -m) mkdir -p .venv/bin && ln -sf /bin/true .venv/bin/python
      {"ln -sf /bin/true .venv/bin/pip" if venv_works else 'echo "The virtual environment was not created successfully because ensurepip is not available." >&2; exit 1'} ;;
esac
""")
    script.chmod(0o755)
    return script


def test_help_is_asked_for_on_stdout_with_status_0_and_a_wrong_command_gets_it_on_stderr_with_2(copy):
    """Before, --help was a wrong command: the usage on stderr and status 2."""
    helped = run(copy, "--help")
    assert helped.returncode == 0 and helped.stderr == ""
    assert all(word in helped.stdout for word in ("./run.sh test", "TTS_CPUS", "PYTHON=", "SIGTERM"))
    wrong = run(copy, "sevre")
    assert wrong.returncode == 2 and wrong.stdout == "" and wrong.stderr.startswith("usage: ./run.sh")


@pytest.mark.parametrize("cpus", ["abc", "4096"])
def test_a_bad_tts_cpus_is_named_before_the_set_up_with_status_2(copy, cpus):
    """Before, taskset refused it after the whole set-up, in words that did not name TTS_CPUS, with status 1."""
    done = subprocess.run(["bash", str(copy / "run.sh")], env={"PATH": "/usr/bin:/bin", "TTS_CPUS": cpus},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.startswith(f"run.sh: TTS_CPUS={cpus} is not a list of this machine's cores")
    assert not (copy / ".venv").exists()


def test_a_venv_left_without_pip_by_a_failed_first_try_is_made_again_not_taken_as_done(copy):
    """Before, the second run skipped the venv (its python existed) and ended in `.venv/bin/pip: No such file`."""
    python = stand_in_python(copy, "3.11", venv_works=False)
    for attempt in range(2):
        done = run(copy, python=python)
        assert done.returncode == 1, done.stderr
        assert "apt-get install python3-venv" in done.stderr and "No such file" not in done.stderr
    assert (copy / "calls").read_text().count("-m venv --clear .venv") == 2


def test_a_python_other_than_3_11_is_named_before_anything_is_made(copy):
    done = run(copy, python=stand_in_python(copy, "3.9", venv_works=True))
    assert done.returncode == 1
    assert "Python 3.11 is needed" in done.stderr and "is Python 3.9: set PYTHON=python3.11" in done.stderr
    assert not (copy / ".venv").exists()


def test_the_test_set_up_without_root_names_the_missing_system_packages_and_never_calls_apt(tmp_path):
    """Before, a user without apt rights got apt-get's lock-file error, which names none of the packages."""
    shutil.copy(ROOT / "tests" / "setup-system.sh", tmp_path / "setup-system.sh")
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname"):
        (tools / tool).symlink_to(shutil.which(tool))
    (tools / "id").write_text("#!/bin/sh\necho 1000\n")
    (tools / "apt-get").write_text(f"#!/bin/sh\ntouch {tmp_path}/apt-called\nexit 100\n")
    for fake in ("id", "apt-get"):
        (tools / fake).chmod(0o755)
    done = subprocess.run([str(tools / "bash"), str(tmp_path / "setup-system.sh")], env={"PATH": str(tools)},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and not (tmp_path / "apt-called").exists()
    said = re.fullmatch(r"setup-system\.sh: the tests need (.+); install them as root \(apt-get install \1\) "
                        r"and run again", done.stderr.strip())
    assert said and {"redis-server", "systemd"} <= set(said[1].split())   # (nginx: found in /usr/sbin when there)


def set_up(copy: Path, npm: str | None = None, *commands: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    """`./run.sh setup` (or each of `commands` in turn: the last one's outcome) in the copy with a python whose
    venv's python and pip only note how they were called, and only the tools the script uses (npm: a stand-in
    script's body, or none at all): nothing is fetched."""
    for name in ("requirements.txt", "requirements-dev.txt", "requirements-voice.txt", "npm/package-lock.json",
                 "npm/install.sh"):
        (copy / name).parent.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, copy / name)
    calls = copy / "calls"
    python = copy / "python3"
    python.write_text(f"""#!/bin/bash
case "$1" in
  -c) exit 0 ;;
  -m) mkdir -p .venv/bin
      for tool in python pip; do printf '#!/bin/bash\\necho "%s $*" >> {calls}\\n' $tool > .venv/bin/$tool
                                 chmod +x .venv/bin/$tool; done ;;
esac
""")
    python.chmod(0o755)
    tools = copy / "bin"
    tools.mkdir()
    for tool in ("bash", "sh", "cat", "sha256sum", "cut", "dirname", "mkdir", "chmod"):
        (tools / tool).symlink_to(shutil.which(tool))
    if npm is not None:
        (tools / "npm").write_text(f"#!/bin/sh\n{npm}\n")
        (tools / "npm").chmod(0o755)
    for command in commands or ("setup",):
        done = subprocess.run(["bash", str(copy / "run.sh"), command], env={"PATH": str(tools), "PYTHON": str(python)},
                              capture_output=True, text=True, timeout=60)
    return done, calls.read_text().splitlines()


def test_setup_sets_up_and_exits_0_without_starting_the_server(copy):
    """Before, an install (deploy/tts.service: "run ./run.sh once there") had to start the server and kill it."""
    done, made = set_up(copy)
    assert done.returncode == 0, done.stderr
    assert "pip install --quiet --disable-pip-version-check -r requirements.txt" in made
    assert "python -m tts.engines.kokoro_model --dest .cache/kokoro" in made
    assert not any("app.py" in call or "pytest" in call for call in made)
    assert "npm not found" in done.stderr   # without npm: the page's runtime is skipped with a note


def test_an_npm_that_cannot_reach_its_registry_leaves_browser_vocoding_off_and_the_set_up_goes_on(copy):
    """Before, a failing `npm ci` (offline box, npm installed) ended ./run.sh: the server never started."""
    done, _ = set_up(copy, npm='echo "npm ERR! network request failed" >&2; exit 1')
    assert done.returncode == 0, done.stderr
    assert "npm ERR! network" in done.stderr and "npm ci failed (above)" in done.stderr
    assert not (copy / "npm" / "node_modules" / ".installed-lock").exists()   # tried again next time


def test_a_start_after_npm_failed_for_this_lock_does_not_wait_on_the_registry_again_and_setup_does(copy):
    """Before, every ./run.sh on a box with npm but no route to its registry ran `npm ci` again, whose retries
    can take minutes before the server starts."""
    tries = copy / "npm-tries"
    npm = f'echo "npm $*" >> {tries}; echo "npm ERR! network request failed" >&2; exit 1'
    done, made = set_up(copy, npm, "setup", "serve")
    assert done.returncode == 0 and made[-1] == "python app.py", done.stderr
    assert len(tries.read_text().splitlines()) == 1
    assert "npm ci failed for this lock at an earlier set-up" in done.stderr and "./run.sh setup tries again" in done.stderr
    done = subprocess.run(["bash", str(copy / "run.sh"), "setup"], env={"PATH": str(copy / "bin"),
                          "PYTHON": str(copy / "python3")}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and len(tries.read_text().splitlines()) == 2   # setup: tried again


def test_tts_cpus_without_taskset_says_that_taskset_is_missing(copy):
    """Before, a box without util-linux heard that TTS_CPUS=0 was not a list of its cores."""
    tools = copy / "bin"
    tools.mkdir()
    for tool in ("bash", "dirname", "nproc"):
        (tools / tool).symlink_to(shutil.which(tool))
    done = subprocess.run([str(tools / "bash"), str(copy / "run.sh")], env={"PATH": str(tools), "TTS_CPUS": "0"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and not (copy / ".venv").exists()
    assert done.stderr.startswith("run.sh: TTS_CPUS=0 needs taskset, which is not installed")

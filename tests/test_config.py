"""Settings come from TTS_* variables, typed and checked at start."""

import re
from pathlib import Path

import pytest

from tts.config import Settings, SettingsError


def test_defaults_without_environment():
    settings = Settings.from_env({})
    assert (settings.host, settings.port, settings.queue_size) == ("127.0.0.1", 8000, 10)


def test_variables_override_with_types():
    settings = Settings.from_env({"TTS_QUEUE_SIZE": "3", "TTS_HOST": "0.0.0.0", "TTS_THREADS": "1"})
    assert settings.queue_size == 3 and settings.host == "0.0.0.0" and settings.threads == 1


@pytest.mark.parametrize("env, name", [
    ({"TTS_QUEUE_SIZE": "ten"}, "TTS_QUEUE_SIZE"),
    ({"TTS_QUEUE_SIZE": "0"}, "TTS_QUEUE_SIZE"),
    ({"TTS_PORT": "70000"}, "TTS_PORT"),
    ({"TTS_THREADS": "0"}, "TTS_THREADS"),
    ({"TTS_LOG_LEVEL": "loud"}, "TTS_LOG_LEVEL"),   # logging itself refused it with a traceback at start
    # each of these was taken before: int() reads underscores and non-ASCII digits; an empty TTS_HOST listened
    # on every interface, an empty directory meant the working directory; half a Sambert set-up left it off
    # without a word; a URL or a port in TTS_ALLOWED_HOSTS never matched a Host header (every request 421)
    ({"TTS_PORT": "8_000"}, "TTS_PORT"),
    ({"TTS_CACHE_MB": "\u0661\u0662"}, "TTS_CACHE_MB"),
    ({"TTS_HOST": ""}, "TTS_HOST"),
    ({"TTS_KOKORO_DIR": " "}, "TTS_KOKORO_DIR"),
    ({"TTS_DEFAULT_VOICE": ""}, "TTS_DEFAULT_VOICE"),
    ({"TTS_SAMBERT_PYTHON": "/usr/bin/python3"}, "TTS_SAMBERT_MODEL_DIR"),
    ({"TTS_SAMBERT_MODEL_DIR": "/srv/sambert"}, "TTS_SAMBERT_PYTHON"),
    ({"TTS_ALLOWED_HOSTS": "https://tts.example.com"}, "TTS_ALLOWED_HOSTS"),
    ({"TTS_ALLOWED_HOSTS": "tts.example.com:8080"}, "TTS_ALLOWED_HOSTS"),
])
def test_bad_values_fail_naming_the_variable(env, name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)


def test_settings_that_may_be_empty_or_padded_still_read_as_meant():
    settings = Settings.from_env({"TTS_PORT": " 8001 ", "TTS_QUEUE_SIZE": "+4", "TTS_API_KEYS": "", "TTS_REDIS_URL": "",
                                  "TTS_ALLOWED_HOSTS": "tts.example.com, .example.org,xn--fiqs8s.cn,tts_app,*"})
    assert (settings.port, settings.queue_size, settings.keys, settings.redis_url) == (8001, 4, (), "")
    # tts_app: a Docker service name (resolvable, sent as Host:); refused for a while, which ended such starts
    assert settings.hosts == ("tts.example.com", ".example.org", "xn--fiqs8s.cn", "tts_app", "*")


def test_the_log_level_is_read_in_any_case():
    assert Settings.from_env({"TTS_LOG_LEVEL": "warning"}).logging_level == "WARNING"


def test_a_misspelled_setting_ends_the_start_naming_the_setting_it_is_close_to():
    """Before, TTS_PROT=9000 was a warning and the server listened on the default port 8000."""
    with pytest.raises(SettingsError, match=r"^TTS_PROT is not a setting \(did you mean TTS_PORT\?\); correct or unset it$"):
        Settings.from_env({"TTS_PROT": "9000"})
    for other in ({"TTS_UNRELATED_TOOL_FLAG": "1"}, {"TTS_TEST": "1"}):   # not that close to one: a warning only
        assert Settings.from_env(other).port == 8000
    assert Settings.ignored({"TTS_UNRELATED_TOOL_FLAG": "1"}) == ["TTS_UNRELATED_TOOL_FLAG is not a setting; it is ignored"]


def test_a_variable_that_is_no_setting_is_named_with_the_nearest_setting_not_silently_ignored():
    environ = {"TTS_QUEU_SIZE": "4", "TTS_CPUS": "0-1", "TTS_PORT": "8001", "OTHER": "x"}
    assert Settings.ignored(environ) == ["TTS_QUEU_SIZE is not a setting (did you mean TTS_QUEUE_SIZE?); it is ignored"]


# what Kubernetes injects into every pod of the namespace for a Service named tts (and one named tts-redis)
SERVICE_LINKS = {"TTS_SERVICE_HOST": "10.0.0.7", "TTS_SERVICE_PORT": "8000", "TTS_SERVICE_PORT_HTTP": "8000",
                 "TTS_PORT_8000_TCP": "tcp://10.0.0.7:8000", "TTS_PORT_8000_TCP_PROTO": "tcp",
                 "TTS_PORT_8000_TCP_PORT": "8000", "TTS_PORT_8000_TCP_ADDR": "10.0.0.7",
                 "TTS_REDIS_SERVICE_HOST": "10.0.0.8", "TTS_REDIS_PORT": "tcp://10.0.0.8:6379",
                 "TTS_REDIS_PORT_6379_TCP_PORT": "6379"}


def test_kubernetes_service_links_are_no_typos_and_no_warnings():
    """Each was named at every start as "not a setting (did you mean TTS_PORT?)", of which the operator set none."""
    assert Settings.from_env({**SERVICE_LINKS, "TTS_PORT": "8001"}).port == 8001
    assert Settings.ignored(SERVICE_LINKS) == []


def test_a_service_links_tts_port_ends_the_start_saying_what_set_it():
    """It said only "TTS_PORT must be a whole number, got 'tcp://10.0.0.7:8000'"."""
    with pytest.raises(SettingsError, match=r"^TTS_PORT=tcp://10.0.0.7:8000 is a Kubernetes service link.*"
                                            r"enableServiceLinks: false"):
        Settings.from_env({**SERVICE_LINKS, "TTS_PORT": "tcp://10.0.0.7:8000"})


ROOT = Path(__file__).resolve().parent.parent
ENVIRONMENT_READ = re.compile(r"""(?:environ(?:\.get)?[(\[]|getenv\(|setenv\()\s*["'](TTS_\w+)|\$\{?(TTS_\w+)""")


def variables_read_outside_the_settings() -> set[str]:
    """Every TTS_* name the repository's own code, tests, bench and scripts read from the environment."""
    sources = [*ROOT.glob("tts/**/*.py"), *ROOT.glob("tests/**/*.py"), *ROOT.glob("*.py"), *ROOT.glob("*.sh"),
               *ROOT.glob(".ci/*"), *ROOT.glob("tests/*.sh"), *ROOT.glob("tests/browser/*.sh")]
    names = set()
    for path in sources:
        if path == ROOT / "tts" / "config.py" or "node_modules" in path.parts or not path.is_file():
            continue
        for match in ENVIRONMENT_READ.finditer(path.read_text(encoding="utf-8", errors="replace")):
            names.add(match[1] or match[2])
    return names


def test_no_variable_the_project_reads_itself_is_warned_about_as_a_misspelled_setting():
    """TTS_CHROMIUM (the browser tests) and TTS_BENCH_CACHE (the bench) were flagged "not a setting"."""
    read = variables_read_outside_the_settings()
    assert {"TTS_CPUS", "TTS_CHROMIUM", "TTS_BENCH_CACHE", "TTS_KOKORO_DIR"} <= read   # the scan sees them
    assert Settings.ignored(dict.fromkeys(read, "x")) == []


def test_an_unknown_default_voice_names_the_setting_only_where_the_setting_is_applied():
    """The catalogue named TTS_DEFAULT_VOICE also when the default came from code, not from the setting."""
    from fakes import tone_synthesizer
    from tts.catalogue import UnknownDefaultVoice
    from tts.synthesizer import Synthesizer

    with pytest.raises(UnknownDefaultVoice, match=r"^the voice 'nobody' is not offered; voices: tone") as raised:
        Synthesizer(tone_synthesizer().engines, default_voice="nobody")
    assert not isinstance(raised.value, SettingsError)
    with pytest.raises(SettingsError, match=r"^TTS_DEFAULT_VOICE: the voice 'nobody' is not offered; voices: baker"):
        Synthesizer.from_settings(Settings(default_voice="nobody", kokoro=False))

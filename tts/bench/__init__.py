"""Benchmarks: `python -m tts.bench`. Figures are measured here and compared as ratios, never asserted in tests."""

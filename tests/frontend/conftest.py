"""Property tests give the same verdict on every run in CI, and explore freely elsewhere.

With CI set (CI runs `./run.sh test` with CI=true), Hypothesis derandomizes: each test
draws the same examples every run, from no example database, so a clean clone's verdict is
the verdict of every run. Locally the default profile explores at random and keeps what
fails in .hypothesis/; every failure found is then written into its test as an @example.
(Loaded here, the profile applies to the whole session; it belongs in tests/conftest.py once
other suites use Hypothesis.)
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("dev", print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

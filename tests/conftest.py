"""Hypothesis profiles, and the rule for the two test tiers.

`make test` runs every test not marked slow, `make test-slow` the slow ones (CI runs both), both with the
`ci` profile (derandomized, 25 examples); `make test-thorough` runs them all with `thorough` (1000).

A test is slow, and gets `@pytest.mark.slow`, when it runs `azru validate` (or `azru build`, which validates
first) or frictionless on a whole package, when one run of it takes over a second on the 2-core CI machine
(`pytest --durations=0`; a parametrized case or all examples of a property test count as one run), or when
it measures time or scaling. tests/test_data.py, the check of the package's own data, always runs.

The repository's release is built here, once per session, for every module that reads it.
"""

import os
import tempfile

import pytest
from azru.release import build
from hypothesis import HealthCheck, settings
from releases import REPO, Built

# frictionless's verdicts on the many descriptors the tests make are cached for this session only
os.environ.setdefault("AZRU_CACHE", tempfile.mkdtemp(prefix="azru-test-cache-"))

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=1000, deadline=None, database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("repository") / "dist"
    build(REPO, out)
    return Built(REPO, out)

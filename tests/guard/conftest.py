"""Fixtures of the guard's tests."""

from __future__ import annotations

import pytest

from tests.guard.adversarial_harness import Bases, shared_bases


@pytest.fixture(scope="module")
def bases(tmp_path_factory: pytest.TempPathFactory) -> Bases:
    """The adversarial corpora's bases (tests/guard/adversarial_harness.py), each made once per module when first
    asked for."""
    return shared_bases(tmp_path_factory)

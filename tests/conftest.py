"""Shared fixtures; the toy region itself is in ``toy.py``."""

from __future__ import annotations

import pytest
from toy import make_boundaries

from hzgeo.io import Boundaries


@pytest.fixture
def boundaries() -> Boundaries:
    return make_boundaries()

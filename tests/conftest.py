"""Shared fixtures; the toy region itself is in ``toy.py``."""

from __future__ import annotations

import matplotlib
import pytest
from toy import make_boundaries

from hzgeo.io import Boundaries

matplotlib.use("Agg")


@pytest.fixture
def boundaries() -> Boundaries:
    return make_boundaries()

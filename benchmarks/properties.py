"""Run the conservation properties (tests/test_properties.py) on many random examples.

    python benchmarks/properties.py --examples 2000

The suite runs 12 fixed examples; this runs ``--examples`` fresh random ones (hypothesis
draws new ones each run, so a repeat run explores further) and prints hypothesis's
statistics: how many examples passed, failed or were invalid, and the time they took.
A failure prints the smallest example hypothesis found, ready to become a deterministic
test in tests/test_regressions.py.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    args = parser.parse_args(argv)
    env = dict(os.environ, HZGEO_PROPERTY_EXAMPLES=str(args.examples))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--hypothesis-show-statistics", "-x",
                           "tests/test_properties.py::test_reaches_conserve_length_and_match_overlay"],
                          cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())

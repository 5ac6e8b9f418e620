"""``python -m hzgeo``: the same as the ``hzgeo`` command."""

import sys

from hzgeo.cli import main

if __name__ == "__main__":  # not when a spawned worker process imports this module
    sys.exit(main())

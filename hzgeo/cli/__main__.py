"""``python -m hzgeo.cli``: the same as the ``hzgeo`` command."""

import sys

from hzgeo.cli import main

sys.exit(main())

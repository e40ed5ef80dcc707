"""``python -m synutil evaluate ...``: the same command as ``synutil`` (see :mod:`synutil.evaluation.cli`)."""

import sys

from .evaluation.cli import main

if __name__ == "__main__":
    sys.exit(main())

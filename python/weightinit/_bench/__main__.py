"""``python -m weightinit._bench``: the same as ``python -m weightinit bench``."""

import sys

from .cli import main

sys.exit(main())

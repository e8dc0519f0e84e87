"""``python -m lgsim``."""

import sys

from .cli import main

sys.exit(main())

"""``python -m nn_impl train|evaluate|predict``: see :mod:`nn_impl.cli`."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())

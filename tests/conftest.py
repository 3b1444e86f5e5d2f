"""Shared test setup. Tests are imported with --import-mode=importlib (two folders hold a test_inspect.py), so
the folders whose helper modules tests import (tests/_support.py, tests/unit/test_images.py's encoder,
tests/browser/_page_helpers.py) are put on sys.path here."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "unit", HERE / "browser"):
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

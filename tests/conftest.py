"""Shared test setup. Tests are imported with --import-mode=importlib (the test folders are not packages, and
pytest then leaves sys.path alone), so the folders whose modules tests import (tests/_support.py,
tests/unit/test_images.py's encoder, tests/unit/test_session.py's dataset, tests/browser/_page_helpers.py) are
put on sys.path here."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for folder in (HERE, HERE / "unit", HERE / "browser"):
    if folder.is_dir() and str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

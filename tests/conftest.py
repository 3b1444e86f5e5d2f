"""Shared test setup: tests/ on sys.path, so every folder can use the helpers in tests/_support.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

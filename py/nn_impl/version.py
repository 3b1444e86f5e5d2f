"""The package's version, in a module of its own so that any module can read it without importing the package's
``__init__`` (which names the public API, and so imports those modules for type checkers)."""

__version__ = "0.1.0"

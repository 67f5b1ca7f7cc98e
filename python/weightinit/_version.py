"""The package's version (also in pyproject.toml; tests/test_layout.py keeps the two equal)."""

__version__ = "0.1.0"

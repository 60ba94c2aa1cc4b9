"""The package version (one copy: pyproject reads it too)."""

__version__ = "0.1.0"

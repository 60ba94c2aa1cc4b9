"""simstream: stream numpy frames of a running simulation in; read results back as pandas and Arrow."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
